package io.kube4j.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An EndpointSlice (discovery.k8s.io/v1): a slice of a Service's endpoints of one address type. */
public class EndpointSlice extends KubeObject {
    public String addressType;
    public List<Endpoint> endpoints = new ArrayList<>();
    public List<EndpointPort> ports = new ArrayList<>();

    public EndpointSlice() {
        super("discovery.k8s.io/v1", "EndpointSlice");
    }

    /** One backend: its addresses, readiness and where it runs. */
    public static class Endpoint {
        public List<String> addresses = new ArrayList<>();
        public EndpointConditions conditions;
        public String hostname;
        public ObjectReference targetRef;
        /** Deprecated; replaced by nodeName and zone. */
        public Map<String, String> deprecatedTopology = new LinkedHashMap<>();
        public String nodeName;
        public String zone;
        public EndpointHints hints;
    }

    /** ready, serving and terminating. */
    public static class EndpointConditions {
        public Boolean ready;
        public Boolean serving;
        public Boolean terminating;
    }

    /** Topology hints: the zones that should consume this endpoint. */
    public static class EndpointHints {
        public List<ForZone> forZones = new ArrayList<>();
    }

    /** A zone by name. */
    public static class ForZone {
        public String name;
    }

    /** A port of every endpoint in the slice. */
    public static class EndpointPort {
        /** A pointer in Kubernetes, defaulted to "" and then written even when empty (kubectl dereferences it). */
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        public String name;
        public String protocol;
        public Integer port;
        public String appProtocol;
    }
}
