package io.kube4j.apiserver.table;

import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.kube4j.apiserver.table.Formats.age;
import static io.kube4j.apiserver.table.Formats.formatLabelSelector;
import static io.kube4j.apiserver.table.Formats.formatLabels;
import static io.kube4j.apiserver.table.Formats.instant;
import static io.kube4j.apiserver.table.Formats.layoutContainerCells;
import static io.kube4j.apiserver.table.Formats.later;
import static io.kube4j.apiserver.table.Formats.name;
import static io.kube4j.apiserver.table.Formats.or;
import static io.kube4j.apiserver.table.Formats.quantity;
import static io.kube4j.apiserver.table.Formats.quantityPointer;
import static io.kube4j.apiserver.table.Formats.since;
import static io.kube4j.apiserver.table.Formats.str;

/**
 * The cells of one row per kind, each a port of the {@code printXxx} function of the same name in Kubernetes
 * 1.32's pkg/printers/internalversion/printers.go, called as the apiserver calls them ({@code Wide: true}, so
 * priority-1 cells are always present). Integers are {@link Long}s, booleans {@link Boolean}s, the rest strings.
 * Fields the apiserver defaults on every stored object (replicas 1, protocol TCP...) are read with that default,
 * so an object stored without them prints as Kubernetes would print it after defaulting.
 */
final class RowPrinters {
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX").withZone(ZoneOffset.UTC);

    private RowPrinters() {
    }

    /** rest.defaultTableConvertor (apiserver/pkg/registry/rest/table.go): name and RFC 3339 creation time in UTC. */
    static List<Object> defaultTableConvertor(JsonNode o, Instant now) {
        Instant created = instant(o.path("metadata").path("creationTimestamp"));
        return List.of(name(o), created == null ? Formats.ZERO_TIME_RFC3339 : RFC3339.format(created));
    }

    // ---- core/v1 ----

    /** printPod: phase refined by init containers (sidecars included), container states and deletion. */
    static List<Object> pod(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        int restarts = 0;
        int restartableInitContainerRestarts = 0;
        int totalContainers = spec.path("containers").size();
        int readyContainers = 0;
        Instant lastRestartDate = null;
        Instant lastRestartableInitContainerRestartDate = null;

        String podPhase = str(status.path("phase"));
        String reason = or(str(status.path("reason")), podPhase);
        for (JsonNode c : status.path("conditions")) {
            if (str(c.path("type")).equals("PodScheduled") && str(c.path("reason")).equals("SchedulingGated")) {
                reason = "SchedulingGated";
            }
        }

        Set<String> restartableInitContainers = new HashSet<>();
        for (JsonNode c : spec.path("initContainers")) {
            if (str(c.path("restartPolicy")).equals("Always")) {
                restartableInitContainers.add(str(c.path("name")));
                totalContainers++;
            }
        }

        boolean initializing = false;
        JsonNode initStatuses = status.path("initContainerStatuses");
        for (int i = 0; i < initStatuses.size(); i++) {
            JsonNode container = initStatuses.get(i);
            int restartCount = container.path("restartCount").asInt(0);
            Instant terminatedDate = instant(container.path("lastState").path("terminated").path("finishedAt"));
            restarts += restartCount;
            lastRestartDate = later(lastRestartDate, terminatedDate);
            boolean restartable = restartableInitContainers.contains(str(container.path("name")));
            if (restartable) {
                restartableInitContainerRestarts += restartCount;
                lastRestartableInitContainerRestartDate = later(lastRestartableInitContainerRestartDate, terminatedDate);
            }
            JsonNode terminated = container.path("state").path("terminated");
            JsonNode waiting = container.path("state").path("waiting");
            if (terminated.isObject() && terminated.path("exitCode").asInt(0) == 0) {
                continue;
            }
            if (restartable && container.path("started").asBoolean(false)) {
                if (container.path("ready").asBoolean(false)) {
                    readyContainers++;
                }
                continue;
            }
            if (terminated.isObject()) {
                String r = str(terminated.path("reason"));
                if (r.isEmpty()) {
                    int signal = terminated.path("signal").asInt(0);
                    reason = signal != 0 ? "Init:Signal:" + signal : "Init:ExitCode:" + terminated.path("exitCode").asInt(0);
                } else {
                    reason = "Init:" + r;
                }
            } else if (waiting.isObject() && !str(waiting.path("reason")).isEmpty() && !str(waiting.path("reason")).equals("PodInitializing")) {
                reason = "Init:" + str(waiting.path("reason"));
            } else {
                reason = "Init:" + i + "/" + spec.path("initContainers").size();
            }
            initializing = true;
            break;
        }

        if (!initializing || isPodInitializedConditionTrue(status)) {
            restarts = restartableInitContainerRestarts;
            lastRestartDate = lastRestartableInitContainerRestartDate;
            boolean hasRunning = false;
            JsonNode statuses = status.path("containerStatuses");
            for (int i = statuses.size() - 1; i >= 0; i--) {
                JsonNode container = statuses.get(i);
                restarts += container.path("restartCount").asInt(0);
                lastRestartDate = later(lastRestartDate, instant(container.path("lastState").path("terminated").path("finishedAt")));
                JsonNode terminated = container.path("state").path("terminated");
                JsonNode waiting = container.path("state").path("waiting");
                if (waiting.isObject() && !str(waiting.path("reason")).isEmpty()) {
                    reason = str(waiting.path("reason"));
                } else if (terminated.isObject() && !str(terminated.path("reason")).isEmpty()) {
                    reason = str(terminated.path("reason"));
                } else if (terminated.isObject()) {
                    int signal = terminated.path("signal").asInt(0);
                    reason = signal != 0 ? "Signal:" + signal : "ExitCode:" + terminated.path("exitCode").asInt(0);
                } else if (container.path("ready").asBoolean(false) && container.path("state").path("running").isObject()) {
                    hasRunning = true;
                    readyContainers++;
                }
            }
            // back to Running if at least one container still reports running
            if (reason.equals("Completed") && hasRunning) {
                reason = hasCondition(status.path("conditions"), "Ready") ? "Running" : "NotReady";
            }
        }

        boolean deleting = o.path("metadata").has("deletionTimestamp") && !o.path("metadata").path("deletionTimestamp").isNull();
        if (deleting && str(status.path("reason")).equals("NodeLost")) {
            reason = "Unknown";
        } else if (deleting && !podPhase.equals("Succeeded") && !podPhase.equals("Failed")) {
            reason = "Terminating";
        }

        String restartsStr = Integer.toString(restarts);
        if (restarts != 0 && lastRestartDate != null) {
            restartsStr = restarts + " (" + HumanDuration.format(Duration.between(lastRestartDate, now)) + " ago)";
        }

        // podIPs[0] is what Kubernetes reads; status.podIP always mirrors it there, so it stands in when podIPs is absent
        String podIP = str(status.path("podIPs").path(0).path("ip"));
        if (podIP.isEmpty() && status.path("podIPs").isEmpty()) {
            podIP = str(status.path("podIP"));
        }
        String readinessGates = "<none>";
        JsonNode gates = spec.path("readinessGates");
        if (!gates.isEmpty()) {
            int trueConditions = 0;
            for (JsonNode gate : gates) {
                String conditionType = str(gate.path("conditionType"));
                for (JsonNode condition : status.path("conditions")) {
                    if (str(condition.path("type")).equals(conditionType)) {
                        if (str(condition.path("status")).equals("True")) {
                            trueConditions++;
                        }
                        break;
                    }
                }
            }
            readinessGates = trueConditions + "/" + gates.size();
        }
        return cells(name(o), readyContainers + "/" + totalContainers, reason, restartsStr, age(o, now),
                or(podIP, "<none>"), or(str(spec.path("nodeName")), "<none>"), or(str(status.path("nominatedNodeName")), "<none>"), readinessGates);
    }

    /** printPod's row conditions: Completed=True for Succeeded and Failed pods. */
    static List<Printers.RowCondition> podConditions(JsonNode o) {
        return switch (str(o.path("status").path("phase"))) {
            case "Succeeded" -> List.of(new Printers.RowCondition("Completed", "True", "Succeeded", "The pod has completed successfully."));
            case "Failed" -> List.of(new Printers.RowCondition("Completed", "True", "Failed", "The pod failed."));
            default -> List.of();
        };
    }

    private static boolean isPodInitializedConditionTrue(JsonNode status) {
        for (JsonNode c : status.path("conditions")) {
            if (str(c.path("type")).equals("Initialized")) {
                return str(c.path("status")).equals("True");
            }
        }
        return false;
    }

    /** hasPodReadyCondition-style check: some condition of this type is True. */
    private static boolean hasCondition(JsonNode conditions, String type) {
        for (JsonNode c : conditions) {
            if (str(c.path("type")).equals(type) && str(c.path("status")).equals("True")) {
                return true;
            }
        }
        return false;
    }

    /** printPodTemplate: containers, images and the template's labels (no age column). */
    static List<Object> podTemplate(JsonNode o, Instant now) {
        JsonNode template = o.path("template");
        String[] ci = layoutContainerCells(template.path("spec").path("containers"));
        return cells(name(o), ci[0], ci[1], formatLabels(template.path("metadata").path("labels")));
    }

    /** printReplicationController. */
    static List<Object> replicationController(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        String[] ci = layoutContainerCells(spec.path("template").path("spec").path("containers"));
        return cells(name(o), spec.path("replicas").asLong(1), status.path("replicas").asLong(0), status.path("readyReplicas").asLong(0), age(o, now),
                ci[0], ci[1], formatLabels(spec.path("selector")));
    }

    /** printService. */
    static List<Object> service(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        // clusterIPs[0] is what Kubernetes reads; clusterIP always mirrors it, so it stands in when clusterIPs is absent
        String internalIP = str(spec.path("clusterIPs").path(0));
        if (internalIP.isEmpty() && spec.path("clusterIPs").isEmpty()) {
            internalIP = str(spec.path("clusterIP"));
        }
        StringJoiner ports = new StringJoiner(",");
        for (JsonNode p : spec.path("ports")) {
            long nodePort = p.path("nodePort").asLong(0);
            String protocol = or(str(p.path("protocol")), "TCP");
            ports.add(nodePort > 0 ? p.path("port").asLong(0) + ":" + nodePort + "/" + protocol : p.path("port").asLong(0) + "/" + protocol);
        }
        return cells(name(o), or(str(spec.path("type")), "ClusterIP"), or(internalIP, "<none>"), serviceExternalIP(o), or(ports.toString(), "<none>"),
                age(o, now), formatLabels(spec.path("selector")));
    }

    /** getServiceExternalIP (wide: load balancer addresses are not clipped). */
    private static String serviceExternalIP(JsonNode svc) {
        JsonNode spec = svc.path("spec");
        List<String> externalIPs = new ArrayList<>();
        spec.path("externalIPs").forEach(ip -> externalIPs.add(str(ip)));
        switch (or(str(spec.path("type")), "ClusterIP")) {
            case "ClusterIP", "NodePort" -> {
                return externalIPs.isEmpty() ? "<none>" : String.join(",", externalIPs);
            }
            case "LoadBalancer" -> {
                String lbIps = Formats.loadBalancerStatus(svc.path("status").path("loadBalancer"));
                if (!externalIPs.isEmpty()) {
                    List<String> results = new ArrayList<>();
                    if (!lbIps.isEmpty()) {
                        results.addAll(List.of(lbIps.split(",")));
                    }
                    results.addAll(externalIPs);
                    return String.join(",", results);
                }
                return lbIps.isEmpty() ? "<pending>" : lbIps;
            }
            case "ExternalName" -> {
                return str(spec.path("externalName"));
            }
            default -> {
                return "<unknown>";
            }
        }
    }

    /** printEndpoints via formatEndpoints: ip:port for every port of every subset, three at most. */
    static List<Object> endpoints(JsonNode o, Instant now) {
        JsonNode subsets = o.path("subsets");
        String cell;
        if (subsets.isEmpty()) {
            cell = "<none>";
        } else {
            List<String> list = new ArrayList<>();
            int max = 3;
            boolean more = false;
            int count = 0;
            for (JsonNode ss : subsets) {
                JsonNode addresses = ss.path("addresses");
                if (ss.path("ports").isEmpty()) {
                    // headless services may have no ports
                    count += addresses.size();
                    for (JsonNode a : addresses) {
                        if (list.size() == max) {
                            more = true;
                            break;
                        }
                        list.add(str(a.path("ip")));
                    }
                    continue;
                }
                for (JsonNode port : ss.path("ports")) {
                    count += addresses.size();
                    for (JsonNode a : addresses) {
                        if (list.size() == max) {
                            more = true;
                            break;
                        }
                        list.add(Formats.joinHostPort(str(a.path("ip")), port.path("port").asLong(0)));
                    }
                }
            }
            cell = String.join(",", list);
            if (more) {
                cell = cell + " + " + (count - max) + " more...";
            }
        }
        return cells(name(o), cell, age(o, now));
    }

    /** printNode: Ready/NotReady/Unknown (plus SchedulingDisabled), sorted roles, first internal and external IP. */
    static List<Object> node(JsonNode o, Instant now) {
        JsonNode status = o.path("status");
        JsonNode ready = null;
        for (JsonNode c : status.path("conditions")) {
            if (str(c.path("type")).equals("Ready")) {
                ready = c;
            }
        }
        List<String> state = new ArrayList<>();
        if (ready != null) {
            state.add(str(ready.path("status")).equals("True") ? "Ready" : "NotReady");
        } else {
            state.add("Unknown");
        }
        if (o.path("spec").path("unschedulable").asBoolean(false)) {
            state.add("SchedulingDisabled");
        }
        TreeSet<String> roles = new TreeSet<>();
        o.path("metadata").path("labels").properties().forEach(e -> {
            if (e.getKey().startsWith("node-role.kubernetes.io/")) {
                String role = e.getKey().substring("node-role.kubernetes.io/".length());
                if (!role.isEmpty()) {
                    roles.add(role);
                }
            } else if (e.getKey().equals("kubernetes.io/role") && !str(e.getValue()).isEmpty()) {
                roles.add(str(e.getValue()));
            }
        });
        JsonNode info = status.path("nodeInfo");
        return cells(name(o), String.join(",", state), roles.isEmpty() ? "<none>" : String.join(",", roles), age(o, now), str(info.path("kubeletVersion")),
                nodeAddress(status, "InternalIP"), nodeAddress(status, "ExternalIP"),
                or(str(info.path("osImage")), "<unknown>"), or(str(info.path("kernelVersion")), "<unknown>"), or(str(info.path("containerRuntimeVersion")), "<unknown>"));
    }

    /** getNodeInternalIP / getNodeExternalIP: the first address of the type. */
    private static String nodeAddress(JsonNode status, String type) {
        for (JsonNode a : status.path("addresses")) {
            if (str(a.path("type")).equals(type)) {
                return str(a.path("address"));
            }
        }
        return "<none>";
    }

    /** printEvent (wide). */
    static List<Object> event(JsonNode o, Instant now) {
        String firstTimestamp = instant(o.path("firstTimestamp")) != null ? since(o.path("firstTimestamp"), now) : since(o.path("eventTime"), now);
        String lastTimestamp = instant(o.path("lastTimestamp")) != null ? since(o.path("lastTimestamp"), now) : firstTimestamp;
        long count = o.path("count").asLong(0);
        JsonNode series = o.path("series");
        if (series.isObject()) {
            lastTimestamp = since(series.path("lastObservedTime"), now);
            count = series.path("count").asLong(0);
        } else if (count == 0) {
            // singleton events don't have a count set in the new API
            count = 1;
        }
        JsonNode ref = o.path("involvedObject");
        String kind = str(ref.path("kind")).toLowerCase();
        String target = str(ref.path("name")).isEmpty() ? kind : kind + "/" + str(ref.path("name"));
        String component = or(str(o.path("source").path("component")), str(o.path("reportingComponent")));
        String instance = or(str(o.path("source").path("host")), str(o.path("reportingInstance")));
        String source = instance.isEmpty() ? component : component + ", " + instance;
        return cells(lastTimestamp, str(o.path("type")), str(o.path("reason")), target, str(ref.path("fieldPath")), source,
                str(o.path("message")).strip(), firstTimestamp, count, name(o));
    }

    /** printNamespace. */
    static List<Object> namespace(JsonNode o, Instant now) {
        return cells(name(o), str(o.path("status").path("phase")), age(o, now));
    }

    /** printSecret: the type and the number of data keys. */
    static List<Object> secret(JsonNode o, Instant now) {
        return cells(name(o), str(o.path("type")), (long) o.path("data").size(), age(o, now));
    }

    /** printServiceAccount: the number of secrets. */
    static List<Object> serviceAccount(JsonNode o, Instant now) {
        return cells(name(o), (long) o.path("secrets").size(), age(o, now));
    }

    /** printConfigMap: data plus binaryData keys. */
    static List<Object> configMap(JsonNode o, Instant now) {
        return cells(name(o), (long) (o.path("data").size() + o.path("binaryData").size()), age(o, now));
    }

    /** printPersistentVolume. */
    static List<Object> persistentVolume(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        JsonNode claimRef = spec.path("claimRef");
        String claim = claimRef.isObject() ? str(claimRef.path("namespace")) + "/" + str(claimRef.path("name")) : "";
        String phase = isDeleting(o) ? "Terminating" : str(o.path("status").path("phase"));
        JsonNode storageClassAnnotation = o.path("metadata").path("annotations").path("volume.beta.kubernetes.io/storage-class");
        String storageClass = storageClassAnnotation.isMissingNode() ? str(spec.path("storageClassName")) : str(storageClassAnnotation);
        return cells(name(o), quantity(spec.path("capacity").path("storage")), Formats.accessModes(spec.path("accessModes")), str(spec.path("persistentVolumeReclaimPolicy")),
                phase, claim, storageClass, pointerOr(spec.path("volumeAttributesClassName"), "<unset>"),
                str(o.path("status").path("reason")), age(o, now), pointerOr(spec.path("volumeMode"), "<unset>"));
    }

    /** printPersistentVolumeClaim: capacity and access modes only once bound to a volume. */
    static List<Object> persistentVolumeClaim(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        String phase = isDeleting(o) ? "Terminating" : str(status.path("phase"));
        String capacity = "";
        String accessModes = "";
        String volumeName = str(spec.path("volumeName"));
        if (!volumeName.isEmpty()) {
            accessModes = Formats.accessModes(status.path("accessModes"));
            capacity = quantity(status.path("capacity").path("storage"));
        }
        JsonNode storageClassAnnotation = o.path("metadata").path("annotations").path("volume.beta.kubernetes.io/storage-class");
        String storageClass = storageClassAnnotation.isMissingNode() ? str(spec.path("storageClassName")) : str(storageClassAnnotation);
        return cells(name(o), phase, volumeName, capacity, accessModes, storageClass, pointerOr(spec.path("volumeAttributesClassName"), "<unset>"),
                age(o, now), pointerOr(spec.path("volumeMode"), "<unset>"));
    }

    /** printResourceQuota: {@code name: used/hard} per hard resource, sorted, limits.* in the Limit column. */
    static List<Object> resourceQuota(JsonNode o, Instant now) {
        JsonNode status = o.path("status");
        TreeMap<String, JsonNode> hard = new TreeMap<>();
        status.path("hard").properties().forEach(e -> hard.put(e.getKey(), e.getValue()));
        StringJoiner request = new StringJoiner(", ");
        StringJoiner limit = new StringJoiner(", ");
        hard.forEach((resource, hardQuantity) -> {
            String[] pieces = resource.split("\\.", -1);
            StringJoiner w = pieces.length > 1 && pieces[0].equals("limits") ? limit : request;
            w.add(resource + ": " + quantity(status.path("used").path(resource)) + "/" + quantity(hardQuantity));
        });
        return cells(name(o), request.toString(), limit.toString(), age(o, now));
    }

    // ---- apps/v1 ----

    /** printDeployment: ready/desired, and the selector as LabelSelectorAsSelector prints it. */
    static List<Object> deployment(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        String selector = Formats.labelSelectorString(spec.path("selector"));
        String[] ci = layoutContainerCells(spec.path("template").path("spec").path("containers"));
        return cells(name(o), status.path("readyReplicas").asLong(0) + "/" + spec.path("replicas").asLong(1), status.path("updatedReplicas").asLong(0),
                status.path("availableReplicas").asLong(0), age(o, now), ci[0], ci[1], selector == null ? "<invalid>" : selector);
    }

    /** printReplicaSet. */
    static List<Object> replicaSet(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        String[] ci = layoutContainerCells(spec.path("template").path("spec").path("containers"));
        return cells(name(o), spec.path("replicas").asLong(1), status.path("replicas").asLong(0), status.path("readyReplicas").asLong(0), age(o, now),
                ci[0], ci[1], formatLabelSelector(spec.path("selector")));
    }

    /** printDaemonSet. */
    static List<Object> daemonSet(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        String[] ci = layoutContainerCells(spec.path("template").path("spec").path("containers"));
        return cells(name(o), status.path("desiredNumberScheduled").asLong(0), status.path("currentNumberScheduled").asLong(0), status.path("numberReady").asLong(0),
                status.path("updatedNumberScheduled").asLong(0), status.path("numberAvailable").asLong(0),
                formatLabels(spec.path("template").path("spec").path("nodeSelector")), age(o, now), ci[0], ci[1], formatLabelSelector(spec.path("selector")));
    }

    /** printStatefulSet: ready/desired. */
    static List<Object> statefulSet(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        String[] ci = layoutContainerCells(spec.path("template").path("spec").path("containers"));
        return cells(name(o), o.path("status").path("readyReplicas").asLong(0) + "/" + spec.path("replicas").asLong(1), age(o, now), ci[0], ci[1]);
    }

    /** printControllerRevision: the controlling owner as {@code kind.group/name}, lower-cased. */
    static List<Object> controllerRevision(JsonNode o, Instant now) {
        String controllerName = "<none>";
        for (JsonNode ref : o.path("metadata").path("ownerReferences")) {
            if (ref.path("controller").asBoolean(false)) {
                String apiVersion = str(ref.path("apiVersion"));
                int slash = apiVersion.indexOf('/');
                String group = slash < 0 ? "" : apiVersion.substring(0, slash);
                String kind = str(ref.path("kind"));
                // formatResourceName: the bare name only when the GroupKind is empty
                String groupKind = group.isEmpty() ? kind : kind + "." + group;
                controllerName = groupKind.isEmpty() ? str(ref.path("name")) : groupKind.toLowerCase() + "/" + str(ref.path("name"));
                break;
            }
        }
        return cells(name(o), controllerName, o.path("revision").asLong(0), age(o, now));
    }

    // ---- batch/v1 ----

    /** printJob: status from conditions, completions, duration. */
    static List<Object> job(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        long succeeded = status.path("succeeded").asLong(0);
        String completions;
        if (spec.has("completions") && !spec.path("completions").isNull()) {
            completions = succeeded + "/" + spec.path("completions").asLong(0);
        } else {
            long parallelism = spec.path("parallelism").asLong(0);
            completions = parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
        }
        Instant start = instant(status.path("startTime"));
        Instant completion = instant(status.path("completionTime"));
        String jobDuration = "";
        if (start != null) {
            jobDuration = HumanDuration.format(Duration.between(start, completion == null ? now : completion));
        }
        JsonNode conditions = status.path("conditions");
        String state;
        if (hasJobCondition(conditions, "Complete")) {
            state = "Complete";
        } else if (hasJobCondition(conditions, "Failed")) {
            state = "Failed";
        } else if (isDeleting(o)) {
            state = "Terminating";
        } else if (hasJobCondition(conditions, "Suspended")) {
            state = "Suspended";
        } else if (hasJobCondition(conditions, "FailureTarget")) {
            state = "FailureTarget";
        } else {
            state = "Running";
        }
        String[] ci = layoutContainerCells(spec.path("template").path("spec").path("containers"));
        return cells(name(o), state, completions, jobDuration, age(o, now), ci[0], ci[1], formatLabelSelector(spec.path("selector")));
    }

    /** hasJobCondition: the first condition of the type decides. */
    private static boolean hasJobCondition(JsonNode conditions, String type) {
        for (JsonNode c : conditions) {
            if (str(c.path("type")).equals(type)) {
                return str(c.path("status")).equals("True");
            }
        }
        return false;
    }

    /** printCronJob. */
    static List<Object> cronJob(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        String lastScheduleTime = status.has("lastScheduleTime") && !status.path("lastScheduleTime").isNull() ? since(status.path("lastScheduleTime"), now) : "<none>";
        JsonNode jobSpec = spec.path("jobTemplate").path("spec");
        String[] ci = layoutContainerCells(jobSpec.path("template").path("spec").path("containers"));
        return cells(name(o), str(spec.path("schedule")), pointerOr(spec.path("timeZone"), "<none>"), Formats.boolPointer(spec.path("suspend")),
                (long) status.path("active").size(), lastScheduleTime, age(o, now), ci[0], ci[1], formatLabelSelector(jobSpec.path("selector")));
    }

    // ---- policy, scheduling, coordination ----

    /** printPodDisruptionBudget: N/A for an unset bound. */
    static List<Object> podDisruptionBudget(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        return cells(name(o), intOrStringOr(spec.path("minAvailable"), "N/A"), intOrStringOr(spec.path("maxUnavailable"), "N/A"),
                o.path("status").path("disruptionsAllowed").asLong(0), age(o, now));
    }

    /** printPriorityClass. */
    static List<Object> priorityClass(JsonNode o, Instant now) {
        return cells(name(o), o.path("value").asLong(0), o.path("globalDefault").asBoolean(false), age(o, now), str(o.path("preemptionPolicy")));
    }

    /** printFlowSchema: MissingPL is the Dangling condition's status, "?" without one. */
    static List<Object> flowSchema(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        String distinguisher = spec.path("distinguisherMethod").isObject() ? spec.path("distinguisherMethod").path("type").asString("") : "<none>";
        String missing = "?";
        for (JsonNode c : o.path("status").path("conditions")) {
            if ("Dangling".equals(c.path("type").asString(""))) {
                missing = c.path("status").asString("");
                break;
            }
        }
        return cells(name(o), spec.path("priorityLevelConfiguration").path("name").asString(""), spec.path("matchingPrecedence").asLong(0),
                distinguisher, age(o, now), missing);
    }

    /** printPriorityLevelConfiguration: the limited level's shares and queuing, "<none>" otherwise. */
    static List<Object> priorityLevelConfiguration(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        Object shares = "<none>";
        Object queues = "<none>";
        Object handSize = "<none>";
        Object queueLengthLimit = "<none>";
        JsonNode limited = spec.path("limited");
        if (limited.isObject()) {
            shares = limited.path("nominalConcurrencyShares").asLong(0);
            JsonNode q = limited.path("limitResponse").path("queuing");
            if (q.isObject()) {
                queues = q.path("queues").asLong(0);
                handSize = q.path("handSize").asLong(0);
                queueLengthLimit = q.path("queueLengthLimit").asLong(0);
            }
        }
        return cells(name(o), spec.path("type").asString(""), shares, queues, handSize, queueLengthLimit, age(o, now));
    }

    /** printLease. */
    static List<Object> lease(JsonNode o, Instant now) {
        return cells(name(o), str(o.path("spec").path("holderIdentity")), age(o, now));
    }

    // ---- discovery, networking, storage ----

    /**
     * printCertificateSigningRequest: signer and requested duration or {@code <none>}, the requestor (spec.username),
     * and extractCSRStatus: Denied over Approved over Pending, then {@code ,Failed} and {@code ,Issued}.
     */
    static List<Object> certificateSigningRequest(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        String signer = or(str(spec.path("signerName")), "<none>");
        String requested = spec.path("expirationSeconds").isNumber()
                ? HumanDuration.format(java.time.Duration.ofSeconds(spec.path("expirationSeconds").asLong()))
                : "<none>";
        boolean approved = false;
        boolean denied = false;
        boolean failed = false;
        for (JsonNode c : o.path("status").path("conditions")) {
            switch (str(c.path("type"))) {
                case "Approved" -> approved = true;
                case "Denied" -> denied = true;
                case "Failed" -> failed = true;
                default -> {
                }
            }
        }
        String condition = denied ? "Denied" : approved ? "Approved" : "Pending";
        if (failed) {
            condition += ",Failed";
        }
        if (!str(o.path("status").path("certificate")).isEmpty()) {
            condition += ",Issued";
        }
        return cells(name(o), age(o, now), signer, str(spec.path("username")), requested, condition);
    }

    /** printEndpointSlice via formatDiscoveryPorts and formatDiscoveryEndpoints. */
    static List<Object> endpointSlice(JsonNode o, Instant now) {
        int max = 3;
        List<String> ports = new ArrayList<>();
        boolean morePorts = false;
        int portCount = 0;
        for (JsonNode port : o.path("ports")) {
            if (ports.size() < max) {
                String portNum = "*";
                if (port.path("port").isNumber()) {
                    portNum = Long.toString(port.path("port").asLong());
                } else if (port.has("name") && !port.path("name").isNull()) {
                    portNum = str(port.path("name"));
                }
                ports.add(portNum);
            } else if (ports.size() == max) {
                morePorts = true;
            }
            portCount++;
        }
        List<String> addresses = new ArrayList<>();
        boolean moreAddresses = false;
        int addressCount = 0;
        for (JsonNode endpoint : o.path("endpoints")) {
            for (JsonNode address : endpoint.path("addresses")) {
                if (addresses.size() < max) {
                    addresses.add(str(address));
                } else if (addresses.size() == max) {
                    moreAddresses = true;
                }
                addressCount++;
            }
        }
        return cells(name(o), str(o.path("addressType")), Formats.listWithMore(ports, morePorts, portCount, max),
                Formats.listWithMore(addresses, moreAddresses, addressCount, max), age(o, now));
    }

    /** printIngress via formatHosts, ingressLoadBalancerStatusStringer (wide) and formatPorts. */
    static List<Object> ingress(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        List<String> hosts = new ArrayList<>();
        int max = 3;
        boolean more = false;
        JsonNode rules = spec.path("rules");
        for (JsonNode rule : rules) {
            if (hosts.size() == max) {
                more = true;
            }
            if (!more && !str(rule.path("host")).isEmpty()) {
                hosts.add(str(rule.path("host")));
            }
        }
        String hostsCell;
        if (hosts.isEmpty()) {
            hostsCell = "*";
        } else {
            hostsCell = String.join(",", hosts);
            if (more) {
                hostsCell = hostsCell + " + " + (rules.size() - max) + " more...";
            }
        }
        String ports = spec.path("tls").isEmpty() ? "80" : "80, 443";
        return cells(name(o), pointerOr(spec.path("ingressClassName"), "<none>"), hostsCell,
                Formats.loadBalancerStatus(o.path("status").path("loadBalancer")), ports, age(o, now));
    }

    /** printIngressClass: parameters as {@code Kind[.apiGroup]/name}. */
    static List<Object> ingressClass(JsonNode o, Instant now) {
        JsonNode parameters = o.path("spec").path("parameters");
        String cell = "<none>";
        if (parameters.isObject()) {
            cell = str(parameters.path("kind"));
            if (parameters.has("apiGroup") && !parameters.path("apiGroup").isNull()) {
                cell = cell + "." + str(parameters.path("apiGroup"));
            }
            cell = cell + "/" + str(parameters.path("name"));
        }
        return cells(name(o), str(o.path("spec").path("controller")), cell, age(o, now));
    }

    /** printNetworkPolicy: the pod selector. */
    static List<Object> networkPolicy(JsonNode o, Instant now) {
        return cells(name(o), formatLabelSelector(o.path("spec").path("podSelector")), age(o, now));
    }

    /** printStorageClass: {@code (default)} after the name of the default class; Delete and Immediate when unset. */
    static List<Object> storageClass(JsonNode o, Instant now) {
        JsonNode annotations = o.path("metadata").path("annotations");
        String className = name(o);
        if (str(annotations.path("storageclass.kubernetes.io/is-default-class")).equals("true")
                || str(annotations.path("storageclass.beta.kubernetes.io/is-default-class")).equals("true")) {
            className += " (default)";
        }
        return cells(className, str(o.path("provisioner")), pointerOr(o.path("reclaimPolicy"), "Delete"), pointerOr(o.path("volumeBindingMode"), "Immediate"),
                o.path("allowVolumeExpansion").asBoolean(false), age(o, now));
    }

    // ---- rbac.authorization.k8s.io/v1 ----

    /** printRoleBinding and printClusterRoleBinding: {@code Kind/name}, then users, groups, service accounts (rbac.SubjectsStrings). */
    static List<Object> roleBinding(JsonNode o, Instant now) {
        JsonNode roleRef = o.path("roleRef");
        List<String> users = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        List<String> serviceAccounts = new ArrayList<>();
        for (JsonNode subject : o.path("subjects")) {
            switch (str(subject.path("kind"))) {
                case "ServiceAccount" -> serviceAccounts.add(str(subject.path("namespace")) + "/" + str(subject.path("name")));
                case "User" -> users.add(str(subject.path("name")));
                case "Group" -> groups.add(str(subject.path("name")));
                default -> {
                    // "others": not printed
                }
            }
        }
        return cells(name(o), str(roleRef.path("kind")) + "/" + str(roleRef.path("name")), age(o, now),
                String.join(", ", users), String.join(", ", groups), String.join(", ", serviceAccounts));
    }

    // ---- autoscaling/v2 ----

    /** printHorizontalPodAutoscaler. */
    static List<Object> horizontalPodAutoscaler(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        JsonNode ref = spec.path("scaleTargetRef");
        String minPods = spec.path("minReplicas").isNumber() ? Long.toString(spec.path("minReplicas").asLong()) : "<unset>";
        return cells(name(o), str(ref.path("kind")) + "/" + str(ref.path("name")), formatHPAMetrics(spec.path("metrics"), o.path("status").path("currentMetrics")),
                minPods, spec.path("maxReplicas").asLong(0), o.path("status").path("currentReplicas").asLong(0), age(o, now));
    }

    /** formatHPAMetrics: current/target per metric (status matched by index), two at most. */
    static String formatHPAMetrics(JsonNode specs, JsonNode statuses) {
        if (specs.isEmpty()) {
            return "<none>";
        }
        List<String> list = new ArrayList<>();
        int max = 2;
        int count = 0;
        for (int i = 0; i < specs.size(); i++) {
            JsonNode spec = specs.get(i);
            JsonNode status = statuses.path(i);
            switch (str(spec.path("type"))) {
                case "External" -> list.add(valueMetric(spec.path("external").path("target"), status.path("external")));
                case "Pods" -> {
                    JsonNode current = status.path("pods");
                    String cur = current.isObject() ? quantityPointer(current.path("current").path("averageValue")) : "<unknown>";
                    list.add(cur + "/" + quantityPointer(spec.path("pods").path("target").path("averageValue")));
                }
                case "Object" -> list.add(valueMetric(spec.path("object").path("target"), status.path("object")));
                case "Resource" -> list.add(resourceMetric(spec.path("resource"), status.path("resource")));
                case "ContainerResource" -> list.add(resourceMetric(spec.path("containerResource"), status.path("containerResource")));
                default -> list.add("<unknown type>");
            }
            count++;
        }
        boolean more = false;
        if (count > max) {
            list = list.subList(0, max);
            more = true;
        }
        String ret = String.join(", ", list);
        return more ? ret + " + " + (count - max) + " more..." : ret;
    }

    /** The External and Object cases: an average value marked {@code (avg)}, or a plain value. */
    private static String valueMetric(JsonNode target, JsonNode status) {
        if (hasValue(target.path("averageValue"))) {
            String current = "<unknown>";
            if (status.isObject() && hasValue(status.path("current").path("averageValue"))) {
                current = quantity(status.path("current").path("averageValue"));
            }
            return current + "/" + quantity(target.path("averageValue")) + " (avg)";
        }
        String current = status.isObject() ? quantityPointer(status.path("current").path("value")) : "<unknown>";
        return current + "/" + quantityPointer(target.path("value"));
    }

    /** The Resource and ContainerResource cases: {@code name: current/target}, utilization in percent. */
    private static String resourceMetric(JsonNode source, JsonNode status) {
        JsonNode target = source.path("target");
        String resourceName = str(source.path("name"));
        if (hasValue(target.path("averageValue"))) {
            String current = status.isObject() ? quantityPointer(status.path("current").path("averageValue")) : "<unknown>";
            return resourceName + ": " + current + "/" + quantity(target.path("averageValue"));
        }
        String current = "<unknown>";
        if (status.isObject() && status.path("current").path("averageUtilization").isNumber()) {
            current = status.path("current").path("averageUtilization").asLong() + "%";
        }
        String goal = target.path("averageUtilization").isNumber() ? target.path("averageUtilization").asLong() + "%" : "<auto>";
        return resourceName + ": " + current + "/" + goal;
    }

    // ---- admissionregistration.k8s.io/v1 ----

    /** printValidatingAdmissionPolicy: the number of validations and the param kind. */
    static List<Object> validatingAdmissionPolicy(JsonNode o, Instant now) {
        JsonNode paramKind = o.path("spec").path("paramKind");
        String kind = paramKind.isObject() ? str(paramKind.path("apiVersion")) + "/" + str(paramKind.path("kind")) : "<unset>";
        return cells(name(o), (long) o.path("spec").path("validations").size(), kind, age(o, now));
    }

    /** printValidatingAdmissionPolicyBinding: the policy and the param reference. */
    static List<Object> validatingAdmissionPolicyBinding(JsonNode o, Instant now) {
        JsonNode paramRef = o.path("spec").path("paramRef");
        String paramName = "<unset>";
        if (paramRef.isObject()) {
            String refName = str(paramRef.path("name"));
            if (!refName.isEmpty()) {
                String ns = str(paramRef.path("namespace"));
                // can't tell here whether the param is cluster-scoped, so unnamespaced params get the * namespace
                paramName = ns.isEmpty() ? "*/" + refName : ns + "/" + refName;
            } else if (paramRef.path("selector").isObject()) {
                paramName = goLabelSelectorString(paramRef.path("selector"));
            }
        }
        return cells(name(o), str(o.path("spec").path("policyName")), paramName, age(o, now));
    }

    /** The generated (*metav1.LabelSelector).String() of the protobuf types, which printValidatingAdmissionPolicyBinding uses. */
    static String goLabelSelectorString(JsonNode selector) {
        StringBuilder expressions = new StringBuilder("[]LabelSelectorRequirement{");
        for (JsonNode r : selector.path("matchExpressions")) {
            List<String> values = new ArrayList<>();
            r.path("values").forEach(v -> values.add(str(v)));
            expressions.append("LabelSelectorRequirement{Key:").append(str(r.path("key")))
                    .append(",Operator:").append(str(r.path("operator")))
                    .append(",Values:[").append(String.join(" ", values)).append("],},");
        }
        expressions.append("}");
        TreeMap<String, String> labels = new TreeMap<>();
        selector.path("matchLabels").properties().forEach(e -> labels.put(e.getKey(), str(e.getValue())));
        StringBuilder matchLabels = new StringBuilder("map[string]string{");
        labels.forEach((k, v) -> matchLabels.append(k).append(": ").append(v).append(","));
        matchLabels.append("}");
        return "&LabelSelector{MatchLabels:" + matchLabels + ",MatchExpressions:" + expressions + ",}";
    }

    // ---- helpers ----

    private static boolean isDeleting(JsonNode o) {
        JsonNode ts = o.path("metadata").path("deletionTimestamp");
        return !ts.isMissingNode() && !ts.isNull();
    }

    private static boolean hasValue(JsonNode n) {
        return !n.isMissingNode() && !n.isNull();
    }

    /** The value of an optional (pointer) string field, or {@code dflt} when it is unset. */
    private static String pointerOr(JsonNode n, String dflt) {
        return hasValue(n) ? str(n) : dflt;
    }

    private static String intOrStringOr(JsonNode n, String dflt) {
        return hasValue(n) ? Formats.intOrString(n) : dflt;
    }

    private static List<Object> cells(Object... values) {
        return List.of(values);
    }
}
