package io.kube4j.controllermanager.runtime;

import io.kube4j.api.KubeObject;
import io.kube4j.client.ApiException;

import java.util.Objects;
import java.util.Optional;

/**
 * Status writes for kinds whose {@code /status} subresource the apiserver may not serve yet. Kubernetes
 * serves {@code jobs/status} and {@code cronjobs/status}; kube4j's apiserver serves Jobs and CronJobs
 * through its generic strategy, which has no status subresource and answers 404 there, while a write of
 * the main resource keeps the status it carries. So: PUT /status first; on 404, if the object is still
 * there (same uid), PUT the main resource instead. Once the apiserver serves the subresource the
 * fallback is never taken.
 */
public final class StatusWrites {
    private StatusWrites() {
    }

    /** {@code obj}'s status written through /status, or through the main resource where /status is not served. */
    @SuppressWarnings("unchecked")
    public static <T extends KubeObject> T updateStatus(ControllerClient client, T obj) {
        try {
            return client.updateStatus(obj);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            Optional<T> live = client.find((Class<T>) obj.getClass(), obj.metadata.namespace, obj.metadata.name);
            if (live.isEmpty() || !Objects.equals(live.get().metadata.uid, obj.metadata.uid)) {
                // the object itself is gone: that 404 stands
                throw e;
            }
            return client.update(obj);
        }
    }
}
