package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An EndpointSlice (discovery.k8s.io/v1): a slice of a Service's endpoints of one address type. */
public class EndpointSlice extends KubeObject {
    /** The label naming the Service a slice belongs to ({@code discovery.LabelServiceName}). */
    public static final String LABEL_SERVICE_NAME = "kubernetes.io/service-name";
    /** The label naming the controller or entity that manages a slice ({@code discovery.LabelManagedBy}). */
    public static final String LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by";

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

    /**
     * A port of every endpoint in the slice. {@code name} is written even when empty: Kubernetes'
     * controllers always set the pointer, and kubectl 1.32's {@code describe service} dereferences it.
     */
    public static class EndpointPort {
        @JsonInclude(JsonInclude.Include.NON_NULL)
        public String name;
        public String protocol;
        public Integer port;
        public String appProtocol;
    }
}
