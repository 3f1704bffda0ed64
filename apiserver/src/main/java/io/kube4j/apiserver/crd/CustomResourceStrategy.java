package io.kube4j.apiserver.crd;

import io.kube4j.api.CustomResourceDefinition;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The strategy of one served version of a custom resource: pruning, defaulting and validation by the
 * version's structural schema; status and scale subresources as the CRD declares them; every write is
 * stored at the CRD's storage version (conversion {@code None} only rewrites apiVersion); generation
 * moves on any change outside metadata (and status, when it has its own subresource); field selectors on
 * metadata and the version's {@code selectableFields}; updates ratcheted against the stored object; schema
 * defaults applied on read ({@link #defaultOnRead}); a deprecated version's warning ({@link #deprecationWarning()}).
 *
 * <p>Kubernetes: {@code apiextensions-apiserver/pkg/registry/customresource/strategy.go}, {@code validator.go}.
 */
public final class CustomResourceStrategy implements Strategy {
    private final ResourceType type;
    private final String storageApiVersion;
    private final StructuralSchema schema;
    private final boolean status;
    private final CustomResourceDefinition.Scale scale;
    private final Set<String> fieldLabels;
    private final List<CustomResourceDefinition.PrinterColumn> columns;
    private final String deprecationWarning;
    /** Whether the schema has a default anywhere (else reads need no defaulting). */
    private final boolean hasDefaults;

    public CustomResourceStrategy(ResourceType type, String storageApiVersion, CustomResourceDefinition.Version version) {
        this(type, storageApiVersion, version, null);
    }

    /**
     * @param deprecationWarning the {@code Warning} every request to this version gets (a deprecated
     *                           version's), null for none; see {@link #deprecationWarning(CustomResourceDefinition.Spec, CustomResourceDefinition.Version)}
     */
    public CustomResourceStrategy(ResourceType type, String storageApiVersion, CustomResourceDefinition.Version version, String deprecationWarning) {
        this.deprecationWarning = deprecationWarning;
        this.type = type;
        this.storageApiVersion = storageApiVersion;
        this.schema = StructuralSchema.of(version.schema == null ? null : version.schema.openAPIV3Schema);
        this.status = version.subresources != null && version.subresources.status != null;
        this.scale = version.subresources == null ? null : version.subresources.scale;
        Set<String> labels = new HashSet<>(METADATA_FIELD_LABELS);
        if (version.selectableFields != null) {
            version.selectableFields.forEach(f -> labels.add(f.jsonPath.startsWith(".") ? f.jsonPath.substring(1) : f.jsonPath));
        }
        this.fieldLabels = Set.copyOf(labels);
        this.columns = version.additionalPrinterColumns == null ? List.of() : List.copyOf(version.additionalPrinterColumns);
        this.hasDefaults = hasDefaults(schema.root());
    }

    @Override
    public ResourceType type() {
        return type;
    }

    /** Generation 1 on create, one more on each change of {@link #specOf} ({@code staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/strategy.go}). */
    @Override
    public boolean tracksGeneration() {
        return true;
    }

    /** The warning of a deprecated version, added to every request to it; null when the version is not deprecated. */
    public String deprecationWarning() {
        return deprecationWarning;
    }

    /**
     * The warning of {@code version} when it is {@code deprecated}: its {@code deprecationWarning}, else
     * Kubernetes' default {@code <group>/<version> <Kind> is deprecated; use <group>/<best> <Kind>}, where
     * the best is the highest-priority served, non-deprecated version above it (none: the sentence ends
     * at "deprecated"). Null for a version that is not deprecated. Kubernetes:
     * {@code customresource_handler.go} defaultDeprecationWarning.
     */
    public static String deprecationWarning(CustomResourceDefinition.Spec spec, CustomResourceDefinition.Version version) {
        if (!Boolean.TRUE.equals(version.deprecated)) {
            return null;
        }
        if (version.deprecationWarning != null) {
            return version.deprecationWarning;
        }
        String msg = spec.group + "/" + version.name + " " + spec.names.kind + " is deprecated";
        String best = null;
        for (CustomResourceDefinition.Version v : spec.versions) {
            if (v.served && !Boolean.TRUE.equals(v.deprecated)
                    && io.kube4j.apiserver.discovery.ServedResources.compareKubeVersions(v.name, version.name) < 0
                    && (best == null || io.kube4j.apiserver.discovery.ServedResources.compareKubeVersions(v.name, best) < 0)) {
                best = v.name;
            }
        }
        return best == null ? msg : msg + "; use " + spec.group + "/" + best + " " + spec.names.kind;
    }

    public StructuralSchema schema() {
        return schema;
    }

    public List<CustomResourceDefinition.PrinterColumn> printerColumns() {
        return columns;
    }

    /** The scale subresource's paths, or null when the CRD declares none. */
    public CustomResourceDefinition.Scale scale() {
        return scale;
    }

    @Override
    public boolean hasStatusSubresource() {
        return status;
    }

    /** Set once the CRD is being deleted: its instances are going, and no new one may be created. */
    private volatile boolean crdTerminating;

    /** The CRD has a deletionTimestamp (customresource_handler.go refuses creates from then on). */
    void crdTerminating() {
        crdTerminating = true;
    }

    /**
     * PrepareForCreate: with a status subresource, a create cannot set status (it is dropped, not emptied).
     *
     * @throws io.kube4j.apiserver.errors.ApiError 405 MethodNotAllowed while the CRD is terminating, as Kubernetes
     */
    @Override
    public void prepareForCreate(ObjectNode obj) {
        if (crdTerminating) {
            throw io.kube4j.apiserver.errors.ApiError.methodNotAllowed("create is not supported on resources of kind \"" + type.resource() + "." + type.group() + "\"");
        }
        if (status) {
            obj.remove("status");
        }
    }

    @Override
    public List<String> subresources() {
        return scale == null ? List.of() : List.of("scale");
    }

    /** Schema defaults, applied to the unstructured content in place (defaulting/algorithm.go). */
    @Override
    public void applyDefaults(KubeObject obj) {
        ObjectNode tree = Json.toTree(obj);
        schema.applyDefaults(tree);
        UnstructuredObject defaulted = Json.convert(tree, UnstructuredObject.class);
        obj.unknownFields.clear();
        obj.unknownFields.putAll(defaulted.unknownFields);
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        schema.validate(Json.toTree(obj), errs.causes());
    }

    /** A status write is pruned, defaulted and validated like any write (the status strategy's ValidateUpdate). */
    @Override
    public void prepareStatusUpdate(ObjectNode next, ObjectNode current, FieldErrors errs) {
        schema.prune(next);
        schema.applyDefaults(next);
        schema.validate(next, defaultedOld(current), errs.causes());
    }

    /** The update's validation in place of {@link #validate}'s create-time one: ratcheted against the (defaulted) stored object, CEL rules with it as {@code oldSelf}. */
    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        schema.validateTransition(Json.toTree(obj), defaultedOld(Json.toTree(old)), errs.causes());
    }

    // the old object as Kubernetes has it: defaulted when read from storage (so ratcheting and oldSelf see
    // a default added to the schema since it was stored)
    private ObjectNode defaultedOld(ObjectNode old) {
        ObjectNode copy = old.deepCopy();
        schema.applyDefaults(copy);
        return copy;
    }

    /**
     * Kubernetes defaults custom resources when it reads them from storage (the storage codec's defaulter),
     * so a default added to the schema later shows on objects stored before (GET, LIST, WATCH). Returns
     * {@code body} (one object of this kind or a list of them) with the served version's schema defaults
     * applied to a copy, or {@code body} itself when nothing is to be defaulted.
     */
    public JsonNode defaultOnRead(JsonNode body) {
        if (!hasDefaults || !(body instanceof ObjectNode o)) {
            return body;
        }
        String kind = o.path("kind").asString("");
        // (a watch bookmark has no name and is no object to default)
        if (kind.equals(type.kind()) && !o.path("items").isArray() && o.path("metadata").has("name")) {
            ObjectNode copy = o.deepCopy();
            schema.applyDefaults(copy);
            return copy.equals(o) ? body : copy;
        }
        if (kind.equals(type.listKind()) && o.path("items").isArray()) {
            ObjectNode copy = o.deepCopy();
            for (JsonNode item : copy.get("items")) {
                if (item instanceof ObjectNode io) {
                    schema.applyDefaults(io);
                }
            }
            return copy;
        }
        return body;
    }

    private static boolean hasDefaults(JsonNode s) {
        if (s == null || !s.isObject()) {
            return false;
        }
        if (s.has("default")) {
            return true;
        }
        for (var e : s.path("properties").properties()) {
            if (hasDefaults(e.getValue())) {
                return true;
            }
        }
        return hasDefaults(s.get("items")) || hasDefaults(s.get("additionalProperties"));
    }

    /** Pruning by the structural schema (pruning/algorithm.go), as the CR codec does when it decodes a request. */
    @Override
    public void pruneUnknownFields(ObjectNode obj) {
        schema.prune(obj);
    }

    /** Pruning of unknown fields, and the storage version's apiVersion on what is stored. */
    @Override
    public void canonicalize(ObjectNode stored) {
        schema.prune(stored);
        stored.put("apiVersion", storageApiVersion);
    }

    /**
     * Anything but metadata counts for generation (customresource strategy PrepareForUpdate, copyNonMetadata):
     * with a status subresource an update keeps the stored status, so status never moves it; without one a
     * status change does.
     */
    @Override
    public JsonNode specOf(ObjectNode obj) {
        ObjectNode rest = obj.deepCopy();
        rest.remove("metadata");
        if (status) {
            rest.remove("status");
        }
        rest.remove("apiVersion");
        return rest;
    }

    @Override
    public Set<String> fieldLabels() {
        return fieldLabels;
    }

    /** The 400 worded as the CRD handler's selectable-field conversion. */
    @Override
    public String unsupportedFieldLabel(String label) {
        return "field label not supported: " + label;
    }

    /** The unknown fields of a request body for strict field validation: what pruning would remove. */
    public List<String> unknownFields(JsonNode body) {
        if (!(body instanceof ObjectNode o)) {
            return List.of();
        }
        return new ArrayList<>(schema.prune(o.deepCopy()));
    }

    /** The value at a simple JSON path ({@code .spec.replicas}), or a missing node. */
    public static JsonNode at(JsonNode obj, String path) {
        JsonNode cur = obj;
        for (String part : path.substring(1).split("\\.")) {
            cur = cur.path(part);
        }
        return cur;
    }

    /** Sets the value at a simple JSON path, creating objects on the way. */
    public static void set(ObjectNode obj, String path, JsonNode value) {
        String[] parts = path.substring(1).split("\\.");
        ObjectNode cur = obj;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = cur.get(parts[i]);
            cur = next instanceof ObjectNode o ? o : cur.putObject(parts[i]);
        }
        cur.set(parts[parts.length - 1], value);
    }
}
