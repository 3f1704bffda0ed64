package io.kube4j.controllermanager.runtime;

import io.kube4j.api.ObjectMeta;
import io.kube4j.api.ResourceType;

import java.util.List;

/**
 * One resource as the apiserver's discovery names it ({@code /apis/<group>/<version>}'s
 * APIResourceList): group, version, plural resource name, kind, scope and verbs. Used for what has no
 * Java class here (custom resources), handled as untyped JSON.
 *
 * @param group    the API group, e.g. {@code example.com} ({@code ""} for the core group)
 * @param version  the served (preferred) version, e.g. {@code v1}
 * @param resource the plural, e.g. {@code widgets}
 * @param kind     e.g. {@code Widget}
 * @param verbs    e.g. {@code [get, list, watch, create, update, patch, delete, deletecollection]}
 */
public record ApiResource(String group, String version, String resource, String kind, boolean namespaced, List<String> verbs) {

    /** {@code <resource>.<group>}, Kubernetes' GroupResource string: the id of the resource here. */
    public String groupResource() {
        return resource + "." + group;
    }

    /** {@code group/version}, or {@code version} for the core group. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** The collection's path, in {@code namespace} (null: all namespaces, or cluster-scoped). */
    public String collectionPath(String namespace) {
        String base = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        return namespaced && namespace != null ? base + "/namespaces/" + namespace + "/" + resource : base + "/" + resource;
    }

    /** One object's path. */
    public String objectPath(String namespace, String name) {
        return collectionPath(namespaced ? namespace : null) + "/" + name;
    }

    /** Whether discovery lists {@code verb} for it. */
    public boolean supports(String verb) {
        return verbs.contains(verb);
    }

    /** {@code namespace/name} (or {@code name}) of one of its objects. */
    public String keyOf(String namespace, String name) {
        return ObjectMeta.key(namespaced ? namespace : null, name);
    }

    /** As a {@link ResourceType} for the informer: objects read as untyped {@link CustomObject}s. */
    public ResourceType toResourceType() {
        return new ResourceType(group, version, resource, "", kind, namespaced, CustomObject.class, List.of(), List.of());
    }
}
