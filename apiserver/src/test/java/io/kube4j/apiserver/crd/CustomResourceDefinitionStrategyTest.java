package io.kube4j.apiserver.crd;

import io.kube4j.api.CustomResourceDefinition;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The CRD strategy's status.storedVersions (strategy.go PrepareForCreate/PrepareForUpdate, validation.go ValidateCustomResourceDefinitionStoredVersions). */
class CustomResourceDefinitionStrategyTest {
    final CustomResourceDefinitionStrategy strategy = new CustomResourceDefinitionStrategy();

    static ObjectNode crd(String versions) {
        return (ObjectNode) Json.mapper().valueToTree(Json.readYaml("""
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: widgets.example.com}
                spec:
                  group: example.com
                  scope: Namespaced
                  names: {plural: widgets, kind: Widget}
                  versions:
                """ + versions, Object.class));
    }

    static String version(String name, boolean storage) {
        return "  - {name: %s, served: true, storage: %s, schema: {openAPIV3Schema: {type: object}}}\n".formatted(name, storage);
    }

    List<String> validate(CustomResourceDefinition c) {
        strategy.applyDefaults(c);
        FieldErrors errs = new FieldErrors();
        strategy.validate(c, errs);
        return errs.causes().stream().map(x -> x.field + ": " + x.message).toList();
    }

    @Test
    void createRecordsTheStorageVersion() {
        ObjectNode tree = crd(version("v1", true));
        strategy.prepareForCreate(tree);
        CustomResourceDefinition c = Json.convert(tree, CustomResourceDefinition.class);
        assertThat(validate(c)).isEmpty();
        assertThat(c.status.storedVersions).containsExactly("v1");
    }

    @Test
    void aNewStorageVersionJoinsStoredVersionsAndAStoredVersionCannotBeRemoved() {
        ObjectNode tree = crd(version("v1", false) + version("v2", true));
        tree.putObject("status").putArray("storedVersions").add("v1");
        CustomResourceDefinition c = Json.convert(tree, CustomResourceDefinition.class);
        assertThat(validate(c)).isEmpty();
        assertThat(c.status.storedVersions).containsExactly("v1", "v2");

        ObjectNode removed = crd(version("v2", true));
        removed.putObject("status").putArray("storedVersions").add("v1").add("v2");
        assertThat(validate(Json.convert(removed, CustomResourceDefinition.class)))
                .containsExactly("status.storedVersions[0]: Invalid value: \"v1\": must appear in spec.versions");

        // the storage version migrator's status write may drop v1 once v2 is the storage version, not v2
        ObjectNode status = crd(version("v1", false) + version("v2", true));
        status.putObject("status").putArray("storedVersions").add("v1");
        FieldErrors errs = new FieldErrors();
        strategy.validateStatusUpdate(Json.convert(status, CustomResourceDefinition.class), Json.convert(status, CustomResourceDefinition.class), errs);
        assertThat(errs.causes()).extracting(x -> x.field + ": " + x.message).containsExactly(
                "status.storedVersions: Invalid value: apiextensions.CustomResourceDefinitionVersion{Name:\"v2\", Served:true, Storage:true}: must have the storage version v2");
    }

    @Test
    void aDeprecatedVersionWarnsWithItsTextOrKubernetesDefault() {
        CustomResourceDefinition c = Json.convert(crd("""
                  - {name: v1alpha1, served: true, storage: false, deprecated: true}
                  - {name: v1beta1, served: true, storage: false, deprecated: true, deprecationWarning: "use v1 now"}
                  - {name: v1, served: true, storage: true}
                  - {name: v2alpha1, served: true, storage: false}
                  - {name: v3, served: false, storage: false}
                """), CustomResourceDefinition.class);
        assertThat(CustomResourceStrategy.deprecationWarning(c.spec, c.spec.versions.get(0)))
                .isEqualTo("example.com/v1alpha1 Widget is deprecated; use example.com/v1 Widget");
        assertThat(CustomResourceStrategy.deprecationWarning(c.spec, c.spec.versions.get(1))).isEqualTo("use v1 now");
        assertThat(CustomResourceStrategy.deprecationWarning(c.spec, c.spec.versions.get(2))).isNull();
        CustomResourceDefinition only = Json.convert(crd("""
                  - {name: v1, served: true, storage: true, deprecated: true}
                  - {name: v1beta1, served: true, storage: false}
                """), CustomResourceDefinition.class);
        // no better served version than v1: the sentence ends there
        assertThat(CustomResourceStrategy.deprecationWarning(only.spec, only.spec.versions.get(0))).isEqualTo("example.com/v1 Widget is deprecated");
    }

    @Test
    void anUpdateIsNotRefusedForSchemaErrorsTheStoredCrdAlreadyHad() {
        String looseSet = "  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {"
                + "s: {type: array, x-kubernetes-list-type: set, items: {type: object}}%s}}}}}}\n";
        ObjectNode old = crd(looseSet.formatted(""));
        old.putObject("status").putArray("storedVersions").add("v1");
        ObjectNode next = crd(looseSet.formatted(", t: {type: array, x-kubernetes-list-type: set, items: {type: object}}"));
        next.putObject("status").putArray("storedVersions").add("v1");
        CustomResourceDefinition nextCrd = Json.convert(next, CustomResourceDefinition.class);
        FieldErrors errs = new FieldErrors();
        strategy.applyDefaults(nextCrd);
        strategy.validate(nextCrd, errs);
        assertThat(errs.causes()).hasSize(2);
        strategy.validateUpdate(nextCrd, Json.convert(old, CustomResourceDefinition.class), errs);
        // the stored CRD's own error at .s is tolerated, the new one at .t is not
        assertThat(errs.causes()).extracting(c -> c.field).containsExactly(
                "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[t].items.x-kubernetes-map-type");
    }
}
