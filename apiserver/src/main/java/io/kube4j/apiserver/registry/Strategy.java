package io.kube4j.apiserver.registry;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Set;

/**
 * What one kind adds to the generic {@link Registry}: its scope and type, defaults, validation, what
 * counts as a spec change, how its status is reset on create, how it is deleted, its field labels and
 * subresources. The registry itself knows no kind. Defaults here serve a kind with no special rules
 * (ConfigMap-like objects), so a kind with no rules needs only {@link #type()}.
 *
 * <p>Kubernetes' counterpart: {@code RESTCreateStrategy}, {@code RESTUpdateStrategy},
 * {@code RESTDeleteStrategy} in {@code staging/src/k8s.io/apiserver/pkg/registry/rest/} and e.g.
 * {@code pkg/registry/core/pod/strategy.go}.
 */
public interface Strategy {
    /** The field labels every kind supports (Kubernetes' DefaultClusterScopedAttr / DefaultNamespaceScopedAttr). */
    Set<String> METADATA_FIELD_LABELS = Set.of("metadata.name", "metadata.namespace");

    /** The resource this strategy serves. */
    ResourceType type();

    /**
     * Whether status is written only through {@code /status}: then a write of the main resource keeps
     * the stored status, and create resets it ({@link #prepareForCreate}).
     */
    default boolean hasStatusSubresource() {
        return false;
    }

    /** PrepareForCreate: clears what a client may not set on create (by default: the status, when it has a subresource). */
    default void prepareForCreate(ObjectNode obj) {
        if (hasStatusSubresource()) {
            obj.putObject("status");
        }
    }

    /**
     * The part of PrepareForCreate that needs the decoded, defaulted object (a pod's QoS class): called on
     * create with the typed view after {@link #applyDefaults} and before mutating admission; what it sets
     * there is laid over the stored tree with the rest of the typed view. The registry decodes a create's
     * body once, so this is where such a strategy reads it rather than decoding the tree again.
     */
    default void prepareDefaultedForCreate(KubeObject defaulted) {
    }

    /** The rule for {@code metadata.name}. */
    default Validation.NameRule nameRule() {
        return Validation.NameRule.SUBDOMAIN;
    }

    /** Applies the kind's defaults to the typed object, in place. */
    default void applyDefaults(KubeObject obj) {
    }

    /**
     * Drops what the kind's schema does not know from an incoming object, before field ownership and the
     * spec comparison see it, as Kubernetes' custom resource decoder prunes on decoding (so a patch that
     * only adds a pruned field changes nothing, and managedFields never name a pruned field). Built-in
     * kinds keep unknown fields verbatim: nothing to do.
     */
    default void pruneUnknownFields(ObjectNode obj) {
    }

    /**
     * Removes from the stored tree what the kind never stores although a client may send it (a Secret's
     * write-only stringData): the typed view's defaults are laid over the request's tree, which alone
     * cannot delete a field.
     */
    default void canonicalize(ObjectNode stored) {
    }

    /** Validate on create: adds one error per invalid field (metadata is checked by the registry). */
    default void validate(KubeObject obj, FieldErrors errs) {
    }

    /** ValidateUpdate: {@link #validate} has run on {@code obj}; adds what may not change from {@code old}. */
    default void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
    }

    /**
     * The ephemeral-containers strategy's ValidateUpdate (pods only): {@code obj} is the current object with the
     * proposed {@code spec.ephemeralContainers}, defaulted. Refuses everything by default.
     */
    default void validateEphemeralContainersUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        errs.forbidden("spec.ephemeralContainers", "not supported by " + type().resource());
    }

    /**
     * The status strategy's ValidateUpdate: what a write of the status subresource may not do, {@code obj} being
     * the current object with the proposed status. Nothing by default.
     */
    default void validateStatusUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
    }

    /**
     * A write through {@code /status}: {@code next} is the stored object with the new status; the kind may
     * normalise it in place and add what is invalid (custom resources prune, default and validate it
     * against their schema). By default status writes are not validated.
     */
    default void prepareStatusUpdate(ObjectNode next, ObjectNode current, FieldErrors errs) {
    }

    /**
     * PrepareForUpdate of a main-resource write, before defaults and validation: the kind may reset what such a write
     * may not change ({@code next} is the proposal, with the stored status already kept when the kind has a status
     * subresource; {@code current} is the stored object). Nothing by default.
     */
    default void prepareForUpdate(ObjectNode next, ObjectNode current) {
    }

    /**
     * A write through the {@code approval} subresource (CertificateSigningRequests): {@code next} is the stored object
     * with the proposed {@code status.conditions}; the kind fills it in and adds what is invalid. Only kinds that list
     * {@code approval} in {@link #subresources()} get here; refused otherwise.
     */
    default void prepareApprovalUpdate(ObjectNode next, ObjectNode current, FieldErrors errs) {
        errs.forbidden("status.conditions", "approval is not served for " + type().resource());
    }

    /**
     * Whether the kind keeps {@code metadata.generation}: its PrepareForCreate sets it to 1 and its PrepareForUpdate
     * adds one when {@link #specOf} changes. A kind that does not (Pods, ConfigMaps, Services... in Kubernetes 1.32)
     * stores whatever the create sent (usually nothing, so the field is absent) and an update keeps the stored value
     * (the generic BeforeUpdate, {@code staging/src/k8s.io/apiserver/pkg/registry/rest/update.go}). False by default;
     * each kind's {@code pkg/registry/<group>/<kind>/strategy.go} says which.
     */
    default boolean tracksGeneration() {
        return false;
    }

    /**
     * What counts as the spec for {@code metadata.generation} (asked only when {@link #tracksGeneration()}): {@code spec},
     * or for kinds without one everything but metadata and status.
     */
    default JsonNode specOf(ObjectNode obj) {
        if (obj.has("spec")) {
            return obj.get("spec");
        }
        ObjectNode rest = obj.deepCopy();
        rest.remove("metadata");
        rest.remove("status");
        return rest;
    }

    /**
     * The field labels the kind supports in field selectors (Kubernetes' field label conversion
     * functions; the default, DefaultMetaV1FieldSelectorConversion, supports only metadata.name and
     * metadata.namespace).
     */
    default Set<String> fieldLabels() {
        return METADATA_FIELD_LABELS;
    }

    /** The message of the 400 for an unsupported field label, worded as the kind's conversion function words it. */
    default String unsupportedFieldLabel(String label) {
        return "\"" + label + "\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"";
    }

    /** The wording of core/v1's conversion functions (Pod, Node, ReplicationController, Event, Namespace, Secret, Service). */
    static String coreUnsupportedFieldLabel(String label) {
        return "field label not supported: " + label;
    }

    /** {@link #METADATA_FIELD_LABELS} plus {@code more}. */
    static Set<String> withMetadata(String... more) {
        Set<String> all = new java.util.HashSet<>(METADATA_FIELD_LABELS);
        all.addAll(List.of(more));
        return Set.copyOf(all);
    }

    /** Refuses deletion of objects the cluster cannot do without (403), e.g. system namespaces. */
    default void checkDelete(String name) {
    }

    /** The grace period of a delete in seconds: 0 removes the object as soon as no finalizer holds it. */
    default long gracePeriodSeconds(ObjectNode obj, DeleteOptions options) {
        return 0;
    }

    /** Changes the kind makes when an object is first marked for deletion (e.g. phase Terminating); true if any. */
    default boolean markTerminating(ObjectNode obj) {
        return false;
    }

    /** Whether something other than metadata.finalizers still holds a marked object (a pod's grace period, a namespace's spec.finalizers). */
    default boolean deletionHeld(ObjectNode obj) {
        return false;
    }

    /** How objects of the kind are written to storage (Services also write their address allocations). */
    default ObjectStore store(ObjectStore plain) {
        return plain;
    }

    /** The subresources served for the kind, besides status (served when {@link #hasStatusSubresource()}). */
    default List<String> subresources() {
        return List.of();
    }
}
