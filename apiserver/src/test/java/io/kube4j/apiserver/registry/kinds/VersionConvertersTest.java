package io.kube4j.apiserver.registry.kinds;

import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.stream.Stream;

import static io.kube4j.apiserver.registry.kinds.KindStrategiesTest.at;
import static io.kube4j.apiserver.registry.kinds.KindStrategiesTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The conversions between served and stored versions, with Kubernetes' field mapping: events.k8s.io/v1 and
 * core/v1 Event ({@code pkg/apis/events/v1/conversion.go}), autoscaling/v1 and autoscaling/v2
 * HorizontalPodAutoscaler ({@code pkg/apis/autoscaling/v1/conversion.go}).
 */
class VersionConvertersTest {
    final EventsV1Converter events = new EventsV1Converter();
    final HorizontalPodAutoscalerV1Converter hpa = new HorizontalPodAutoscalerV1Converter();

    static final String CORE_EVENT = """
            {apiVersion: v1, kind: Event, metadata: {name: e1, namespace: default},
             involvedObject: {kind: Pod, name: web, namespace: default}, reason: Started, message: started container,
             source: {component: kubelet, host: node-1}, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:01:00Z',
             count: 3, type: Normal, eventTime: '2026-01-01T00:00:00.000000Z', action: Start, reportingComponent: kubelet,
             reportingInstance: node-1, series: {count: 2, lastObservedTime: '2026-01-01T00:01:00.000000Z'},
             related: {kind: Node, name: node-1}}""";

    static Stream<Arguments> eventFields() {
        return Stream.of(
                arguments("regarding.name", "web"), arguments("note", "started container"), arguments("reportingController", "kubelet"),
                arguments("reportingInstance", "node-1"), arguments("deprecatedSource.component", "kubelet"), arguments("deprecatedSource.host", "node-1"),
                arguments("deprecatedFirstTimestamp", "2026-01-01T00:00:00Z"), arguments("deprecatedLastTimestamp", "2026-01-01T00:01:00Z"),
                arguments("deprecatedCount", "3"), arguments("series.count", "2"), arguments("related.name", "node-1"), arguments("action", "Start"),
                arguments("reason", "Started"), arguments("type", "Normal"), arguments("apiVersion", "events.k8s.io/v1"), arguments("kind", "Event"),
                arguments("message", "<absent>"), arguments("involvedObject", "<absent>"), arguments("source", "<absent>"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource
    void eventFields(String path, String value) {
        ObjectNode served = events.toServed(yaml(CORE_EVENT));
        JsonNode node = at(served, path);
        if (value.equals("<absent>")) {
            assertThat(node.isMissingNode()).as(path + " in " + served).isTrue();
        } else {
            assertThat(node.asString()).as(path + " in " + served).isEqualTo(value);
        }
    }

    @Test
    void anEventRoundTripsThroughEventsV1() {
        ObjectNode stored = yaml(CORE_EVENT);
        assertThat(events.toStored(events.toServed(stored))).isEqualTo(stored);
    }

    @Test
    void aV1CpuTargetIsStoredAsAResourceUtilizationMetric() {
        ObjectNode stored = hpa.toStored(yaml("""
                {apiVersion: autoscaling/v1, kind: HorizontalPodAutoscaler, metadata: {name: php},
                 spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: php}, minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 50}}"""));
        assertThat(stored.path("apiVersion").asString()).isEqualTo("autoscaling/v2");
        assertThat(stored.path("spec").path("metrics")).hasSize(1);
        JsonNode m = stored.path("spec").path("metrics").get(0);
        assertThat(m.path("type").asString()).isEqualTo("Resource");
        assertThat(m.path("resource").path("name").asString()).isEqualTo("cpu");
        assertThat(m.path("resource").path("target").path("type").asString()).isEqualTo("Utilization");
        assertThat(m.path("resource").path("target").path("averageUtilization").asInt()).isEqualTo(50);
        assertThat(stored.path("spec").path("maxReplicas").asInt()).isEqualTo(10);
        assertThat(stored.path("metadata").has("annotations")).isFalse();
    }

    @Test
    void aV1ObjectWithoutTargetGetsTheEightyPercentDefault() {
        ObjectNode stored = hpa.toStored(yaml("{apiVersion: autoscaling/v1, kind: HorizontalPodAutoscaler, metadata: {name: h}, spec: {maxReplicas: 3}}"));
        assertThat(at(stored, "spec.metrics.0.resource.target.averageUtilization").asInt()).isEqualTo(80);
    }

    static final String V2 = """
            {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: php, namespace: default, annotations: {team: web}},
             spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: php}, minReplicas: 1, maxReplicas: 10,
                    metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}},
                              {type: Pods, pods: {metric: {name: packets-per-second}, target: {type: AverageValue, averageValue: 1k}}},
                              {type: Resource, resource: {name: memory, target: {type: AverageValue, averageValue: 500Mi}}}],
                    behavior: {scaleDown: {stabilizationWindowSeconds: 300}}},
             status: {currentReplicas: 2, desiredReplicas: 3,
                      currentMetrics: [{type: Resource, resource: {name: cpu, current: {averageUtilization: 70, averageValue: 350m}}}],
                      conditions: [{type: AbleToScale, status: 'True', reason: ReadyForNewScale}]}}""";

    @Test
    void otherMetricsCurrentMetricsConditionsAndBehaviorTravelInKubernetesAnnotations() {
        ObjectNode served = hpa.toServed(yaml(V2));
        assertThat(at(served, "spec.targetCPUUtilizationPercentage").asInt()).isEqualTo(50);
        assertThat(at(served, "status.currentCPUUtilizationPercentage").asInt()).isEqualTo(70);
        assertThat(at(served, "status.desiredReplicas").asInt()).isEqualTo(3);
        assertThat(served.path("spec").has("metrics")).isFalse();
        JsonNode annotations = served.path("metadata").path("annotations");
        assertThat(annotations.path("team").asString()).isEqualTo("web");
        JsonNode others = Json.tree(annotations.path("autoscaling.alpha.kubernetes.io/metrics").asString());
        // autoscaling/v1's MetricSpec shape (v2beta1's): metricName, targetAverageValue
        assertThat(others).hasSize(2);
        assertThat(others.get(0).path("pods").path("metricName").asString()).isEqualTo("packets-per-second");
        assertThat(others.get(0).path("pods").path("targetAverageValue").asString()).isEqualTo("1k");
        assertThat(others.get(1).path("resource").path("targetAverageValue").asString()).isEqualTo("500Mi");
        JsonNode current = Json.tree(annotations.path("autoscaling.alpha.kubernetes.io/current-metrics").asString());
        assertThat(current.get(0).path("resource").path("currentAverageUtilization").asInt()).isEqualTo(70);
        assertThat(Json.tree(annotations.path("autoscaling.alpha.kubernetes.io/conditions").asString()).get(0).path("type").asString()).isEqualTo("AbleToScale");
        assertThat(Json.tree(annotations.path("autoscaling.alpha.kubernetes.io/behavior").asString()).path("scaleDown").path("stabilizationWindowSeconds").asInt()).isEqualTo(300);
    }

    @Test
    void aV2ObjectRoundTripsThroughV1WithoutLoss() {
        ObjectNode stored = yaml(V2);
        ObjectNode back = hpa.toStored(hpa.toServed(stored));
        assertThat(back.path("spec")).isEqualTo(stored.path("spec"));
        assertThat(back.path("status")).isEqualTo(stored.path("status"));
        assertThat(back.path("metadata")).isEqualTo(stored.path("metadata"));
    }

    @Test
    void externalAndObjectMetricsRoundTrip() {
        ObjectNode stored = yaml("""
                {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: q},
                 spec: {maxReplicas: 5, metrics: [
                   {type: External, external: {metric: {name: queue_messages_ready, selector: {matchLabels: {queue: worker_tasks}}}, target: {type: AverageValue, averageValue: '30'}}},
                   {type: Object, object: {metric: {name: requests-per-second}, describedObject: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: main-route}, target: {type: Value, value: 2k}}}]},
                 status: {desiredReplicas: 1, currentMetrics: [], conditions: []}}""");
        ObjectNode back = hpa.toStored(hpa.toServed(stored));
        assertThat(back.path("spec").path("metrics")).isEqualTo(stored.path("spec").path("metrics"));
    }
}
