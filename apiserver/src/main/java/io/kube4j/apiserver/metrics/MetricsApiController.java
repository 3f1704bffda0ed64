package io.kube4j.apiserver.metrics;

import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import io.kube4j.quantity.Quantity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The resource metrics API, {@code metrics.k8s.io/v1beta1}, as metrics-server serves it: NodeMetrics
 * ({@code nodes}, cluster-scoped) and PodMetrics ({@code pods}, namespaced), get and list with label
 * (and, for the listed object, field) selectors, built from the kubelets' Summary API through
 * {@link KubeletSummaries}. Usage quantities are formatted as metrics-server formats them: CPU as a
 * nano-scaled decimal quantity in canonical form ({@code 250m}, {@code 12345n}), memory as a binary one
 * ({@code 65536Ki}, {@code 64Mi}). Objects carry the labels of their Node or Pod. Nodes and pods without
 * usage (unreachable kubelet, no running container) are left out of lists and are NotFound on get.
 *
 * <p>Kubernetes: {@code sigs.k8s.io/metrics-server} {@code pkg/api/node.go}, {@code pkg/api/pod.go},
 * {@code pkg/storage/node.go}, {@code pkg/storage/pod.go}.
 */
@RestController
class MetricsApiController {
    private static final String GV = "metrics.k8s.io/v1beta1";

    private final KubeletSummaries summaries;
    private final Registry registry;

    MetricsApiController(KubeletSummaries summaries, Registry registry) {
        this.summaries = summaries;
        this.registry = registry;
    }

    @GetMapping("/apis/metrics.k8s.io/v1beta1/nodes")
    ResponseEntity<byte[]> listNodes(@RequestParam(required = false) String labelSelector, @RequestParam(required = false) String fieldSelector) {
        Predicate<ObjectNode> filter = registry.filter(ResourceTypes.NODES, labelSelector, fieldSelector);
        ArrayNode items = Json.mapper().createArrayNode();
        for (KubeletSummaries.NodeSummary s : summaries.all()) {
            if (filter.test(s.node())) {
                ObjectNode m = nodeMetrics(s);
                if (m != null) {
                    items.add(m);
                }
            }
        }
        return json(list("NodeMetricsList", items));
    }

    @GetMapping("/apis/metrics.k8s.io/v1beta1/nodes/{name}")
    ResponseEntity<byte[]> getNode(@PathVariable String name) {
        KubeletSummaries.NodeSummary s = summaries.ofNode(name);
        ObjectNode m = s == null ? null : nodeMetrics(s);
        if (m == null) {
            throw ApiError.notFound("metrics.k8s.io", "nodemetrics", name);
        }
        return json(m);
    }

    @GetMapping("/apis/metrics.k8s.io/v1beta1/pods")
    ResponseEntity<byte[]> listAllPods(@RequestParam(required = false) String labelSelector, @RequestParam(required = false) String fieldSelector) {
        return json(list("PodMetricsList", pods(null, labelSelector, fieldSelector)));
    }

    @GetMapping("/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods")
    ResponseEntity<byte[]> listPods(@PathVariable String namespace, @RequestParam(required = false) String labelSelector,
                                    @RequestParam(required = false) String fieldSelector) {
        return json(list("PodMetricsList", pods(namespace, labelSelector, fieldSelector)));
    }

    @GetMapping("/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods/{name}")
    ResponseEntity<byte[]> getPod(@PathVariable String namespace, @PathVariable String name) {
        ObjectNode pod = registry.cached(ResourceTypes.PODS, namespace, name);
        ObjectNode m = null;
        if (pod != null && !pod.path("spec").path("nodeName").asString("").isEmpty()) {
            KubeletSummaries.NodeSummary s = summaries.ofNode(pod.path("spec").path("nodeName").asString());
            if (s != null) {
                m = podMetrics(pod, find(s.summary(), pod));
            }
        }
        if (m == null) {
            // metrics-server names the pod namespace/name in this message
            throw ApiError.notFound("metrics.k8s.io", "podmetrics", namespace + "/" + name);
        }
        return json(m);
    }

    /** The PodMetrics of the pods of {@code namespace} (null: all) that match the selectors and have usage. */
    private ArrayNode pods(String namespace, String labelSelector, String fieldSelector) {
        Predicate<ObjectNode> filter = registry.filter(ResourceTypes.PODS, labelSelector, fieldSelector);
        List<ObjectNode> pods = new ArrayList<>(registry.cache().snapshot(Registry.prefix(ResourceTypes.PODS, namespace), filter).items());
        Map<String, JsonNode> byUid = new HashMap<>();
        boolean anyScheduled = pods.stream().anyMatch(p -> !p.path("spec").path("nodeName").asString("").isEmpty());
        if (anyScheduled) {
            for (KubeletSummaries.NodeSummary s : summaries.all()) {
                for (JsonNode ps : s.summary().path("pods")) {
                    byUid.put(ps.path("podRef").path("uid").asString(), ps);
                }
            }
        }
        pods.sort(java.util.Comparator.comparing((ObjectNode p) -> p.path("metadata").path("namespace").asString())
                .thenComparing(p -> p.path("metadata").path("name").asString()));
        ArrayNode items = Json.mapper().createArrayNode();
        for (ObjectNode pod : pods) {
            ObjectNode m = podMetrics(pod, byUid.get(pod.path("metadata").path("uid").asString()));
            if (m != null) {
                items.add(m);
            }
        }
        return items;
    }

    private static JsonNode find(JsonNode summary, ObjectNode pod) {
        String uid = pod.path("metadata").path("uid").asString();
        for (JsonNode ps : summary.path("pods")) {
            if (uid.equals(ps.path("podRef").path("uid").asString())) {
                return ps;
            }
        }
        return null;
    }

    /** A NodeMetrics from the summary's node stats; null without both CPU rate and working set. */
    private ObjectNode nodeMetrics(KubeletSummaries.NodeSummary s) {
        JsonNode stats = s.summary().path("node");
        ObjectNode usage = usage(stats);
        if (usage == null) {
            return null;
        }
        ObjectNode m = header("NodeMetrics", s.node(), null);
        m.put("timestamp", stats.path("cpu").path("time").asString(Times.format(s.fetchedAt())));
        m.put("window", goDuration(summaries.resolution()));
        m.set("usage", usage);
        return m;
    }

    /** A PodMetrics from the summary's pod stats; null when it has none or a container lacks usage (as metrics-server). */
    private ObjectNode podMetrics(ObjectNode pod, JsonNode stats) {
        if (stats == null || stats.path("containers").isEmpty()) {
            return null;
        }
        ArrayNode containers = Json.mapper().createArrayNode();
        for (JsonNode c : stats.path("containers")) {
            ObjectNode usage = usage(c);
            if (usage == null) {
                return null;
            }
            ObjectNode cm = containers.addObject();
            cm.put("name", c.path("name").asString());
            cm.set("usage", usage);
        }
        ObjectNode m = header("PodMetrics", pod, pod.path("metadata").path("namespace").asString());
        m.put("timestamp", stats.path("cpu").path("time").asString(Times.now()));
        m.put("window", goDuration(summaries.resolution()));
        m.set("containers", containers);
        return m;
    }

    private static ObjectNode header(String kind, ObjectNode of, String namespace) {
        ObjectNode m = Json.mapper().createObjectNode();
        m.put("kind", kind);
        m.put("apiVersion", GV);
        ObjectNode meta = m.putObject("metadata");
        meta.put("name", of.path("metadata").path("name").asString());
        if (namespace != null) {
            meta.put("namespace", namespace);
        }
        // metrics-server stamps the time of the request
        meta.put("creationTimestamp", Times.now());
        JsonNode labels = of.path("metadata").path("labels");
        if (labels.isObject() && !labels.isEmpty()) {
            meta.set("labels", labels.deepCopy());
        }
        return m;
    }

    /** {@code {cpu, memory}} of a stats object, or null when either is missing. */
    static ObjectNode usage(JsonNode stats) {
        JsonNode nanoCores = stats.path("cpu").path("usageNanoCores");
        JsonNode workingSet = stats.path("memory").path("workingSetBytes");
        if (!nanoCores.isNumber() || !workingSet.isNumber()) {
            return null;
        }
        ObjectNode usage = Json.mapper().createObjectNode();
        usage.put("cpu", cpu(nanoCores.asLong()));
        usage.put("memory", memory(workingSet.asLong()));
        return usage;
    }

    /** metrics-server's {@code resource.NewScaledQuantity(nanoCores, -9)}, printed canonically: {@code 250m}, {@code 1234567n}, {@code 2}. */
    static String cpu(long nanoCores) {
        return Quantity.parse(nanoCores + "n").canonical();
    }

    /** metrics-server's {@code resource.NewQuantity(bytes, resource.BinarySI)}, printed canonically: {@code 1024Ki}... */
    static String memory(long bytes) {
        // Go's canonicalization prints binary quantities under 1024 in the decimal form (1000 is "1k")
        return Math.abs(bytes) < 1024 ? Quantity.parse(bytes).canonical() : Quantity.ofBytes(bytes).canonical();
    }

    /** Go's {@code time.Duration.String()} for whole and fractional seconds: {@code 10s}, {@code 1.5s}, {@code 1m0s}. */
    static String goDuration(Duration d) {
        long seconds = d.toSeconds();
        int millis = d.toMillisPart();
        String secs = millis == 0 ? Long.toString(seconds % 60) : new java.math.BigDecimal(seconds % 60 + "." + String.format("%03d", millis)).stripTrailingZeros().toPlainString();
        if (seconds < 60) {
            return secs + "s";
        }
        long minutes = seconds / 60;
        return minutes >= 60 ? (minutes / 60) + "h" + (minutes % 60) + "m" + secs + "s" : minutes + "m" + secs + "s";
    }

    private static ObjectNode list(String kind, ArrayNode items) {
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("kind", kind);
        out.put("apiVersion", GV);
        out.putObject("metadata");
        out.set("items", items);
        return out;
    }

    private static ResponseEntity<byte[]> json(ObjectNode body) {
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_TYPE, "application/json").body(Json.writeBytes(body));
    }
}
