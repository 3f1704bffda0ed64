package io.kube4j.controllermanager.podautoscaler;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.api.ResourceRequirements;
import io.kube4j.json.Times;
import io.kube4j.quantity.Quantity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Cases of Kubernetes' {@code pkg/controller/podautoscaler/replica_calculator_test.go} with their expected
 * replicas and utilization. Kubernetes' pods there have two containers each, so its expected raw values are
 * twice the per-pod level; these pods have one container, so the raw value is the level itself.
 */
class ReplicaCalculatorTest {
    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    // the test file's defaultTestingCPUInitializationPeriod and defaultTestingDelayOfInitialReadinessStatus
    final ReplicaCalculator calculator = new ReplicaCalculator(0.1, Duration.ofMinutes(2), Duration.ofSeconds(10), Clock.fixed(NOW, ZoneOffset.UTC));

    /**
     * One case: pods with cpu requests (cores), readiness, phase, deletion and usage levels (millicores, null = no metric).
     */
    record Case(String name, int currentReplicas, List<String> requests, List<String> readiness, List<String> phases, List<Boolean> deleted,
                List<Long> levels, int targetUtilization, int expectedReplicas, int expectedUtilization, long expectedRaw) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<String> times(int n, String v) {
        return new ArrayList<>(java.util.Collections.nCopies(n, v));
    }

    static Stream<Case> cases() {
        return Stream.of(
                // TestReplicaCalcScaleUp
                new Case("ScaleUp", 3, times(3, "1.0"), times(3, "True"), times(3, "Running"), null, List.of(300L, 500L, 700L), 30, 5, 50, 500),
                // TestReplicaCalcScaleUpUnreadyLessScale
                new Case("ScaleUpUnreadyLessScale", 3, times(3, "1.0"), List.of("False", "True", "True"), times(3, "Running"), null,
                        List.of(300L, 500L, 700L), 30, 4, 60, 600),
                // TestReplicaCalcScaleUpUnreadyNoScale
                new Case("ScaleUpUnreadyNoScale", 3, times(3, "1.0"), List.of("True", "False", "False"), times(3, "Running"), null,
                        List.of(400L, 500L, 700L), 30, 3, 40, 400),
                // TestReplicaCalcScaleUpIgnoresFailedPods
                new Case("ScaleUpIgnoresFailedPods", 2, times(4, "1.0"), List.of("True", "True", "False", "False"),
                        List.of("Running", "Running", "Failed", "Failed"), null, List.of(500L, 700L, 100L, 100L), 30, 4, 60, 600),
                // TestReplicaCalcScaleUpIgnoresDeletionPods
                new Case("ScaleUpIgnoresDeletionPods", 2, times(4, "1.0"), List.of("True", "True", "False", "False"), times(4, "Running"),
                        List.of(false, false, true, true), List.of(500L, 700L, 100L, 100L), 30, 4, 60, 600),
                // TestReplicaCalcScaleDown
                new Case("ScaleDown", 5, times(5, "1.0"), times(5, "True"), times(5, "Running"), null, List.of(100L, 300L, 500L, 250L, 250L), 50, 3, 28, 280),
                // TestReplicaCalcScaleDownIgnoresUnreadyPods
                new Case("ScaleDownIgnoresUnreadyPods", 5, times(5, "1.0"), List.of("True", "True", "True", "False", "False"), times(5, "Running"), null,
                        List.of(100L, 300L, 500L, 250L, 250L), 50, 2, 30, 300),
                // TestReplicaCalcTolerance
                new Case("Tolerance", 3, List.of("0.9", "1.0", "1.1"), times(3, "True"), times(3, "Running"), null, List.of(1010L, 1030L, 1020L), 100, 3, 102, 1020),
                // TestReplicaCalcMissingMetrics: two pods without metrics count as using their whole request on a scale-down
                new Case("MissingMetrics", 4, times(4, "1.0"), times(4, "True"), times(4, "Running"), null, java.util.Arrays.asList(400L, 95L, null, null),
                        100, 3, 24, 247),
                // TestReplicaCalcSuperfluousMetrics
                new Case("SuperfluousMetrics", 4, times(4, "1.0"), times(4, "True"), times(4, "Running"), null,
                        List.of(4000L, 9500L, 3000L, 7000L, 3200L, 2000L), 100, 24, 587, 5875),
                // TestReplicaCalcScaleDownExcludeUnscheduledPods (pending pods are unready, not missing)
                new Case("ScaleDownExcludeUnscheduledPods", 5, times(5, "1.0"), List.of("True", "False", "False", "False", "False"),
                        List.of("Running", "Pending", "Pending", "Pending", "Pending"), null, List.of(100L), 50, 1, 10, 100));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void resourceUtilization(Case c) {
        List<Pod> pods = new ArrayList<>();
        Map<String, PodMetric> metrics = new HashMap<>();
        for (int i = 0; i < c.requests.size(); i++) {
            String name = "test-pod-" + i;
            Instant start = NOW.minus(Duration.ofMinutes(10));
            Pod p = pod(name, c.requests.get(i), c.phases.get(i), c.readiness.get(i), start, start);
            if (c.deleted != null && c.deleted.get(i)) {
                p.metadata.deletionTimestamp = Times.format(NOW);
            }
            pods.add(p);
        }
        for (int i = 0; i < c.levels.size(); i++) {
            // levels beyond the pods are metrics of pods that no longer exist (superfluous)
            if (c.levels.get(i) != null) {
                metrics.put("test-pod-" + i, new PodMetric(NOW.minusSeconds(1), Duration.ofSeconds(30), c.levels.get(i)));
            }
        }
        ReplicaCalculator.Replicas r = calculator.resourceReplicas(c.currentReplicas, c.targetUtilization, "cpu", pods,
                new MetricsClient.PodMetrics(metrics, NOW.minusSeconds(1)), "");
        assertThat(r.replicas()).as("replicas").isEqualTo(c.expectedReplicas);
        assertThat(r.utilization()).as("utilization").isEqualTo(c.expectedUtilization);
        assertThat(r.rawUtilization()).as("raw").isEqualTo(c.expectedRaw);
    }

    @Test
    void aPodStillInitializingCountsOnlyASampleTakenAWindowAfterItBecameReady() {
        // TestReplicaCalcScaleUpHotCpuLessScale's idea: a hot-cpu pod within the initialization period whose sample
        // predates readiness plus one window is treated as unready
        Instant hotStart = NOW.minusSeconds(30);
        Pod hot = pod("hot", "1.0", "Running", "True", hotStart, NOW.minusSeconds(5));
        Pod cool1 = pod("cool-1", "1.0", "Running", "True", NOW.minus(Duration.ofMinutes(10)), NOW.minus(Duration.ofMinutes(10)));
        Pod cool2 = pod("cool-2", "1.0", "Running", "True", NOW.minus(Duration.ofMinutes(10)), NOW.minus(Duration.ofMinutes(10)));
        Map<String, PodMetric> metrics = Map.of(
                "hot", new PodMetric(NOW.minusSeconds(1), Duration.ofSeconds(30), 300),
                "cool-1", new PodMetric(NOW.minusSeconds(1), Duration.ofSeconds(30), 500),
                "cool-2", new PodMetric(NOW.minusSeconds(1), Duration.ofSeconds(30), 700));
        ReplicaCalculator.Replicas r = calculator.resourceReplicas(3, 30, "cpu", List.of(hot, cool1, cool2),
                new MetricsClient.PodMetrics(metrics, NOW), "");
        // as ScaleUpUnreadyLessScale: the hot pod's sample is dropped, then counted as 0 for the scale-up
        assertThat(r.replicas()).isEqualTo(4);
        assertThat(r.utilization()).isEqualTo(60);
    }

    @Test
    void memoryIgnoresReadiness() {
        Pod unready = pod("p0", "1.0", "Running", "False", NOW.minus(Duration.ofMinutes(10)), NOW.minus(Duration.ofMinutes(10)));
        unready.spec.containers.getFirst().resources.requests = new java.util.LinkedHashMap<>(Map.of("memory", Quantity.parse("100Mi")));
        Map<String, PodMetric> metrics = Map.of("p0", new PodMetric(NOW, Duration.ofSeconds(30), Quantity.parse("200Mi").milliValue()));
        ReplicaCalculator.Replicas r = calculator.resourceReplicas(1, 50, "memory", List.of(unready), new MetricsClient.PodMetrics(metrics, NOW), "");
        assertThat(r.utilization()).isEqualTo(200);
        assertThat(r.replicas()).isEqualTo(4);
    }

    @Test
    void averageValueTargetsUseTheMeanUsage() {
        // GetRawResourceReplicas: 3 pods averaging 600m against 200m each -> ratio 3 -> 9 replicas
        List<Pod> pods = new ArrayList<>();
        Map<String, PodMetric> metrics = new HashMap<>();
        long[] levels = {500, 600, 700};
        for (int i = 0; i < 3; i++) {
            pods.add(pod("p" + i, "1.0", "Running", "True", NOW.minus(Duration.ofMinutes(10)), NOW.minus(Duration.ofMinutes(10))));
            metrics.put("p" + i, new PodMetric(NOW, Duration.ofSeconds(30), levels[i]));
        }
        ReplicaCalculator.Replicas r = calculator.rawResourceReplicas(3, 200, "cpu", pods, new MetricsClient.PodMetrics(metrics, NOW));
        assertThat(r.replicas()).isEqualTo(9);
        assertThat(r.rawUtilization()).isEqualTo(600);
        // within tolerance of the target: unchanged
        assertThat(calculator.rawResourceReplicas(3, 580, "cpu", pods, new MetricsClient.PodMetrics(metrics, NOW)).replicas()).isEqualTo(3);
    }

    @Test
    void errorsCarryKubernetesMessages() {
        Pod noRequest = pod("test-pod", "1.0", "Running", "True", NOW.minus(Duration.ofMinutes(10)), NOW.minus(Duration.ofMinutes(10)));
        noRequest.spec.containers.getFirst().resources.requests.clear();
        Map<String, PodMetric> one = Map.of("test-pod", new PodMetric(NOW, Duration.ofSeconds(30), 100));
        assertThatThrownBy(() -> calculator.resourceReplicas(1, 50, "cpu", List.of(noRequest), new MetricsClient.PodMetrics(one, NOW), ""))
                .hasMessage("missing request for cpu in container app of Pod test-pod");
        assertThatThrownBy(() -> calculator.resourceReplicas(1, 50, "cpu", List.of(), new MetricsClient.PodMetrics(one, NOW), ""))
                .hasMessage("no pods returned by selector while calculating replica count");
        Pod pending = pod("test-pod", "1.0", "Pending", "False", NOW, NOW);
        assertThatThrownBy(() -> calculator.resourceReplicas(1, 50, "cpu", List.of(pending), new MetricsClient.PodMetrics(one, NOW), ""))
                .hasMessage("did not receive metrics for targeted pods (pods might be unready)");
    }

    @Test
    void restartableInitContainersRequestsCount() {
        Pod p = pod("p", "1.0", "Running", "True", NOW.minus(Duration.ofMinutes(10)), NOW.minus(Duration.ofMinutes(10)));
        Container sidecar = new Container();
        sidecar.name = "sidecar";
        sidecar.restartPolicy = "Always";
        sidecar.resources = new ResourceRequirements();
        sidecar.resources.requests.put("cpu", Quantity.parse("500m"));
        Container init = new Container();
        init.name = "init";
        init.resources = new ResourceRequirements();
        init.resources.requests.put("cpu", Quantity.parse("20m"));
        p.spec.initContainers.add(init);
        p.spec.initContainers.add(sidecar);
        assertThat(ReplicaCalculator.podRequests(List.of(p), "", "cpu")).containsEntry("p", 1500L);
        assertThat(ReplicaCalculator.podRequests(List.of(p), "sidecar", "cpu")).containsEntry("p", 500L);
    }

    static Pod pod(String name, String cpuRequest, String phase, String ready, Instant start, Instant readyTransition) {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = name;
        p.metadata.labels.put("name", "test-pod");
        Container c = new Container();
        c.name = "app";
        c.resources = new ResourceRequirements();
        c.resources.requests.put("cpu", Quantity.parse(cpuRequest));
        p.spec.containers.add(c);
        p.status.phase = phase;
        p.status.startTime = Times.format(start);
        p.status.conditions.add(new PodCondition("Ready", ready, null, null, Times.format(readyTransition)));
        return p;
    }
}
