package io.kube4j.apiserver.crd;

import io.kube4j.api.KubeObject;

/**
 * The Java type of every custom resource: apiVersion, kind and metadata typed, everything else kept
 * verbatim in {@link #unknownFields} (Kubernetes' {@code unstructured.Unstructured}). The registry's
 * typed round trip (metadata validation) then works for custom resources as for built-in kinds.
 */
public class UnstructuredObject extends KubeObject {
    public UnstructuredObject() {
        super(null, null);
    }
}
