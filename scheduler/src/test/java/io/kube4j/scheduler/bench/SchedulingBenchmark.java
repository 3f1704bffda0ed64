package io.kube4j.scheduler.bench;

import io.kube4j.api.KubeList;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.scheduler.it.ClusterFixture;
import io.kube4j.scheduler.metrics.SchedulerMetrics;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.ComponentProcess;
import io.kube4j.testing.EtcdContainer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kubernetes scheduler_perf's SchedulingBasic against the real apiserver and etcd: N nodes created as
 * objects (4 cpu, 32Gi, 110 pods; no kubelets), then M pods (100m, 500Mi), with the scheduler running
 * in this JVM. Prints throughput (pods bound per second, bindings persisted) and per-pod latency.
 * Not part of {@code verify} (the class name matches neither *Test nor *IT); run by hand:
 * <pre>
 * ./mvnw -B -ntp -pl scheduler -am test -Dtest=SchedulingBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dkube4j.bench.nodes=1000 -Dkube4j.bench.pods=5000 [-Dkube4j.bench.mode=backlog]
 * </pre>
 * Modes: {@code streaming} (default: the scheduler runs while pods are created, as scheduler_perf),
 * {@code backlog} (all pods exist before the scheduler starts) and {@code inmemory} (no apiserver at
 * all: queue, cache, framework and a binder that confirms at once, i.e. the scheduler's own ceiling).
 */
@Tag("benchmark")
class SchedulingBenchmark {
    private static final int NODES = Integer.getInteger("kube4j.bench.nodes", 1000);
    private static final int PODS = Integer.getInteger("kube4j.bench.pods", 5000);
    private static final String MODE = System.getProperty("kube4j.bench.mode", "streaming");
    private static final int CREATORS = Integer.getInteger("kube4j.bench.creators", 32);
    private static final String NS = "default";

    private final Map<String, Long> createdAt = new ConcurrentHashMap<>();
    private final Map<String, Long> boundAt = new ConcurrentHashMap<>();

    @Test
    void schedulingBasic() throws Exception {
        if (MODE.equals("inmemory")) {
            InMemoryRun.run(NODES, PODS);
            return;
        }
        try (EtcdContainer etcd = new EtcdContainer()) {
            etcd.start();
            Process apiserverProcess = startApiServer(etcd.endpoint());
            String url = "http://127.0.0.1:" + apiserverPort;
            try {
                run(url, apiserverProcess);
            } finally {
                apiserverProcess.destroy();
                apiserverProcess.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private void run(String url, Process apiserverProcess) throws Exception {
        ApiClient client = new ApiClient(url);
        long t0 = System.nanoTime();
        parallel(NODES, i -> client.create(ClusterFixture.node(String.format("node-%05d", i), "4", "32Gi", 110)));
        log("created %d nodes in %.1f s", NODES, seconds(System.nanoTime() - t0));

        Informer<Pod> watcher = new Informer<>(client, Pod.class).addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                seen(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod newPod) {
                seen(newPod);
            }
        }).start();
        watcher.waitForSync(Duration.ofSeconds(60));

        ConfigurableApplicationContext scheduler = null;
        long apiserverCpuBefore = cpuNanos(apiserverProcess);
        long jvmCpuBefore = jvmCpuNanos();
        long start;
        List<Integer> perSecond = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread sampler = Thread.ofVirtual().unstarted(() -> {
            int last = 0;
            while (boundAt.size() < PODS) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                int now = boundAt.size();
                perSecond.add(now - last);
                last = now;
            }
        });
        if (MODE.equals("backlog")) {
            long c0 = System.nanoTime();
            createPods(client);
            log("created %d pods in %.1f s (%.0f pods/s) before starting the scheduler", PODS, seconds(System.nanoTime() - c0), PODS / seconds(System.nanoTime() - c0));
            apiserverCpuBefore = cpuNanos(apiserverProcess);
            jvmCpuBefore = jvmCpuNanos();
            start = System.nanoTime();
            sampler.start();
            scheduler = ClusterFixture.startScheduler(url, schedulerArgs());
        } else {
            scheduler = ClusterFixture.startScheduler(url, schedulerArgs());
            awaitSchedulerSynced(scheduler);
            apiserverCpuBefore = cpuNanos(apiserverProcess);
            jvmCpuBefore = jvmCpuNanos();
            start = System.nanoTime();
            sampler.start();
            createPods(client);
            log("created %d pods in %.1f s (%.0f pods/s) while scheduling", PODS, seconds(System.nanoTime() - start), PODS / seconds(System.nanoTime() - start));
        }
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
            while (boundAt.size() < PODS && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            sampler.interrupt();
            long end = boundAt.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
            double elapsed = seconds(end - start);
            double apiserverCpu = seconds(cpuNanos(apiserverProcess) - apiserverCpuBefore);
            double jvmCpu = seconds(jvmCpuNanos() - jvmCpuBefore);
            double loopCpu = seconds(threadCpuNanos("scheduling-loop"));

            int persisted = countBound(client);
            SchedulerMetrics metrics = scheduler.getBean(SchedulerMetrics.class);
            Timer attempt = metrics.duration(SchedulerMetrics.Result.SCHEDULED);
            Timer algorithm = metrics.algorithmDuration();
            long[] latencies = createdAt.entrySet().stream().filter(e -> boundAt.containsKey(e.getKey()))
                    .mapToLong(e -> boundAt.get(e.getKey()) - e.getValue()).sorted().toArray();
            int[] samples = List.copyOf(perSecond).stream().filter(n -> n > 0).mapToInt(Integer::intValue).sorted().toArray();

            StringBuilder out = new StringBuilder();
            out.append(String.format("SchedulingBasic %d nodes / %d pods, mode %s, Scheduled events %s, %d cores, %s%n", NODES, PODS, MODE,
                    System.getProperty("kube4j.bench.scheduled-events", "true"), Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version")));
            out.append(String.format("  bound (seen by watch): %d, persisted (listed after): %d, in %.1f s%n", boundAt.size(), persisted, elapsed));
            long firstBind = boundAt.values().stream().mapToLong(Long::longValue).min().orElse(end);
            out.append(String.format("  first to last binding: %.0f pods/s over %.1f s%n", (boundAt.size() - 1) / seconds(end - firstBind), seconds(end - firstBind)));
            out.append(String.format("  throughput: %.0f pods/s average; per-second samples p50 %d, p90 %d, max %d%n", boundAt.size() / elapsed,
                    pct(samples, 50), pct(samples, 90), samples.length == 0 ? 0 : samples[samples.length - 1]));
            out.append(String.format("  pod latency (create sent -> bound seen): p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                    ms(pct(latencies, 50)), ms(pct(latencies, 99)), ms(latencies.length == 0 ? 0 : latencies[latencies.length - 1])));
            out.append(String.format("  scheduler attempt (pop -> bind persisted): p50 %.1f ms, p99 %.1f ms, mean %.1f ms%n",
                    histogramPct(attempt, 0.5), histogramPct(attempt, 0.99), attempt.mean(TimeUnit.MILLISECONDS)));
            out.append(String.format("  scheduler algorithm (snapshot+filter+score): p50 %.3f ms, p99 %.3f ms, mean %.3f ms%n",
                    histogramPct(algorithm, 0.5), histogramPct(algorithm, 0.99), algorithm.mean(TimeUnit.MILLISECONDS)));
            long events = countEvents(client);
            out.append(String.format("  Events in %s when the last pod was bound: %d; dropped by the scheduler's full event queue: %d (event client qps %s)%n",
                    NS, events, scheduler.getBean(io.kube4j.scheduler.core.EventWriteQueue.class).dropped(),
                    System.getProperty("kube4j.bench.event-qps", "50 (default)")));
            out.append(String.format("  cpu during the run: apiserver %.1f s, benchmark JVM %.1f s (scheduling thread %.1f s), wall %.1f s%n",
                    apiserverCpu, jvmCpu, loopCpu, elapsed));
            // the baseline, measured in this run on the same apiserver and etcd: a naive binder that places
            // pods round-robin with no filtering, scoring or events. The ratio says how close the scheduler
            // gets to what the apiserver can take, on this machine, now.
            watcher.stop();
            scheduler.close();
            double schedulerRate = (boundAt.size() - 1) / seconds(end - firstBind);
            double baselineRate = naiveBindingRate(client);
            out.append(String.format("  baseline (same run): naive round-robin binder, %d bindings at %.0f pods/s; scheduler first-to-last / baseline = %.2f%n",
                    baselinePods(), baselineRate, schedulerRate / baselineRate));
            System.out.print(out);
            Path report = Path.of("target", "benchmark-" + NODES + "-" + PODS + "-" + MODE + ".txt");
            Files.createDirectories(report.getParent());
            Files.writeString(report, out);
            assertThat(persisted).isEqualTo(PODS);
        } finally {
            watcher.stop();
            scheduler.close();
        }
    }

    private static int baselinePods() {
        return Math.min(PODS, 2000);
    }

    /** Binds {@link #baselinePods()} fresh pods round-robin over the nodes, as fast as the creators go; returns pods/s. */
    private static double naiveBindingRate(ApiClient client) throws InterruptedException {
        io.kube4j.api.Namespace ns = new io.kube4j.api.Namespace();
        ns.metadata.name = "baseline";
        client.create(ns);
        int n = baselinePods();
        parallel(n, i -> client.create(ClusterFixture.pod("baseline", String.format("base-%06d", i), "100m", "500Mi")));
        long t0 = System.nanoTime();
        parallel(n, i -> client.bind("baseline", String.format("base-%06d", i), String.format("node-%05d", i % NODES)));
        return n / seconds(System.nanoTime() - t0);
    }

    private static String[] schedulerArgs() {
        List<String> args = new ArrayList<>(List.of("--kube4j.scheduler.leader-elect=false", "--logging.level.root=WARN",
                "--kube4j.scheduler.record-scheduled-events=" + System.getProperty("kube4j.bench.scheduled-events", "true")));
        // the event client's token bucket (KubeSchedulerConfiguration clientConnection; Kubernetes' defaults 50 / 100,
        // scheduler_perf runs with 5000 / 5000)
        if (System.getProperty("kube4j.bench.event-qps") != null) {
            args.add("--kube4j.scheduler.client-connection.qps=" + System.getProperty("kube4j.bench.event-qps"));
            args.add("--kube4j.scheduler.client-connection.burst=" + System.getProperty("kube4j.bench.event-burst", System.getProperty("kube4j.bench.event-qps")));
        }
        return args.toArray(String[]::new);
    }

    private void seen(Pod pod) {
        if (pod.spec.nodeName != null && !pod.spec.nodeName.isEmpty()) {
            boundAt.putIfAbsent(pod.metadata.name, System.nanoTime());
        }
    }

    private void createPods(ApiClient client) throws InterruptedException {
        parallel(PODS, i -> {
            String name = String.format("pod-%06d", i);
            createdAt.put(name, System.nanoTime());
            client.create(ClusterFixture.pod(NS, name, "100m", "500Mi"));
        });
    }

    private static void awaitSchedulerSynced(ConfigurableApplicationContext scheduler) throws InterruptedException {
        @SuppressWarnings("unchecked")
        Informer<Node> nodes = scheduler.getBean("nodeInformer", Informer.class);
        nodes.waitForSync(Duration.ofSeconds(120));
        @SuppressWarnings("unchecked")
        Informer<Pod> pods = scheduler.getBean("podInformer", Informer.class);
        pods.waitForSync(Duration.ofSeconds(120));
    }

    private static int countBound(ApiClient client) {
        int bound = 0;
        String token = null;
        do {
            KubeList<Pod> page = client.list(Pod.class, NS, new ListOptions(null, null, 1000, token, null));
            for (Pod p : page.items) {
                if (p.spec.nodeName != null) {
                    bound++;
                }
            }
            token = page.metadata.continue_;
        } while (token != null && !token.isEmpty());
        return bound;
    }

    private static long countEvents(ApiClient client) {
        long n = 0;
        String token = null;
        do {
            KubeList<io.kube4j.api.Event> page = client.list(io.kube4j.api.Event.class, NS, new ListOptions(null, null, 1000, token, null));
            n += page.items.size();
            token = page.metadata.continue_;
        } while (token != null && !token.isEmpty());
        return n;
    }

    interface IndexedTask {
        void run(int i) throws Exception;
    }

    private static void parallel(int n, IndexedTask task) throws InterruptedException {
        Semaphore permits = new Semaphore(CREATORS);
        AtomicInteger failures = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                int index = i;
                permits.acquire();
                pool.submit(() -> {
                    try {
                        task.run(index);
                    } catch (Exception e) {
                        if (failures.incrementAndGet() <= 5) {
                            System.err.println("create failed: " + e);
                        }
                    } finally {
                        permits.release();
                    }
                });
            }
        }
        assertThat(failures.get()).as("failed creates").isZero();
    }

    // ---- the apiserver, with the full JIT (the test fixture's quick-start flags would cap its throughput) ----

    private int apiserverPort;

    private Process startApiServer(String etcdEndpoint) throws Exception {
        String external = System.getProperty("kube4j.bench.apiserver.jvm", "-Xmx2g");
        apiserverPort = ApiServerProcess.freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(external.split(" ")));
        cmd.addAll(List.of("-jar", ComponentProcess.locateJar("apiserver").toString(),
                "--server.port=" + apiserverPort, "--kube4j.etcd.endpoints=" + etcdEndpoint, "--logging.level.root=WARN",
                // plain HTTP, every request allowed, as the ITs' fixture: the apiserver is secure by default since 2026-11
                ApiServerProcess.INSECURE));
        File log = Path.of("target", "bench-apiserver-" + apiserverPort + ".log").toFile();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + apiserverPort + "/readyz").toURL().openConnection();
                c.setConnectTimeout(500);
                if (c.getResponseCode() == 200) {
                    return p;
                }
            } catch (Exception e) {
                // not yet
            }
            Thread.sleep(200);
        }
        p.destroyForcibly();
        throw new IllegalStateException("apiserver did not become ready; see " + log);
    }

    // ---- measuring ----

    private static long cpuNanos(Process p) {
        return p.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long threadCpuNanos(String name) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                return ManagementFactory.getThreadMXBean().getThreadCpuTime(t.threadId());
            }
        }
        return 0;
    }

    private static long pct(long[] sorted, int p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)];
    }

    private static int pct(int[] sorted, int p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(sorted.length * p / 100.0) - 1))];
    }

    /** The upper bound (ms) of the histogram bucket holding the given quantile. */
    private static double histogramPct(Timer timer, double q) {
        CountAtBucket[] buckets = timer.takeSnapshot().histogramCounts();
        double total = timer.count();
        for (CountAtBucket b : buckets) {
            if (b.count() >= q * total) {
                return b.bucket(TimeUnit.MILLISECONDS);
            }
        }
        return timer.max(TimeUnit.MILLISECONDS);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void log(String format, Object... args) {
        System.out.printf(format + "%n", args);
    }
}
