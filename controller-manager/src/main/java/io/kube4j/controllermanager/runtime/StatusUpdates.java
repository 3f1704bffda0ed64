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
