package io.kube4j.apiserver.registry;

import io.kube4j.api.ResourceType;
import tools.jackson.databind.node.ObjectNode;

/**
 * An admission plugin as the registry calls it, in Kubernetes' order: {@link #admit} (mutating) after the
 * kind's defaults and before its validation, {@link #validate} after validation and before the write
 * (the {@code createValidation}/{@code updateValidation} functions a Kubernetes handler passes to the
 * store). Plugins run in {@link org.springframework.core.annotation.Order} order. A denial throws an
 * {@link io.kube4j.apiserver.errors.ApiError} (403 or 422 with the plugin's reason) and nothing is
 * stored. Status writes are not admitted. Plugins live in the {@code admission} package.
 */
public interface Admission {
    /**
     * What is being admitted. {@code old} is null on create; {@code object} is null on delete.
     * {@code subresource} is "" for the main resource, else e.g. {@code status}, {@code eviction},
     * {@code token} (only {@link #validateSubresourceOrDelete} sees a non-empty one).
     */
    record Attributes(Operation operation, ResourceType type, String namespace, String name, ObjectNode object, ObjectNode old, String subresource) {
        /** A write of the main resource. */
        public Attributes(Operation operation, ResourceType type, String namespace, String name, ObjectNode object, ObjectNode old) {
            this(operation, type, namespace, name, object, old, "");
        }
    }

    /** The request being admitted (Kubernetes' admission.Operation; DELETE only reaches {@link #validateSubresourceOrDelete}). */
    enum Operation { CREATE, UPDATE, DELETE }

    /** Mutating admission: may change the typed, defaulted object ({@code attributes.object()} is the request's tree). */
    default void admit(Attributes attributes, io.kube4j.api.KubeObject obj) {
    }

    /** Validating admission: throws to deny; must not change the object. */
    default void validate(Attributes attributes) {
    }

    /**
     * Validating admission of the requests Kubernetes admits that {@link #validate} does not see: a DELETE
     * (object null, old the object being deleted, checked before anything changes), a status or
     * ephemeralcontainers update (old and proposed object), and the creates of the {@code pods/eviction}
     * (object the Eviction) and {@code serviceaccounts/token} (object the TokenRequest) subresources.
     * Kubernetes' other plugins kube4j has return early for all of these, so only the plugins that act on
     * them (NodeRestriction) implement it. Throws to deny.
     */
    default void validateSubresourceOrDelete(Attributes attributes) {
    }

    /**
     * A delete of {@code name} was requested (before it runs; no object and no denial), as Kubernetes'
     * plugins see admission.Delete: NamespaceLifecycle notes a namespace being deleted.
     */
    default void deleting(ResourceType type, String namespace, String name) {
    }
}
