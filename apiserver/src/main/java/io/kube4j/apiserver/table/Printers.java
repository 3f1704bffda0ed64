package io.kube4j.apiserver.table;

import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * kubectl's usual columns per resource, computed on the server as Kubernetes' printers do: pods
 * (NAME READY STATUS RESTARTS AGE, wide: IP NODE ...), nodes, deployments, replicasets, services,
 * endpoints, events, namespaces, leases; NAME and AGE for anything else.
 */
public final class Printers {
    /** One column: priority 0 always shows, 1 only with {@code -o wide}. */
    public record Column(String name, String type, String format, int priority, String description) {
        static Column of(String name, String description) {
            return new Column(name, "string", "", 0, description);
        }

        static Column wide(String name, String description) {
            return new Column(name, "string", "", 1, description);
        }
    }

    /** Cells of one row, in column order. */
    @FunctionalInterface
    public interface Cells {
        List<Object> of(JsonNode obj, Instant now);
    }

    /** The columns of a resource and how to fill them. */
    public record Printer(List<Column> columns, Cells cells) {
    }

    private static final Column NAME = new Column("Name", "string", "name", 0, "Name must be unique within a namespace.");
    private static final Column AGE = Column.of("Age", "CreationTimestamp is a timestamp representing the server time when this object was created.");

    private static final Printer DEFAULT = new Printer(List.of(NAME, AGE), (o, now) -> List.of(name(o), age(o, now)));

    private static final Map<String, Printer> BY_RESOURCE = Map.of(
            "pods", new Printer(List.of(NAME,
                    Column.of("Ready", "The aggregate readiness state of this pod for accepting traffic."),
                    Column.of("Status", "The aggregate status of the containers in this pod."),
                    Column.of("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
                    AGE,
                    Column.wide("IP", "IP address allocated to the pod."),
                    Column.wide("Node", "Name of the Node this pod is assigned to."),
                    Column.wide("Nominated Node", "Name of the Node where this pod could be scheduled if preemption succeeds."),
                    Column.wide("Readiness Gates", "Pod readiness gates.")), Printers::pod),
            "nodes", new Printer(List.of(NAME,
                    Column.of("Status", "The status of the node"),
                    Column.of("Roles", "The roles of the node"),
                    AGE,
                    Column.of("Version", "Kubelet Version reported by the node."),
                    Column.wide("Internal-IP", "List of internal IPs."),
                    Column.wide("External-IP", "List of external IPs."),
                    Column.wide("OS-Image", "OS Image reported by the node."),
                    Column.wide("Kernel-Version", "Kernel Version reported by the node."),
                    Column.wide("Container-Runtime", "Container Runtime Version reported by the node.")), Printers::node),
            "deployments", new Printer(List.of(NAME,
                    Column.of("Ready", "Number of the pod with ready state"),
                    new Column("Up-to-date", "integer", "", 0, "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
                    new Column("Available", "integer", "", 0, "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
                    AGE,
                    Column.wide("Containers", "Names of each container in the template."),
                    Column.wide("Images", "Images referenced by each container in the template."),
                    Column.wide("Selector", "Label selector for pods.")), Printers::deployment),
            "replicasets", new Printer(List.of(NAME,
                    new Column("Desired", "integer", "", 0, "Replicas is the number of desired replicas."),
                    new Column("Current", "integer", "", 0, "Replicas is the most recently observed number of replicas."),
                    new Column("Ready", "integer", "", 0, "The number of ready replicas for this replica set."),
                    AGE,
                    Column.wide("Containers", "Names of each container in the template."),
                    Column.wide("Images", "Images referenced by each container in the template."),
                    Column.wide("Selector", "Label selector for pods.")), Printers::replicaSet),
            "services", new Printer(List.of(NAME,
                    Column.of("Type", "The type of service."),
                    Column.of("Cluster-IP", "The IP address of the service."),
                    Column.of("External-IP", "The external IP addresses of the service."),
                    Column.of("Port(s)", "The ports the service listens on."),
                    AGE,
                    Column.wide("Selector", "Route service traffic to pods with label keys and values matching this selector.")), Printers::service),
            "endpoints", new Printer(List.of(NAME, Column.of("Endpoints", "Endpoints of the service"), AGE), Printers::endpoints),
            "events", new Printer(List.of(
                    Column.of("Last Seen", "Time of the most recent occurrence of the event."),
                    Column.of("Type", "Type of this event."),
                    Column.of("Reason", "Why the action was taken."),
                    Column.of("Object", "The object this event is about."),
                    Column.wide("Subobject", "The part of the object this event is about."),
                    Column.wide("Source", "The component reporting this event."),
                    Column.of("Message", "A human-readable description of the status of this operation."),
                    Column.wide("First Seen", "The time at which the event was first recorded."),
                    new Column("Count", "integer", "", 1, "The number of times this event has occurred."),
                    new Column("Name", "string", "name", 1, "The name of the event.")), Printers::event),
            "namespaces", new Printer(List.of(NAME, Column.of("Status", "The status of the namespace"), AGE),
                    (o, now) -> List.of(name(o), text(o.path("status").path("phase"), "Active"), age(o, now))),
            "leases", new Printer(List.of(NAME, Column.of("Holder", "The holder of the lease."), AGE),
                    (o, now) -> List.of(name(o), text(o.path("spec").path("holderIdentity"), ""), age(o, now))));

    private Printers() {
    }

    /** The printer for a resource (by plural name). */
    public static Printer forResource(String resource) {
        return BY_RESOURCE.getOrDefault(resource, DEFAULT);
    }

    static String name(JsonNode o) {
        return o.path("metadata").path("name").asString("");
    }

    static String age(JsonNode o, Instant now) {
        return HumanDuration.since(o.path("metadata").path("creationTimestamp").asString(null), now);
    }

    private static String text(JsonNode n, String dflt) {
        String s = n.isValueNode() ? n.asString("") : "";
        return s.isEmpty() ? dflt : s;
    }

    /** Kubernetes' printPod: the phase, refined by init and container states, Terminating while deleted. */
    static List<Object> pod(JsonNode o, Instant now) {
        JsonNode status = o.path("status");
        int total = o.path("spec").path("containers").size();
        int ready = 0;
        int restarts = 0;
        String lastRestart = null;
        String reason = text(status.path("reason"), text(status.path("phase"), "Pending"));
        boolean initializing = false;
        JsonNode inits = status.path("initContainerStatuses");
        int initCount = o.path("spec").path("initContainers").size();
        for (int i = 0; i < inits.size(); i++) {
            JsonNode c = inits.get(i);
            restarts += c.path("restartCount").asInt(0);
            lastRestart = later(lastRestart, c.path("lastState").path("terminated").path("finishedAt").asString(null));
            JsonNode term = c.path("state").path("terminated");
            JsonNode wait = c.path("state").path("waiting");
            if (term.isObject() && term.path("exitCode").asInt(0) == 0) {
                continue;
            }
            if (term.isObject()) {
                String r = term.path("reason").asString("");
                reason = !r.isEmpty() ? "Init:" + r : term.path("signal").asInt(0) != 0 ? "Init:Signal:" + term.path("signal").asInt() : "Init:ExitCode:" + term.path("exitCode").asInt();
            } else if (wait.isObject() && !wait.path("reason").asString("").isEmpty() && !"PodInitializing".equals(wait.path("reason").asString(""))) {
                reason = "Init:" + wait.path("reason").asString();
            } else {
                reason = "Init:" + i + "/" + initCount;
            }
            initializing = true;
            break;
        }
        if (!initializing) {
            restarts = 0;
            boolean running = false;
            JsonNode cs = status.path("containerStatuses");
            for (int i = cs.size() - 1; i >= 0; i--) {
                JsonNode c = cs.get(i);
                restarts += c.path("restartCount").asInt(0);
                lastRestart = later(lastRestart, c.path("lastState").path("terminated").path("finishedAt").asString(null));
                JsonNode term = c.path("state").path("terminated");
                JsonNode wait = c.path("state").path("waiting");
                if (wait.isObject() && !wait.path("reason").asString("").isEmpty()) {
                    reason = wait.path("reason").asString();
                } else if (term.isObject() && !term.path("reason").asString("").isEmpty()) {
                    reason = term.path("reason").asString();
                } else if (term.isObject()) {
                    reason = term.path("signal").asInt(0) != 0 ? "Signal:" + term.path("signal").asInt() : "ExitCode:" + term.path("exitCode").asInt();
                } else if (c.path("ready").asBoolean(false) && c.path("state").path("running").isObject()) {
                    running = true;
                    ready++;
                }
            }
            if (reason.equals("Completed") && running) {
                reason = hasReadyCondition(status) ? "Running" : "NotReady";
            }
        }
        if (o.path("metadata").has("deletionTimestamp")) {
            reason = "NodeLost".equals(status.path("reason").asString("")) ? "Unknown" : "Terminating";
        }
        String restartCell = Integer.toString(restarts);
        if (restarts > 0 && lastRestart != null) {
            restartCell += " (" + HumanDuration.since(lastRestart, now) + " ago)";
        }
        List<Object> row = new ArrayList<>();
        row.add(name(o));
        row.add(ready + "/" + total);
        row.add(reason);
        row.add(restartCell);
        row.add(age(o, now));
        row.add(text(status.path("podIP"), "<none>"));
        row.add(text(o.path("spec").path("nodeName"), "<none>"));
        row.add(text(status.path("nominatedNodeName"), "<none>"));
        row.add("<none>");
        return row;
    }

    private static boolean hasReadyCondition(JsonNode status) {
        for (JsonNode c : status.path("conditions")) {
            if ("Ready".equals(c.path("type").asString("")) && "True".equals(c.path("status").asString(""))) {
                return true;
            }
        }
        return false;
    }

    private static String later(String a, String b) {
        if (b == null || b.isEmpty()) {
            return a;
        }
        return a == null || b.compareTo(a) > 0 ? b : a;
    }

    static List<Object> node(JsonNode o, Instant now) {
        JsonNode status = o.path("status");
        String state = "Unknown";
        for (JsonNode c : status.path("conditions")) {
            if ("Ready".equals(c.path("type").asString(""))) {
                state = "True".equals(c.path("status").asString("")) ? "Ready" : "NotReady";
            }
        }
        if (o.path("spec").path("unschedulable").asBoolean(false)) {
            state += ",SchedulingDisabled";
        }
        List<String> roles = new ArrayList<>();
        o.path("metadata").path("labels").properties().forEach(e -> {
            if (e.getKey().startsWith("node-role.kubernetes.io/")) {
                roles.add(e.getKey().substring("node-role.kubernetes.io/".length()));
            } else if (e.getKey().equals("kubernetes.io/role")) {
                roles.add(e.getValue().asString(""));
            }
        });
        JsonNode info = status.path("nodeInfo");
        List<Object> row = new ArrayList<>();
        row.add(name(o));
        row.add(state);
        row.add(roles.isEmpty() ? "<none>" : String.join(",", roles));
        row.add(age(o, now));
        row.add(text(info.path("kubeletVersion"), ""));
        row.add(address(status, "InternalIP"));
        row.add(address(status, "ExternalIP"));
        row.add(text(info.path("osImage"), "<unknown>"));
        row.add(text(info.path("kernelVersion"), "<unknown>"));
        row.add(text(info.path("containerRuntimeVersion"), "<unknown>"));
        return row;
    }

    private static String address(JsonNode status, String type) {
        StringJoiner j = new StringJoiner(",");
        for (JsonNode a : status.path("addresses")) {
            if (type.equals(a.path("type").asString(""))) {
                j.add(a.path("address").asString(""));
            }
        }
        return j.length() == 0 ? "<none>" : j.toString();
    }

    static List<Object> deployment(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        List<Object> row = new ArrayList<>();
        row.add(name(o));
        row.add(status.path("readyReplicas").asInt(0) + "/" + spec.path("replicas").asInt(0));
        row.add(status.path("updatedReplicas").asInt(0));
        row.add(status.path("availableReplicas").asInt(0));
        row.add(age(o, now));
        addTemplateColumns(row, spec);
        return row;
    }

    static List<Object> replicaSet(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        List<Object> row = new ArrayList<>();
        row.add(name(o));
        row.add(spec.path("replicas").asInt(0));
        row.add(status.path("replicas").asInt(0));
        row.add(status.path("readyReplicas").asInt(0));
        row.add(age(o, now));
        addTemplateColumns(row, spec);
        return row;
    }

    private static void addTemplateColumns(List<Object> row, JsonNode spec) {
        StringJoiner names = new StringJoiner(",");
        StringJoiner images = new StringJoiner(",");
        for (JsonNode c : spec.path("template").path("spec").path("containers")) {
            names.add(c.path("name").asString(""));
            images.add(c.path("image").asString(""));
        }
        row.add(names.toString());
        row.add(images.toString());
        row.add(selector(spec.path("selector")));
    }

    /** A LabelSelector as kubectl prints it: {@code app=web,tier in (a,b)}. */
    static String selector(JsonNode sel) {
        StringJoiner j = new StringJoiner(",");
        sel.path("matchLabels").properties().forEach(e -> j.add(e.getKey() + "=" + e.getValue().asString("")));
        for (JsonNode r : sel.path("matchExpressions")) {
            String key = r.path("key").asString("");
            StringJoiner vals = new StringJoiner(",");
            r.path("values").forEach(v -> vals.add(v.asString("")));
            switch (r.path("operator").asString("")) {
                case "In" -> j.add(key + " in (" + vals + ")");
                case "NotIn" -> j.add(key + " notin (" + vals + ")");
                case "Exists" -> j.add(key);
                case "DoesNotExist" -> j.add("!" + key);
                default -> j.add(key + " " + r.path("operator").asString("") + " (" + vals + ")");
            }
        }
        return j.length() == 0 ? "<none>" : j.toString();
    }

    static List<Object> service(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        String type = text(spec.path("type"), "ClusterIP");
        StringJoiner ext = new StringJoiner(",");
        spec.path("externalIPs").forEach(ip -> ext.add(ip.asString("")));
        String external = ext.length() > 0 ? ext.toString() : type.equals("LoadBalancer") ? "<pending>" : "<none>";
        StringJoiner ports = new StringJoiner(",");
        for (JsonNode p : spec.path("ports")) {
            String proto = text(p.path("protocol"), "TCP");
            int nodePort = p.path("nodePort").asInt(0);
            ports.add(p.path("port").asInt() + (nodePort > 0 ? ":" + nodePort : "") + "/" + proto);
        }
        StringJoiner sel = new StringJoiner(",");
        spec.path("selector").properties().forEach(e -> sel.add(e.getKey() + "=" + e.getValue().asString("")));
        List<Object> row = new ArrayList<>();
        row.add(name(o));
        row.add(type);
        row.add(text(spec.path("clusterIP"), "<none>"));
        row.add(external);
        row.add(ports.length() == 0 ? "<none>" : ports.toString());
        row.add(age(o, now));
        row.add(sel.length() == 0 ? "<none>" : sel.toString());
        return row;
    }

    static List<Object> endpoints(JsonNode o, Instant now) {
        List<String> all = new ArrayList<>();
        for (JsonNode subset : o.path("subsets")) {
            List<String> ports = new ArrayList<>();
            subset.path("ports").forEach(p -> ports.add(Integer.toString(p.path("port").asInt())));
            for (JsonNode a : subset.path("addresses")) {
                String ip = a.path("ip").asString("");
                if (ports.isEmpty()) {
                    all.add(ip);
                } else {
                    ports.forEach(p -> all.add(ip + ":" + p));
                }
            }
        }
        String cell = all.isEmpty() ? "<none>" : all.size() <= 3 ? String.join(",", all) : String.join(",", all.subList(0, 3)) + " + " + (all.size() - 3) + " more...";
        return List.of(name(o), cell, age(o, now));
    }

    static List<Object> event(JsonNode o, Instant now) {
        String last = firstNonEmpty(o.path("lastTimestamp").asString(""), o.path("eventTime").asString(""), o.path("metadata").path("creationTimestamp").asString(""));
        String first = firstNonEmpty(o.path("firstTimestamp").asString(""), o.path("eventTime").asString(""), last);
        JsonNode ref = o.path("involvedObject");
        String source = text(o.path("source").path("component"), text(o.path("reportingComponent"), ""));
        String host = o.path("source").path("host").asString("");
        List<Object> row = new ArrayList<>();
        row.add(HumanDuration.since(last, now));
        row.add(text(o.path("type"), ""));
        row.add(text(o.path("reason"), ""));
        row.add(ref.path("kind").asString("").toLowerCase() + "/" + ref.path("name").asString(""));
        row.add(text(ref.path("fieldPath"), ""));
        row.add(host.isEmpty() ? source : source + ", " + host);
        row.add(o.path("message").asString("").strip());
        row.add(HumanDuration.since(first, now));
        row.add(Math.max(1, o.path("count").asInt(1)));
        row.add(name(o));
        return row;
    }

    private static String firstNonEmpty(String... values) {
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return "";
    }
}
