package io.kube4j.controllermanager.podautoscaler;

import io.kube4j.api.Event;
import io.kube4j.api.HorizontalPodAutoscaler;
import io.kube4j.api.HorizontalPodAutoscaler.HorizontalPodAutoscalerCondition;
import io.kube4j.api.Pod;
import io.kube4j.api.Scale;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.Action;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.json.Times;
import io.kube4j.labels.Selector;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HPA controller's reconcile against a preloaded cache, fake scale and metrics clients and a recording
 * client; expected conditions, events and messages are Kubernetes' ({@code horizontal_test.go}'s shapes).
 */
class HorizontalControllerTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T12:00:00Z"));
    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final FakeScales scales = new FakeScales();
    final FakeMetrics metrics = new FakeMetrics();
    final HorizontalController controller = new HorizontalController(informers, client, scales, metrics,
            new ReplicaCalculator(0.1, Duration.ofMinutes(5), Duration.ofSeconds(30), clock), clock, Duration.ofSeconds(15), Duration.ofMinutes(5));

    @Test
    void scalesUpAndReportsConditionsMetricsAndEvent() {
        setUp(3, 30, null, 300, 500, 700);

        controller.reconcile("default/web-hpa");

        assertThat(scales.updates).containsExactly("web=5");
        HorizontalPodAutoscaler written = lastStatus();
        assertThat(written.status.currentReplicas).isEqualTo(3);
        assertThat(written.status.desiredReplicas).isEqualTo(5);
        assertThat(written.status.lastScaleTime).isEqualTo(Times.format(clock.instant()));
        assertThat(conditions(written)).containsExactly(
                "AbleToScale True SucceededRescale the HPA controller was able to update the target scale to 5",
                "ScalingActive True ValidMetricFound the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)",
                "ScalingLimited False DesiredWithinRange the desired count is within the acceptable range");
        HorizontalPodAutoscaler.MetricStatus cpu = written.status.currentMetrics.getFirst();
        assertThat(cpu.type).isEqualTo("Resource");
        assertThat(cpu.resource.name).isEqualTo("cpu");
        assertThat(cpu.resource.current.averageUtilization).isEqualTo(50);
        assertThat(cpu.resource.current.averageValue.toString()).isEqualTo("500m");
        assertThat(events()).containsExactly("Normal SuccessfulRescale New size: 5; reason: cpu resource utilization (percentage of request) above target");
    }

    @Test
    void withoutBehaviorAScaleUpAtMostDoublesOrReachesFour() {
        setUp(3, 50, null, 3000, 3000, 3000);

        controller.reconcile("default/web-hpa");

        // 600% of a 50% target asks for 18; max 10; the legacy rate limit allows max(2*3, 4) = 6
        assertThat(scales.updates).containsExactly("web=6");
        assertThat(conditions(lastStatus())).contains(
                "ScalingLimited True ScaleUpLimit the desired replica count is increasing faster than the maximum scale rate");
    }

    @Test
    void aScaleDownWaitsForTheDefaultFiveMinuteStabilizationWindow() {
        setUp(5, 50, null, 100, 100, 100, 100, 100);

        controller.reconcile("default/web-hpa");
        assertThat(scales.updates).isEmpty();
        HorizontalPodAutoscaler first = lastStatus();
        assertThat(first.status.desiredReplicas).isEqualTo(5);
        assertThat(conditions(first)).contains(
                "AbleToScale True ScaleDownStabilized recent recommendations were higher than current one, applying the highest recent recommendation");

        preload(informers.informer(HorizontalPodAutoscaler.class), first);
        clock.advance(Duration.ofSeconds(299));
        controller.reconcile("default/web-hpa");
        assertThat(scales.updates).isEmpty();

        clock.advance(Duration.ofSeconds(2));
        controller.reconcile("default/web-hpa");
        // 10% of requests against 50%: ceil(0.2 * 5) = 1
        assertThat(scales.updates).containsExactly("web=1");
        assertThat(events()).last().isEqualTo("Normal SuccessfulRescale New size: 1; reason: All metrics below target");
    }

    @Test
    void behaviorPoliciesLimitTheScaleDownRatePerPeriod() {
        HorizontalPodAutoscaler.HorizontalPodAutoscalerBehavior behavior = new HorizontalPodAutoscaler.HorizontalPodAutoscalerBehavior();
        behavior.scaleDown = new HorizontalPodAutoscaler.HPAScalingRules();
        behavior.scaleDown.stabilizationWindowSeconds = 10;
        HorizontalPodAutoscaler.HPAScalingPolicy half = new HorizontalPodAutoscaler.HPAScalingPolicy();
        half.type = "Percent";
        half.value = 50;
        half.periodSeconds = 60;
        behavior.scaleDown.policies = new ArrayList<>(List.of(half));
        setUp(8, 50, behavior, 10, 10, 10, 10, 10, 10, 10, 10);

        controller.reconcile("default/web-hpa");
        assertThat(scales.updates).as("inside the 10 s window").isEmpty();

        clock.advance(Duration.ofSeconds(11));
        controller.reconcile("default/web-hpa");
        // wants 1, but at most 50% of 8 may go per 60 s
        assertThat(scales.updates).containsExactly("web=4");
        assertThat(conditions(lastStatus())).contains(
                "ScalingLimited True ScaleDownLimit the desired replica count is decreasing faster than the maximum scale rate");

        scales.replicas.put("web", 4);
        clock.advance(Duration.ofSeconds(15));
        controller.reconcile("default/web-hpa");
        assertThat(scales.updates).as("the period's budget is spent").containsExactly("web=4");

        clock.advance(Duration.ofSeconds(60));
        controller.reconcile("default/web-hpa");
        assertThat(scales.updates).containsExactly("web=4", "web=2");
    }

    @Test
    void withBehaviorAScaleUpHasNoStabilizationAndDefaultPolicies() {
        setUp(2, 50, new HorizontalPodAutoscaler.HorizontalPodAutoscalerBehavior(), 1000, 1000);

        controller.reconcile("default/web-hpa");

        // asks for 4; default scaleUp policies allow max(2 + 4 Pods, 2 * 200%) = 6 per 15 s
        assertThat(scales.updates).containsExactly("web=4");
        assertThat(conditions(lastStatus())).contains("AbleToScale True SucceededRescale the HPA controller was able to update the target scale to 4");
    }

    @Test
    void unavailableMetricsSetScalingActiveFalseWithKubernetesMessages() {
        setUp(3, 30, null, 300, 500, 700);
        metrics.failure = "unable to fetch metrics from resource metrics API: the server could not find the requested resource";

        controller.reconcile("default/web-hpa");

        assertThat(scales.updates).isEmpty();
        HorizontalPodAutoscaler written = lastStatus();
        assertThat(conditions(written)).containsExactly(
                "AbleToScale True SucceededGetScale the HPA controller was able to get the target's current scale",
                "ScalingActive False FailedGetResourceMetric the HPA was unable to compute the replica count: unable to get metrics for resource cpu: "
                        + "unable to fetch metrics from resource metrics API: the server could not find the requested resource");
        assertThat(written.status.currentReplicas).isEqualTo(3);
        assertThat(events()).containsExactly(
                "Warning FailedGetResourceMetric unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource",
                "Warning FailedComputeMetricsReplicas invalid metrics (1 invalid out of 1), first error is: failed to get cpu utilization: unable to get metrics for resource cpu: "
                        + "unable to fetch metrics from resource metrics API: the server could not find the requested resource");
    }

    @Test
    void aMissingTargetSetsAbleToScaleFalse() {
        setUp(3, 30, null, 300, 500, 700);
        scales.replicas.clear();

        controller.reconcile("default/web-hpa");

        assertThat(conditions(lastStatus())).containsExactly(
                "AbleToScale False FailedGetScale the HPA controller was unable to get the target's current scale: deployments.apps \"web\" not found");
        assertThat(events()).containsExactly("Warning FailedGetScale deployments.apps \"web\" not found");
    }

    @Test
    void aTargetScaledToZeroDisablesScaling() {
        setUp(0, 30, null);

        controller.reconcile("default/web-hpa");

        assertThat(scales.updates).isEmpty();
        assertThat(conditions(lastStatus())).contains(
                "ScalingActive False ScalingDisabled scaling is disabled since the replica count of the target is zero");
    }

    @Test
    void belowMinReplicasScalesToTheMinimumWithoutMetrics() {
        setUp(1, 30, null, 300);
        HorizontalPodAutoscaler hpa = informers.informer(HorizontalPodAutoscaler.class).store().get("default/web-hpa");
        hpa.spec.minReplicas = 2;
        metrics.failure = "should not be asked";

        controller.reconcile("default/web-hpa");

        assertThat(scales.updates).containsExactly("web=2");
        assertThat(events()).containsExactly("Normal SuccessfulRescale New size: 2; reason: Current number of replicas below Spec.MinReplicas");
    }

    @Test
    void anUnchangedStatusIsNotWrittenAgain() {
        // 102% of target: within the tolerance
        setUp(3, 100, null, 1020, 1020, 1020);
        controller.reconcile("default/web-hpa");
        assertThat(scales.updates).isEmpty();
        HorizontalPodAutoscaler written = lastStatus();
        preload(informers.informer(HorizontalPodAutoscaler.class), written);
        int writes = client.actions("updateStatus", "HorizontalPodAutoscaler").size();

        clock.advance(Duration.ofSeconds(15));
        controller.reconcile("default/web-hpa");

        assertThat(client.actions("updateStatus", "HorizontalPodAutoscaler")).hasSize(writes);
    }

    @Test
    void aDeletedHpaIsDone() {
        assertThat(controller.reconcile("default/gone").kind()).isEqualTo(io.kube4j.controllermanager.runtime.Result.Kind.DONE);
        assertThat(client.actions()).isEmpty();
    }

    // ---- fixtures ------------------------------------------------------------------------------

    /** An HPA on Deployment web (app=web) at {@code replicas}, pods of 1 cpu each using {@code levels} millicores. */
    void setUp(int replicas, int targetUtilization, HorizontalPodAutoscaler.HorizontalPodAutoscalerBehavior behavior, long... levels) {
        HorizontalPodAutoscaler hpa = new HorizontalPodAutoscaler();
        hpa.metadata.namespace = "default";
        hpa.metadata.name = "web-hpa";
        hpa.metadata.resourceVersion = "1";
        hpa.spec.scaleTargetRef = new HorizontalPodAutoscaler.CrossVersionObjectReference();
        hpa.spec.scaleTargetRef.apiVersion = "apps/v1";
        hpa.spec.scaleTargetRef.kind = "Deployment";
        hpa.spec.scaleTargetRef.name = "web";
        hpa.spec.minReplicas = 1;
        hpa.spec.maxReplicas = 10;
        HorizontalPodAutoscaler.MetricSpec m = new HorizontalPodAutoscaler.MetricSpec();
        m.type = "Resource";
        m.resource = new HorizontalPodAutoscaler.ResourceMetricSource();
        m.resource.name = "cpu";
        m.resource.target = new HorizontalPodAutoscaler.MetricTarget();
        m.resource.target.type = "Utilization";
        m.resource.target.averageUtilization = targetUtilization;
        hpa.spec.metrics.add(m);
        hpa.spec.behavior = behavior;
        preload(informers.informer(HorizontalPodAutoscaler.class), hpa);
        scales.replicas.put("web", replicas);
        Instant start = clock.instant().minus(Duration.ofMinutes(10));
        for (int i = 0; i < levels.length; i++) {
            Pod p = ReplicaCalculatorTest.pod("web-" + i, "1.0", "Running", "True", start, start);
            p.metadata.labels.clear();
            p.metadata.labels.put("app", "web");
            preload(informers.informer(Pod.class), p);
            metrics.levels.put(p.metadata.name, levels[i]);
        }
        // a pod of another app in the namespace: not the target's
        Pod other = ReplicaCalculatorTest.pod("other", "1.0", "Running", "True", start, start);
        other.metadata.labels.put("app", "other");
        preload(informers.informer(Pod.class), other);
    }

    HorizontalPodAutoscaler lastStatus() {
        List<Action> writes = client.actions("updateStatus", "HorizontalPodAutoscaler");
        assertThat(writes).isNotEmpty();
        return (HorizontalPodAutoscaler) writes.getLast().object();
    }

    static List<String> conditions(HorizontalPodAutoscaler hpa) {
        List<String> out = new ArrayList<>();
        for (HorizontalPodAutoscalerCondition c : hpa.status.conditions) {
            out.add(c.type + " " + c.status + " " + c.reason + " " + c.message);
        }
        return out;
    }

    List<String> events() {
        List<String> out = new ArrayList<>();
        for (Event e : client.events()) {
            out.add(e.type + " " + e.reason + " " + e.message);
        }
        return out;
    }

    /** Scales of Deployments by name; records updates as {@code name=replicas}. */
    static final class FakeScales implements ScaleClient {
        final Map<String, Integer> replicas = new HashMap<>();
        final List<String> updates = new ArrayList<>();

        @Override
        public Scale get(String apiVersion, String kind, String namespace, String name) {
            Integer r = replicas.get(name);
            if (r == null) {
                throw new ScaleException("deployments.apps \"" + name + "\" not found");
            }
            Scale s = new Scale();
            s.metadata.namespace = namespace;
            s.metadata.name = name;
            s.spec.replicas = r;
            s.status.replicas = r;
            s.status.selector = "app=web";
            return s;
        }

        @Override
        public Scale update(String apiVersion, String kind, String namespace, String name, int r) {
            updates.add(name + "=" + r);
            return get(apiVersion, kind, namespace, name);
        }
    }

    /** Pod usage in millicores by name, filtered by the selector as the metrics API filters. */
    final class FakeMetrics implements MetricsClient {
        final Map<String, Long> levels = new HashMap<>();
        String failure;

        @Override
        public PodMetrics getResourceMetric(String resource, String namespace, Selector selector, String container) {
            if (failure != null) {
                throw new MetricsException(failure);
            }
            Map<String, PodMetric> out = new HashMap<>();
            for (Map.Entry<String, Long> e : levels.entrySet()) {
                Pod p = informers.informer(Pod.class).store().get(namespace, e.getKey());
                if (p != null && selector.matches(p.metadata.labels)) {
                    out.put(e.getKey(), new PodMetric(clock.instant().minusSeconds(1), Duration.ofSeconds(10), e.getValue()));
                }
            }
            return new PodMetrics(out, clock.instant().minusSeconds(1));
        }
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
