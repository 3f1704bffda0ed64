package io.kube4j.controllermanager.bench;

import io.kube4j.api.LabelSelector;
import io.kube4j.api.Namespace;
import io.kube4j.api.Pod;
import io.kube4j.api.ReplicaSet;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.controllermanager.ControllerManagerApplication;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static io.kube4j.controllermanager.testing.Fixtures.template;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How long the ReplicaSet controller takes to create the pods of one ReplicaSet of N replicas (issue
 * #18's density case without nodes: from the ReplicaSet's POST until a watcher has seen all N pods),
 * with slow-start batches and many creates in flight ({@code pod-requests-in-flight}, 64 by default)
 * against the baseline of the same controller making one create at a time ({@code pod-requests-in-flight=1},
 * what kube4j did before), in the same run on the same apiserver and etcd. The whole controller-manager
 * runs in this JVM, one instance per case; the apiserver is a child process. Prints the figures and the
 * ratio, and writes them to {@code target/benchmark-replicaset-creation-<N>.txt}.
 * <p>
 * Not part of {@code verify} (the class name matches neither *Test nor *IT); run by hand, with the
 * apiserver jar packaged in the same reactor:
 * <pre>
 * ./mvnw -B -ntp -pl apiserver,controller-manager -am verify -DskipITs -Dtest=ReplicaSetCreationBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false [-Dkube4j.bench.replicas=1000] [-Dkube4j.bench.qps=1000] \
 *     [-Dkube4j.bench.burst=1000] [-Dkube4j.bench.default-qps-case=true] [-Dkube4j.bench.rounds=3] \
 *     [-Dkube4j.bench.warmup=false]
 * </pre>
 * An unmeasured slow-start run of N pods comes first (warm-up), unless {@code kube4j.bench.warmup=false}.
 * With several rounds each round runs both cases, alternating which goes first, and the summary gives
 * min, median and max of each and the ratio of the medians.
 * Both cases use the same client rate limit ({@code kube4j.bench.qps}/{@code burst}, 1000/1000 by default,
 * what a large cluster would configure: with kube-controller-manager's defaults of 20/30 the limiter, not
 * the concurrency, sets the pace). {@code kube4j.bench.default-qps-case=true} adds a third case with
 * slow start and those defaults, to show that.
 */
@Tag("benchmark")
class ReplicaSetCreationBenchmark {
    private static final int REPLICAS = Integer.getInteger("kube4j.bench.replicas", 1000);
    private static final String QPS = System.getProperty("kube4j.bench.qps", "1000");
    private static final String BURST = System.getProperty("kube4j.bench.burst", "1000");
    private static final boolean DEFAULT_QPS_CASE = Boolean.getBoolean("kube4j.bench.default-qps-case");
    private static final int ROUNDS = Integer.getInteger("kube4j.bench.rounds", 1);
    private static final boolean WARMUP = Boolean.parseBoolean(System.getProperty("kube4j.bench.warmup", "true"));
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    /** One measured case: its name, the controller-manager settings, and what it took. */
    record Case(String name, int inFlight, String qps, String burst) {
    }

    /** A case's figures: seconds from POST to the last pod seen, and to the first. */
    record Figures(Case c, int pods, double seconds, double firstPodSeconds) {
        double podsPerSecond() {
            return pods / seconds;
        }
    }

    @Test
    void slowStartAgainstOneCreateAtATime() throws Exception {
        useCopyOfApiServerJar();
        Case serialCase = new Case("serial (pod-requests-in-flight=1)", 1, QPS, BURST);
        Case slowStartCase = new Case("slow start (pod-requests-in-flight=64)", 64, QPS, BURST);
        List<Figures> results = new ArrayList<>();
        try (EtcdContainer etcd = new EtcdContainer()) {
            etcd.start();
            try (ApiServerProcess apiServer = new ApiServerProcess(etcd.endpoint(), "--logging.level.root=WARN").jvmArgs("-Xmx2g").start()) {
                ApiClient client = new ApiClient(apiServer.url());
                int n = 0;
                if (WARMUP) {
                    // unmeasured: the first thousand creates run on a cold apiserver (JIT, connection pools)
                    // and took twice as long as the later ones, whichever case came first
                    run(client, apiServer.url(), "bench-warmup", slowStartCase);
                }
                for (int round = 0; round < ROUNDS; round++) {
                    // alternate which case goes first: the later one meets a fuller etcd and watch cache
                    List<Case> order = round % 2 == 0 ? List.of(serialCase, slowStartCase) : List.of(slowStartCase, serialCase);
                    for (Case c : order) {
                        results.add(run(client, apiServer.url(), "bench-" + (n++), c));
                    }
                }
                if (DEFAULT_QPS_CASE) {
                    results.add(run(client, apiServer.url(), "bench-" + n, new Case("slow start, kube-api-qps 20 / burst 30 (defaults)", 64, "20", "30")));
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format("ReplicaSet of %d replicas, no nodes (time from the POST until a watcher saw every pod), %d round(s), %d cores, %s%n",
                REPLICAS, ROUNDS, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version")));
        for (Figures f : results) {
            out.append(String.format("  %-52s %5d pods in %6.2f s (%6.0f pods/s), first pod after %.3f s; kube-api-qps %s / burst %s%n",
                    f.c().name(), f.pods(), f.seconds(), f.podsPerSecond(), f.firstPodSeconds(), f.c().qps(), f.c().burst()));
        }
        double[] serial = seconds(results, serialCase);
        double[] slowStart = seconds(results, slowStartCase);
        out.append(String.format("  serial:     min %.2f s, median %.2f s, max %.2f s%n", serial[0], median(serial), serial[serial.length - 1]));
        out.append(String.format("  slow start: min %.2f s, median %.2f s, max %.2f s%n", slowStart[0], median(slowStart), slowStart[slowStart.length - 1]));
        out.append(String.format("  slow start / serial (medians): %.2fx the creation rate (%.2f s against %.2f s)%n",
                median(serial) / median(slowStart), median(slowStart), median(serial)));
        System.out.print(out);
        Path report = Path.of("target", "benchmark-replicaset-creation-" + REPLICAS + ".txt");
        Files.createDirectories(report.getParent());
        Files.writeString(report, out);
        assertThat(results).allSatisfy(f -> assertThat(f.pods()).as(f.c().name()).isEqualTo(REPLICAS));
    }

    /** The seconds of every run of {@code c}, sorted. */
    private static double[] seconds(List<Figures> results, Case c) {
        return results.stream().filter(f -> f.c().equals(c)).mapToDouble(Figures::seconds).sorted().toArray();
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Starts a controller-manager for {@code c}, creates the ReplicaSet in a fresh namespace, waits for every pod. */
    private Figures run(ApiClient client, String url, String namespace, Case c) throws Exception {
        Namespace ns = new Namespace();
        ns.metadata.name = namespace;
        client.create(ns);
        Map<String, Long> seenAt = new ConcurrentHashMap<>();
        Informer<Pod> watcher = new Informer<>(client, Pod.class, namespace, ListOptions.ALL).addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                seenAt.putIfAbsent(pod.metadata.name, System.nanoTime());
            }
        }).start();
        ConfigurableApplicationContext manager = new SpringApplicationBuilder(ControllerManagerApplication.class).run(
                "--server.port=0",
                "--logging.level.root=WARN",
                "--kube4j.apiserver.url=" + url,
                "--kube4j.controller-manager.leader-elect=false",
                "--kube4j.controller-manager.kube-api-qps=" + c.qps(),
                "--kube4j.controller-manager.kube-api-burst=" + c.burst(),
                "--kube4j.controller-manager.pod-requests-in-flight=" + c.inFlight());
        try {
            watcher.waitForSync(Duration.ofSeconds(60));
            // warm-up: a one-pod ReplicaSet proves the controller runs and its caches are synced
            client.create(replicaSet(namespace, "warmup", 1));
            await(() -> seenAt.size() >= 1, Duration.ofSeconds(120), "the warm-up pod");
            seenAt.clear();

            long start = System.nanoTime();
            client.create(replicaSet(namespace, "web", REPLICAS));
            await(() -> countWeb(seenAt) >= REPLICAS, TIMEOUT, REPLICAS + " pods");
            long last = seenAt.entrySet().stream().filter(e -> e.getKey().startsWith("web-")).mapToLong(Map.Entry::getValue).max().orElseThrow();
            long first = seenAt.entrySet().stream().filter(e -> e.getKey().startsWith("web-")).mapToLong(Map.Entry::getValue).min().orElseThrow();
            return new Figures(c, countWeb(seenAt), (last - start) / 1e9, (first - start) / 1e9);
        } finally {
            manager.close();
            watcher.stop();
        }
    }

    private static int countWeb(Map<String, Long> seenAt) {
        return (int) seenAt.keySet().stream().filter(k -> k.startsWith("web-")).count();
    }

    private static ReplicaSet replicaSet(String namespace, String name, int replicas) {
        ReplicaSet rs = new ReplicaSet();
        rs.metadata.namespace = namespace;
        rs.metadata.name = name;
        rs.spec.replicas = replicas;
        Map<String, String> labels = Map.of("app", name);
        rs.spec.selector = LabelSelector.of(labels);
        rs.spec.template = template(labels, "registry.k8s.io/pause:3.10");
        return rs;
    }

    private static void await(java.util.function.BooleanSupplier done, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    /** The apiserver jar of this reactor, copied so a concurrent rebuild cannot replace it mid-run. */
    private static void useCopyOfApiServerJar() throws java.io.IOException {
        Path jar = Path.of("..", "apiserver", "target", "apiserver.jar");
        if (System.getProperty("kube4j.apiserver.jar") == null && Files.exists(jar)) {
            Path copy = Path.of("target", "apiserver-under-benchmark.jar");
            Files.createDirectories(copy.getParent());
            Files.copy(jar, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            System.setProperty("kube4j.apiserver.jar", copy.toAbsolutePath().toString());
        }
    }
}
