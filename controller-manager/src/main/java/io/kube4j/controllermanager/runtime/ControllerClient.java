package io.kube4j.controllermanager.runtime;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.KubeObject;
import io.kube4j.api.Namespace;

import java.util.List;
import java.util.Optional;

/**
 * Everything a controller does to the cluster besides reading its informer caches: writes, the
 * few live reads that must not trust a lagging cache, and Events. Small on purpose, so a test can
 * record the actions of a reconcile and compare them with the expected ones.
 */
public interface ControllerClient {
    <T extends KubeObject> T create(T obj);

    /** PUT with the object's resourceVersion: 409 Conflict when the object changed meanwhile. */
    <T extends KubeObject> T update(T obj);

    <T extends KubeObject> T updateStatus(T obj);

    /** A JSON merge patch (RFC 7386) of the main resource. */
    <T extends KubeObject> T mergePatch(Class<T> type, String namespace, String name, String patch);

    /**
     * A strategic merge patch of the main resource, for its directives: the Job controller removes its
     * pod finalizer with {@code $deleteFromPrimitiveList/finalizers}, so a concurrent change to other
     * finalizers is never overwritten (Kubernetes' {@code removeTrackingFinalizerPatch}).
     */
    <T extends KubeObject> T strategicMergePatch(Class<T> type, String namespace, String name, String patch);

    void delete(Class<? extends KubeObject> type, String namespace, String name, DeleteOptions options);

    /** A live GET, for when a cache miss must be confirmed before acting on it. */
    <T extends KubeObject> Optional<T> find(Class<T> type, String namespace, String name);

    /** A live LIST of a namespace. */
    <T extends KubeObject> List<T> list(Class<T> type, String namespace);

    /** PUT namespaces/{name}/finalize with the namespace's (reduced) spec.finalizers. */
    Namespace finalizeNamespace(Namespace namespace);

    /**
     * A live LIST of the objects of a resource without a Java class (a custom resource) in
     * {@code namespace} (null: all). Untyped: everything but metadata stays JSON.
     */
    default List<CustomObject> list(ApiResource resource, String namespace) {
        throw new UnsupportedOperationException("untyped resources");
    }

    /** A live GET of an object of a resource without a Java class. */
    default Optional<CustomObject> find(ApiResource resource, String namespace, String name) {
        throw new UnsupportedOperationException("untyped resources");
    }

    /** PUT of an object of a resource without a Java class ({@link CustomObject#resource}), with its resourceVersion. */
    default CustomObject updateCustom(CustomObject obj) {
        throw new UnsupportedOperationException("untyped resources");
    }

    /** A JSON merge patch of an object of a resource without a Java class. */
    default void mergePatch(ApiResource resource, String namespace, String name, String patch) {
        throw new UnsupportedOperationException("untyped resources");
    }

    /** DELETE of an object of a resource without a Java class. */
    default void delete(ApiResource resource, String namespace, String name, DeleteOptions options) {
        throw new UnsupportedOperationException("untyped resources");
    }

    /**
     * PUT of a subresource that takes the whole object and changes only its part of it, e.g. a CertificateSigningRequest's
     * {@code approval} (conditions Approved/Denied) with the object's resourceVersion.
     */
    default <T extends KubeObject> T updateSubresource(T obj, String subresource) {
        throw new UnsupportedOperationException("subresource " + subresource);
    }

    /**
     * Creates a SubjectAccessReview and answers its {@code status.allowed}; throws (transient) when the apiserver cannot be
     * asked.
     */
    default boolean subjectAccessReview(SubjectAccess access) {
        throw new UnsupportedOperationException("SubjectAccessReview");
    }

    /** Records an Event about {@code about}; best effort, never fails the caller. */
    void event(KubeObject about, String type, String reason, String message);

    /** A Normal event. */
    default void normalEvent(KubeObject about, String reason, String message) {
        event(about, "Normal", reason, message);
    }

    /** A Warning event. */
    default void warningEvent(KubeObject about, String reason, String message) {
        event(about, "Warning", reason, message);
    }
}
