package io.kube4j.kubelet.it;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.kubelet.KubeletApplication;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real, unmodified kubectl 1.32 against a real apiserver and a kubelet on the process runtime, for
 * everything that streams: {@code exec} (plain, {@code -i} with stdin piped, {@code -it} under a
 * pseudo-terminal, exit codes), {@code cp} both ways, {@code attach}, {@code port-forward} and
 * {@code logs -f}. Every pod runs a command this test wrote, in its own directory.
 */
class KubectlStreamingIT {
    private static final String NODE = "it-streaming-node";
    private static final Path KUBECTL = Path.of(System.getenv().getOrDefault("KUBECTL", "/usr/bin/kubectl"));
    private static EtcdContainer etcd;
    private static ApiServerProcess apiserver;
    private static ConfigurableApplicationContext kubelet;
    private static ApiClient api;
    private static Path home;

    @BeforeAll
    static void start() throws IOException {
        assertThat(Files.isExecutable(KUBECTL)).as("kubectl 1.32 at " + KUBECTL + " (or $KUBECTL)").isTrue();
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint()).start();
        api = new ApiClient(apiserver.url());
        kubelet = new SpringApplicationBuilder(KubeletApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=" + apiserver.url(),
                "--kube4j.kubelet.node-name=" + NODE,
                "--kube4j.kubelet.runtime=process",
                "--kube4j.kubelet.address=127.0.0.1",
                "--kube4j.kubelet.sync-period=500ms",
                "--kube4j.kubelet.root-dir=target/kubelet-streaming-it");
        home = Files.createTempDirectory("kubectl-streaming-it");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> kubectl("get", "node", NODE).exitCode == 0);
    }

    @AfterAll
    static void stop() {
        if (kubelet != null) {
            kubelet.close();
        }
        if (apiserver != null) {
            apiserver.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    record Result(int exitCode, String out, String err) {
    }

    private static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(KUBECTL.toString(), "--server", apiserver.url(), "--cache-dir", home.resolve("cache").toString(), "-n", "default"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Result kubectl(String... args) throws IOException, InterruptedException {
        return run(null, command(args));
    }

    static Result run(String stdin, List<String> cmd) throws IOException, InterruptedException {
        return run(stdin, cmd, java.util.Map.of());
    }

    static Result run(String stdin, List<String> cmd, java.util.Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("KUBECONFIG");
        Process p = pb.start();
        // readers on threads of their own: blocking reads on the common pool (one worker on two cores) would hold up
        // every other task queued there until kubectl ends
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()), Thread::startVirtualThread);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), Thread::startVirtualThread);
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("kubectl " + cmd + " did not finish in 60 s; it wrote:\n" + out.join() + "\n--- stderr\n" + err.join());
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void runPod(String name, String... command) {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = name;
        p.spec.nodeName = NODE;
        p.spec.restartPolicy = "Never";
        p.spec.terminationGracePeriodSeconds = 1L;
        Container c = new Container();
        c.name = "app";
        c.image = "local/busybox:latest";
        c.command.addAll(List.of(command));
        p.spec.containers.add(c);
        api.create(p);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(api.get(Pod.class, "default", name).status.containerStatuses.get(0).state.running).isNotNull());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void execEchoPrintsTheOutputAndExitsZero() throws Exception {
        runPod("exec-echo", "sh", "-c", "exec sleep 3600");
        Result r = kubectl("exec", "exec-echo", "--", "echo", "hello", "from exec");
        assertThat(r.exitCode).as(r.err).isZero();
        assertThat(r.out).isEqualTo("hello from exec\n");
    }

    @Test
    void execKeepsStderrApartAndPropagatesTheExitCode() throws Exception {
        runPod("exec-exit", "sh", "-c", "exec sleep 3600");
        Result r = kubectl("exec", "exec-exit", "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(r.exitCode).isEqualTo(3);
        assertThat(r.out).isEqualTo("out\n");
        assertThat(r.err).contains("err\n").contains("command terminated with exit code 3");
    }

    @Test
    void execWithStdinPipedSeesItAndItsEnd() throws Exception {
        runPod("exec-stdin", "sh", "-c", "exec sleep 3600");
        String input = "line one\nline two\n".repeat(2000);
        Result r = run(input, command("exec", "-i", "exec-stdin", "--", "sh", "-c", "cat | wc -l"));
        assertThat(r.exitCode).as(r.err).isZero();
        assertThat(r.out.strip()).isEqualTo("4000");
    }

    @Test
    void execWithATerminalRunsOnAPseudoTerminal() throws Exception {
        runPod("exec-tty", "sh", "-c", "exec sleep 3600");
        String kubectl = String.join(" ", command("exec", "-it", "exec-tty", "--", "sh", "-c", "tty; echo tty-done"));
        Result r = run(null, List.of("script", "-qec", kubectl, "/dev/null"));
        assertThat(r.exitCode).as(r.out + r.err).isZero();
        assertThat(r.out).contains("/dev/pts/").contains("tty-done");
    }

    @Test
    void cpCopiesAFileIntoAndOutOfThePod() throws Exception {
        runPod("cp-pod", "sh", "-c", "exec sleep 3600");
        Path local = home.resolve("in.txt");
        Files.writeString(local, "copied in " + System.nanoTime() + "\n");
        Result in = kubectl("cp", local.toString(), "cp-pod:in.txt");
        assertThat(in.exitCode).as(in.err).isZero();
        Result cat = kubectl("exec", "cp-pod", "--", "cat", "in.txt");
        assertThat(cat.out).isEqualTo(Files.readString(local));

        assertThat(kubectl("exec", "cp-pod", "--", "sh", "-c", "echo made in the pod > out.txt").exitCode).isZero();
        Path back = home.resolve("out.txt");
        Result out = kubectl("cp", "cp-pod:out.txt", back.toString());
        assertThat(out.exitCode).as(out.err).isZero();
        assertThat(Files.readString(back)).isEqualTo("made in the pod\n");
    }

    @Test
    void attachShowsTheContainersOutputAsItIsWritten() throws Exception {
        runPod("attach-pod", "sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.5; done");
        Process p = new ProcessBuilder(command("attach", "attach-pod")).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        try {
            List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
            CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
                try {
                    String line;
                    while (lines.size() < 3 && (line = r.readLine()) != null) {
                        if (line.startsWith("tick ")) {
                            lines.add(line);
                        }
                    }
                } catch (IOException e) {
                    // destroyed
                }
            });
            reading.get(20, TimeUnit.SECONDS);
            assertThat(lines).hasSize(3);
            int first = Integer.parseInt(lines.get(0).substring(5));
            assertThat(lines).containsExactly("tick " + first, "tick " + (first + 1), "tick " + (first + 2));
        } finally {
            p.destroy();
        }
    }

    @Test
    void logsFollowShowsEachLineWithinOneSecondOfItsWriting() throws Exception {
        // each line carries the time it was written, in milliseconds
        runPod("logs-follow", "sh", "-c", "while true; do echo at $(date +%s%3N); sleep 0.7; done");
        Process p = new ProcessBuilder(command("logs", "-f", "--tail=0", "logs-follow")).start();
        List<Long> delays = new java.util.concurrent.CopyOnWriteArrayList<>();
        // not closed here: closing a reader another thread is blocked in would wait for it; destroying kubectl ends it
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        try {
            CompletableFuture.runAsync(() -> {
                try {
                    String line;
                    while (delays.size() < 5 && (line = r.readLine()) != null) {
                        long written = Long.parseLong(line.substring(3).strip());
                        delays.add(System.currentTimeMillis() - written);
                    }
                } catch (IOException e) {
                    // destroyed
                }
            }).get(30, TimeUnit.SECONDS);
        } finally {
            p.destroy();
        }
        System.out.println("logs -f delays (ms) from write to kubectl's output: " + delays);
        assertThat(delays).hasSize(5).allSatisfy(d -> assertThat(d).isLessThan(1000));
    }

    @Test
    void portForwardServesSequentialAndConcurrentHttpRequests() throws Exception {
        int podPort = freePort();
        int localPort = freePort();
        runPod("pf-pod", "python3", "-m", "http.server", Integer.toString(podPort), "--bind", "127.0.0.1");
        // the server must listen before the first forwarded connection: kubectl port-forward (1.23+) exits with
        // "lost connection to pod" when the pod refuses one, and every later request would then be refused locally
        // (a loaded CI machine started python more slowly than the first request came)
        awaitListening(podPort);
        java.nio.file.Path pfLog = java.nio.file.Files.createTempFile("port-forward", ".log");
        Process pf = new ProcessBuilder(command("port-forward", "pod/pf-pod", localPort + ":" + podPort)).redirectErrorStream(true)
                .redirectOutput(pfLog.toFile()).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI uri = URI.create("http://127.0.0.1:" + localPort + "/");
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .failFast("kubectl port-forward exited", () -> !pf.isAlive())
                    .until(() -> http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            for (int i = 0; i < 20; i++) {
                // python's http.server answers HTTP/1.0 and closes: each request is a new forwarded connection
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("Directory listing");
            }
            List<CompletableFuture<HttpResponse<String>>> concurrent = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                concurrent.add(HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : concurrent) {
                assertThat(f.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
            assertThat(pf.isAlive()).as(() -> readQuietly(pfLog)).isTrue();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("kubectl port-forward said: " + readQuietly(pfLog), e);
        } finally {
            pf.destroy();
        }
    }

    /**
     * Waits until the pod's server (a host process under the process runtime) accepts connections: kubectl
     * port-forward (1.23+) exits with "lost connection to pod" when the pod refuses a forwarded connection.
     */
    private static void awaitListening(int podPort) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", podPort)) {
                return true;
            }
        });
    }

    private static String readQuietly(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            return "(" + e + ")";
        }
    }

    @Test
    void officialJavaClientExecPortForwardAndFollowedLogsWork() throws Exception {
        io.kubernetes.client.openapi.ApiClient client = io.kubernetes.client.util.Config.fromUrl(apiserver.url(), false);
        client.setReadTimeout(0);

        runPod("jc-exec", "sh", "-c", "exec sleep 3600");
        Process exec = new io.kubernetes.client.Exec(client).exec("default", "jc-exec", new String[]{"sh", "-c", "echo from-java; exit 5"}, "app", false, false);
        String out = new String(exec.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(exec.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("from-java\n");
        assertThat(exec.exitValue()).isEqualTo(5);

        int podPort = freePort();
        runPod("jc-web", "python3", "-m", "http.server", Integer.toString(podPort), "--bind", "127.0.0.1");
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", podPort)) {
                return true;
            }
        });
        io.kubernetes.client.PortForward.PortForwardResult forward = new io.kubernetes.client.PortForward(client).forward("default", "jc-web", List.of(podPort));
        // the input stream first: once the server has answered and closed, the client no longer hands it out
        java.io.InputStream down = forward.getInputStream(podPort);
        var up = forward.getOutboundStream(podPort);
        up.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        up.flush();
        String answer = new String(down.readAllBytes(), StandardCharsets.UTF_8);
        assertThat(answer).startsWith("HTTP/1.0 200").contains("Directory listing");

        runPod("jc-logs", "sh", "-c", "while true; do echo follow-line; sleep 0.5; done");
        java.io.InputStream logs = new io.kubernetes.client.PodLogs(client).streamNamespacedPodLog("default", "jc-logs", "app", null, null, false);
        BufferedReader r = new BufferedReader(new InputStreamReader(logs, StandardCharsets.UTF_8));
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture.runAsync(() -> {
            try {
                String line;
                while (lines.size() < 4 && (line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // closed
            }
        }).get(20, TimeUnit.SECONDS);
        logs.close();
        assertThat(lines).hasSize(4).allMatch("follow-line"::equals);
    }

    @Test
    void runInteractiveShowsTheOutputAndRemovesThePod() throws Exception {
        String kubectl = String.join(" ", command("run", "run-rm", "-it", "--rm", "--restart=Never", "--image=local/busybox",
                "--overrides={\"apiVersion\":\"v1\",\"spec\":{\"nodeName\":\"" + NODE + "\"}}",
                "--", "sh", "-c", "'sleep 2; echo run-output'").stream().map(a -> a.startsWith("--overrides") ? "'" + a + "'" : a).toList());
        Result r = run(null, List.of("script", "-qec", kubectl, "/dev/null"));
        assertThat(r.out).as(r.err).contains("run-output").contains("pod \"run-rm\" deleted");
        assertThat(r.exitCode).as(r.out).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> api.find(Pod.class, "default", "run-rm").isEmpty());
    }

    @Test
    void runInteractiveEndingWithANonZeroExitShowsTheOutputOnceAndExitsWithTheContainersCode() throws Exception {
        runInteractiveExit4("run-exit-ws", java.util.Map.of());
    }

    @Test
    void runInteractiveOverSpdyEndingWithANonZeroExitShowsTheOutputOnce() throws Exception {
        runInteractiveExit4("run-exit-spdy", SPDY);
    }

    // The kubelet ends an attach with Success whatever the container's exit (remotecommand.ServeAttach); kubectl run
    // takes the code from the pod (terminated.exitCode) and exits with it. A NonZeroExitCode on the attach made
    // kubectl print "couldn't attach ... falling back to streaming logs" and the whole log a second time.
    private void runInteractiveExit4(String name, java.util.Map<String, String> env) throws Exception {
        String kubectl = String.join(" ", command("run", name, "-it", "--rm", "--restart=Never", "--image=local/busybox",
                "--overrides={\"apiVersion\":\"v1\",\"spec\":{\"nodeName\":\"" + NODE + "\"}}",
                "--", "sh", "-c", "'sleep 2; echo once-only; exit 4'").stream().map(a -> a.startsWith("--overrides") ? "'" + a + "'" : a).toList());
        Result r = run(null, List.of("script", "-qec", kubectl, "/dev/null"), env);
        String all = r.out + r.err;
        assertThat(all).doesNotContain("couldn't attach").doesNotContain("falling back");
        assertThat(all.split("once-only", -1)).as(all).hasSize(2);
        assertThat(r.exitCode).as(all).isEqualTo(4);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.find(Pod.class, "default", name).isEmpty());
    }

    // kubectl's switches back to SPDY/3.1 over a plain HTTP upgrade (no WebSocket attempted at all)
    private static final java.util.Map<String, String> SPDY = java.util.Map.of("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "false",
            "KUBECTL_PORT_FORWARD_WEBSOCKETS", "false");

    // what the kubelet's SPDY upgrade filter logs: proof that the SPDY path served a request, not a WebSocket
    private static ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> spdyUpgrades() {
        ch.qos.logback.classic.Logger l = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.kube4j.kubelet.streaming.SpdyUpgradeFilter");
        l.setLevel(ch.qos.logback.classic.Level.DEBUG);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        l.addAppender(appender);
        return appender;
    }

    @Test
    void execOverSpdyKeepsStreamsApartPassesStdinAndTheExitCode() throws Exception {
        var upgrades = spdyUpgrades();
        runPod("spdy-exec", "sh", "-c", "exec sleep 3600");
        Result r = run(null, command("exec", "spdy-exec", "--", "sh", "-c", "echo out; echo err >&2; exit 3"), SPDY);
        assertThat(r.exitCode).as(r.err).isEqualTo(3);
        assertThat(r.out).isEqualTo("out\n");
        assertThat(r.err).contains("err\n").contains("command terminated with exit code 3");

        String input = "spdy line\n".repeat(3000);
        Result piped = run(input, command("exec", "-i", "spdy-exec", "--", "sh", "-c", "cat | wc -l"), SPDY);
        assertThat(piped.exitCode).as(piped.err).isZero();
        assertThat(piped.out.strip()).isEqualTo("3000");

        String kubectl = String.join(" ", command("exec", "-it", "spdy-exec", "--", "sh", "-c", "tty; echo tty-done"));
        Result tty = run(null, List.of("script", "-qec", kubectl, "/dev/null"), SPDY);
        assertThat(tty.exitCode).as(tty.out + tty.err).isZero();
        assertThat(tty.out).contains("/dev/pts/").contains("tty-done");
        assertThat(upgrades.list).extracting(e -> e.getFormattedMessage())
                .filteredOn(m -> m.startsWith("/exec/default/spdy-exec/")).hasSize(3).allMatch(m -> m.endsWith("SPDY/3.1 with v4.channel.k8s.io"));
    }

    @Test
    void portForwardOverSpdyServesRequests() throws Exception {
        var upgrades = spdyUpgrades();
        int podPort = freePort();
        int localPort = freePort();
        runPod("spdy-pf", "python3", "-m", "http.server", Integer.toString(podPort), "--bind", "127.0.0.1");
        awaitListening(podPort);
        ProcessBuilder pb = new ProcessBuilder(command("port-forward", "pod/spdy-pf", localPort + ":" + podPort)).redirectErrorStream(true);
        pb.environment().putAll(SPDY);
        Process pf = pb.start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI uri = URI.create("http://127.0.0.1:" + localPort + "/");
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                    http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("Directory listing");
            }
            assertThat(pf.isAlive()).isTrue();
            assertThat(upgrades.list).extracting(e -> e.getFormattedMessage()).contains("/portForward/default/spdy-pf upgraded to SPDY/3.1 with portforward.k8s.io");
        } finally {
            pf.destroy();
        }
    }

    @Test
    void debugRunsAnEphemeralContainerAsAProcessOfThePod() throws Exception {
        runPod("proc-debug", "sh", "-c", "exec sleep 3600");
        String kubectl = String.join(" ", command("debug", "-it", "proc-debug", "--image=local/busybox", "--image-pull-policy=IfNotPresent",
                "--container=debugger", "--", "sh", "-c", "'sleep 2; echo debug-in-$HOSTNAME'"));
        Result r = run(null, List.of("script", "-qec", kubectl, "/dev/null"));
        assertThat(r.out).as(r.err).contains("debug-in-proc-debug");
        assertThat(r.exitCode).as(r.out).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Pod p = api.get(Pod.class, "default", "proc-debug");
            assertThat(p.status.ephemeralContainerStatuses).singleElement().satisfies(s -> {
                assertThat(s.name).isEqualTo("debugger");
                assertThat(s.state.terminated).isNotNull();
                assertThat(s.state.terminated.exitCode).isZero();
            });
            assertThat(p.status.phase).isEqualTo("Running");
        });
        // an ephemeral container's log, by name (strategy.go podHasContainerWithName visits ephemeral containers)
        Result logs = kubectl("logs", "proc-debug", "-c", "debugger");
        assertThat(logs.exitCode).as(logs.err).isZero();
        assertThat(logs.out).contains("debug-in-proc-debug");
    }

    @Test
    void attachOverSpdyShowsTheContainersOutput() throws Exception {
        var upgrades = spdyUpgrades();
        runPod("spdy-attach", "sh", "-c", "i=0; while true; do echo spdy-tick $i; i=$((i+1)); sleep 0.5; done");
        ProcessBuilder pb = new ProcessBuilder(command("attach", "spdy-attach")).redirectErrorStream(true);
        pb.environment().putAll(SPDY);
        Process p = pb.start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        try {
            List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
            CompletableFuture.runAsync(() -> {
                try {
                    String line;
                    while (lines.size() < 2 && (line = r.readLine()) != null) {
                        if (line.startsWith("spdy-tick ")) {
                            lines.add(line);
                        }
                    }
                } catch (IOException e) {
                    // destroyed
                }
            }, Thread::startVirtualThread).get(20, TimeUnit.SECONDS);
            int first = Integer.parseInt(lines.get(0).substring(10));
            assertThat(lines).containsExactly("spdy-tick " + first, "spdy-tick " + (first + 1));
            assertThat(upgrades.list).extracting(e -> e.getFormattedMessage()).contains("/attach/default/spdy-attach/app upgraded to SPDY/3.1 with v4.channel.k8s.io");
        } finally {
            p.destroy();
        }
    }
}
