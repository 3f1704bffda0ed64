package io.kube4j.apiserver.allocation;

import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.errors.ApiError;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Decides a Service's ClusterIP and NodePorts, on JSON trees and without I/O: requested values are
 * checked (range, duplicates, taken by another Service, immutability), missing ones are picked at
 * random among the free ones. The caller writes the result and the allocation keys in one etcd
 * transaction whose guards catch any concurrent writer that picked the same.
 */
public final class AddressAssigner {
    private static final Set<String> NODE_PORT_TYPES = Set.of("NodePort", "LoadBalancer");

    /** What is already allocated cluster-wide; read lazily, only when something new is wanted. */
    public interface Taken {
        Set<String> ips();

        Set<Integer> nodePorts();
    }

    /** The addresses a stored Service holds. */
    public record Held(String clusterIP, Set<Integer> nodePorts) {
        static final Held NONE = new Held(null, Set.of());
    }

    /** What a write changes: allocation keys to create and to release. */
    public record Assignment(Set<String> allocateIps, Set<Integer> allocatePorts, Set<String> releaseIps, Set<Integer> releasePorts) {
    }

    private final ServiceIpRange ipRange;
    private final NodePortRange portRange;
    private final RandomGenerator random;

    public AddressAssigner(ServiceIpRange ipRange, NodePortRange portRange, RandomGenerator random) {
        this.ipRange = ipRange;
        this.portRange = portRange;
        this.random = random;
    }

    public ServiceIpRange ipRange() {
        return ipRange;
    }

    public NodePortRange portRange() {
        return portRange;
    }

    /** The ClusterIP (null if headless, ExternalName or none yet) and NodePorts a Service holds. */
    public static Held held(ObjectNode service) {
        if (service == null) {
            return Held.NONE;
        }
        JsonNode spec = service.path("spec");
        String ip = spec.path("clusterIP").asString("");
        Set<Integer> ports = new LinkedHashSet<>();
        for (JsonNode p : spec.path("ports")) {
            int np = p.path("nodePort").asInt(0);
            if (np > 0) {
                ports.add(np);
            }
        }
        return new Held(ServiceIpRange.toLong(ip) >= 0 ? ip : null, ports);
    }

    /**
     * Keeps what {@code current} has allocated when an update leaves it out (a PUT or apply without
     * clusterIP/nodePort), and drops what the new type cannot have (nodePorts on a ClusterIP Service),
     * as Kubernetes' patchAllocatedValues and dropTypeDependentFields do.
     */
    public static void carryOver(ObjectNode current, ObjectNode proposed) {
        if (!(proposed.get("spec") instanceof ObjectNode spec)) {
            return;
        }
        JsonNode oldSpec = current.path("spec");
        String newType = spec.path("type").asString("ClusterIP");
        String oldType = oldSpec.path("type").asString("ClusterIP");
        String oldIp = oldSpec.path("clusterIP").asString("");
        String newIp = spec.path("clusterIP").asString("");
        if (!"ExternalName".equals(newType) && newIp.isEmpty() && !oldIp.isEmpty()) {
            spec.put("clusterIP", oldIp);
            if (oldSpec.has("clusterIPs")) {
                spec.set("clusterIPs", oldSpec.get("clusterIPs").deepCopy());
            }
        } else if ("ExternalName".equals(newType) && newIp.equals(oldIp)) {
            spec.remove("clusterIP");
            spec.remove("clusterIPs");
        }
        boolean oldHasNodePorts = NODE_PORT_TYPES.contains(oldType);
        boolean newHasNodePorts = NODE_PORT_TYPES.contains(newType);
        if (!oldHasNodePorts || !(spec.path("ports") instanceof ArrayNode ports)) {
            return;
        }
        for (JsonNode p : ports) {
            if (!(p instanceof ObjectNode port)) {
                continue;
            }
            JsonNode oldPort = matchingPort(oldSpec.path("ports"), port);
            int oldNodePort = oldPort == null ? 0 : oldPort.path("nodePort").asInt(0);
            int newNodePort = port.path("nodePort").asInt(0);
            if (newHasNodePorts && newNodePort == 0 && oldNodePort > 0) {
                port.put("nodePort", oldNodePort);
            } else if (!newHasNodePorts && newNodePort == oldNodePort) {
                port.remove("nodePort");
            }
        }
    }

    /**
     * The old port a new one continues: same name, or (unnamed) same port number and protocol; a
     * Service with a single port keeps its NodePort even when the port number changes.
     */
    private static JsonNode matchingPort(JsonNode oldPorts, JsonNode port) {
        String name = port.path("name").asString("");
        if (name.isEmpty() && oldPorts.size() == 1 && oldPorts.get(0).path("name").asString("").isEmpty()) {
            return oldPorts.get(0);
        }
        for (JsonNode old : oldPorts) {
            if (!name.isEmpty() ? name.equals(old.path("name").asString(""))
                    : old.path("port").asInt(-1) == port.path("port").asInt(-2)
                    && old.path("protocol").asString("TCP").equals(port.path("protocol").asString("TCP"))) {
                return old;
            }
        }
        return null;
    }

    /**
     * Fills in {@code next}'s ClusterIP and NodePorts and says which allocation keys change.
     * {@code current} is the stored Service on update, null on create. Throws 422 for requests
     * that cannot be granted, 500 when a range is full.
     */
    public Assignment assign(ObjectNode current, ObjectNode next, Taken taken) {
        ObjectNode spec = next.get("spec") instanceof ObjectNode s ? s : next.putObject("spec");
        String name = next.path("metadata").path("name").asString("");
        String type = spec.path("type").asString("ClusterIP");
        Held old = held(current);
        FieldErrors errs = new FieldErrors();

        String requestedIp = spec.path("clusterIP").asString("");
        boolean headless = "None".equals(requestedIp);
        String ip = null;
        if (current != null) {
            String oldIp = current.path("spec").path("clusterIP").asString("");
            String oldType = current.path("spec").path("type").asString("ClusterIP");
            boolean externalName = "ExternalName".equals(type) || "ExternalName".equals(oldType);
            if (!externalName && !oldIp.isEmpty() && !requestedIp.equals(oldIp)) {
                errs.invalid("spec.clusterIP", requestedIp, "field is immutable");
            }
        }
        if (!"ExternalName".equals(type) && !headless) {
            if (requestedIp.isEmpty()) {
                ip = old.clusterIP();
            } else if (ServiceIpRange.toLong(requestedIp) < 0) {
                errs.invalid("spec.clusterIP", requestedIp, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
            } else if (!ipRange.contains(requestedIp)) {
                errs.invalid("spec.clusterIP", requestedIp, "provided IP is not in the valid range. The range of valid IPs is " + ipRange);
            } else if (!requestedIp.equals(old.clusterIP()) && taken.ips().contains(requestedIp)) {
                errs.invalid("spec.clusterIP", requestedIp, "provided IP is already allocated");
            } else {
                ip = requestedIp;
            }
        }

        boolean wantsNodePorts = NODE_PORT_TYPES.contains(type);
        if (wantsNodePorts && headless) {
            errs.invalid("spec.clusterIP", "None", "may not be set to 'None' for " + type + " services");
        }
        List<JsonNode> ports = spec.path("ports") instanceof ArrayNode a ? a.valueStream().toList() : List.of();
        Set<Integer> nodePorts = new LinkedHashSet<>();
        // requested ports first, so a random pick never takes a port requested further down the list
        for (int i = 0; i < ports.size() && wantsNodePorts; i++) {
            int np = ports.get(i).path("nodePort").asInt(0);
            String field = "spec.ports[" + i + "].nodePort";
            if (np == 0) {
                continue;
            }
            if (!portRange.contains(np)) {
                errs.invalid(field, np, "provided port is not in the valid range. The range of valid ports is " + portRange);
            } else if (!nodePorts.add(np)) {
                errs.duplicate(field, np);
            } else if (!old.nodePorts().contains(np) && taken.nodePorts().contains(np)) {
                errs.invalid(field, np, "provided port is already allocated");
            }
        }
        if (!errs.isEmpty()) {
            throw ApiError.invalid("", "Service", name, errs.causes());
        }

        if (ip == null && !"ExternalName".equals(type) && !headless) {
            ip = pickIp(taken.ips());
        }
        if (ip != null) {
            spec.put("clusterIP", ip);
            spec.putArray("clusterIPs").add(ip);
        } else if (headless) {
            spec.putArray("clusterIPs").add("None");
        }
        if (!"ExternalName".equals(type)) {
            if (!spec.has("ipFamilies") || spec.path("ipFamilies").isEmpty()) {
                spec.putArray("ipFamilies").add("IPv4");
            }
            if (!spec.has("ipFamilyPolicy")) {
                spec.put("ipFamilyPolicy", "SingleStack");
            }
        }
        for (JsonNode p : ports) {
            if (wantsNodePorts && p instanceof ObjectNode port && port.path("nodePort").asInt(0) == 0) {
                int np = pickPort(taken.nodePorts(), nodePorts);
                nodePorts.add(np);
                port.put("nodePort", np);
            }
        }

        Set<String> allocateIps = new HashSet<>();
        Set<String> releaseIps = new HashSet<>();
        if (ip != null && !ip.equals(old.clusterIP())) {
            allocateIps.add(ip);
        }
        if (old.clusterIP() != null && !old.clusterIP().equals(ip)) {
            releaseIps.add(old.clusterIP());
        }
        Set<Integer> allocatePorts = new HashSet<>(nodePorts);
        allocatePorts.removeAll(old.nodePorts());
        Set<Integer> releasePorts = new HashSet<>(old.nodePorts());
        releasePorts.removeAll(nodePorts);
        return new Assignment(allocateIps, allocatePorts, releaseIps, releasePorts);
    }

    /** A free address: a random start, then the next free one, so a nearly full range still works. */
    private String pickIp(Set<String> taken) {
        long size = ipRange.size();
        long start = random.nextLong(size);
        for (long i = 0; i < Math.min(size, (long) taken.size() + 1); i++) {
            String ip = ipRange.ipAt((start + i) % size);
            if (!taken.contains(ip)) {
                return ip;
            }
        }
        throw ApiError.internal("failed to allocate a serviceIP: range " + ipRange + " is full");
    }

    private int pickPort(Set<Integer> taken, Set<Integer> mine) {
        int size = portRange.size();
        int start = random.nextInt(size);
        for (int i = 0; i < size; i++) {
            int port = portRange.first() + (start + i) % size;
            if (!taken.contains(port) && !mine.contains(port)) {
                return port;
            }
        }
        throw ApiError.internal("failed to allocate a nodePort: range " + portRange + " is full");
    }
}
