package io.kube4j.controllermanager.podautoscaler;

import io.kube4j.api.Scale;

/**
 * The scale subresource of whatever an HPA targets ({@code scaleTargetRef}: Deployment, ReplicaSet,
 * StatefulSet, ReplicationController...). Kubernetes: client-go's {@code scale.ScalesGetter}.
 */
public interface ScaleClient {
    /** GET {@code .../{name}/scale} of the kind named by {@code apiVersion} and {@code kind}; throws {@link ScaleException}. */
    Scale get(String apiVersion, String kind, String namespace, String name);

    /** Sets {@code spec.replicas} through the scale subresource; throws {@link ScaleException}. */
    Scale update(String apiVersion, String kind, String namespace, String name, int replicas);

    /** The scale could not be read or written; the message is the API's. */
    class ScaleException extends RuntimeException {
        public ScaleException(String message) {
            super(message);
        }
    }
}
