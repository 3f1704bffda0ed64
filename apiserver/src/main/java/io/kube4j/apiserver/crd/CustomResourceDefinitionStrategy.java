package io.kube4j.apiserver.crd;

import io.kube4j.api.CustomResourceDefinition;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.Status;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * CustomResourceDefinitions ({@code apiextensions.k8s.io/v1}, cluster-scoped, status subresource):
 * defaults (singular, listKind, conversion None), validation of names, scope, versions and schemas,
 * what may not change once established, and Kubernetes' delete: the first DELETE of an established
 * CRD adds the {@code customresourcecleanup.apiextensions.k8s.io} finalizer and a Terminating
 * condition; {@link CustomResources} then deletes the instances and lifts the finalizer.
 *
 * <p>Kubernetes: {@code apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go},
 * {@code .../v1/defaults.go}, {@code .../registry/customresourcedefinition/strategy.go} and {@code etcd.go}.
 */
@Component
public class CustomResourceDefinitionStrategy implements Strategy {
    /** The CRD resource itself: {@code crd}, {@code crds}, category {@code api-extensions} as Kubernetes' REST. */
    public static final ResourceType TYPE = new ResourceType("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
            "CustomResourceDefinition", false, CustomResourceDefinition.class, List.of("crd", "crds"), List.of("api-extensions"));
    /** CustomResourceCleanupFinalizer. */
    public static final String CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";
    private static final Pattern DNS1035 = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    static final String DNS1035_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    private static final Pattern SIMPLE_JSON_PATH = Pattern.compile("^(\\.[A-Za-z0-9_-]+)+$");

    @Override
    public ResourceType type() {
        return TYPE;
    }

    /** Generation 1 on create, one more on each spec change ({@code staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresourcedefinition/strategy.go}). */
    @Override
    public boolean tracksGeneration() {
        return true;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    /** PrepareForCreate: status cleared, the storage version recorded in {@code status.storedVersions}. */
    @Override
    public void prepareForCreate(ObjectNode obj) {
        ObjectNode status = obj.putObject("status");
        ArrayNode stored = status.putArray("storedVersions");
        for (JsonNode v : obj.path("spec").path("versions")) {
            if (v.path("storage").asBoolean(false)) {
                stored.add(v.path("name").asString(""));
            }
        }
        if (stored.isEmpty()) {
            status.remove("storedVersions");
        }
        status.set("conditions", Json.mapper().createArrayNode());
        status.putObject("acceptedNames").put("plural", "").put("kind", "");
    }

    /** SetDefaults_CustomResourceDefinitionSpec (v1): singular, listKind, conversion strategy. */
    @Override
    public void applyDefaults(KubeObject obj) {
        CustomResourceDefinition crd = (CustomResourceDefinition) obj;
        CustomResourceDefinition.Names n = crd.spec.names;
        if (n != null) {
            if ((n.singular == null || n.singular.isEmpty()) && n.kind != null) {
                n.singular = n.kind.toLowerCase(Locale.ROOT);
            }
            if ((n.listKind == null || n.listKind.isEmpty()) && n.kind != null && !n.kind.isEmpty()) {
                n.listKind = n.kind + "List";
            }
        }
        if (crd.spec.conversion == null) {
            crd.spec.conversion = new CustomResourceDefinition.Conversion();
        }
        if (crd.spec.conversion.strategy == null) {
            crd.spec.conversion.strategy = "None";
        }
        // PrepareForUpdate: a new storage version joins status.storedVersions (the registry keeps the stored
        // status on a main-resource write, so this sees what is stored; on create prepareForCreate set it)
        if (crd.status != null && crd.spec.versions != null) {
            for (CustomResourceDefinition.Version v : crd.spec.versions) {
                if (v.storage) {
                    if (crd.status.storedVersions == null) {
                        crd.status.storedVersions = new ArrayList<>();
                    }
                    if (!crd.status.storedVersions.contains(v.name)) {
                        crd.status.storedVersions.add(v.name);
                    }
                    break;
                }
            }
        }
    }

    /**
     * ValidateCustomResourceDefinitionStoredVersions: at least one stored version, the storage version among
     * them, and every stored version still in spec.versions (objects may be stored at it).
     */
    static void validateStoredVersions(CustomResourceDefinition crd, FieldErrors errs) {
        List<String> stored = crd.status == null ? null : crd.status.storedVersions;
        String path = "status.storedVersions";
        if (stored == null || stored.isEmpty()) {
            errs.causes().add(new Status.Cause("FieldValueInvalid", "Invalid value: " + (stored == null ? "[]string(nil)" : "[]string{}")
                    + ": must have at least one stored version", path));
            return;
        }
        List<String> left = new ArrayList<>(stored);
        for (CustomResourceDefinition.Version v : crd.spec.versions) {
            if (v.storage && !stored.contains(v.name)) {
                errs.causes().add(new Status.Cause("FieldValueInvalid", "Invalid value: " + versionsValue(List.of(v)).replaceFirst("^\\[\\]apiextensions.CustomResourceDefinitionVersion\\{(.*)\\}$", "$1")
                        + ": must have the storage version " + v.name, path));
            }
            left.remove(v.name);
        }
        for (String v : left) {
            errs.invalid(path + "[" + stored.indexOf(v) + "]", v, "must appear in spec.versions");
        }
    }

    /** ValidateUpdateCustomResourceDefinitionStatus: a status write (the storage version migrator's) may not drop what is still needed. */
    @Override
    public void validateStatusUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        validateStoredVersions((CustomResourceDefinition) obj, errs);
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        CustomResourceDefinition crd = (CustomResourceDefinition) obj;
        CustomResourceDefinition.Spec spec = crd.spec;
        String wanted = spec.names.plural + "." + spec.group;
        if (crd.metadata.name != null && !crd.metadata.name.equals(wanted)) {
            errs.invalid("metadata.name", crd.metadata.name, "must be spec.names.plural+\".\"+spec.group");
        }
        if (spec.group == null || spec.group.isEmpty()) {
            errs.required("spec.group", null);
        } else if (spec.group.length() > 253 || !DNS1123_SUBDOMAIN.matcher(spec.group).matches()) {
            errs.invalid("spec.group", spec.group, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
        } else if (spec.group.split("\\.").length < 2) {
            errs.invalid("spec.group", spec.group, "should be a domain with at least one dot");
        }
        if (spec.scope == null || spec.scope.isEmpty()) {
            errs.required("spec.scope", null);
        } else if (!spec.scope.equals("Cluster") && !spec.scope.equals("Namespaced")) {
            errs.notSupported("spec.scope", spec.scope, List.of("Cluster", "Namespaced"));
        }
        int storage = 0;
        Set<String> names = new HashSet<>();
        boolean unique = true;
        for (int i = 0; i < spec.versions.size(); i++) {
            CustomResourceDefinition.Version v = spec.versions.get(i);
            String p = "spec.versions[" + i + "]";
            if (v.storage) {
                storage++;
            }
            unique &= names.add(v.name);
            if (v.name == null || !DNS1035.matcher(v.name).matches() || v.name.length() > 63) {
                errs.invalid(p + ".name", v.name, DNS1035_MSG);
            }
            validateVersion(v, p, spec, errs);
        }
        String versionsShown = versionsValue(spec.versions);
        if (!unique) {
            errs.causes().add(new Status.Cause("FieldValueInvalid", "Invalid value: " + versionsShown + ": must contain unique version names", "spec.versions"));
        }
        if (storage != 1) {
            errs.causes().add(new Status.Cause("FieldValueInvalid", "Invalid value: " + versionsShown + ": must have exactly one version marked as storage version", "spec.versions"));
        }
        CustomResourceDefinition.Names n = spec.names;
        if (n.plural == null || n.plural.isEmpty()) {
            errs.required("spec.names.plural", null);
        }
        if (n.singular == null || n.singular.isEmpty()) {
            errs.required("spec.names.singular", null);
        }
        if (n.kind == null || n.kind.isEmpty()) {
            errs.required("spec.names.kind", null);
        }
        if (n.listKind == null || n.listKind.isEmpty()) {
            errs.required("spec.names.listKind", null);
        }
        validateNames(n, "spec.names", errs);
        if (spec.conversion != null && !List.of("None", "Webhook").contains(spec.conversion.strategy)) {
            errs.notSupported("spec.conversion.strategy", spec.conversion.strategy, List.of("None", "Webhook"));
        }
        if (spec.conversion != null && "Webhook".equals(spec.conversion.strategy)) {
            // no webhook client in kube4j: refusing is honest, accepting would serve unconverted objects
            errs.forbidden("spec.conversion.strategy", "Webhook conversion is not supported by kube4j");
        }
        if (Boolean.TRUE.equals(spec.preserveUnknownFields)) {
            errs.invalid("spec.preserveUnknownFields", true, "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead");
        }
        validateStoredVersions(crd, errs);
    }

    private static String versionsValue(List<CustomResourceDefinition.Version> versions) {
        StringBuilder sb = new StringBuilder("[]apiextensions.CustomResourceDefinitionVersion{");
        for (int i = 0; i < versions.size(); i++) {
            CustomResourceDefinition.Version v = versions.get(i);
            sb.append(i == 0 ? "" : ", ").append("apiextensions.CustomResourceDefinitionVersion{Name:\"").append(v.name)
                    .append("\", Served:").append(v.served).append(", Storage:").append(v.storage).append("}");
        }
        return sb.append('}').toString();
    }

    private static void validateVersion(CustomResourceDefinition.Version v, String p, CustomResourceDefinition.Spec spec, FieldErrors errs) {
        if (v.schema == null || v.schema.openAPIV3Schema == null) {
            errs.required(p + ".schema.openAPIV3Schema", "schemas are required");
        } else {
            JsonNode schema = Json.mapper().valueToTree(v.schema.openAPIV3Schema);
            List<io.kube4j.api.Status.Cause> structural = StructuralSchema.structuralErrors(schema, p + ".schema.openAPIV3Schema");
            errs.causes().addAll(structural);
            errs.causes().addAll(StructuralSchema.extensionErrors(schema, p + ".schema.openAPIV3Schema"));
            if (structural.isEmpty()) {
                // defaults are checked only on a structural schema (validation.go: ValidateDefaults after the structural checks)
                errs.causes().addAll(StructuralSchema.defaultErrors(schema, p + ".schema.openAPIV3Schema"));
            }
            CelValidation.compileErrors(schema, p + ".schema.openAPIV3Schema", errs.causes());
        }
        if (v.subresources != null && v.subresources.scale != null) {
            CustomResourceDefinition.Scale sc = v.subresources.scale;
            String sp = p + ".subresources.scale";
            if (sc.specReplicasPath == null || sc.specReplicasPath.isEmpty()) {
                errs.required(sp + ".specReplicasPath", null);
            } else if (!SIMPLE_JSON_PATH.matcher(sc.specReplicasPath).matches() || !sc.specReplicasPath.startsWith(".spec.")) {
                errs.invalid(sp + ".specReplicasPath", sc.specReplicasPath, "should be a json path under .spec");
            }
            if (sc.statusReplicasPath == null || sc.statusReplicasPath.isEmpty()) {
                errs.required(sp + ".statusReplicasPath", null);
            } else if (!SIMPLE_JSON_PATH.matcher(sc.statusReplicasPath).matches() || !sc.statusReplicasPath.startsWith(".status.")) {
                errs.invalid(sp + ".statusReplicasPath", sc.statusReplicasPath, "should be a json path under .status");
            }
            if (sc.labelSelectorPath != null && !sc.labelSelectorPath.isEmpty()
                    && (!SIMPLE_JSON_PATH.matcher(sc.labelSelectorPath).matches()
                    || !(sc.labelSelectorPath.startsWith(".spec.") || sc.labelSelectorPath.startsWith(".status.")))) {
                errs.invalid(sp + ".labelSelectorPath", sc.labelSelectorPath, "should be a json path under either .spec or .status");
            }
        }
        if (v.additionalPrinterColumns != null) {
            for (int i = 0; i < v.additionalPrinterColumns.size(); i++) {
                CustomResourceDefinition.PrinterColumn c = v.additionalPrinterColumns.get(i);
                String cp = p + ".additionalPrinterColumns[" + i + "]";
                if (c.name == null || c.name.isEmpty()) {
                    errs.required(cp + ".name", null);
                }
                if (c.type == null || c.type.isEmpty()) {
                    errs.required(cp + ".type", null);
                } else if (!List.of("integer", "number", "string", "boolean", "date").contains(c.type)) {
                    errs.notSupported(cp + ".type", c.type, List.of("integer", "number", "string", "boolean", "date"));
                }
                if (c.jsonPath == null || c.jsonPath.isEmpty()) {
                    errs.required(cp + ".JSONPath", null);
                }
            }
        }
        if (v.selectableFields != null) {
            for (int i = 0; i < v.selectableFields.size(); i++) {
                String jp = v.selectableFields.get(i).jsonPath;
                String fp = p + ".selectableFields[" + i + "].jsonPath";
                if (jp == null || jp.isEmpty()) {
                    errs.required(fp, null);
                } else if (!SIMPLE_JSON_PATH.matcher(jp).matches()) {
                    errs.invalid(fp, jp, "must be a simple json path");
                }
            }
        }
    }

    /** ValidateCustomResourceDefinitionNames. */
    private static void validateNames(CustomResourceDefinition.Names n, String p, FieldErrors errs) {
        if (n.plural != null && !n.plural.isEmpty() && !dns1035(n.plural)) {
            errs.invalid(p + ".plural", n.plural, DNS1035_MSG);
        }
        if (n.singular != null && !n.singular.isEmpty() && !dns1035(n.singular)) {
            errs.invalid(p + ".singular", n.singular, DNS1035_MSG);
        }
        if (n.kind != null && !n.kind.isEmpty() && !dns1035(n.kind.toLowerCase(Locale.ROOT))) {
            errs.invalid(p + ".kind", n.kind, "may have mixed case, but should otherwise match: " + DNS1035_MSG);
        }
        if (n.listKind != null && !n.listKind.isEmpty() && !dns1035(n.listKind.toLowerCase(Locale.ROOT))) {
            errs.invalid(p + ".listKind", n.listKind, "may have mixed case, but should otherwise match: " + DNS1035_MSG);
        }
        if (n.shortNames != null) {
            for (int i = 0; i < n.shortNames.size(); i++) {
                if (!dns1035(n.shortNames.get(i))) {
                    errs.invalid(p + ".shortNames[" + i + "]", n.shortNames.get(i), DNS1035_MSG);
                }
            }
        }
        if (n.kind != null && !n.kind.isEmpty() && n.kind.equals(n.listKind)) {
            errs.invalid(p + ".listKind", n.listKind, "kind and listKind may not be the same");
        }
        if (n.categories != null) {
            for (int i = 0; i < n.categories.size(); i++) {
                if (!dns1035(n.categories.get(i))) {
                    errs.invalid(p + ".categories[" + i + "]", n.categories.get(i), DNS1035_MSG);
                }
            }
        }
    }

    private static boolean dns1035(String s) {
        return s != null && s.length() <= 63 && DNS1035.matcher(s).matches();
    }

    /** ValidateCustomResourceDefinitionSpecUpdate: group and plural never change; scope and kind not once established. */
    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        CustomResourceDefinition now = (CustomResourceDefinition) obj;
        CustomResourceDefinition before = (CustomResourceDefinition) old;
        if (established(before)) {
            immutable(errs, "spec.scope", now.spec.scope, before.spec.scope);
            immutable(errs, "spec.names.kind", now.spec.names.kind, before.spec.names.kind);
        }
        immutable(errs, "spec.group", now.spec.group, before.spec.group);
        immutable(errs, "spec.names.plural", now.spec.names.plural, before.spec.names.plural);
        // don't tighten validation on persisted data (validation.go: requireAtomicSetType and
        // requireMapListKeysMapSetValidation only when the old CRD met them): a list/map-type extension or
        // rule-compilation error the stored CRD already had at the same place does not refuse its update
        java.util.Set<String> before2 = new HashSet<>();
        for (int i = 0; i < before.spec.versions.size(); i++) {
            for (Status.Cause c : schemaExtensionAndRuleErrors(before.spec.versions.get(i), "spec.versions[" + i + "]")) {
                before2.add(c.field + "\n" + c.message);
            }
        }
        if (!before2.isEmpty()) {
            java.util.Set<String> now2 = new HashSet<>();
            for (int i = 0; i < now.spec.versions.size(); i++) {
                for (Status.Cause c : schemaExtensionAndRuleErrors(now.spec.versions.get(i), "spec.versions[" + i + "]")) {
                    now2.add(c.field + "\n" + c.message);
                }
            }
            errs.causes().removeIf(c -> before2.contains(c.field + "\n" + c.message) && now2.contains(c.field + "\n" + c.message));
        }
    }

    /** The x-kubernetes-* extension and CEL compilation errors of a version's schema (paths under {@code p}). */
    private static List<Status.Cause> schemaExtensionAndRuleErrors(CustomResourceDefinition.Version v, String p) {
        List<Status.Cause> out = new ArrayList<>();
        if (v.schema != null && v.schema.openAPIV3Schema != null) {
            JsonNode schema = Json.mapper().valueToTree(v.schema.openAPIV3Schema);
            out.addAll(StructuralSchema.extensionErrors(schema, p + ".schema.openAPIV3Schema"));
            CelValidation.compileErrors(schema, p + ".schema.openAPIV3Schema", out);
        }
        return out;
    }

    private static void immutable(FieldErrors errs, String field, String now, String before) {
        if (!Objects.equals(now, before)) {
            errs.invalid(field, now, "field is immutable");
        }
    }

    /** Whether the CRD's Established condition is True. */
    static boolean established(CustomResourceDefinition crd) {
        return crd.status != null && crd.status.conditions != null
                && crd.status.conditions.stream().anyMatch(c -> "Established".equals(c.type) && "True".equals(c.status));
    }

    /** Whether the tree's Established condition is True. */
    public static boolean established(JsonNode crd) {
        return conditionTrue(crd, "Established");
    }

    static boolean conditionTrue(JsonNode crd, String type) {
        for (JsonNode c : crd.path("status").path("conditions")) {
            if (type.equals(c.path("type").asString("")) && "True".equals(c.path("status").asString(""))) {
                return true;
            }
        }
        return false;
    }

    /** The CRD's own delete (etcd.go REST.Delete): an established CRD is held by the cleanup finalizer and marked Terminating. */
    @Override
    public boolean markTerminating(ObjectNode obj) {
        if (!established(obj)) {
            return false;
        }
        ObjectNode m = Registry.meta(obj);
        ArrayNode fins = m.has("finalizers") ? (ArrayNode) m.get("finalizers") : m.putArray("finalizers");
        boolean has = false;
        for (JsonNode f : fins) {
            has |= CLEANUP_FINALIZER.equals(f.asString(""));
        }
        if (!has) {
            fins.add(CLEANUP_FINALIZER);
        }
        setCondition(obj, "Terminating", "True", "InstanceDeletionPending", "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon");
        return true;
    }

    /** SetCRDCondition: replaces the condition of that type; lastTransitionTime moves only when the status changes. */
    static void setCondition(ObjectNode crd, String type, String status, String reason, String message) {
        ObjectNode st = crd.has("status") && crd.get("status").isObject() ? (ObjectNode) crd.get("status") : crd.putObject("status");
        ArrayNode conds = st.has("conditions") && st.get("conditions").isArray() ? (ArrayNode) st.get("conditions") : st.putArray("conditions");
        for (JsonNode c : conds) {
            if (type.equals(c.path("type").asString(""))) {
                ObjectNode co = (ObjectNode) c;
                if (!status.equals(co.path("status").asString(""))) {
                    co.put("lastTransitionTime", Times.now());
                }
                co.put("status", status);
                co.put("reason", reason);
                co.put("message", message);
                return;
            }
        }
        ObjectNode c = conds.addObject();
        c.put("type", type);
        c.put("status", status);
        c.put("lastTransitionTime", Times.now());
        c.put("reason", reason);
        c.put("message", message);
    }

    /** The versions' names, in spec order. */
    static List<String> versionNames(CustomResourceDefinition crd) {
        List<String> out = new ArrayList<>();
        crd.spec.versions.forEach(v -> out.add(v.name));
        return out;
    }
}
