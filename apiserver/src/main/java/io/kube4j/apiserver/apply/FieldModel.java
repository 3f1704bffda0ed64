package io.kube4j.apiserver.apply;

import io.kube4j.apiserver.crd.CustomResourceStrategy;
import io.kube4j.apiserver.registry.Strategy;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Set;

/**
 * What field management needs to know of a kind's shape: which leaf paths an object sets (with list
 * elements named by their keys) and how an applied configuration merges into the live object. Built-in
 * kinds take it from their typed model ({@link io.kube4j.apiserver.schema.TypeModel}); custom resources
 * from their CRD's structural schema, as Kubernetes' field manager uses the OpenAPI models of built-ins
 * and the CRD's schema for custom resources (apiextensions-apiserver crdHandler's TypeConverter).
 */
public interface FieldModel {
    /** The leaf paths {@code obj} sets, status included (callers keep the part their write may touch). */
    Set<List<String>> paths(JsonNode obj);

    /** The live object with {@code config} merged in (a new tree; neither argument changes). */
    ObjectNode applyConfiguration(ObjectNode live, ObjectNode config);

    /** The model of a built-in kind's typed view. */
    static FieldModel of(Class<?> type) {
        return new FieldModel() {
            @Override
            public Set<List<String>> paths(JsonNode obj) {
                return FieldPaths.withStatus(obj, type);
            }

            @Override
            public ObjectNode applyConfiguration(ObjectNode live, ObjectNode config) {
                return StrategicMergePatch.applyConfiguration(live, config, type);
            }
        };
    }

    /** The model of a custom resource version's structural schema (null: no schema, every list atomic). */
    static FieldModel ofSchema(JsonNode schema) {
        return new FieldModel() {
            @Override
            public Set<List<String>> paths(JsonNode obj) {
                return FieldPaths.ofSchema(obj, schema);
            }

            @Override
            public ObjectNode applyConfiguration(ObjectNode live, ObjectNode config) {
                return StrategicMergePatch.applyConfiguration(live, config, schema);
            }
        };
    }

    /** The model of the kind a strategy serves: the CRD's schema for a custom resource, else the typed model. */
    static FieldModel of(Strategy strategy) {
        if (strategy instanceof CustomResourceStrategy crs) {
            return ofSchema(crs.schema().root());
        }
        return of(strategy.type().type());
    }
}
