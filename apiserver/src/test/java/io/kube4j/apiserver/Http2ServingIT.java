package io.kube4j.apiserver;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Namespace;
import io.kube4j.api.WatchEventList;
import io.kube4j.apiserver.auth.Pki;
import io.kube4j.client.ApiClient;
import io.kube4j.client.Kubeconfig;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The secure apiserver's HTTP/2 (offered by ALPN beside HTTP/1.1, as kube-apiserver's TLS server): clients that
 * offer h2 get it and those that ask for HTTP/1.1 keep it; a streaming watch flows over an HTTP/2 stream; a process
 * with more long-poll watches in flight than one connection carries (ApiClient's lanes of 100 streams) gets every
 * answer, and a request sharing a connection with 50 waiting long-polls is answered at once (Tomcat would otherwise
 * run only 20 streams of a connection and queue the rest); real kubectl (which speaks h2 to such a server) lists and watches.
 */
class Http2ServingIT {
    @TempDir
    static Path work;
    static EtcdContainer etcd;
    static ApiServerProcess apiserver;
    static Path pki;
    static HttpClient admin;
    static ApiClient api;

    @BeforeAll
    static void start() throws Exception {
        pki = work.resolve("pki");
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint(), "--kube4j.security.pki-dir=" + pki).https().start();
        admin = TlsClients.client(Pki.readCertificate(pki.resolve("ca.crt")), Pki.readPrivateKey(pki.resolve("admin.key")),
                Pki.readCertificate(pki.resolve("admin.crt")));
        api = new ApiClient(apiserver.url(), "http2-serving-it", Kubeconfig.load(pki.resolve("admin.kubeconfig")));
    }

    @AfterAll
    static void stop() {
        if (apiserver != null) {
            apiserver.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    @Test
    void tlsClientsOfferingH2GetHttp2AndThoseAskingForHttp11KeepIt() throws Exception {
        HttpResponse<String> h2 = admin.send(HttpRequest.newBuilder(URI.create(apiserver.url() + "/version")).version(HttpClient.Version.HTTP_2).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(h2.statusCode()).isEqualTo(200);
        assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(h2.body()).contains("\"gitVersion\"");

        HttpResponse<String> h1 = admin.send(HttpRequest.newBuilder(URI.create(apiserver.url() + "/version")).version(HttpClient.Version.HTTP_1_1).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(h1.statusCode()).isEqualTo(200);
        assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    /**
     * Kubernetes' HTTP/2 header list limit: MaxHeaderBytes 1 MiB (secure_serving.go) is a SETTINGS_MAX_HEADER_LIST_SIZE
     * of 1 MiB + 320 in golang.org/x/net/http2, whose server answers a longer list with handleHeaderListTooLong's 431,
     * before the handler chain. Tomcat alone would reset the stream at HTTP/1.1's 64 KiB, with no answer at all.
     */
    @Test
    void http2TakesHeadersUpToKubernetesLimitAndAnswersLongerOnesWith431() throws Exception {
        HttpResponse<String> big = admin.send(HttpRequest.newBuilder(URI.create(apiserver.url() + "/api/v1/namespaces/default"))
                .version(HttpClient.Version.HTTP_2).header("X-Padding", "a".repeat(1_000_000)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(big.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(big.statusCode()).as(big.body()).isEqualTo(200);
        assertThat(big.headers().firstValue("Audit-Id")).isPresent();

        // x-padding alone is 9 + 1,048,700 + 32 bytes, with :method, :scheme, :path, :authority and user-agent ~130 over 1,048,896
        HttpResponse<String> over = admin.send(HttpRequest.newBuilder(URI.create(apiserver.url() + "/api/v1/namespaces/default"))
                .version(HttpClient.Version.HTTP_2).header("X-Padding", "a".repeat(1_048_700)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(over.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(over.statusCode()).as(over.body()).isEqualTo(431);
        assertThat(over.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(over.body()).contains("\"kind\":\"Status\"", "\"code\":431", "\"message\":\"431 Request Header Fields Too Large\"");
        // answered before the chain, as Go's server does: no Audit-Id, no Cache-Control
        assertThat(over.headers().map().keySet()).doesNotContain("audit-id", "cache-control");

        // many headers adding up over the limit are the same 431 (Go counts name + value + 32 per field)
        HttpRequest.Builder many = HttpRequest.newBuilder(URI.create(apiserver.url() + "/api/v1/namespaces/default"))
                .version(HttpClient.Version.HTTP_2).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < 80; i++) {
            many.header("X-Padding-" + i, "b".repeat(14_000));
        }
        HttpResponse<String> manyOver = admin.send(many.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(manyOver.statusCode()).as(manyOver.body()).isEqualTo(431);
        // and the connection still serves
        HttpResponse<String> after = admin.send(HttpRequest.newBuilder(URI.create(apiserver.url() + "/version")).version(HttpClient.Version.HTTP_2).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).isEqualTo(200);
    }

    @Test
    void aStreamingWatchFlowsOverAnHttp2Stream() throws Exception {
        String ns = "h2-stream";
        api.create(namespace(ns));
        HttpResponse<InputStream> watch = admin.send(HttpRequest.newBuilder(URI.create(apiserver.url() + "/api/v1/namespaces/" + ns
                        + "/configmaps?watch=true&timeoutSeconds=30")).version(HttpClient.Version.HTTP_2).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(watch.statusCode()).isEqualTo(200);
        assertThat(watch.version()).isEqualTo(HttpClient.Version.HTTP_2);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(watch.body(), StandardCharsets.UTF_8))) {
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return lines.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, Thread::startVirtualThread);
            api.create(configMap(ns, "streamed"));
            String event = first.get(20, TimeUnit.SECONDS);
            assertThat(event).startsWith("{\"type\":\"ADDED\"").contains("\"name\":\"streamed\"");
        }
    }

    @Test
    void moreLongPollsInFlightThanOneConnectionCarriesAllAnswerAndOthersAreNotQueuedBehindThem() throws Exception {
        String ns = "h2-polls";
        api.create(namespace(ns));
        String rv = api.list(ConfigMap.class, ns).metadata.resourceVersion;
        // 250: two full lanes of 100 and 50 on a third, which the GET below then shares
        int polls = 250;
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < polls; i++) {
            threads.add(Thread.startVirtualThread(() -> {
                try {
                    WatchEventList<ConfigMap> events = api.poll(ConfigMap.class, ns, null, rv, 8);
                    assertThat(events).isNotNull();
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        Thread.sleep(2000);
        // the polls wait up to 8 s; a GET sharing a lane (connection) with 50 of them must not wait for them
        long started = System.nanoTime();
        assertThat(api.get(Namespace.class, null, ns).metadata.name).isEqualTo(ns);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(60));
        }
        assertThat(failures).as("long-polls that failed").isEmpty();
        assertThat(took).as("a GET while %d long-polls wait", polls).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void kubectlListsAndWatchesOverTheServerOfferingH2() throws Exception {
        Path kubectl = Path.of(System.getenv().getOrDefault("KUBECTL", "/usr/bin/kubectl"));
        assertThat(Files.isExecutable(kubectl)).as("kubectl 1.32 at " + kubectl + " (or $KUBECTL)").isTrue();
        String ns = "h2-kubectl";
        api.create(namespace(ns));
        Path home = Files.createTempDirectory(work, "kubectl");
        List<String> cmd = List.of(kubectl.toString(), "--kubeconfig", pki.resolve("admin.kubeconfig").toString(), "--cache-dir",
                home.resolve("cache").toString(), "-n", ns, "get", "configmaps", "--watch", "-o", "name");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("HOME", home.toString());
        Process p = pb.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            // kube-root-ca.crt may or may not exist yet: wait for our own object's line
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
                StringBuilder all = new StringBuilder();
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        all.append(line).append('\n');
                        if (line.equals("configmap/watched")) {
                            return all.toString();
                        }
                    }
                } catch (java.io.IOException e) {
                    all.append(e);
                }
                return all.toString();
            }, Thread::startVirtualThread);
            Thread.sleep(3000);
            api.create(configMap(ns, "watched"));
            assertThat(seen.get(30, TimeUnit.SECONDS)).contains("configmap/watched");
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Namespace namespace(String name) {
        Namespace n = new Namespace();
        n.metadata.name = name;
        return n;
    }

    private static ConfigMap configMap(String ns, String name) {
        ConfigMap c = new ConfigMap();
        c.metadata.namespace = ns;
        c.metadata.name = name;
        c.data.put("k", "v");
        return c;
    }
}
