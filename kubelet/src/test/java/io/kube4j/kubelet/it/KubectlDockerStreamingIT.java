package io.kube4j.kubelet.it;

import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.json.Json;
import io.kube4j.kubelet.KubeletApplication;
import io.kube4j.kubelet.runtime.docker.DockerClient;
import io.kube4j.kubelet.runtime.docker.DockerRuntime;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import io.kube4j.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real kubectl 1.32 against a real apiserver and a kubelet on the docker runtime (pods run
 * {@link TestImages#BUSYBOX}), for what needs real containers: {@code run -it --rm} (the container created
 * with an open stdin and a terminal) and {@code debug} with an ephemeral container. Every container the kubelet
 * makes is labelled with this test's node name and removed afterwards by that label.
 */
class KubectlDockerStreamingIT {
    private static final String NODE = "it-kdocker-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String IMAGE = TestImages.BUSYBOX;
    private static final Path KUBECTL = Path.of(System.getenv().getOrDefault("KUBECTL", "/usr/bin/kubectl"));
    private static final DockerClient docker = new DockerClient(Path.of("/var/run/docker.sock"));
    private static EtcdContainer etcd;
    private static ApiServerProcess apiserver;
    private static ConfigurableApplicationContext kubelet;
    private static ApiClient api;
    private static Path home;

    @BeforeAll
    static void start() throws Exception {
        assertThat(Files.isExecutable(KUBECTL)).as("kubectl 1.32 at " + KUBECTL + " (or $KUBECTL)").isTrue();
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint()).start();
        api = new ApiClient(apiserver.url());
        kubelet = new SpringApplicationBuilder(KubeletApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=" + apiserver.url(),
                "--kube4j.kubelet.node-name=" + NODE,
                "--kube4j.kubelet.runtime=docker",
                "--kube4j.kubelet.sandbox-image=" + IMAGE,
                "--kube4j.kubelet.docker.network=bridge",
                "--kube4j.kubelet.address=127.0.0.1",
                "--kube4j.kubelet.sync-period=500ms");
        home = Files.createTempDirectory("kubectl-docker-it");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> kubectl("get", "node", NODE).exitCode() == 0);
    }

    @AfterAll
    static void stop() {
        if (kubelet != null) {
            kubelet.close();
        }
        try {
            String filters = URLEncoder.encode(Json.write(Map.of("label", List.of(DockerRuntime.LABEL_NODE + "=" + NODE))), StandardCharsets.UTF_8);
            for (JsonNode c : docker.call("GET", "/containers/json?all=1&filters=" + filters, null, Duration.ofSeconds(30))) {
                try {
                    docker.call("DELETE", "/containers/" + c.path("Id").asString() + "?force=1&v=1", null, Duration.ofSeconds(30));
                } catch (DockerClient.DockerException e) {
                    if (e.status() != 404) {
                        throw e;
                    }
                }
            }
        } finally {
            if (apiserver != null) {
                apiserver.close();
            }
            if (etcd != null) {
                etcd.stop();
            }
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
        return run(command(args));
    }

    static Result run(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("KUBECONFIG");
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()), Thread::startVirtualThread);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), Thread::startVirtualThread);
        p.getOutputStream().close();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("kubectl " + cmd + " did not finish in 90 s; it wrote:\n" + out.join() + "\n--- stderr\n" + err.join());
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

    // kubectl under a pseudo-terminal (util-linux script), as a user types it; the arguments are shell-quoted
    private static Result underTerminal(String... args) throws IOException, InterruptedException {
        String line = String.join(" ", command(args).stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
        return run(List.of("script", "-qec", line, "/dev/null"));
    }

    private static String overrides() {
        return "--overrides={\"apiVersion\":\"v1\",\"spec\":{\"nodeName\":\"" + NODE + "\",\"terminationGracePeriodSeconds\":1}}";
    }

    @Test
    void runInteractiveShowsTheOutputAndRemovesThePod() throws Exception {
        Result r = underTerminal("run", "drun-rm", "-it", "--rm", "--restart=Never", "--image=" + IMAGE, "--image-pull-policy=IfNotPresent", overrides(),
                "--", "sh", "-c", "sleep 2; tty; echo run-output");
        assertThat(r.out()).as(r.err()).contains("run-output").contains("/dev/pts/").contains("pod \"drun-rm\" deleted");
        assertThat(r.exitCode()).as(r.out()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> api.find(Pod.class, "default", "drun-rm").isEmpty());
    }

    @Test
    void runInteractiveReadsWhatIsTypedUntilStdinCloses() throws Exception {
        // kubectl's stdin is the terminal script gives it: what is written there reaches the container's open stdin
        String line = String.join(" ", command("run", "drun-stdin", "-i", "--rm", "--restart=Never", "--image=" + IMAGE, "--image-pull-policy=IfNotPresent",
                overrides(), "--", "sh", "-c", "read word; echo got-$word").stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
        Result r = run(List.of("sh", "-c", "(sleep 8; echo typed) | " + line));
        assertThat(r.out()).as(r.err()).contains("got-typed").contains("pod \"drun-stdin\" deleted");
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    }

    @Test
    void debugRunsAnEphemeralContainerThatSeesTheTargetsProcesses() throws Exception {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = "debug-me";
        p.spec.nodeName = NODE;
        p.spec.terminationGracePeriodSeconds = 1L;
        io.kube4j.api.Container c = new io.kube4j.api.Container();
        c.name = "app";
        c.image = IMAGE;
        c.imagePullPolicy = "IfNotPresent";
        c.command.addAll(List.of("sleep", "3600"));
        p.spec.containers.add(c);
        api.create(p);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(api.get(Pod.class, "default", "debug-me").status.containerStatuses.get(0).state.running).isNotNull());

        Result r = underTerminal("debug", "-it", "debug-me", "--image=" + IMAGE, "--image-pull-policy=IfNotPresent", "--target=app",
                "--container=debugger", "--", "sh", "-c", "sleep 2; ps; echo debug-done");
        assertThat(r.out()).as(r.err()).contains("debug-done").contains("sleep 3600");
        assertThat(r.exitCode()).as(r.out()).isZero();

        Pod after = api.get(Pod.class, "default", "debug-me");
        assertThat(after.spec.ephemeralContainers).extracting(e -> e.name + "->" + e.targetContainerName).containsExactly("debugger->app");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<io.kube4j.api.ContainerStatus> statuses = api.get(Pod.class, "default", "debug-me").status.ephemeralContainerStatuses;
            assertThat(statuses).hasSize(1);
            assertThat(statuses.get(0).name).isEqualTo("debugger");
            assertThat(statuses.get(0).state.terminated).isNotNull();
            assertThat(statuses.get(0).state.terminated.exitCode).isZero();
        });
        // the pod's own container runs on, and the ephemeral container is not started again
        Thread.sleep(2000);
        Pod later = api.get(Pod.class, "default", "debug-me");
        assertThat(later.status.containerStatuses.get(0).state.running).isNotNull();
        assertThat(later.status.ephemeralContainerStatuses.get(0).restartCount).isZero();
        assertThat(later.status.phase).isEqualTo("Running");
        // its log by name (strategy.go podHasContainerWithName visits ephemeral containers)
        Result logs = kubectl("logs", "debug-me", "-c", "debugger");
        assertThat(logs.out()).as(logs.err()).contains("debug-done");
    }

    @Test
    void topNodeReportsTheMachinesCpuAsARateNoMoreThanItsCores() throws Exception {
        // usageNanoCores = delta(usageCoreNanoSeconds) / delta(t) of the host's /proc/stat counter, not the counter
        // since boot over the kubelet's age (which showed tens of cores on a 2-core host)
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().until(() -> kubectl("top", "node", NODE, "--no-headers").exitCode() == 0);
        for (int i = 0; i < 2; i++) {
            Result r = kubectl("top", "node", NODE, "--no-headers");
            String[] cols = r.out().trim().split("\\s+");
            assertThat(cols[0]).isEqualTo(NODE);
            long millicores = cols[1].endsWith("m") ? Long.parseLong(cols[1].substring(0, cols[1].length() - 1)) : Long.parseLong(cols[1]) * 1000;
            assertThat(millicores).as(r.out()).isBetween(0L, Runtime.getRuntime().availableProcessors() * 1000L);
            Thread.sleep(11_000); // past the apiserver's 10 s metric resolution: a new scrape, a new window
        }
    }

    @Test
    void runInteractiveEndingWithANonZeroExitShowsTheOutputOnceAndExitsWithItsCode() throws Exception {
        // the attach ends with Success (remotecommand.ServeAttach); kubectl run takes the code from the pod
        Result r = underTerminal("run", "drun-exit", "-it", "--rm", "--restart=Never", "--image=" + IMAGE, "--image-pull-policy=IfNotPresent", overrides(),
                "--", "sh", "-c", "sleep 2; echo once-only; exit 4");
        String all = r.out() + r.err();
        assertThat(all).doesNotContain("couldn't attach");
        assertThat(all.split("once-only", -1)).as(all).hasSize(2);
        assertThat(r.exitCode()).as(all).isEqualTo(4);
    }

    @Test
    void portForwardReachesAServerBoundToLocalhostInThePod() throws Exception {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = "pf-local";
        p.spec.nodeName = NODE;
        p.spec.terminationGracePeriodSeconds = 1L;
        io.kube4j.api.Container c = new io.kube4j.api.Container();
        c.name = "web";
        c.image = IMAGE;
        c.imagePullPolicy = "IfNotPresent";
        // only the pod's own localhost: from outside the pod (its IP) nothing answers
        c.command.addAll(List.of("sh", "-c", "mkdir -p /www && echo hello-from-localhost > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www"));
        p.spec.containers.add(c);
        api.create(p);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(api.get(Pod.class, "default", "pf-local").status.containerStatuses.get(0).state.running).isNotNull());
        int localPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            localPort = free.getLocalPort();
        }
        Process pf = new ProcessBuilder(command("port-forward", "pod/pf-local", localPort + ":8080")).redirectErrorStream(true).start();
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + localPort + "/");
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                    http.send(java.net.http.HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            for (int i = 0; i < 5; i++) {
                var r = http.send(java.net.http.HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("hello-from-localhost\n");
            }
        } finally {
            pf.destroy();
        }
    }
}
