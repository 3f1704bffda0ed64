package io.kube4j.apiserver.bench;

import io.kube4j.json.Json;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Watch fan-out (issue #18): N watchers of pods, most of them kubelet-like with a
 * {@code fieldSelector=spec.nodeName=<own node>} and the rest unfiltered, while one writer creates pods
 * (each bound to one of the watchers' nodes) at a steady rate. Measures the delay from sending a pod's
 * POST to each watcher receiving its event (p50/p99/max), the events that never arrived, and the
 * apiserver's CPU (its process's CPU seconds per wall-clock second of the write window).
 *
 * <p>Each mode (long-poll {@code watch=poll}, streaming {@code watch=true}) runs twice on the same etcd,
 * each time in a fresh apiserver: the baseline with {@code kube4j.watch-cache.watcher-index=false} and
 * {@code kube4j.watch-cache.shared-encoding=false} (every write wakes every watcher, each encodes its own
 * copy: kube4j before), then with both on (the default). Prints both and the ratios, and writes them to
 * {@code target/benchmark-watch-fan-out.txt}.
 *
 * <p>Not part of {@code verify} (the name matches neither *Test nor *IT). Run by hand after the apiserver
 * jar is packaged (failsafe runs after {@code package}):
 * <pre>
 * ./mvnw -B -ntp -pl apiserver -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=WatchFanOutBenchmark [-Dkube4j.bench.watchers=300] [-Dkube4j.bench.unfiltered=10] \
 *     [-Dkube4j.bench.rate=50] [-Dkube4j.bench.seconds=30] [-Dkube4j.bench.modes=poll,stream] [-Dkube4j.bench.rounds=1] \
 *     [-Dkube4j.bench.jfr=true]
 * </pre>
 * {@code unfiltered} is a percentage of the watchers. The first {@code kube4j.bench.warmup-seconds} (5) of
 * writes are delivered and counted but not measured; CPU is measured over the measured writes only.
 */
@Tag("benchmark")
class WatchFanOutBenchmark {
    private static final int WATCHERS = Integer.getInteger("kube4j.bench.watchers", 300);
    private static final int UNFILTERED_PERCENT = Integer.getInteger("kube4j.bench.unfiltered", 10);
    private static final int RATE = Integer.getInteger("kube4j.bench.rate", 50);
    private static final int SECONDS = Integer.getInteger("kube4j.bench.seconds", 30);
    /** Seconds of writes before the measured ones, at the same rate: a fresh apiserver's JIT warms up. */
    private static final int WARMUP = Integer.getInteger("kube4j.bench.warmup-seconds", 5);
    private static final List<String> MODES = Arrays.asList(System.getProperty("kube4j.bench.modes", "poll,stream").split(","));
    /** Rounds per mode; each runs both variants, alternating which goes first; the summary takes medians. */
    private static final int ROUNDS = Integer.getInteger("kube4j.bench.rounds", 1);
    /** Records a JFR profile of each apiserver into {@code target/watch-fan-out-<mode>-<variant>.jfr}. */
    private static final boolean JFR = Boolean.getBoolean("kube4j.bench.jfr");
    private static final String BASELINE_ARGS = "--kube4j.watch-cache.watcher-index=false,--kube4j.watch-cache.shared-encoding=false";

    /** One measured run's figures. */
    record Figures(String name, int created, long expected, long received, double p50Ms, double p99Ms, double maxMs,
                   double cpuCores, long requests) {
        String line() {
            return String.format(Locale.ROOT, "%-34s pods %5d  deliveries %7d/%7d (missed %d)  p50 %8.1f ms  p99 %8.1f ms  max %8.1f ms  apiserver CPU %.2f cores  watch requests %d",
                    name, created, received, expected, expected - received, p50Ms, p99Ms, maxMs, cpuCores, requests);
        }
    }

    @Test
    void fanOutWithAndWithoutSharedEncodingAndTheWatcherIndex() throws Exception {
        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "watch fan-out: %d watchers (%d%% unfiltered, the rest spec.nodeName=<own node>), %d pod creates/s for %d s after %d s of warm-up, %d cores",
                WATCHERS, UNFILTERED_PERCENT, RATE, SECONDS, WARMUP, Runtime.getRuntime().availableProcessors()));
        try (EtcdContainer etcd = new EtcdContainer()) {
            etcd.start();
            int run = 0;
            for (String mode : MODES) {
                List<Figures> before = new ArrayList<>();
                List<Figures> after = new ArrayList<>();
                for (int r = 0; r < ROUNDS; r++) {
                    // alternate the order, so that neither variant always runs on the warmer machine
                    boolean baselineFirst = r % 2 == 0;
                    for (int k = 0; k < 2; k++) {
                        boolean baseline = (k == 0) == baselineFirst;
                        Figures f = baseline ? measure(etcd, mode, "baseline", BASELINE_ARGS.split(","), run++)
                                : measure(etcd, mode, "shared+indexed", new String[0], run++);
                        (baseline ? before : after).add(f);
                        report.add("round " + (r + 1) + " " + f.line());
                        System.out.println("round " + (r + 1) + " " + f.line());
                        assertThat(f.received()).as("every event delivered (" + f.name() + ")").isEqualTo(f.expected());
                    }
                }
                double p50b = median(before, Figures::p50Ms), p50a = median(after, Figures::p50Ms);
                double p99b = median(before, Figures::p99Ms), p99a = median(after, Figures::p99Ms);
                double cpub = median(before, Figures::cpuCores), cpua = median(after, Figures::cpuCores);
                report.add(String.format(Locale.ROOT, "%s medians of %d: p50 %.1f -> %.1f ms (%.2fx), p99 %.1f -> %.1f ms (%.2fx), apiserver CPU %.2f -> %.2f cores (%.2fx less)",
                        mode, ROUNDS, p50b, p50a, p50b / Math.max(0.001, p50a), p99b, p99a, p99b / Math.max(0.001, p99a),
                        cpub, cpua, cpub / Math.max(0.001, cpua)));
            }
        }
        report.forEach(System.out::println);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "benchmark-watch-fan-out.txt"), report);
    }

    private Figures measure(EtcdContainer etcd, String mode, String variant, String[] args, int run) throws Exception {
        String ns = "bench" + run;
        String nodePrefix = "r" + run + "-node-";
        int unfiltered = WATCHERS * UNFILTERED_PERCENT / 100;
        int nodes = WATCHERS - unfiltered;
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<long[]> latencies = new ArrayList<>();
        AtomicLong received = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        // 2 GiB: Tomcat gives every open connection a request-header buffer of server.max-http-request-header-size
        // (1 MiB in application.yml), ~370 MiB for 300 watchers and the writer's connections; 1 GiB ran out
        // the Docker image's JIT (C2): ComponentProcess stops at C1 for quick test start-ups, which made every
        // request of a long-poll cost several times what it costs in production
        List<String> jvm = new ArrayList<>(List.of("-Xmx2g", "-XX:TieredStopAtLevel=4", "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=target"));
        if (JFR) {
            jvm.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints", "-XX:StartFlightRecording=settings=profile,filename="
                    + Path.of("target", "watch-fan-out-" + mode + "-" + variant + ".jfr").toAbsolutePath()));
        }
        try (ApiServerProcess apiServer = new ApiServerProcess(etcd.endpoint(), args).jvmArgs(jvm.toArray(String[]::new)).start();
             HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build()) {
            String url = apiServer.url();
            send(http, "POST", url + "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}");
            long rv = Json.tree(send(http, "GET", url + "/api/v1/pods?limit=1", null)).path("metadata").path("resourceVersion").asLong();
            List<Thread> watchers = new ArrayList<>();
            for (int i = 0; i < WATCHERS; i++) {
                String selector = i < nodes ? "&fieldSelector=" + URLEncoder.encode("spec.nodeName=" + nodePrefix + i, StandardCharsets.UTF_8) : "";
                // a kubelet-like watcher gets its node's share of the pods, an unfiltered one every pod
                long[] mine = new long[i < nodes ? RATE * SECONDS / nodes + 16 : RATE * SECONDS + 16];
                AtomicInteger count = new AtomicInteger();
                synchronized (latencies) {
                    latencies.add(mine);
                }
                watchers.add(Thread.ofVirtual().start(() -> {
                    try {
                        if (mode.equals("stream")) {
                            stream(http, url + "/api/v1/pods?resourceVersion=" + rv + selector + "&watch=true&timeoutSeconds=600", sentAt, mine, count, received, stop);
                        } else {
                            poll(http, url + "/api/v1/pods?" + selector.replaceFirst("^&", ""), rv, sentAt, mine, count, received, requests, stop);
                        }
                    } catch (Exception e) {
                        if (!stop.get()) {
                            System.err.println("watcher failed: " + e);
                        }
                    }
                }));
            }
            Thread.sleep(3000); // every watcher connected and waiting
            ProcessHandle server = apiServerProcess(apiServer.port());
            AtomicInteger created = new AtomicInteger();
            AtomicInteger seq = new AtomicInteger();
            int warm = RATE * WARMUP;
            int total = warm + RATE * SECONDS;
            Duration cpu0;
            long t0;
            try (ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor()) {
                writer.scheduleAtFixedRate(() -> {
                    int n = seq.getAndIncrement();
                    if (n >= total) {
                        return;
                    }
                    Thread.ofVirtual().start(() -> {
                        String name = "p" + n;
                        // warm-up pods are delivered and counted, their latency is not recorded
                        sentAt.put(name, n < warm ? 0L : System.nanoTime());
                        String body = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns
                                + "\"},\"spec\":{\"nodeName\":\"" + nodePrefix + (n % nodes) + "\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1.36\"}]}}";
                        try {
                            send(http, "POST", url + "/api/v1/namespaces/" + ns + "/pods", body);
                            created.incrementAndGet();
                        } catch (Exception e) {
                            sentAt.remove(name);
                            System.err.println("create " + name + " failed: " + e);
                        }
                    });
                }, 0, 1_000_000 / RATE, TimeUnit.MICROSECONDS);
                while (seq.get() < warm) {
                    Thread.sleep(5);
                }
                cpu0 = server.info().totalCpuDuration().orElseThrow();
                t0 = System.nanoTime();
                while (seq.get() < total) {
                    Thread.sleep(50);
                }
                writer.shutdown();
            }
            double window = (System.nanoTime() - t0) / 1e9;
            double cores = (server.info().totalCpuDuration().orElseThrow().minus(cpu0).toNanos() / 1e9) / window;
            long expected;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            do {
                Thread.sleep(200);
                expected = (long) created.get() * (1 + unfiltered);
            } while (received.get() < expected && System.nanoTime() < deadline);
            stop.set(true);
            watchers.forEach(Thread::interrupt);
            long[] all;
            synchronized (latencies) {
                all = latencies.stream().flatMapToLong(a -> Arrays.stream(a).filter(v -> v > 0)).sorted().toArray();
            }
            return new Figures(mode + " " + variant, created.get(), expected, received.get(),
                    pct(all, 0.50), pct(all, 0.99), all.length == 0 ? 0 : all[all.length - 1] / 1e6, cores, requests.get());
        }
    }

    private static double median(List<Figures> figures, java.util.function.ToDoubleFunction<Figures> value) {
        double[] v = figures.stream().mapToDouble(value).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private static void record(JsonNode object, Map<String, Long> sentAt, long[] mine, AtomicInteger count, AtomicLong received) {
        Long t = sentAt.get(object.path("metadata").path("name").asString(""));
        if (t == null) {
            return; // not a pod of this run
        }
        if (t != 0) {
            int i = count.getAndIncrement();
            if (i < mine.length) {
                mine[i] = Math.max(1, System.nanoTime() - t);
            }
        }
        received.incrementAndGet();
    }

    /** A kube4j long-poll watcher: GET watch=poll, take the events, poll again from the answer's resourceVersion. */
    private static void poll(HttpClient http, String base, long rv, Map<String, Long> sentAt, long[] mine, AtomicInteger count,
                             AtomicLong received, AtomicLong requests, AtomicBoolean stop) throws Exception {
        String sep = base.endsWith("?") ? "" : "&";
        while (!stop.get()) {
            JsonNode list = Json.tree(send(http, "GET", base + sep + "watch=poll&timeoutSeconds=30&resourceVersion=" + rv, null));
            requests.incrementAndGet();
            for (JsonNode e : list.path("items")) {
                if (e.path("type").asString("").equals("ADDED")) {
                    record(e.path("object"), sentAt, mine, count, received);
                }
            }
            rv = list.path("metadata").path("resourceVersion").asLong();
        }
    }

    /** A streaming watcher: one JSON event per line. */
    private static void stream(HttpClient http, String url, Map<String, Long> sentAt, long[] mine, AtomicInteger count,
                               AtomicLong received, AtomicBoolean stop) throws Exception {
        HttpResponse<InputStream> resp = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            String line;
            while (!stop.get() && (line = r.readLine()) != null) {
                JsonNode e = Json.tree(line.getBytes(StandardCharsets.UTF_8));
                if (e.path("type").asString("").equals("ADDED")) {
                    record(e.path("object"), sentAt, mine, count, received);
                }
            }
        }
    }

    private static byte[] send(HttpClient http, String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + url + ": " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
        }
        return r.body();
    }

    /** The apiserver child process on {@code port}, for its CPU time. */
    private static ProcessHandle apiServerProcess(int port) {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("--server.port=" + port))
                .findFirst().orElseThrow(() -> new IllegalStateException("no apiserver process on port " + port));
    }
}
