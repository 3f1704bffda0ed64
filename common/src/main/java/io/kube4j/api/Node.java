package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.kube4j.quantity.Quantity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A Node: a machine (or hollow machine) a kubelet runs pods on. */
public class Node extends KubeObject {
    public NodeSpec spec = new NodeSpec();
    public NodeStatus status = new NodeStatus();

    public Node() {
        super("v1", "Node");
    }

    /** Taints and whether new pods may be scheduled. */
    public static class NodeSpec {
        public String podCIDR;
        public List<String> podCIDRs = new ArrayList<>();
        public String providerID;
        public Boolean unschedulable;
        public List<Taint> taints = new ArrayList<>();
    }

    /** What the kubelet reports about its node. */
    public static class NodeStatus {
        public Map<String, Quantity> capacity = new LinkedHashMap<>();
        public Map<String, Quantity> allocatable = new LinkedHashMap<>();
        public String phase;
        public List<NodeCondition> conditions = new ArrayList<>();
        public List<NodeAddress> addresses = new ArrayList<>();
        public DaemonEndpoints daemonEndpoints;
        public NodeSystemInfo nodeInfo;

        /** The condition of the given type, or null. */
        public NodeCondition condition(String type) {
            for (NodeCondition c : conditions) {
                if (type.equals(c.type)) {
                    return c;
                }
            }
            return null;
        }

        /** The first address of the given type (InternalIP, Hostname), or null. */
        public String address(String type) {
            for (NodeAddress a : addresses) {
                if (type.equals(a.type)) {
                    return a.address;
                }
            }
            return null;
        }
    }

    /** Ready, MemoryPressure, ... */
    public static class NodeCondition {
        public String type;
        public String status;
        public String lastHeartbeatTime;
        public String lastTransitionTime;
        public String reason;
        public String message;
    }

    /** InternalIP, Hostname, ... */
    public static class NodeAddress {
        public String type;
        public String address;

        public NodeAddress() {
        }

        public NodeAddress(String type, String address) {
            this.type = type;
            this.address = address;
        }
    }

    /** Where the kubelet's own endpoint listens. */
    public static class DaemonEndpoints {
        public Endpoint kubeletEndpoint;

        /** A port. */
        public static class Endpoint {
            @com.fasterxml.jackson.annotation.JsonProperty("Port")
            public int port;
        }
    }

    /**
     * Versions and OS of the node. Every field is always sent, "" when unknown: none of Kubernetes'
     * NodeSystemInfo fields has omitempty, and strict clients (client-java) require them all.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public static class NodeSystemInfo {
        public String machineID = "";
        public String systemUUID = "";
        public String bootID = "";
        public String kernelVersion = "";
        public String osImage = "";
        public String containerRuntimeVersion = "";
        public String kubeletVersion = "";
        public String kubeProxyVersion = "";
        public String operatingSystem = "";
        public String architecture = "";
    }
}
