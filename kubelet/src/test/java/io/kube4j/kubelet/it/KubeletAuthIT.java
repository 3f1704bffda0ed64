package io.kube4j.kubelet.it;

import io.kube4j.kubelet.server.ServingCertificate;
import io.kube4j.kubelet.testing.KubeletTls;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.ComponentProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The kubelet's API secured as a kubeadm cluster secures it: a secure apiserver (its PKI in a temporary directory)
 * and a kubelet (process runtime, its own JVM) with {@code authentication.client-ca-file = <pki>/ca.crt},
 * {@code anonymous = false} and {@code authorization.mode = Webhook}. kubectl's logs and exec reach the kubelet
 * through the apiserver, which presents {@code apiserver-kubelet-client} ({@code system:masters}); a direct request
 * without a client certificate, or with one from another CA, is 401 {@code Unauthorized}; kube-scheduler's certificate
 * (no nodes/proxy) is 403 with Kubernetes' message; the admin's is allowed; health stays open. With the token webhook
 * on, a ServiceAccount token is reviewed by the apiserver (403 for that account) and a made-up token is 401.
 *
 * <p>The kubelet's own apiserver credentials: until components read {@code kube4j.apiserver.kubeconfig}, the kubelet
 * JVM gets {@code kubelet-<node>.crt/.key} and {@code ca.crt} as its default key and trust stores
 * ({@code javax.net.ssl.keyStore}/{@code trustStore}), which the JDK HTTP client under ApiClient uses.
 */
class KubeletAuthIT {
    private static final String NODE = "auth-node";
    private static final Path KUBECTL = Path.of(System.getenv().getOrDefault("KUBECTL", "/usr/bin/kubectl"));
    private static EtcdContainer etcd;
    private static ApiServerProcess apiserver;
    private static ComponentProcess kubelet;
    private static Path pki;
    private static Path home;
    private static int kubeletPort;

    @BeforeAll
    static void start() throws Exception {
        assertThat(Files.isExecutable(KUBECTL)).as("kubectl 1.32 at " + KUBECTL + " (or $KUBECTL)").isTrue();
        home = Files.createTempDirectory("kubelet-auth-it");
        pki = home.resolve("pki");
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint(), "--kube4j.security.enabled=true", "--kube4j.security.pki-dir=" + pki,
                "--kube4j.security.nodes=" + NODE).https().start();
        char[] password = "changeit".toCharArray();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", KubeletTls.certificates(pki.resolve("ca.crt"))[0]);
        Path trustStore = store(trust, home.resolve("kubelet-trust.p12"), password);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("kubelet", KubeletTls.privateKey(pki.resolve("kubelet-" + NODE + ".key")), password,
                KubeletTls.certificates(pki.resolve("kubelet-" + NODE + ".crt")));
        Path keyStore = store(keys, home.resolve("kubelet-keys.p12"), password);
        kubeletPort = ApiServerProcess.freePort();
        kubelet = new ComponentProcess("kubelet", "kubelet-" + NODE, kubeletPort, "/actuator/health", List.of(
                "--kube4j.apiserver.url=" + apiserver.url(),
                "--kube4j.kubelet.node-name=" + NODE,
                "--kube4j.kubelet.runtime=process",
                "--kube4j.kubelet.address=127.0.0.1",
                "--kube4j.kubelet.sync-period=500ms",
                "--kube4j.kubelet.root-dir=" + home.resolve("kubelet"),
                "--kube4j.kubelet.authentication.client-ca-file=" + pki.resolve("ca.crt"),
                "--kube4j.kubelet.authentication.anonymous=false",
                "--kube4j.kubelet.authentication.webhook.enabled=true",
                "--kube4j.kubelet.authorization.mode=Webhook"))
                .jvmArgs("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=changeit", "-Djavax.net.ssl.trustStoreType=PKCS12",
                        "-Djavax.net.ssl.keyStore=" + keyStore, "-Djavax.net.ssl.keyStorePassword=changeit", "-Djavax.net.ssl.keyStoreType=PKCS12")
                .https().start();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> kubectl(null, "get", "node", NODE).exitCode == 0);
        // no controller-manager here: the ServiceAccount admission plugin needs the namespace's default account
        Result sa = kubectl(null, "create", "serviceaccount", "default");
        assertThat(sa.exitCode).as(sa.err).isZero();
        Result applied = kubectl("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"talker","namespace":"default"},
                 "spec":{"nodeName":"%s","restartPolicy":"Never","automountServiceAccountToken":false,"terminationGracePeriodSeconds":1,
                         "containers":[{"name":"app","image":"local/busybox:latest","command":["sh","-c","echo hello-auth; exec sleep 3600"]}]}}
                """.formatted(NODE), "apply", "-f", "-");
        assertThat(applied.exitCode).as(applied.err).isZero();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                kubectl(null, "get", "pod", "talker", "-o", "jsonpath={.status.phase}").out.equals("Running"));
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

    private static Path store(KeyStore ks, Path file, char[] password) throws Exception {
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password);
        }
        return file;
    }

    @Test
    void kubectlLogsAndExecReachTheKubeletThroughTheApiserver() throws Exception {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Result logs = kubectl(null, "logs", "talker");
            assertThat(logs.exitCode).as(logs.err).isZero();
            assertThat(logs.out).isEqualTo("hello-auth\n");
        });
        Result exec = kubectl(null, "exec", "talker", "--", "echo", "exec over TLS");
        assertThat(exec.exitCode).as(exec.err).isZero();
        assertThat(exec.out).isEqualTo("exec over TLS\n");
        // the SPDY/3.1 fallback is upgraded through the same TLS connection
        Result spdy = run(null, command("exec", "talker", "--", "echo", "spdy"), java.util.Map.of("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "false"));
        assertThat(spdy.exitCode).as(spdy.err).isZero();
        assertThat(spdy.out).isEqualTo("spdy\n");
    }

    /**
     * kubectl port-forward through the secure apiserver, which offers HTTP/2 by ALPN: the upgrade (WebSocket, then
     * the SPDY fallback) is made over HTTP/1.1 as kubectl's dialers ask, and forwards a request to the pod's server.
     */
    @Test
    void kubectlPortForwardReachesThePodThroughTheApiserverOverTls() throws Exception {
        int podPort = ApiServerProcess.freePort();
        int localPort = ApiServerProcess.freePort();
        Result applied = kubectl("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"forwarded","namespace":"default"},
                 "spec":{"nodeName":"%s","restartPolicy":"Never","automountServiceAccountToken":false,"terminationGracePeriodSeconds":1,
                         "containers":[{"name":"app","image":"local/busybox:latest","command":["python3","-m","http.server","%d","--bind","127.0.0.1"]}]}}
                """.formatted(NODE, podPort), "apply", "-f", "-");
        assertThat(applied.exitCode).as(applied.err).isZero();
        // under the process runtime the pod's server is a host process: it must listen before the first forwarded connection
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", podPort)) {
                return true;
            }
        });
        for (java.util.Map<String, String> env : List.of(java.util.Map.<String, String>of(), java.util.Map.of("KUBECTL_PORT_FORWARD_WEBSOCKETS", "false"))) {
            Path log = Files.createTempFile(home, "port-forward", ".log");
            ProcessBuilder pb = new ProcessBuilder(command("port-forward", "pod/forwarded", localPort + ":" + podPort)).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().putAll(env);
            pb.environment().put("HOME", home.toString());
            pb.environment().remove("KUBECONFIG");
            Process pf = pb.start();
            try {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
                URI uri = URI.create("http://127.0.0.1:" + localPort + "/");
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .failFast("kubectl port-forward exited", () -> !pf.isAlive())
                        .until(() -> http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.body()).as(env + ": " + Files.readString(log)).contains("Directory listing");
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(env + " kubectl port-forward said: " + Files.readString(log), e);
            } finally {
                pf.destroy();
                pf.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aRequestWithoutAClientCertificateIsUnauthorized() throws Exception {
        HttpResponse<String> r = get(KubeletTls.client(), "/containerLogs/default/talker/app");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).isEqualTo("Unauthorized");
    }

    @Test
    void aClientCertificateFromAnotherCaIsUnauthorized() throws Exception {
        String[] foreign = ServingCertificate.generateSelfSigned("intruder", List.of(), Instant.now());
        Path crt = Files.writeString(home.resolve("foreign.crt"), foreign[0]);
        Path key = Files.writeString(home.resolve("foreign.key"), foreign[1]);
        HttpResponse<String> r = get(KubeletTls.client(crt, key), "/containerLogs/default/talker/app");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).isEqualTo("Unauthorized");
    }

    @Test
    void aUserWithoutNodesProxyIsForbiddenWithTheKubeletsMessage() throws Exception {
        HttpClient scheduler = KubeletTls.client(pki.resolve("kube-scheduler.crt"), pki.resolve("kube-scheduler.key"));
        HttpResponse<String> logs = get(scheduler, "/containerLogs/default/talker/app");
        assertThat(logs.statusCode()).isEqualTo(403);
        assertThat(logs.body()).isEqualTo("Forbidden (user=system:kube-scheduler, verb=get, resource=nodes, subresource=proxy)");
        HttpResponse<String> stats = get(scheduler, "/stats/summary");
        assertThat(stats.statusCode()).isEqualTo(403);
        assertThat(stats.body()).isEqualTo("Forbidden (user=system:kube-scheduler, verb=get, resource=nodes, subresource=stats)");
    }

    @Test
    void bearerTokensAreReviewedByTheApiserver() throws Exception {
        Result token = kubectl(null, "create", "token", "default");
        assertThat(token.exitCode).as(token.err).isZero();
        HttpResponse<String> sa = KubeletTls.client().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + kubeletPort + "/pods"))
                .header("Authorization", "Bearer " + token.out.strip()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(sa.statusCode()).isEqualTo(403);
        assertThat(sa.body()).isEqualTo("Forbidden (user=system:serviceaccount:default:default, verb=get, resource=nodes, subresource=proxy)");
        HttpResponse<String> madeUp = KubeletTls.client().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + kubeletPort + "/pods"))
                .header("Authorization", "Bearer not-a-token").timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(madeUp.statusCode()).isEqualTo(401);
        assertThat(madeUp.body()).isEqualTo("Unauthorized");
    }

    @Test
    void theAdminIsAllowed() throws Exception {
        HttpClient admin = KubeletTls.client(pki.resolve("admin.crt"), pki.resolve("admin.key"));
        HttpResponse<String> logs = get(admin, "/containerLogs/default/talker/app");
        assertThat(logs.statusCode()).as(logs.body()).isEqualTo(200);
        assertThat(logs.body()).isEqualTo("hello-auth\n");
        HttpResponse<String> stats = get(admin, "/stats/summary");
        assertThat(stats.statusCode()).as(stats.body()).isEqualTo(200);
        assertThat(stats.body()).contains("\"nodeName\":\"" + NODE + "\"");
    }

    @Test
    void healthNeedsNoCredentials() throws Exception {
        HttpResponse<String> r = get(KubeletTls.client(), "/actuator/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("UP");
    }

    @Test
    void theServingCertificateIsTheSelfSignedOneMadeForTheNode() throws Exception {
        X509Certificate[] chain = KubeletTls.certificates(home.resolve("kubelet").resolve(NODE).resolve("pki").resolve("kubelet.crt"));
        assertThat(chain).hasSize(2);
        assertThat(chain[0].getSubjectX500Principal().getName()).startsWith("CN=" + NODE + "@");
        assertThat(chain[0].getIssuerX500Principal().getName()).startsWith("CN=" + NODE + "-ca@");
        assertThat(chain[0].getSubjectAlternativeNames().stream().map(l -> String.valueOf(l.get(1))).toList()).containsExactly(NODE, "127.0.0.1");
    }

    private static HttpResponse<String> get(HttpClient client, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + kubeletPort + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    record Result(int exitCode, String out, String err) {
    }

    private static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig", pki.resolve("admin.kubeconfig").toString(),
                "--cache-dir", home.resolve("cache").toString(), "-n", "default"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Result kubectl(String stdin, String... args) throws IOException, InterruptedException {
        return run(stdin, command(args), java.util.Map.of());
    }

    private static Result run(String stdin, List<String> cmd, java.util.Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("KUBECONFIG");
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()), Thread::startVirtualThread);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), Thread::startVirtualThread);
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
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
}
