package io.kube4j.apiserver.bench;

import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The apiserver's heap after GC with many stored pods (issue #18, "≤ 256 MiB with 10,000 pods on 1,000 nodes,
 * ≤ 8 KiB per stored pod"). One apiserver (insecure, {@code -Xmx2g}) on a fresh etcd, measured at each step
 * with two {@code jcmd GC.run} then {@code GC.heap_info}:
 * <ol>
 *   <li><b>empty</b>: after a few requests of every kind used below (the same-run baseline);</li>
 *   <li><b>nodes + watchers</b>: M Node objects and one kubelet-like pod watch per node
 *   ({@code fieldSelector=spec.nodeName=<node>}, {@code kube4j.bench.watch=stream} or {@code poll}), no pod;</li>
 *   <li><b>pods</b>: N pods (ReplicaSet-like, {@link WritePathBenchmark#pod}) bound round robin to the nodes,
 *   16 creates in flight;</li>
 *   <li><b>churn</b>: {@code kube4j.bench.churn} (2) rounds of a status write to every pod (the kubelet's
 *   Running status: conditions, IPs, container statuses), and a status write (heartbeat) to every node per round,
 *   so that the watch history is full of pods' old versions.</li>
 * </ol>
 * Prints each heap, the KiB per stored pod ((pods − nodes+watchers) / N and (churn − nodes+watchers) / N),
 * the ratio to the empty apiserver, the load average, and the top of {@code GC.class_histogram} after churn.
 *
 * <p>Not part of {@code verify} (the name matches neither *Test nor *IT). Run by hand after the apiserver jar
 * is packaged:
 * <pre>
 * ./mvnw -B -ntp -o -pl common,apiserver verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=ApiServerHeapBenchmark [-Dkube4j.bench.pods=10000] [-Dkube4j.bench.nodes=1000] \
 *     [-Dkube4j.bench.churn=2] [-Dkube4j.bench.watch=stream|poll|none] [-Dkube4j.bench.apiserver-args=--a=b,--c=d]
 * </pre>
 * The report also goes to {@code target/benchmark-apiserver-heap.txt}.
 */
@Tag("benchmark")
class ApiServerHeapBenchmark {
    private static final int PODS = Integer.getInteger("kube4j.bench.pods", 10_000);
    private static final int NODES = Integer.getInteger("kube4j.bench.nodes", 1_000);
    private static final int CHURN = Integer.getInteger("kube4j.bench.churn", 2);
    private static final String WATCH = System.getProperty("kube4j.bench.watch", "stream");
    /** Extra apiserver arguments, comma-separated (e.g. {@code --server.max-http-request-header-size=1MB} for "before"). */
    private static final String ARGS = System.getProperty("kube4j.bench.apiserver-args", "");
    /** The apiserver's -Xmx: at a 1 MiB header limit, 1,000 watches alone need over 2 GiB. */
    private static final String XMX = System.getProperty("kube4j.bench.xmx", "2g");
    private static final int IN_FLIGHT = 16;

    @Test
    void heapWithStoredPodsWatchersAndChurn() throws Exception {
        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "apiserver heap after GC: %d pods on %d nodes, one %s pod watch per node, %d status rounds, args [%s], -Xmx%s, jar %s; %d cores; load %s",
                PODS, NODES, WATCH, CHURN, ARGS, XMX, io.kube4j.testing.ComponentProcess.locateJar("apiserver"), Runtime.getRuntime().availableProcessors(), loadAverage()));
        try (EtcdContainer etcd = new EtcdContainer()) {
            etcd.start();
            try (ApiServerProcess apiServer = new ApiServerProcess(etcd.endpoint(), ARGS.isBlank() ? new String[0] : ARGS.split(",")).jvmArgs("-Xmx" + XMX).start();
                 HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                         .executor(Executors.newVirtualThreadPerTaskExecutor()).build()) {
                String url = apiServer.url();
                long pid = WritePathBenchmark.apiServerPid(apiServer.port());
                send(http, "POST", url + "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"bench\"}}", "application/json");
                send(http, "POST", url + "/api/v1/namespaces/bench/serviceaccounts", "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"default\"}}", "application/json");
                // every kind of request once first, so that lazy initialisation is in the baseline
                send(http, "POST", url + "/api/v1/nodes", node("warm"), "application/json");
                send(http, "POST", url + "/api/v1/namespaces/bench/pods", bound("warm", "warm"), "application/json");
                send(http, "PATCH", url + "/api/v1/namespaces/bench/pods/warm/status", podStatus(0), "application/merge-patch+json");
                send(http, "PATCH", url + "/api/v1/nodes/warm/status", nodeStatus(0), "application/merge-patch+json");
                send(http, "GET", url + "/api/v1/namespaces/bench/pods?watch=poll&timeoutSeconds=0", null, null);
                send(http, "DELETE", url + "/api/v1/namespaces/bench/pods/warm?gracePeriodSeconds=0", null, null);
                send(http, "DELETE", url + "/api/v1/nodes/warm", null, null);
                long empty = WritePathBenchmark.heapAfterGc(pid);
                line(report, "empty apiserver (baseline)", empty, empty, 0);

                parallel(NODES, i -> send(http, "POST", url + "/api/v1/nodes", node(nodeName(i)), "application/json"));
                AtomicInteger open = new AtomicInteger();
                List<Thread> watchers = new ArrayList<>();
                if (!WATCH.equals("none")) {
                    for (int i = 0; i < NODES; i++) {
                        String sel = "fieldSelector=" + URLEncoder.encode("spec.nodeName=" + nodeName(i), StandardCharsets.UTF_8);
                        String q = WATCH.equals("poll") ? "watch=poll&timeoutSeconds=600" : "watch=true&timeoutSeconds=1800";
                        HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/api/v1/namespaces/bench/pods?" + sel + "&" + q)).build();
                        watchers.add(Thread.ofVirtual().start(() -> watch(http, req, open)));
                    }
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (WATCH.equals("stream") && open.get() < NODES && System.nanoTime() < deadline) {
                        Thread.sleep(100);
                    }
                    Thread.sleep(3000);
                }
                long idle = WritePathBenchmark.heapAfterGc(pid);
                line(report, "+ " + NODES + " nodes and their watches", idle, empty, 0);

                long t0 = System.nanoTime();
                parallel(PODS, i -> send(http, "POST", url + "/api/v1/namespaces/bench/pods", bound("p" + i, nodeName(i % NODES)), "application/json"));
                report.add(String.format(Locale.ROOT, "  (%d pods created in %.1f s)", PODS, (System.nanoTime() - t0) / 1e9));
                long pods = WritePathBenchmark.heapAfterGc(pid);
                line(report, "+ " + PODS + " pods (fresh)", pods, empty, (pods - idle) / 1024.0 / PODS);

                for (int round = 1; round <= CHURN; round++) {
                    int r = round;
                    parallel(PODS, i -> send(http, "PATCH", url + "/api/v1/namespaces/bench/pods/p" + i + "/status", podStatus(r), "application/merge-patch+json"));
                    parallel(NODES, i -> send(http, "PATCH", url + "/api/v1/nodes/" + nodeName(i) + "/status", nodeStatus(r), "application/merge-patch+json"));
                }
                long churned = WritePathBenchmark.heapAfterGc(pid);
                line(report, "+ " + CHURN + " status rounds (pods Running, node heartbeats)", churned, empty, (churned - idle) / 1024.0 / PODS);
                report.add("load average: " + loadAverage());
                report.add("class histogram after churn (top 25):");
                WritePathBenchmark.jcmd(pid, "GC.class_histogram").lines().skip(1).limit(27).forEach(l -> report.add("  " + l));
                http.shutdownNow();
                watchers.forEach(Thread::interrupt);
            }
        }
        report.forEach(System.out::println);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "benchmark-apiserver-heap.txt"), report);
    }

    private static void line(List<String> report, String step, long heap, long empty, double kibPerPod) {
        String s = String.format(Locale.ROOT, "%-55s heap after GC %7.1f MiB  (x%.2f of empty)%s", step, heap / 1048576.0,
                heap / (double) empty, kibPerPod > 0 ? String.format(Locale.ROOT, "  %.2f KiB per pod", kibPerPod) : "");
        System.out.println(s);
        report.add(s);
    }

    private static void watch(HttpClient http, HttpRequest req, AtomicInteger open) {
        try {
            while (true) {
                HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
                open.incrementAndGet();
                try (InputStream in = resp.body()) {
                    in.readAllBytes();
                }
                // a long-poll answered (an event came): the benchmark measures the steady state, not resumption
            }
        } catch (IOException | InterruptedException e) {
            // closed at the end
        }
    }

    interface Indexed {
        void run(int i) throws Exception;
    }

    private static void parallel(int n, Indexed op) throws Exception {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        AtomicLong failures = new AtomicLong();
        try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                int k = i;
                slots.acquire();
                exec.submit(() -> {
                    try {
                        op.run(k);
                    } catch (Exception e) {
                        if (failures.incrementAndGet() <= 5) {
                            System.err.println(e);
                        }
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        assertThat(failures.get()).as("failed requests").isZero();
    }

    private static String nodeName(int i) {
        return "hollow-node-" + i;
    }

    private static String node(String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"kubernetes.io/hostname\":\"" + name
                + "\",\"kubernetes.io/os\":\"linux\",\"kubernetes.io/arch\":\"amd64\"}},\"spec\":{\"podCIDR\":\"10.244.0.0/24\"}}";
    }

    private static String nodeStatus(int round) {
        String t = String.format(Locale.ROOT, "2026-12-01T00:%02d:00Z", round % 60);
        return "{\"status\":{\"capacity\":{\"cpu\":\"4\",\"memory\":\"16Gi\",\"pods\":\"110\"},\"allocatable\":{\"cpu\":\"4\",\"memory\":\"16Gi\",\"pods\":\"110\"},"
                + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\",\"message\":\"kubelet is posting ready status\","
                + "\"lastHeartbeatTime\":\"" + t + "\",\"lastTransitionTime\":\"2026-12-01T00:00:00Z\"}],"
                + "\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"10.0.0.1\"}],"
                + "\"nodeInfo\":{\"kubeletVersion\":\"v1.32.0\",\"containerRuntimeVersion\":\"fake://1.0\",\"operatingSystem\":\"linux\",\"architecture\":\"amd64\","
                + "\"machineID\":\"\",\"systemUUID\":\"\",\"bootID\":\"\",\"kernelVersion\":\"\",\"osImage\":\"\",\"kubeProxyVersion\":\"\"}}}";
    }

    private static String bound(String name, String node) {
        String pod = WritePathBenchmark.pod(name);
        return pod.replace("\"spec\":{", "\"spec\":{\"nodeName\":\"" + node + "\",");
    }

    private static String podStatus(int round) {
        String t = String.format(Locale.ROOT, "2026-12-01T01:%02d:00Z", round % 60);
        return "{\"status\":{\"phase\":\"Running\",\"hostIP\":\"10.0.0.1\",\"podIP\":\"10.244.0." + (round % 250) + "\",\"podIPs\":[{\"ip\":\"10.244.0." + (round % 250) + "\"}],"
                + "\"startTime\":\"2026-12-01T00:00:00Z\",\"qosClass\":\"Burstable\",\"conditions\":["
                + "{\"type\":\"PodReadyToStartContainers\",\"status\":\"True\",\"lastTransitionTime\":\"" + t + "\"},"
                + "{\"type\":\"Initialized\",\"status\":\"True\",\"lastTransitionTime\":\"" + t + "\"},"
                + "{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"" + t + "\"},"
                + "{\"type\":\"ContainersReady\",\"status\":\"True\",\"lastTransitionTime\":\"" + t + "\"},"
                + "{\"type\":\"PodScheduled\",\"status\":\"True\",\"lastTransitionTime\":\"2026-12-01T00:00:00Z\"}],"
                + "\"containerStatuses\":[{\"name\":\"web\",\"ready\":true,\"started\":true,\"restartCount\":0,\"image\":\"nginx:1.27\","
                + "\"imageID\":\"docker-pullable://nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000\","
                + "\"containerID\":\"fake://web-" + round + "\",\"state\":{\"running\":{\"startedAt\":\"" + t + "\"}}}]}}";
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static int send(HttpClient http, String method, String url, String body, String contentType) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (body != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + url + ": " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
        }
        return r.statusCode();
    }
}
