package io.kube4j.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every resource kube4j serves. */
public final class ResourceTypes {
    public static final ResourceType NAMESPACES = core("namespaces", "namespace", "Namespace", false, Namespace.class, List.of("ns"), List.of());
    public static final ResourceType NODES = core("nodes", "node", "Node", false, Node.class, List.of("no"), List.of());
    public static final ResourceType PODS = core("pods", "pod", "Pod", true, Pod.class, List.of("po"), List.of("all"));
    public static final ResourceType SERVICES = core("services", "service", "Service", true, Service.class, List.of("svc"), List.of("all"));
    public static final ResourceType ENDPOINTS = core("endpoints", "endpoints", "Endpoints", true, Endpoints.class, List.of("ep"), List.of());
    public static final ResourceType EVENTS = core("events", "event", "Event", true, Event.class, List.of("ev"), List.of());
    public static final ResourceType REPLICASETS = new ResourceType("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, ReplicaSet.class, List.of("rs"), List.of("all"));
    public static final ResourceType DEPLOYMENTS = new ResourceType("apps", "v1", "deployments", "deployment", "Deployment", true, Deployment.class, List.of("deploy"), List.of("all"));
    public static final ResourceType LEASES = new ResourceType("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, Lease.class, List.of(), List.of());

    public static final List<ResourceType> ALL = List.of(NAMESPACES, NODES, PODS, SERVICES, ENDPOINTS, EVENTS, REPLICASETS, DEPLOYMENTS, LEASES);

    private static final Map<String, ResourceType> BY_RESOURCE = ALL.stream().collect(Collectors.toMap(ResourceType::resource, Function.identity()));
    private static final Map<Class<?>, ResourceType> BY_CLASS = ALL.stream().collect(Collectors.toMap(ResourceType::type, Function.identity()));

    private ResourceTypes() {
    }

    private static ResourceType core(String resource, String singular, String kind, boolean namespaced, Class<? extends KubeObject> type, List<String> shortNames, List<String> categories) {
        return new ResourceType("", "v1", resource, singular, kind, namespaced, type, shortNames, categories);
    }

    /** The resource with this plural name (resource names are unique across kube4j's groups). */
    public static Optional<ResourceType> byResource(String resource) {
        return Optional.ofNullable(BY_RESOURCE.get(resource));
    }

    /** The resource whose Java type is {@code type}. */
    public static ResourceType of(Class<? extends KubeObject> type) {
        ResourceType rt = BY_CLASS.get(type);
        if (rt == null) {
            throw new IllegalArgumentException("not a served resource type: " + type.getName());
        }
        return rt;
    }
}
