package io.kube4j.apiserver.discovery;

import io.kube4j.api.Deployment;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Lease;
import io.kube4j.api.ListMeta;
import io.kube4j.api.ObjectMeta;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.ReplicaSet;
import io.kube4j.api.ResourceType;
import io.kube4j.api.Scale;
import io.kube4j.api.Status;
import io.kube4j.apiserver.schema.TypeModel;
import io.kube4j.json.Json;
import tools.jackson.databind.node.ObjectNode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAPI schemas generated from the typed model ({@link TypeModel}), named as Kubernetes names them
 * ({@code io.k8s.api.core.v1.PodSpec}) so {@code kubectl explain} finds its way. {@code refPrefix} is
 * {@code #/components/schemas/} for v3 and {@code #/definitions/} for v2.
 */
final class OpenApiSchemas {
    private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    private static final Set<Class<?>> META_TYPES = Set.of(ObjectMeta.class, LabelSelector.class, OwnerReference.class, ListMeta.class, Status.class);
    static final String QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    static final String INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

    private final String refPrefix;
    private final Map<Class<?>, String> names = new HashMap<>();

    OpenApiSchemas(String refPrefix, List<ResourceType> all) {
        this.refPrefix = refPrefix;
        // nested classes are named by their simple name unless two share it; then the enclosing class prefixes it
        List<Class<?>> reachable = TypeModel.reachable(all.stream().<Class<?>>map(ResourceType::type).toList());
        Map<String, Integer> count = new HashMap<>();
        for (Class<?> c : reachable) {
            count.merge(c.getSimpleName(), 1, Integer::sum);
        }
        for (Class<?> c : reachable) {
            String simple = c.getSimpleName();
            if (count.get(simple) > 1 && c.getEnclosingClass() != null && !simple.startsWith(c.getEnclosingClass().getSimpleName())) {
                simple = c.getEnclosingClass().getSimpleName() + simple;
            }
            names.put(c, packageOf(c) + simple);
        }
        names.put(Scale.class, "io.k8s.api.autoscaling.v1.Scale");
    }

    private static String packageOf(Class<?> c) {
        Class<?> outer = c;
        while (outer.getEnclosingClass() != null) {
            outer = outer.getEnclosingClass();
        }
        if (META_TYPES.contains(outer)) {
            return META;
        }
        if (outer == Deployment.class || outer == ReplicaSet.class) {
            return "io.k8s.api.apps.v1.";
        }
        if (outer == Lease.class) {
            return "io.k8s.api.coordination.v1.";
        }
        if (outer == Scale.class) {
            return "io.k8s.api.autoscaling.v1.";
        }
        return "io.k8s.api.core.v1.";
    }

    /** The schema name of a model class. */
    String name(Class<?> c) {
        return names.computeIfAbsent(c, k -> packageOf(k) + k.getSimpleName());
    }

    /** A reference to a model class, in Kubernetes' v3 style (allOf of one $ref) or a plain v2 $ref. */
    ObjectNode ref(Class<?> c) {
        return refTo(name(c));
    }

    private ObjectNode refTo(String name) {
        ObjectNode r = Json.mapper().createObjectNode();
        if (refPrefix.startsWith("#/components")) {
            r.putArray("allOf").addObject().put("$ref", refPrefix + name);
        } else {
            r.put("$ref", refPrefix + name);
        }
        return r;
    }

    /** Adds the schema of {@code root} and of every class it reaches to {@code schemas}. */
    void addAll(ObjectNode schemas, List<Class<?>> roots, Map<Class<?>, ResourceType> kinds) {
        for (Class<?> c : TypeModel.reachable(roots)) {
            ObjectNode s = schemas.putObject(name(c));
            s.put("description", description(c));
            s.put("type", "object");
            ObjectNode props = s.putObject("properties");
            TypeModel.fields(c).forEach((field, shape) -> {
                ObjectNode p = schema(shape);
                props.set(field, p);
                String key = TypeModel.mergeKey(c, field);
                if (key != null) {
                    p.put("x-kubernetes-patch-merge-key", key);
                    p.put("x-kubernetes-patch-strategy", "merge");
                    p.put("x-kubernetes-list-type", "map");
                    tools.jackson.databind.node.ArrayNode keys = p.putArray("x-kubernetes-list-map-keys");
                    TypeModel.listMapKeys(c, field).forEach(keys::add);
                } else if (TypeModel.isScalarSet(c, field)) {
                    p.put("x-kubernetes-patch-strategy", "merge");
                    p.put("x-kubernetes-list-type", "set");
                }
            });
            ResourceType rt = kinds.get(c);
            if (rt != null) {
                ObjectNode gvk = s.putArray("x-kubernetes-group-version-kind").addObject();
                gvk.put("group", rt.group());
                gvk.put("version", rt.version());
                gvk.put("kind", rt.kind());
            }
        }
        ObjectNode q = schemas.putObject(QUANTITY);
        q.put("description", "A fixed-point number with a suffix, such as 100m, 1.5, 128Mi or 2Gi.");
        q.put("type", "string");
        ObjectNode ios = schemas.putObject(INT_OR_STRING);
        ios.put("description", "A number or a string, such as 8080, \"http\" or \"25%\".");
        ios.put("type", "string");
        ios.put("format", "int-or-string");
    }

    private ObjectNode schema(TypeModel.Shape shape) {
        ObjectNode s = Json.mapper().createObjectNode();
        switch (shape.kind()) {
            case OBJECT -> {
                return ref(shape.type());
            }
            case LIST -> {
                s.put("type", "array");
                s.set("items", schema(shape.element()));
            }
            case MAP -> {
                s.put("type", "object");
                s.set("additionalProperties", schema(shape.element()));
            }
            case STRING -> s.put("type", "string");
            case INTEGER -> s.put("type", "integer");
            case NUMBER -> s.put("type", "number");
            case BOOLEAN -> s.put("type", "boolean");
            case QUANTITY -> {
                return refTo(QUANTITY);
            }
            case INT_OR_STRING -> {
                return refTo(INT_OR_STRING);
            }
            case ANY -> s.put("x-kubernetes-preserve-unknown-fields", true);
        }
        return s;
    }

    private static String description(Class<?> c) {
        if (c == ObjectMeta.class) {
            return "Standard object's metadata.";
        }
        return c.getSimpleName() + " (kube4j model " + c.getName().replace('$', '.') + ").";
    }
}
