package io.kube4j.controllermanager.runtime;

import io.kube4j.api.KubeObject;
import io.kube4j.client.ApiException;

/**
 * Writes an object's status. Through {@code /status} as Kubernetes' controllers do; a kind the
 * apiserver serves without a status subresource (kube4j's generic strategy, like a CustomResource
 * without {@code subresources.status}) answers 404 there and keeps status in the main resource, so the
 * write goes there instead, with the same resourceVersion precondition.
 */
public final class StatusUpdates {
    private StatusUpdates() {
    }

    /**
     * Applies {@code status} to a copy of {@code cached} and writes it; on a 409 Conflict (our cache lags
     * behind the object, often behind our own last write) applies it once more to a live GET and writes
     * again, as Kubernetes' DaemonSet controller does (storeDaemonSetStatus, StatusUpdateRetries = 1).
     * A second conflict is thrown: the sync is retried with back-off.
     */
    public static <T extends KubeObject> T updateStatus(ControllerClient client, T cached, Class<T> type, java.util.function.Consumer<T> status) {
        T next = io.kube4j.json.Json.copy(cached);
        status.accept(next);
        try {
            return updateStatus(client, next);
        } catch (ApiException e) {
            if (!e.isConflict()) {
                throw e;
            }
            T live = client.find(type, cached.metadata.namespace, cached.metadata.name).orElse(null);
            if (live == null) {
                return null;
            }
            status.accept(live);
            return updateStatus(client, live);
        }
    }

    /** PUT {@code obj}'s status; 409 Conflict when it changed meanwhile, 404 when it is gone. */
    public static <T extends KubeObject> T updateStatus(ControllerClient client, T obj) {
        try {
            return client.updateStatus(obj);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            // no status subresource for this kind (or the object is gone: then this 404s too)
            return client.update(obj);
        }
    }
}
