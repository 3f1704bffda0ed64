package io.kube4j.apiserver.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.ComponentProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
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
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The apiserver's write path against etcd's own limit (issue #18, "Write path"): at each concurrency
 * ({@code kube4j.bench.concurrency}, 16 and 64), C closed-loop workers for {@code kube4j.bench.seconds}
 * (10) per phase do either
 * <ul>
 *   <li><b>etcd</b>: raw put-if-absent transactions through jetcd ({@code If(createRevision(key) == 0)
 *   Then(put)}, what the apiserver's create sends), with a value of the same bytes as a stored pod of
 *   this benchmark, under a key outside {@code /registry/} so the apiserver's watch does not see them; or</li>
 *   <li><b>apiserver</b>: pod creates, {@code POST /api/v1/namespaces/{ns}/pods} with a JSON body,
 *   through {@link HttpClient} (HTTP/1.1, one connection per request in flight).</li>
 * </ul>
 * Both against the same etcd, in the same run, alternating which goes first in each round; prints per
 * phase the operations per second, p50/p99 latency, the apiserver's CPU seconds per create (its
 * {@code /proc/<pid>/stat} utime+stime before and after), and the medians over the rounds with the ratio
 * creates/etcd. With {@code kube4j.bench.compare-jar} the same is first measured for an apiserver from that jar
 * (e.g. the code before a change), on its own fresh etcd, then for this build's on another fresh one: a
 * before/after comparison in one run, each against the etcd baseline measured beside it. The apiservers run with the Docker image's JIT (C2), not the C1-only JIT
 * ComponentProcess uses for quick start-ups. The apiserver is started insecure ({@link ApiServerProcess#INSECURE}: plain HTTP, no
 * authentication, authorization or admission webhooks' TLS) to isolate the write path; the built-in
 * admission plugins still run.
 *
 * <p>{@code -Dkube4j.bench.jfr=true} records a JFR profile ({@code settings=profile}) of the apiserver over
 * all create phases into {@code target/write-path.jfr}; read it with {@code jfr print --events
 * jdk.ExecutionSample} or {@code jfr summary}.
 *
 * <p>{@link #steadyCreatesAgainstRawEtcd} is the latency side (issue #18: "p99 at 100 creates/s within 1.2x of
 * etcd's own p99"): open-loop load at a fixed rate ({@code kube4j.bench.rate}, 100 per second) for
 * {@code kube4j.bench.seconds} per phase, pod creates through the apiserver and raw put-if-absent transactions
 * through jetcd in alternating phases on the same etcd; each operation is sent at its scheduled time
 * (start + i / rate, whatever earlier ones are doing) and its latency counts from that scheduled time, so a
 * stall delays, and is charged to, every operation scheduled during it (no coordinated omission). Prints
 * p50/p99/max of both, the p99 ratio creates/etcd and the medians over the rounds.
 *
 * <p>{@link #idleWatchersHeap} measures the heap after GC of an apiserver holding N idle long-poll and
 * streaming watches (each an HTTP request in flight) for each {@code server.max-http-request-header-size}
 * in {@code kube4j.bench.header-sizes} (1MB, Kubernetes' limit; 64KB; 8KB, Tomcat's default): Tomcat's
 * Http11InputBuffer allocates that many bytes plus its socket read buffer for every processor serving a
 * request (and keeps up to {@code processorCache}, 200, freed processors with their buffers); under G1 with
 * regions of 1 or 2 MiB such a 1 MiB + 8 KiB array is humongous and occupies 2 MiB.
 *
 * <p>Not part of {@code verify} (the name matches neither *Test nor *IT). Run by hand after the apiserver
 * jar is packaged (failsafe runs after {@code package}):
 * <pre>
 * ./mvnw -B -ntp -o -pl common,apiserver verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test='WritePathBenchmark#createsAgainstRawEtcd' [-Dkube4j.bench.concurrency=16,64] \
 *     [-Dkube4j.bench.seconds=10] [-Dkube4j.bench.rounds=3] [-Dkube4j.bench.jfr=true] \
 *     [-Dkube4j.bench.compare-jar=/path/to/main/apiserver.jar]
 * ./mvnw ... -Dit.test='WritePathBenchmark#steadyCreatesAgainstRawEtcd' [-Dkube4j.bench.rate=100] \
 *     [-Dkube4j.bench.seconds=10] [-Dkube4j.bench.rounds=3] [-Dkube4j.bench.compare-jar=...]
 * ./mvnw ... -Dit.test='WritePathBenchmark#idleWatchersHeap' [-Dkube4j.bench.watchers=400] \
 *     [-Dkube4j.bench.header-sizes=1MB,64KB,8KB]
 * </pre>
 * Results also go to {@code target/benchmark-write-path.txt}, {@code target/benchmark-steady-creates.txt} and
 * {@code target/benchmark-idle-watchers.txt}.
 */
@Tag("benchmark")
class WritePathBenchmark {
    private static final List<Integer> CONCURRENCY = Arrays.stream(System.getProperty("kube4j.bench.concurrency", "16,64").split(","))
            .map(String::trim).map(Integer::valueOf).toList();
    private static final int SECONDS = Integer.getInteger("kube4j.bench.seconds", 10);
    private static final int ROUNDS = Integer.getInteger("kube4j.bench.rounds", 3);
    /** Seconds of each kind of load before the rounds, unmeasured: JIT warm-up of the apiserver and this JVM. */
    private static final int WARMUP = Integer.getInteger("kube4j.bench.warmup-seconds", 20);
    private static final boolean JFR = Boolean.getBoolean("kube4j.bench.jfr");
    private static final int WATCHERS = Integer.getInteger("kube4j.bench.watchers", 400);
    private static final List<String> HEADER_SIZES = Arrays.asList(System.getProperty("kube4j.bench.header-sizes", "1MB,64KB,8KB").split(","));
    private static final long CLK_TCK = 100; // getconf CLK_TCK on Linux x86-64
    /** Operations per second of {@link #steadyCreatesAgainstRawEtcd}. */
    private static final int RATE = Integer.getInteger("kube4j.bench.rate", 100);
    /** Another apiserver jar (e.g. main's) measured in the same run, against the same etcd, as "compared". */
    private static final String COMPARE_JAR = System.getProperty("kube4j.bench.compare-jar");

    /** One phase's figures. */
    record Figures(String name, int concurrency, long ops, long errors, double seconds, double p50Ms, double p99Ms, double cpuMsPerOp) {
        double perSecond() {
            return ops / seconds;
        }

        String line() {
            return String.format(Locale.ROOT, "%-10s c=%-3d %7.0f ops/s  (%6d in %.1f s, %d errors)  p50 %6.1f ms  p99 %6.1f ms%s",
                    name, concurrency, perSecond(), ops, seconds, errors, p50Ms, p99Ms,
                    cpuMsPerOp < 0 ? "" : String.format(Locale.ROOT, "  apiserver CPU %.2f ms/create", cpuMsPerOp));
        }
    }

    /** A closed-loop operation of one worker; {@code i} is unique across workers and phases. */
    interface Operation {
        boolean run(long i) throws Exception;
    }

    @Test
    void createsAgainstRawEtcd() throws Exception {
        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "write path: raw etcd put-if-absent txns vs pod creates through the apiserver (insecure, JSON), %d s per phase, %d rounds, %d cores, %s",
                SECONDS, ROUNDS, Runtime.getRuntime().availableProcessors(), EtcdContainer.IMAGE));
        List<String> summary = new ArrayList<>();
        if (COMPARE_JAR != null) {
            String own = System.getProperty("kube4j.apiserver.jar");
            System.setProperty("kube4j.apiserver.jar", COMPARE_JAR);
            try {
                segment("compared", report, summary);
            } finally {
                if (own == null) {
                    System.clearProperty("kube4j.apiserver.jar");
                } else {
                    System.setProperty("kube4j.apiserver.jar", own);
                }
            }
        }
        segment("apiserver", report, summary);
        report.addAll(summary);
        report.forEach(System.out::println);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "benchmark-write-path.txt"), report);
    }

    /**
     * One apiserver ({@code name}: this build's, or the compared jar's) on a fresh etcd: warm-up, then per
     * concurrency {@link #ROUNDS} rounds of raw etcd transactions and creates in alternating order.
     */
    private void segment(String name, List<String> report, List<String> summary) throws Exception {
        String jar = ComponentProcess.locateJar("apiserver").toString();
        report.add(name + ": " + jar);
        Path jfr = Path.of("target", "write-path-" + name + ".jfr").toAbsolutePath();
        try (EtcdContainer etcd = new EtcdContainer()) {
            etcd.start();
            // the Docker image's JIT (ComponentProcess stops at C1 for quick test start-ups)
            // 3 GiB: a fast variant stores more pods (tens of thousands, all in the watch cache); with 1 GiB its
            // last rounds measured multi-second full GCs instead of the write path
            List<String> jvm = new ArrayList<>(List.of("-Xmx3g", "-XX:TieredStopAtLevel=4"));
            if (JFR) {
                jvm.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints"));
            }
            try (ApiServerProcess apiServer = new ApiServerProcess(etcd.endpoint()).jvmArgs(jvm.toArray(String[]::new)).start();
                 Client etcdClient = Client.builder().endpoints(etcd.endpoint()).build();
                 HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                         .executor(Executors.newVirtualThreadPerTaskExecutor()).build()) {
                KV kv = etcdClient.getKVClient();
                String url = apiServer.url();
                long pid = apiServerPid(apiServer.port());
                send(http, "POST", url + "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"bench\"}}");
                // ServiceAccount admission needs the namespace's default ServiceAccount (no controller-manager here)
                send(http, "POST", url + "/api/v1/namespaces/bench/serviceaccounts", "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"default\"}}");
                AtomicLong seq = new AtomicLong();
                // a new client (and connections) per phase: Tomcat closes connections idle for its keep-alive
                // timeout (20 s), and a request sent on one it is closing fails without reaching the apiserver
                java.util.concurrent.atomic.AtomicReference<HttpClient> client = new java.util.concurrent.atomic.AtomicReference<>(http);
                Operation create = i -> send(client.get(), "POST", url + "/api/v1/namespaces/bench/pods", pod("p" + i)) == 201;
                // the stored bytes of one of these pods: the raw transactions write exactly that many bytes
                send(http, "POST", url + "/api/v1/namespaces/bench/pods", pod("sample"));
                byte[] stored = kv.get(ByteSequence.from("/registry/pods/bench/sample", StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS)
                        .getKvs().getFirst().getValue().getBytes();
                report.add("stored pod: " + stored.length + " bytes; request body " + pod("p0").length() + " bytes");
                ByteSequence value = ByteSequence.from(stored);
                Operation txn = i -> {
                    // the same key length as /registry/pods/bench/p<i>, outside /registry/
                    ByteSequence k = ByteSequence.from("/rawbench/pods/bench/p" + i, StandardCharsets.UTF_8);
                    TxnResponse r = kv.txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                            .Then(Op.put(k, value, PutOption.DEFAULT)).commit().get(30, TimeUnit.SECONDS);
                    return r.isSucceeded();
                };
                for (int c : CONCURRENCY) {
                    phase("warm-up", c, WARMUP, txn, seq, -1);
                    client.set(newClient());
                    phase("warm-up", c, WARMUP, create, seq, -1);
                    client.get().close();
                }
                if (JFR) {
                    jcmd(pid, "JFR.start", "name=writepath", "settings=profile");
                }
                for (int c : CONCURRENCY) {
                    List<Figures> raw = new ArrayList<>();
                    List<Figures> creates = new ArrayList<>();
                    for (int r = 0; r < ROUNDS; r++) {
                        boolean etcdFirst = r % 2 == 0;
                        for (int k = 0; k < 2; k++) {
                            Figures f;
                            if ((k == 0) == etcdFirst) {
                                f = phase("etcd", c, SECONDS, txn, seq, -1);
                            } else {
                                client.set(newClient());
                                f = phase(name, c, SECONDS, create, seq, pid);
                                client.get().close();
                            }
                            (f.name().equals("etcd") ? raw : creates).add(f);
                            String line = "round " + (r + 1) + " " + f.line();
                            System.out.println(line);
                            report.add(line);
                            assertThat(f.errors()).as("failed operations in " + f.name()).isZero();
                        }
                    }
                    double e = median(raw, Figures::perSecond), a = median(creates, Figures::perSecond);
                    summary.add(String.format(Locale.ROOT,
                            "%-9s c=%d medians of %d: etcd %.0f txn/s (p50 %.1f, p99 %.1f ms), creates %.0f/s (p50 %.1f, p99 %.1f ms, %.2f ms CPU/create); creates/etcd %.2f, p99 ratio %.2f",
                            name, c, ROUNDS, e, median(raw, Figures::p50Ms), median(raw, Figures::p99Ms), a, median(creates, Figures::p50Ms),
                            median(creates, Figures::p99Ms), median(creates, Figures::cpuMsPerOp), a / e,
                            median(creates, Figures::p99Ms) / median(raw, Figures::p99Ms)));
                }
                if (JFR) {
                    jcmd(pid, "JFR.stop", "name=writepath", "filename=" + jfr);
                    report.add("JFR of the measured phases: " + jfr);
                }
            }
        }
    }

    /** One open-loop phase's figures: latencies from each operation's scheduled send time. */
    record Steady(String name, int rate, long ops, long errors, double p50Ms, double p99Ms, double maxMs, double lateMs) {
        String line() {
            return String.format(Locale.ROOT, "%-10s %d/s  %6d ops, %d errors  p50 %6.1f ms  p99 %6.1f ms  max %7.1f ms  (sender's worst lag %.1f ms)",
                    name, rate, ops, errors, p50Ms, p99Ms, maxMs, lateMs);
        }
    }

    @Test
    void steadyCreatesAgainstRawEtcd() throws Exception {
        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "steady write path: %d pod creates/s through the apiserver (insecure, JSON) vs %d raw etcd put-if-absent txns/s, open loop, %d s per phase, %d rounds, %d cores, %s",
                RATE, RATE, SECONDS, ROUNDS, Runtime.getRuntime().availableProcessors(), EtcdContainer.IMAGE));
        List<String> summary = new ArrayList<>();
        if (COMPARE_JAR != null) {
            String own = System.getProperty("kube4j.apiserver.jar");
            System.setProperty("kube4j.apiserver.jar", COMPARE_JAR);
            try {
                steadySegment("compared", report, summary);
            } finally {
                if (own == null) {
                    System.clearProperty("kube4j.apiserver.jar");
                } else {
                    System.setProperty("kube4j.apiserver.jar", own);
                }
            }
        }
        steadySegment("apiserver", report, summary);
        report.addAll(summary);
        report.forEach(System.out::println);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "benchmark-steady-creates.txt"), report);
    }

    /**
     * One apiserver on a fresh etcd: closed-loop warm-up of both kinds of operation (concurrency 16), then
     * {@link #ROUNDS} rounds of an etcd phase and a creates phase at {@link #RATE}, alternating which goes first.
     */
    private void steadySegment(String name, List<String> report, List<String> summary) throws Exception {
        String jar = ComponentProcess.locateJar("apiserver").toString();
        report.add(name + ": " + jar);
        try (EtcdContainer etcd = new EtcdContainer()) {
            etcd.start();
            try (ApiServerProcess apiServer = new ApiServerProcess(etcd.endpoint()).jvmArgs("-Xmx3g", "-XX:TieredStopAtLevel=4").start();
                 Client etcdClient = Client.builder().endpoints(etcd.endpoint()).build();
                 HttpClient http = newClient()) {
                KV kv = etcdClient.getKVClient();
                String url = apiServer.url();
                send(http, "POST", url + "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"bench\"}}");
                send(http, "POST", url + "/api/v1/namespaces/bench/serviceaccounts", "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"default\"}}");
                send(http, "POST", url + "/api/v1/namespaces/bench/pods", pod("sample"));
                byte[] stored = kv.get(ByteSequence.from("/registry/pods/bench/sample", StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS)
                        .getKvs().getFirst().getValue().getBytes();
                ByteSequence value = ByteSequence.from(stored);
                AtomicLong seq = new AtomicLong();
                java.util.concurrent.atomic.AtomicReference<HttpClient> client = new java.util.concurrent.atomic.AtomicReference<>(http);
                Operation create = i -> send(client.get(), "POST", url + "/api/v1/namespaces/bench/pods", pod("p" + i)) == 201;
                Operation txn = i -> {
                    ByteSequence k = ByteSequence.from("/rawbench/pods/bench/p" + i, StandardCharsets.UTF_8);
                    return kv.txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                            .Then(Op.put(k, value, PutOption.DEFAULT)).commit().get(30, TimeUnit.SECONDS).isSucceeded();
                };
                phase("warm-up", 16, WARMUP, txn, seq, -1);
                client.set(newClient());
                phase("warm-up", 16, WARMUP, create, seq, -1);
                client.get().close();
                List<Steady> raw = new ArrayList<>();
                List<Steady> creates = new ArrayList<>();
                for (int r = 0; r < ROUNDS; r++) {
                    boolean etcdFirst = r % 2 == 0;
                    for (int k = 0; k < 2; k++) {
                        Steady f;
                        if ((k == 0) == etcdFirst) {
                            f = steady("etcd", RATE, SECONDS, txn, seq);
                            raw.add(f);
                        } else {
                            client.set(newClient());
                            f = steady(name, RATE, SECONDS, create, seq);
                            client.get().close();
                            creates.add(f);
                        }
                        String line = "round " + (r + 1) + " " + f.line();
                        System.out.println(line);
                        report.add(line);
                        assertThat(f.errors()).as("failed operations in " + f.name()).isZero();
                    }
                }
                double ep99 = medianOf(raw, Steady::p99Ms), ap99 = medianOf(creates, Steady::p99Ms);
                summary.add(String.format(Locale.ROOT,
                        "%-9s %d/s medians of %d: etcd p50 %.1f, p99 %.1f, max %.1f ms; creates p50 %.1f, p99 %.1f, max %.1f ms; p99 ratio creates/etcd %.2f (goal <= 1.2)",
                        name, RATE, ROUNDS, medianOf(raw, Steady::p50Ms), ep99, medianOf(raw, Steady::maxMs),
                        medianOf(creates, Steady::p50Ms), ap99, medianOf(creates, Steady::maxMs), ap99 / ep99));
            }
        }
    }

    /**
     * {@code rate} operations per second for {@code seconds}, open loop: operation i is started, on a virtual
     * thread of its own, at {@code t0 + i / rate} by the wall clock, however many earlier ones are still in
     * flight, and its latency is measured from that scheduled time (if the sender itself is late, the lag
     * counts too). Waits for every operation to end.
     */
    private static Steady steady(String name, int rate, int seconds, Operation op, AtomicLong seq) throws Exception {
        int n = rate * seconds;
        long[] lat = new long[n];
        java.util.concurrent.atomic.AtomicIntegerArray done = new java.util.concurrent.atomic.AtomicIntegerArray(n);
        AtomicLong errors = new AtomicLong();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long lag = 0;
        List<Thread> inFlight = new ArrayList<>(n);
        long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        for (int i = 0; i < n; i++) {
            long scheduled = t0 + i * interval;
            long wait;
            while ((wait = scheduled - System.nanoTime()) > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            lag = Math.max(lag, -wait);
            int me = i;
            long id = seq.getAndIncrement();
            inFlight.add(Thread.ofVirtual().start(() -> {
                boolean ok;
                try {
                    ok = op.run(id);
                } catch (Exception e) {
                    ok = false;
                    if (errors.get() < 5) {
                        System.err.println(name + ": " + e);
                    }
                }
                lat[me] = System.nanoTime() - scheduled;
                if (ok) {
                    done.set(me, 1);
                } else {
                    errors.incrementAndGet();
                }
            }));
        }
        for (Thread t : inFlight) {
            t.join();
        }
        long[] ok = java.util.stream.IntStream.range(0, n).filter(i -> done.get(i) == 1).mapToLong(i -> lat[i]).sorted().toArray();
        return new Steady(name, rate, ok.length, errors.get(), pct(ok, 0.50), pct(ok, 0.99),
                ok.length == 0 ? 0 : ok[ok.length - 1] / 1e6, lag / 1e6);
    }

    private static <T> double medianOf(List<T> figures, ToDoubleFunction<T> value) {
        double[] v = figures.stream().mapToDouble(value).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    @Test
    void idleWatchersHeap() throws Exception {
        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "heap after GC of an apiserver with %d idle watches (half long-poll, half streaming), per server.max-http-request-header-size", WATCHERS));
        try (EtcdContainer etcd = new EtcdContainer()) {
            etcd.start();
            for (String size : HEADER_SIZES) {
                // one etcd for all sizes: a namespace of its own per apiserver
                String ns = "idle-" + size.toLowerCase(Locale.ROOT);
                try (ApiServerProcess apiServer = new ApiServerProcess(etcd.endpoint(), "--server.max-http-request-header-size=" + size)
                        .jvmArgs("-Xmx2g").start();
                     HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                             .executor(Executors.newVirtualThreadPerTaskExecutor()).build()) {
                    String url = apiServer.url();
                    long pid = apiServerPid(apiServer.port());
                    send(http, "POST", url + "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}");
                    // a few requests of every kind first, so that what is measured is the watchers, not lazy initialisation
                    for (int i = 0; i < 20; i++) {
                        send(http, "GET", url + "/api/v1/namespaces/" + ns + "/pods", null);
                    }
                    long before = heapAfterGc(pid);
                    AtomicInteger open = new AtomicInteger();
                    List<Thread> watchers = new ArrayList<>();
                    for (int i = 0; i < WATCHERS; i++) {
                        String q = i % 2 == 0 ? "watch=poll&timeoutSeconds=300" : "watch=true&timeoutSeconds=300";
                        HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/api/v1/namespaces/" + ns + "/pods?" + q)).build();
                        watchers.add(Thread.ofVirtual().start(() -> {
                            try {
                                HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
                                open.incrementAndGet();
                                try (InputStream in = resp.body()) {
                                    in.readAllBytes();
                                }
                            } catch (IOException | InterruptedException e) {
                                // closed at the end of the measurement
                            }
                        }));
                    }
                    // a long-poll answers nothing until its timeout: wait for the streams' headers and then a little for the polls
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (open.get() < WATCHERS / 2 && System.nanoTime() < deadline) {
                        Thread.sleep(100);
                    }
                    Thread.sleep(3000);
                    long connections = establishedConnections(apiServer.port());
                    long after = heapAfterGc(pid);
                    String line = String.format(Locale.ROOT, "header size %-5s heap after GC %6.1f MiB -> %6.1f MiB with %d watches (%d streams answered, %d connections): %.1f KiB per watch",
                            size, before / 1048576.0, after / 1048576.0, WATCHERS, open.get(), connections, (after - before) / 1024.0 / WATCHERS);
                    System.out.println(line);
                    report.add(line);
                    assertThat(open.get()).as("streaming watches answered").isGreaterThanOrEqualTo(WATCHERS / 2);
                    // a long-poll the client gave up on still holds its processor until its timeoutSeconds
                    http.shutdownNow();
                    watchers.forEach(Thread::interrupt);
                }
            }
        }
        report.forEach(System.out::println);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "benchmark-idle-watchers.txt"), report);
    }

    private static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    }

    /** A pod as a ReplicaSet would create it: labels, an owner, one container with ports, env and resources. */
    static String pod(String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"bench\","
                + "\"labels\":{\"app\":\"web\",\"pod-template-hash\":\"5d4f8c7b9\",\"tier\":\"frontend\"},"
                + "\"annotations\":{\"kubernetes.io/config.source\":\"api\"},"
                + "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"web-5d4f8c7b9\","
                + "\"uid\":\"0b8f5e1c-2f5d-4a63-9d1e-6b2c8e4f7a10\",\"controller\":true,\"blockOwnerDeletion\":true}]},"
                + "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}],"
                + "\"env\":[{\"name\":\"MODE\",\"value\":\"production\"},{\"name\":\"LOG_LEVEL\",\"value\":\"info\"}],"
                + "\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},\"limits\":{\"cpu\":\"500m\",\"memory\":\"256Mi\"}},"
                + "\"readinessProbe\":{\"httpGet\":{\"path\":\"/healthz\",\"port\":80},\"periodSeconds\":5}}],"
                + "\"terminationGracePeriodSeconds\":30}}";
    }

    /**
     * C workers, each doing {@code op} back to back for {@code seconds}; latencies of every operation,
     * and the apiserver's CPU time over the phase per successful operation when {@code pid > 0}.
     */
    private static Figures phase(String name, int c, int seconds, Operation op, AtomicLong seq, long pid) throws Exception {
        long[][] lat = new long[c][];
        int[] counts = new int[c];
        AtomicLong errors = new AtomicLong();
        long cpu0 = pid > 0 ? cpuTicks(pid) : 0;
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < c; w++) {
            int me = w;
            lat[me] = new long[1024];
            workers.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    long s = System.nanoTime();
                    boolean ok;
                    try {
                        ok = op.run(seq.getAndIncrement());
                    } catch (Exception e) {
                        ok = false;
                        if (errors.get() < 5) {
                            System.err.println(name + ": " + e);
                        }
                    }
                    if (!ok) {
                        errors.incrementAndGet();
                        continue;
                    }
                    if (counts[me] == lat[me].length) {
                        lat[me] = Arrays.copyOf(lat[me], lat[me].length * 2);
                    }
                    lat[me][counts[me]++] = System.nanoTime() - s;
                }
            }));
        }
        for (Thread t : workers) {
            t.join();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long cpu = pid > 0 ? cpuTicks(pid) - cpu0 : 0;
        long[] all = new long[Arrays.stream(counts).sum()];
        int at = 0;
        for (int w = 0; w < c; w++) {
            System.arraycopy(lat[w], 0, all, at, counts[w]);
            at += counts[w];
        }
        Arrays.sort(all);
        return new Figures(name, c, all.length, errors.get(), elapsed, pct(all, 0.50), pct(all, 0.99),
                pid > 0 && all.length > 0 ? cpu * 1000.0 / CLK_TCK / all.length : -1);
    }

    private static double median(List<Figures> figures, ToDoubleFunction<Figures> value) {
        double[] v = figures.stream().mapToDouble(value).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private static int send(HttpClient http, String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + url + ": " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
        }
        return r.statusCode();
    }

    /** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // the command name (field 2) may hold spaces: count fields after its closing parenthesis
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** The apiserver child process on {@code port}. */
    static long apiServerPid(int port) {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("--server.port=" + port))
                .findFirst().orElseThrow(() -> new IllegalStateException("no apiserver process on port " + port)).pid();
    }

    /** Runs {@code jcmd <pid> args...}; fails the test unless it exits 0. Returns its output. */
    static String jcmd(long pid, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("jcmd " + String.join(" ", args) + ": " + out).isZero();
        return out;
    }

    /** The used heap after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}), in bytes. */
    static long heapAfterGc(long pid) throws Exception {
        jcmd(pid, "GC.run");
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
        assertThat(m.find()).as("heap info: " + info).isTrue();
        return Long.parseLong(m.group(1)) * 1024;
    }

    /** Established TCP connections to the apiserver's port, from /proc/net/tcp and tcp6 (state 01). */
    private static long establishedConnections(int port) throws IOException {
        String local = String.format(Locale.ROOT, ":%04X", port);
        List<String> lines = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            lines.addAll(Files.readAllLines(Path.of(table)).stream().skip(1).toList());
        }
        return lines.stream()
                .map(l -> l.trim().split("\\s+"))
                .filter(f -> f[1].endsWith(local) && f[3].equals("01"))
                .count();
    }
}
