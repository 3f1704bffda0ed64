package io.kube4j.e2e;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Density (issue #18): a Deployment of {@code kube4j.bench.pods} (N, default 1000) replicas on
 * {@code kube4j.bench.nodes} (M, default 100) hollow nodes, from its POST until a watch has seen every pod
 * Running, against the baseline of the same N pods created already bound ({@code spec.nodeName} set, no
 * controller, no scheduler) in the same run on the same cluster; prints both, the ratio deployment/pre-bound,
 * pod startup latency p50/p90/p99 (Kubernetes' SLO definition, see {@link Density}), the medians over
 * {@code kube4j.bench.rounds} (3) rounds (each round both cases, alternating which goes first), and the
 * apiserver's heap after GC (below). Writes the report to {@code target/benchmark-density-<N>-<M>.txt}.
 * <p>
 * The heap figure: after the last round, N pre-bound pods are created once more and left Running, and the
 * apiserver's used heap after two full GCs ({@code jcmd GC.run}) is printed with the heap per pod (heap
 * with the pods minus heap before any pod, divided by N). The apiserver's actuator exposes only {@code health}
 * and {@code prometheus}; a {@code jvm_memory_used_bytes} gauge there is not "after GC", so {@code jcmd} is used.
 * <p>
 * Not part of {@code verify} (the class name matches neither *Test nor *IT); the component jars must be packaged
 * in the same reactor, so it runs in the e2e module's {@code test} phase of a {@code verify} over the modules:
 * <pre>
 * ./mvnw -B -ntp -o -pl e2e -am verify -DskipITs -Dtest=DensityBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dkube4j.bench.pods=1000] [-Dkube4j.bench.nodes=100] [-Dkube4j.bench.rounds=3] \
 *     [-Dkube4j.bench.nodes-per-process=100] [-Dkube4j.bench.secure=false] \
 *     [-Dkube4j.bench.kube-api-qps=20] [-Dkube4j.bench.kube-api-burst=30]
 * </pre>
 * The controller-manager runs with its defaults unless told: Kubernetes' {@code --kube-api-qps} 20 and burst 30 per
 * controller, which caps the ReplicaSet controller at about 20 creates a second; large-cluster runs raise them.
 * The cluster is plain HTTP without authentication unless {@code kube4j.bench.secure=true} (see {@link Density}).
 * The goals: 3,000 pods on 300 nodes all Running in ≤ 10 s, 10,000 on 1,000 in ≤ 30 s, the Deployment
 * within 1.5x of pre-bound; pod startup p99 ≤ 250 ms (at 20 pods/s, a different load: not this benchmark);
 * apiserver heap after GC ≤ 256 MiB with 10,000 pods on 1,000 nodes. It fails only when pods are lost (fewer than N
 * Running within {@code kube4j.bench.timeout-seconds}, 600), over-created, Failed, or a create was refused.
 */
@Tag("benchmark")
class DensityBenchmark {
    private static final int PODS = Integer.getInteger("kube4j.bench.pods", 1000);
    private static final int NODES = Integer.getInteger("kube4j.bench.nodes", 100);
    private static final int ROUNDS = Integer.getInteger("kube4j.bench.rounds", 3);
    private static final int NODES_PER_PROCESS = Integer.getInteger("kube4j.bench.nodes-per-process", 100);
    private static final boolean SECURE = Boolean.getBoolean("kube4j.bench.secure");
    /** The controller-manager's per-controller client QPS/burst; unset: its defaults (Kubernetes' 20/30). */
    private static final String QPS = System.getProperty("kube4j.bench.kube-api-qps");
    private static final String BURST = System.getProperty("kube4j.bench.kube-api-burst");
    private static final Duration TIMEOUT = Duration.ofSeconds(Integer.getInteger("kube4j.bench.timeout-seconds", 600));

    private static List<String> controllerManagerArgs() {
        List<String> args = new ArrayList<>();
        if (QPS != null) {
            args.add("--kube4j.controller-manager.kube-api-qps=" + QPS);
        }
        if (BURST != null) {
            args.add("--kube4j.controller-manager.kube-api-burst=" + BURST);
        }
        return args;
    }

    @Test
    void deploymentAgainstPreBound() throws Exception {
        List<Density.Result> results = new ArrayList<>();
        List<String> out = new ArrayList<>();
        // pods per node: room for a round's pods and what the previous one has not yet removed
        int podsPerNode = Math.max(110, 3 * ((PODS + NODES - 1) / NODES));
        long started = System.nanoTime();
        try (Density d = new Density(NODES, NODES_PER_PROCESS, podsPerNode, SECURE, controllerManagerArgs())) {
            out.add(String.format(Locale.ROOT, "cluster of %d Ready hollow nodes after %.1f s", NODES, (System.nanoTime() - started) / 1e9));
            long heapEmpty = d.apiserverHeapAfterGc();
            for (int round = 0; round < ROUNDS; round++) {
                boolean deploymentFirst = round % 2 == 0;
                for (int c = 0; c < 2; c++) {
                    Density.Result r = (c == 0) == deploymentFirst
                            ? d.deployment("density-d" + round, PODS, TIMEOUT)
                            : d.preBound("density-b" + round, PODS, TIMEOUT);
                    results.add(r);
                    String line = "round " + (round + 1) + ": " + r.describe();
                    System.out.println(line);
                    out.add(line);
                }
            }
            Density.Result held = d.preBound("density-heap", PODS, TIMEOUT, false);
            long heapPods = d.apiserverHeapAfterGc();
            out.add(String.format(Locale.ROOT, "apiserver heap after GC: %.1f MiB with no pods, %.1f MiB with %d pods Running on %d nodes after the rounds' churn"
                            + " (%d pods created and deleted before: the watch history holds them too; %.1f KiB more per Running pod;"
                            + " goal <= 256 MiB with 10,000 pods on 1,000 nodes, <= 8 KiB per stored pod)",
                    heapEmpty / 1048576.0, heapPods / 1048576.0, held.running(), NODES, 2 * ROUNDS * PODS,
                    (heapPods - heapEmpty) / 1024.0 / Math.max(1, held.running())));
        }
        double[] dep = results.stream().filter(r -> r.name().equals("deployment")).mapToDouble(Density.Result::seconds).sorted().toArray();
        double[] pre = results.stream().filter(r -> r.name().equals("pre-bound")).mapToDouble(Density.Result::seconds).sorted().toArray();
        double[] p99 = results.stream().filter(r -> r.name().equals("deployment")).mapToDouble(r -> Density.pct(r.sloLatencyMillis(), 99)).toArray();
        double[] p50 = results.stream().filter(r -> r.name().equals("deployment")).mapToDouble(r -> Density.pct(r.sloLatencyMillis(), 50)).toArray();
        double[] p90 = results.stream().filter(r -> r.name().equals("deployment")).mapToDouble(r -> Density.pct(r.sloLatencyMillis(), 90)).toArray();
        out.add(0, String.format(Locale.ROOT, "DensityBenchmark %s: %d pods on %d hollow nodes, %d round(s), %s, controller-manager kube-api-qps/burst %s/%s, %d cores (shared), %s",
                Instant.now(), PODS, NODES, ROUNDS, SECURE ? "secure (HTTPS)" : "insecure (plain HTTP)",
                QPS == null ? "default" : QPS, BURST == null ? "default" : BURST, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version")));
        out.add(String.format(Locale.ROOT, "deployment POST -> all Running: min %.2f s, median %.2f s, max %.2f s", dep[0], Density.median(dep), dep[dep.length - 1]));
        out.add(String.format(Locale.ROOT, "pre-bound first POST -> all Running: min %.2f s, median %.2f s, max %.2f s", pre[0], Density.median(pre), pre[pre.length - 1]));
        out.add(String.format(Locale.ROOT, "ratio deployment / pre-bound (medians): %.2f (goal <= 1.5)", Density.median(dep) / Density.median(pre)));
        out.add(String.format(Locale.ROOT, "deployment pod startup latency, medians over rounds: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms",
                Density.median(p50), Density.median(p90), Density.median(p99)));
        String report = String.join(System.lineSeparator(), out) + System.lineSeparator();
        System.out.print(System.lineSeparator() + report);
        Path file = Path.of("target", "benchmark-density-" + PODS + "-" + NODES + ".txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, report);
        assertThat(results).allSatisfy(r -> assertThat(r.complete()).as(r.describe()).isTrue());
    }
}
