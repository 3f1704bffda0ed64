package io.kube4j.apiserver.registry;

import io.kube4j.api.ResourceType;
import tools.jackson.databind.node.ObjectNode;

/**
 * An admission plugin as the registry calls it, after defaults and validation and before the write
 * (Kubernetes' validating admission: the {@code createValidation}/{@code updateValidation} functions a
 * handler passes to the store). A denial throws an {@link io.kube4j.apiserver.errors.ApiError} (403 or
 * 422 with the plugin's reason) and nothing is stored. Plugins live in the {@code admission} package.
 */
public interface Admission {
    /** What is being admitted. {@code old} is null on create. */
    record Attributes(Operation operation, ResourceType type, String namespace, String name, ObjectNode object, ObjectNode old) {
    }

    /** The write being admitted. */
    enum Operation { CREATE, UPDATE }

    /** Throws to deny; must not change the object. */
    void validate(Attributes attributes);
}
