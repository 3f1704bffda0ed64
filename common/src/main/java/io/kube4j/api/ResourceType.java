package io.kube4j.api;

import java.util.List;

/**
 * One REST resource: where it lives ({@code /api/v1} or {@code /apis/group/version}), its kind and
 * Java type, and whether it is namespaced. Shared by the apiserver (routing, storage keys) and
 * clients (URLs). {@code listKind} is the kind of its lists: {@code <Kind>List} for the built-in kinds,
 * a CustomResourceDefinition's {@code spec.names.listKind} for a custom resource.
 */
public record ResourceType(
        String group,
        String version,
        String resource,
        String singular,
        String kind,
        boolean namespaced,
        Class<? extends KubeObject> type,
        List<String> shortNames,
        List<String> categories,
        String listKind) {

    /** A resource whose lists are of kind {@code <kind>List}, as for every built-in kind. */
    public ResourceType(String group, String version, String resource, String singular, String kind, boolean namespaced,
                        Class<? extends KubeObject> type, List<String> shortNames, List<String> categories) {
        this(group, version, resource, singular, kind, namespaced, type, shortNames, categories, kind + "List");
    }

    /** {@code v1} for the core group, {@code apps/v1} otherwise. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** The path prefix of the group-version: {@code /api/v1} or {@code /apis/apps/v1}. */
    public String groupVersionPath() {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    /** The collection path, in a namespace or (null) across all of them. */
    public String collectionPath(String namespace) {
        if (namespaced && namespace != null && !namespace.isEmpty()) {
            return groupVersionPath() + "/namespaces/" + namespace + "/" + resource;
        }
        return groupVersionPath() + "/" + resource;
    }

    /** The path of one object. */
    public String objectPath(String namespace, String name) {
        return collectionPath(namespaced ? namespace : null) + "/" + name;
    }
}
