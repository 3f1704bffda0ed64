package io.kube4j.apiserver.schema;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.kube4j.api.Container;
import io.kube4j.api.Deployment;
import io.kube4j.api.Event;
import io.kube4j.api.IntOrString;
import io.kube4j.api.Node;
import io.kube4j.api.ObjectMeta;
import io.kube4j.api.PodSpec;
import io.kube4j.api.PodStatus;
import io.kube4j.api.ReplicaSet;
import io.kube4j.api.Service;
import io.kube4j.api.Volume;
import io.kube4j.quantity.Quantity;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shape of kube4j's typed API model, read once by reflection from the public fields of the
 * classes in {@code io.kube4j.api}: which JSON fields each class has and of what shape, plus the
 * Kubernetes facts the Java types cannot carry (strategic-merge keys, fields kept but not modelled).
 * OpenAPI schemas, strict field validation, strategic merge patch and managedFields all read it, so
 * they agree with each other and with what the apiserver actually stores.
 */
public final class TypeModel {
    /** What a JSON value of a field looks like. */
    public enum Kind { OBJECT, MAP, LIST, STRING, INTEGER, NUMBER, BOOLEAN, QUANTITY, INT_OR_STRING, ANY }

    /**
     * The shape of one value.
     *
     * @param kind    what it is
     * @param type    the Java class for {@link Kind#OBJECT}, else null
     * @param element the shape of list elements or map values, else null
     */
    public record Shape(Kind kind, Class<?> type, Shape element) {
        static final Shape ANY = new Shape(Kind.ANY, null, null);

        /** The shape of the class as a top-level object. */
        public static Shape of(Class<?> type) {
            return TypeModel.shape(type);
        }

        /** The shape of field {@code name} of this object, or null when this is no object or has no such field. */
        public Shape field(String name) {
            return kind == Kind.OBJECT ? fields(type).get(name) : kind == Kind.ANY ? ANY : null;
        }
    }

    /**
     * Fields Kubernetes has that kube4j keeps verbatim (through a class's {@code @JsonAnySetter}) without
     * modelling them: known, so Strict validation accepts them; anything else there is unknown.
     */
    private static final Map<Class<?>, Set<String>> KEPT_UNMODELLED = Map.of(
            ObjectMeta.class, Set.of("selfLink"),
            Event.class, Set.of("series", "related"),
            PodSpec.class, Set.of("imagePullSecrets", "serviceAccount", "automountServiceAccountToken",
                    "hostPID", "hostIPC", "shareProcessNamespace", "hostAliases", "dnsConfig", "readinessGates",
                    "runtimeClassName", "preemptionPolicy", "overhead", "setHostnameAsFQDN", "os", "hostUsers",
                    "schedulingGates", "resourceClaims", "ephemeralContainers", "resources"),
            Container.class, Set.of("stdin", "stdinOnce", "tty", "envFrom", "volumeDevices",
                    "resizePolicy", "restartPolicy"),
            Volume.class, Set.of("gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi",
                    "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker",
                    "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk",
                    "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image"));

    /** patchMergeKey of lists with patchStrategy merge, by owning class and field (as in Kubernetes' Go struct tags). */
    private static final Map<Class<?>, Map<String, String>> MERGE_KEYS = Map.of(
            PodSpec.class, Map.of("containers", "name", "initContainers", "name", "ephemeralContainers", "name",
                    "volumes", "name", "imagePullSecrets", "name", "hostAliases", "ip",
                    "topologySpreadConstraints", "topologyKey", "resourceClaims", "name", "schedulingGates", "name"),
            Container.class, Map.of("ports", "containerPort", "env", "name", "volumeMounts", "mountPath", "volumeDevices", "devicePath"),
            ObjectMeta.class, Map.of("ownerReferences", "uid"),
            PodStatus.class, Map.of("conditions", "type", "podIPs", "ip", "hostIPs", "ip"),
            Node.NodeStatus.class, Map.of("conditions", "type", "addresses", "type"),
            Service.ServiceSpec.class, Map.of("ports", "port"),
            Deployment.DeploymentStatus.class, Map.of("conditions", "type"),
            ReplicaSet.ReplicaSetStatus.class, Map.of("conditions", "type"));

    /**
     * x-kubernetes-list-map-keys where server-side apply's keys differ from the strategic-merge key (Go
     * struct tags {@code +listMapKey}, several per list): container ports and Service ports are keyed by
     * port and protocol, so 53/TCP and 53/UDP are two elements; topology spread constraints by key and
     * whenUnsatisfiable. Every other merge-keyed list uses its patchMergeKey alone.
     */
    private static final Map<Class<?>, Map<String, List<String>>> LIST_MAP_KEYS = Map.of(
            Container.class, Map.of("ports", List.of("containerPort", "protocol")),
            Service.ServiceSpec.class, Map.of("ports", List.of("port", "protocol")),
            PodSpec.class, Map.of("topologySpreadConstraints", List.of("topologyKey", "whenUnsatisfiable")));

    /**
     * Schema defaults of list-map key fields: structured-merge-diff uses a key field's default when an
     * element omits it, so an applied port without a protocol is the TCP one.
     */
    private static final Map<String, String> KEY_DEFAULTS = Map.of("protocol", "TCP");

    /** Lists of scalars with patchStrategy merge: merged as sets instead of replaced. */
    private static final Map<Class<?>, Set<String>> SCALAR_SETS = Map.of(
            ObjectMeta.class, Set.of("finalizers"),
            Node.NodeSpec.class, Set.of("podCIDRs"));

    private static final Map<Class<?>, Map<String, Shape>> FIELDS = new ConcurrentHashMap<>();

    private TypeModel() {
    }

    /** The JSON fields of {@code type} in declaration order (superclass first); empty for non-object types. */
    public static Map<String, Shape> fields(Class<?> type) {
        Map<String, Shape> cached = FIELDS.get(type);
        if (cached != null) {
            return cached;
        }
        Map<String, Shape> out = new LinkedHashMap<>();
        collect(type, out);
        Map<String, Shape> result = Collections.unmodifiableMap(out);
        FIELDS.put(type, result);
        return result;
    }

    private static void collect(Class<?> type, Map<String, Shape> out) {
        if (type == null || type == Object.class) {
            return;
        }
        collect(type.getSuperclass(), out);
        for (Field f : type.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (!Modifier.isPublic(mod) || Modifier.isStatic(mod) || f.isAnnotationPresent(JsonAnySetter.class) || f.isAnnotationPresent(JsonIgnore.class)) {
                continue;
            }
            JsonProperty p = f.getAnnotation(JsonProperty.class);
            String name = p != null && !p.value().isEmpty() ? p.value() : f.getName();
            // lazily resolved, so recursive types (none today, but cheap to allow) do not loop
            out.put(name, shapeOf(f.getGenericType()));
        }
    }

    /** Whether the class keeps fields it does not model ({@code @JsonAnySetter}). */
    public static boolean keepsUnknown(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.isAnnotationPresent(JsonAnySetter.class)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code field} is a Kubernetes field of {@code type} that kube4j keeps without modelling. */
    public static boolean keptUnmodelled(Class<?> type, String field) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            if (KEPT_UNMODELLED.getOrDefault(c, Set.of()).contains(field)) {
                return true;
            }
        }
        return false;
    }

    /** The strategic-merge key of list {@code field} of {@code owner}, or null when the list is replaced whole. */
    public static String mergeKey(Class<?> owner, String field) {
        if (owner == null) {
            return null;
        }
        for (Class<?> c = owner; c != null && c != Object.class; c = c.getSuperclass()) {
            String k = MERGE_KEYS.getOrDefault(c, Map.of()).get(field);
            if (k != null) {
                return k;
            }
        }
        return null;
    }

    /**
     * The x-kubernetes-list-map-keys of list {@code field} of {@code owner} (server-side apply merges its
     * elements by these fields together), or null for an atomic list or a set.
     */
    public static List<String> listMapKeys(Class<?> owner, String field) {
        if (owner == null) {
            return null;
        }
        for (Class<?> c = owner; c != null && c != Object.class; c = c.getSuperclass()) {
            List<String> keys = LIST_MAP_KEYS.getOrDefault(c, Map.of()).get(field);
            if (keys != null) {
                return keys;
            }
        }
        String single = mergeKey(owner, field);
        return single == null ? null : List.of(single);
    }

    /** The schema default of list-map key field {@code key}, or null when it has none. */
    public static String keyDefault(String key) {
        return KEY_DEFAULTS.get(key);
    }

    /** Whether list {@code field} of {@code owner} is a list of scalars merged as a set. */
    public static boolean isScalarSet(Class<?> owner, String field) {
        return owner != null && SCALAR_SETS.getOrDefault(owner, Set.of()).contains(field);
    }

    static Shape shape(Class<?> c) {
        return shapeOf(c);
    }

    private static Shape shapeOf(Type t) {
        if (t instanceof ParameterizedType pt) {
            Class<?> raw = (Class<?>) pt.getRawType();
            Type[] args = pt.getActualTypeArguments();
            if (Collection.class.isAssignableFrom(raw)) {
                return new Shape(Kind.LIST, null, shapeOf(args[0]));
            }
            if (Map.class.isAssignableFrom(raw)) {
                return new Shape(Kind.MAP, null, shapeOf(args[1]));
            }
            return shapeOf(raw);
        }
        if (!(t instanceof Class<?> c)) {
            return Shape.ANY;
        }
        if (c == String.class || c.isEnum()) {
            return new Shape(Kind.STRING, null, null);
        }
        if (c == int.class || c == Integer.class || c == long.class || c == Long.class || c == short.class || c == Short.class) {
            return new Shape(Kind.INTEGER, null, null);
        }
        if (c == double.class || c == Double.class || c == float.class || c == Float.class) {
            return new Shape(Kind.NUMBER, null, null);
        }
        if (c == boolean.class || c == Boolean.class) {
            return new Shape(Kind.BOOLEAN, null, null);
        }
        if (c == Quantity.class) {
            return new Shape(Kind.QUANTITY, null, null);
        }
        if (c == IntOrString.class) {
            return new Shape(Kind.INT_OR_STRING, null, null);
        }
        if (c == Object.class) {
            return Shape.ANY;
        }
        if (Collection.class.isAssignableFrom(c)) {
            return new Shape(Kind.LIST, null, Shape.ANY);
        }
        if (Map.class.isAssignableFrom(c)) {
            return new Shape(Kind.MAP, null, Shape.ANY);
        }
        return new Shape(Kind.OBJECT, c, null);
    }

    /** The classes reachable from {@code roots} through object fields, roots first. */
    public static List<Class<?>> reachable(List<Class<?>> roots) {
        LinkedHashMap<Class<?>, Boolean> seen = new LinkedHashMap<>();
        for (Class<?> r : roots) {
            visit(r, seen);
        }
        return List.copyOf(seen.keySet());
    }

    private static void visit(Class<?> c, Map<Class<?>, Boolean> seen) {
        if (seen.putIfAbsent(c, true) != null) {
            return;
        }
        for (Shape s : fields(c).values()) {
            Shape e = s;
            while (e != null && (e.kind() == Kind.LIST || e.kind() == Kind.MAP)) {
                e = e.element();
            }
            if (e != null && e.kind() == Kind.OBJECT) {
                visit(e.type(), seen);
            }
        }
    }
}
