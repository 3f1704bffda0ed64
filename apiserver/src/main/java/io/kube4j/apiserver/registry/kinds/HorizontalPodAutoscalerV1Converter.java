package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.VersionConverter;
import io.kube4j.json.Json;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * autoscaling/v1 HorizontalPodAutoscaler to and from the stored autoscaling/v2 one, as Kubernetes'
 * {@code pkg/apis/autoscaling/v1/conversion.go}: a Resource {@code cpu} metric with a Utilization target is
 * {@code spec.targetCPUUtilizationPercentage} (and {@code status.currentCPUUtilizationPercentage} from the
 * current one); every other metric is kept, in autoscaling/v1's MetricSpec form, in the annotation
 * {@code autoscaling.alpha.kubernetes.io/metrics}, the current metrics in {@code .../current-metrics}, the
 * conditions in {@code .../conditions} and the behavior in {@code .../behavior}, so a round trip through v1
 * loses nothing. A v1 object without any metric gets the v1 default: 80% CPU utilization.
 */
@Component
public class HorizontalPodAutoscalerV1Converter implements VersionConverter {
    /** autoscaling.MetricSpecsAnnotation. */
    public static final String METRICS = "autoscaling.alpha.kubernetes.io/metrics";
    /** autoscaling.MetricStatusesAnnotation. */
    public static final String CURRENT_METRICS = "autoscaling.alpha.kubernetes.io/current-metrics";
    /** autoscaling.HorizontalPodAutoscalerConditionsAnnotation. */
    public static final String CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";
    /** autoscaling.BehaviorSpecsAnnotation. */
    public static final String BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior";
    /** autoscaling.DefaultCPUUtilization. */
    static final int DEFAULT_CPU_UTILIZATION = 80;

    @Override
    public ResourceType served() {
        return ResourceTypes.HORIZONTALPODAUTOSCALERS_V1;
    }

    @Override
    public ResourceType stored() {
        return ResourceTypes.HORIZONTALPODAUTOSCALERS;
    }

    @Override
    public ObjectNode toServed(ObjectNode stored) {
        ObjectNode out = stored.objectNode();
        out.put("apiVersion", served().apiVersion());
        out.put("kind", served().kind());
        ObjectNode meta = stored.path("metadata").isObject() ? (ObjectNode) stored.get("metadata").deepCopy() : out.objectNode();
        out.set("metadata", meta);
        JsonNode spec = stored.path("spec");
        ObjectNode s = out.putObject("spec");
        copy(spec, s, "scaleTargetRef", "minReplicas", "maxReplicas");
        ArrayNode others = out.arrayNode();
        boolean cpuSet = false;
        for (JsonNode m : spec.path("metrics")) {
            JsonNode utilization = m.path("resource").path("target").path("averageUtilization");
            if (isCpu(m) && utilization.isNumber()) {
                if (!cpuSet) {
                    s.put("targetCPUUtilizationPercentage", utilization.asInt());
                    cpuSet = true;
                }
                continue;
            }
            others.add(metricSpecToV1(m));
        }
        JsonNode status = stored.path("status");
        ObjectNode st = out.putObject("status");
        copy(status, st, "observedGeneration", "lastScaleTime");
        st.put("currentReplicas", status.path("currentReplicas").asInt(0));
        st.put("desiredReplicas", status.path("desiredReplicas").asInt(0));
        ArrayNode current = out.arrayNode();
        for (JsonNode m : status.path("currentMetrics")) {
            JsonNode utilization = m.path("resource").path("current").path("averageUtilization");
            if (isCpu(m) && utilization.isNumber()) {
                st.put("currentCPUUtilizationPercentage", utilization.asInt());
            }
            current.add(metricStatusToV1(m));
        }
        annotate(meta, METRICS, others);
        annotate(meta, CURRENT_METRICS, current);
        annotate(meta, CONDITIONS, status.path("conditions"));
        if (spec.path("behavior").isObject()) {
            meta.withObject("annotations").put(BEHAVIOR, Json.write(spec.get("behavior")));
        }
        return out;
    }

    @Override
    public ObjectNode toStored(ObjectNode served) {
        ObjectNode out = served.objectNode();
        out.put("apiVersion", stored().apiVersion());
        out.put("kind", stored().kind());
        ObjectNode meta = served.path("metadata").isObject() ? (ObjectNode) served.get("metadata").deepCopy() : out.objectNode();
        out.set("metadata", meta);
        JsonNode annotations = meta.path("annotations");
        JsonNode spec = served.path("spec");
        ObjectNode s = out.putObject("spec");
        copy(spec, s, "scaleTargetRef", "minReplicas", "maxReplicas");
        ArrayNode metrics = s.putArray("metrics");
        if (spec.path("targetCPUUtilizationPercentage").isNumber()) {
            ObjectNode cpu = metrics.addObject();
            cpu.put("type", "Resource");
            ObjectNode r = cpu.putObject("resource");
            r.put("name", "cpu");
            r.putObject("target").put("type", "Utilization").put("averageUtilization", spec.get("targetCPUUtilizationPercentage").asInt());
        }
        for (JsonNode m : annotationArray(annotations, METRICS)) {
            metrics.add(metricSpecFromV1(m));
        }
        if (metrics.isEmpty()) {
            // "autoscaling/v1 formerly had an implicit default applied in the controller"
            ObjectNode cpu = metrics.addObject();
            cpu.put("type", "Resource");
            ObjectNode r = cpu.putObject("resource");
            r.put("name", "cpu");
            r.putObject("target").put("type", "Utilization").put("averageUtilization", DEFAULT_CPU_UTILIZATION);
        }
        if (annotations.has(BEHAVIOR)) {
            s.set("behavior", Json.tree(annotations.get(BEHAVIOR).asString("{}")));
        }
        JsonNode status = served.path("status");
        ObjectNode st = out.putObject("status");
        copy(status, st, "observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas");
        ArrayNode current = st.putArray("currentMetrics");
        if (annotations.has(CURRENT_METRICS)) {
            // the annotation has more than the percentage: it wins
            for (JsonNode m : annotationArray(annotations, CURRENT_METRICS)) {
                current.add(metricStatusFromV1(m));
            }
        } else if (status.path("currentCPUUtilizationPercentage").isNumber()) {
            ObjectNode cpu = current.addObject();
            cpu.put("type", "Resource");
            ObjectNode r = cpu.putObject("resource");
            r.put("name", "cpu");
            r.putObject("current").put("averageUtilization", status.get("currentCPUUtilizationPercentage").asInt());
        }
        ArrayNode conditions = st.putArray("conditions");
        annotationArray(annotations, CONDITIONS).forEach(c -> conditions.add(c.deepCopy()));
        // DropRoundTripHorizontalPodAutoscalerAnnotations: the stored object does not keep them
        if (annotations instanceof ObjectNode a) {
            a.remove(List.of(METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR));
            if (a.isEmpty()) {
                meta.remove("annotations");
            }
        }
        return out;
    }

    private static boolean isCpu(JsonNode m) {
        return "Resource".equals(m.path("type").asString("")) && "cpu".equals(m.path("resource").path("name").asString(""));
    }

    private static void copy(JsonNode from, ObjectNode to, String... fields) {
        for (String f : fields) {
            if (from.has(f) && !from.get(f).isNull()) {
                to.set(f, from.get(f).deepCopy());
            }
        }
    }

    private static void annotate(ObjectNode meta, String key, JsonNode array) {
        if (array.isArray() && !array.isEmpty()) {
            meta.withObject("annotations").put(key, Json.write(array));
        }
    }

    private static ArrayNode annotationArray(JsonNode annotations, String key) {
        JsonNode v = annotations.path(key);
        if (!v.isString() || v.asString().isBlank()) {
            return Json.mapper().createArrayNode();
        }
        try {
            JsonNode parsed = Json.tree(v.asString());
            return parsed.isArray() ? (ArrayNode) parsed : Json.mapper().createArrayNode();
        } catch (RuntimeException e) {
            // Kubernetes refuses an undecodable annotation on conversion; kube4j ignores it rather than fail the read
            return Json.mapper().createArrayNode();
        }
    }

    // ---- autoscaling/v2 MetricSpec/MetricStatus <-> autoscaling/v1 MetricSpec/MetricStatus (v2beta1's shape) ----

    /** v2 MetricSpec to v1 (Convert_autoscaling_MetricSpec_To_v1_MetricSpec). */
    static ObjectNode metricSpecToV1(JsonNode m) {
        ObjectNode out = Json.mapper().createObjectNode();
        String type = m.path("type").asString("");
        out.put("type", type);
        switch (type) {
            case "Resource", "ContainerResource" -> {
                String field = type.equals("Resource") ? "resource" : "containerResource";
                JsonNode src = m.path(field);
                ObjectNode r = out.putObject(field);
                copy(src, r, "name", "container");
                copy(src.path("target"), r, "averageUtilization", "averageValue");
                rename(r, "averageUtilization", "targetAverageUtilization");
                rename(r, "averageValue", "targetAverageValue");
            }
            case "Pods" -> {
                JsonNode src = m.path("pods");
                ObjectNode p = out.putObject("pods");
                p.put("metricName", src.path("metric").path("name").asString(""));
                copy(src.path("target"), p, "averageValue");
                rename(p, "averageValue", "targetAverageValue");
                copy(src.path("metric"), p, "selector");
            }
            case "Object" -> {
                JsonNode src = m.path("object");
                ObjectNode o = out.putObject("object");
                copy(src, o, "describedObject");
                rename(o, "describedObject", "target");
                o.put("metricName", src.path("metric").path("name").asString(""));
                copy(src.path("target"), o, "value", "averageValue");
                rename(o, "value", "targetValue");
                copy(src.path("metric"), o, "selector");
            }
            case "External" -> {
                JsonNode src = m.path("external");
                ObjectNode e = out.putObject("external");
                e.put("metricName", src.path("metric").path("name").asString(""));
                copy(src.path("metric"), e, "selector");
                rename(e, "selector", "metricSelector");
                copy(src.path("target"), e, "value", "averageValue");
                rename(e, "value", "targetValue");
                rename(e, "averageValue", "targetAverageValue");
            }
            default -> {
            }
        }
        return out;
    }

    /** v1 MetricSpec to v2 (Convert_v1_MetricSpec_To_autoscaling_MetricSpec). */
    static ObjectNode metricSpecFromV1(JsonNode m) {
        ObjectNode out = Json.mapper().createObjectNode();
        String type = m.path("type").asString("");
        out.put("type", type);
        switch (type) {
            case "Resource", "ContainerResource" -> {
                String field = type.equals("Resource") ? "resource" : "containerResource";
                JsonNode src = m.path(field);
                ObjectNode r = out.putObject(field);
                copy(src, r, "name", "container");
                ObjectNode t = r.putObject("target");
                if (src.path("targetAverageUtilization").isNumber()) {
                    t.put("type", "Utilization");
                    t.set("averageUtilization", src.get("targetAverageUtilization").deepCopy());
                } else {
                    t.put("type", "AverageValue");
                    copy(src, t, "targetAverageValue");
                    rename(t, "targetAverageValue", "averageValue");
                }
            }
            case "Pods" -> {
                JsonNode src = m.path("pods");
                ObjectNode p = out.putObject("pods");
                metric(p, src, "selector");
                ObjectNode t = p.putObject("target");
                t.put("type", "AverageValue");
                copy(src, t, "targetAverageValue");
                rename(t, "targetAverageValue", "averageValue");
            }
            case "Object" -> {
                JsonNode src = m.path("object");
                ObjectNode o = out.putObject("object");
                copy(src, o, "target");
                rename(o, "target", "describedObject");
                metric(o, src, "selector");
                ObjectNode t = o.putObject("target");
                t.put("type", src.path("averageValue").isMissingNode() ? "Value" : "AverageValue");
                copy(src, t, "targetValue", "averageValue");
                rename(t, "targetValue", "value");
            }
            case "External" -> {
                JsonNode src = m.path("external");
                ObjectNode e = out.putObject("external");
                metric(e, src, "metricSelector");
                ObjectNode t = e.putObject("target");
                t.put("type", src.path("targetAverageValue").isMissingNode() ? "Value" : "AverageValue");
                copy(src, t, "targetValue", "targetAverageValue");
                rename(t, "targetValue", "value");
                rename(t, "targetAverageValue", "averageValue");
            }
            default -> {
            }
        }
        return out;
    }

    /** v2 MetricStatus to v1. */
    static ObjectNode metricStatusToV1(JsonNode m) {
        ObjectNode out = Json.mapper().createObjectNode();
        String type = m.path("type").asString("");
        out.put("type", type);
        switch (type) {
            case "Resource", "ContainerResource" -> {
                String field = type.equals("Resource") ? "resource" : "containerResource";
                JsonNode src = m.path(field);
                ObjectNode r = out.putObject(field);
                copy(src, r, "name", "container");
                copy(src.path("current"), r, "averageUtilization", "averageValue");
                rename(r, "averageUtilization", "currentAverageUtilization");
                rename(r, "averageValue", "currentAverageValue");
            }
            case "Pods" -> {
                JsonNode src = m.path("pods");
                ObjectNode p = out.putObject("pods");
                p.put("metricName", src.path("metric").path("name").asString(""));
                copy(src.path("current"), p, "averageValue");
                rename(p, "averageValue", "currentAverageValue");
                copy(src.path("metric"), p, "selector");
            }
            case "Object" -> {
                JsonNode src = m.path("object");
                ObjectNode o = out.putObject("object");
                copy(src, o, "describedObject");
                rename(o, "describedObject", "target");
                o.put("metricName", src.path("metric").path("name").asString(""));
                copy(src.path("current"), o, "value", "averageValue");
                rename(o, "value", "currentValue");
                copy(src.path("metric"), o, "selector");
            }
            case "External" -> {
                JsonNode src = m.path("external");
                ObjectNode e = out.putObject("external");
                e.put("metricName", src.path("metric").path("name").asString(""));
                copy(src.path("metric"), e, "selector");
                rename(e, "selector", "metricSelector");
                copy(src.path("current"), e, "value", "averageValue");
                rename(e, "value", "currentValue");
                rename(e, "averageValue", "currentAverageValue");
            }
            default -> {
            }
        }
        return out;
    }

    /** v1 MetricStatus to v2. */
    static ObjectNode metricStatusFromV1(JsonNode m) {
        ObjectNode out = Json.mapper().createObjectNode();
        String type = m.path("type").asString("");
        out.put("type", type);
        switch (type) {
            case "Resource", "ContainerResource" -> {
                String field = type.equals("Resource") ? "resource" : "containerResource";
                JsonNode src = m.path(field);
                ObjectNode r = out.putObject(field);
                copy(src, r, "name", "container");
                ObjectNode c = r.putObject("current");
                copy(src, c, "currentAverageUtilization", "currentAverageValue");
                rename(c, "currentAverageUtilization", "averageUtilization");
                rename(c, "currentAverageValue", "averageValue");
            }
            case "Pods" -> {
                JsonNode src = m.path("pods");
                ObjectNode p = out.putObject("pods");
                metric(p, src, "selector");
                ObjectNode c = p.putObject("current");
                copy(src, c, "currentAverageValue");
                rename(c, "currentAverageValue", "averageValue");
            }
            case "Object" -> {
                JsonNode src = m.path("object");
                ObjectNode o = out.putObject("object");
                copy(src, o, "target");
                rename(o, "target", "describedObject");
                metric(o, src, "selector");
                ObjectNode c = o.putObject("current");
                copy(src, c, "currentValue", "averageValue");
                rename(c, "currentValue", "value");
            }
            case "External" -> {
                JsonNode src = m.path("external");
                ObjectNode e = out.putObject("external");
                metric(e, src, "metricSelector");
                ObjectNode c = e.putObject("current");
                copy(src, c, "currentValue", "currentAverageValue");
                rename(c, "currentValue", "value");
                rename(c, "currentAverageValue", "averageValue");
            }
            default -> {
            }
        }
        return out;
    }

    /** v2's {@code metric: {name, selector}} from v1's {@code metricName} and selector field. */
    private static void metric(ObjectNode to, JsonNode v1, String selectorField) {
        ObjectNode metric = to.putObject("metric");
        metric.put("name", v1.path("metricName").asString(""));
        if (v1.path(selectorField).isObject()) {
            metric.set("selector", v1.get(selectorField).deepCopy());
        }
    }

    private static void rename(ObjectNode node, String from, String to) {
        JsonNode v = node.remove(from);
        if (v != null) {
            node.set(to, v);
        }
    }
}
