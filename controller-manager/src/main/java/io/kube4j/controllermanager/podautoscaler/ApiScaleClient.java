package io.kube4j.controllermanager.podautoscaler;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.Scale;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;

/**
 * {@link ScaleClient} over the apiserver: the kind is found by group and kind among the served resources
 * (Kubernetes' RESTMapper), then its {@code scale} subresource is read or merge-patched.
 */
public final class ApiScaleClient implements ScaleClient {
    private final ApiClient client;

    public ApiScaleClient(ApiClient client) {
        this.client = client;
    }

    @Override
    public Scale get(String apiVersion, String kind, String namespace, String name) {
        ResourceType rt = resource(apiVersion, kind);
        try {
            return client.getScale(rt.type(), namespace, name);
        } catch (ApiException e) {
            throw new ScaleException(e.getMessage());
        }
    }

    @Override
    public Scale update(String apiVersion, String kind, String namespace, String name, int replicas) {
        ResourceType rt = resource(apiVersion, kind);
        try {
            return client.updateScale(rt.type(), namespace, name, replicas);
        } catch (ApiException e) {
            throw new ScaleException(e.getMessage());
        }
    }

    /** The served resource of {@code kind} in the group of {@code apiVersion}; the RESTMapper's message when none. */
    static ResourceType resource(String apiVersion, String kind) {
        String group = apiVersion == null || !apiVersion.contains("/") ? "" : apiVersion.substring(0, apiVersion.indexOf('/'));
        for (ResourceType rt : ResourceTypes.ALL) {
            if (rt.group().equals(group) && rt.kind().equals(kind)) {
                return rt;
            }
        }
        throw new ScaleException("no matches for kind \"" + kind + "\" in group \"" + group + "\"");
    }
}
