package io.kube4j.controllermanager.history;

import io.kube4j.api.ControllerRevision;
import io.kube4j.api.KubeObject;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * ControllerRevisions as the DaemonSet and StatefulSet controllers keep them (Kubernetes'
 * {@code pkg/controller/history/controller_history.go} and the template hash of
 * {@code pkg/controller/controller_utils.go}): a revision stores a patch that puts a pod template back
 * ({@code {"spec":{"template":{..., "$patch":"replace"}}}}), revisions are ordered by their number, two
 * revisions are equal when their data is, and names end in a hash of the data (or the template) plus a
 * collision count.
 *
 * <p>Kubernetes hashes Go's own serialization of the objects; kube4j hashes the same data as JSON with
 * sorted keys (what Go's {@code json.Marshal} of a map writes). Names have Kubernetes' shape and
 * alphabet, but not the same digits as a Kubernetes cluster would compute for the same template.
 */
public final class ControllerHistory {
    /** The label with a revision's hash on DaemonSet pods and revisions, and StatefulSet pods (apps.ControllerRevisionHashLabelKey). */
    public static final String CONTROLLER_REVISION_HASH = "controller-revision-hash";
    /** The label {@code history.NewControllerRevision} puts the hash under (ControllerRevisionHashLabel). */
    public static final String HASH_LABEL = "controller.kubernetes.io/hash";
    /** Kubernetes' rand.SafeEncodeString alphabet: no vowels, no look-alike digits. */
    private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
    /** A revision name is its owner's name (at most this long), a dash and the hash. */
    private static final int MAX_PREFIX = 223;

    private ControllerHistory() {
    }

    /** The JSON of {@code node} with object keys sorted at every level and no whitespace. */
    public static String canonicalJson(JsonNode node) {
        return Json.write(sorted(Json.mapper().convertValue(node, Object.class)));
    }

    @SuppressWarnings("unchecked")
    private static Object sorted(Object value) {
        if (value instanceof Map<?, ?> map) {
            TreeMap<String, Object> out = new TreeMap<>();
            ((Map<String, Object>) map).forEach((k, v) -> out.put(k, sorted(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(sorted(v)));
            return out;
        }
        return value;
    }

    /**
     * The revision data for {@code owner}'s {@code spec.template} (getPatch in Kubernetes' daemon and
     * statefulset controllers): {@code {"spec":{"template":{...,"$patch":"replace"}}}}, keys sorted.
     */
    public static Map<String, Object> templatePatch(KubeObject owner) {
        ObjectNode tree = Json.toTree(owner);
        JsonNode template = tree.path("spec").path("template");
        ObjectNode t = template.isObject() ? ((ObjectNode) template).deepCopy() : Json.mapper().createObjectNode();
        t.put("$patch", "replace");
        ObjectNode patch = Json.mapper().createObjectNode();
        patch.putObject("spec").set("template", t);
        return Json.read(canonicalJson(patch), new tools.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {
        });
    }

    /** The revision's data as the bytes Kubernetes keeps in {@code data.raw}: canonical JSON. */
    public static String raw(ControllerRevision revision) {
        return canonicalJson(Json.toTree(revision.data == null ? Map.of() : revision.data));
    }

    /** The pod template a revision puts back (data.spec.template without the {@code $patch} directive); null if none. */
    public static PodTemplateSpec template(ControllerRevision revision) {
        JsonNode t = Json.toTree(revision.data == null ? Map.of() : revision.data).path("spec").path("template");
        if (!t.isObject()) {
            return null;
        }
        ObjectNode copy = ((ObjectNode) t).deepCopy();
        copy.remove("$patch");
        return Json.convert(copy, PodTemplateSpec.class);
    }

    /** 32-bit FNV-1 (Go's {@code fnv.New32}). */
    static int fnv32(int hash, byte[] bytes) {
        for (byte b : bytes) {
            hash *= 0x01000193;
            hash ^= b & 0xff;
        }
        return hash;
    }

    /** 32-bit FNV-1a (Go's {@code fnv.New32a}). */
    static int fnv32a(int hash, byte[] bytes) {
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= 0x01000193;
        }
        return hash;
    }

    static final int FNV_OFFSET = 0x811c9dc5;

    /** Kubernetes' rand.SafeEncodeString of the decimal form of an unsigned 32-bit hash. */
    static String safeEncode(int hash) {
        String digits = Long.toString(Integer.toUnsignedLong(hash));
        StringBuilder out = new StringBuilder(digits.length());
        for (char c : digits.toCharArray()) {
            out.append(ALPHANUMS.charAt(c % ALPHANUMS.length()));
        }
        return out.toString();
    }

    /**
     * The DaemonSet's template hash (controller.ComputeHash): FNV-1a over the template, then, when a
     * collision count is set, its value as 8 little-endian bytes.
     */
    public static String computeHash(PodTemplateSpec template, Integer collisionCount) {
        int hash = fnv32a(FNV_OFFSET, canonicalJson(Json.toTree(template)).getBytes(StandardCharsets.UTF_8));
        if (collisionCount != null) {
            int c = collisionCount;
            byte[] le = {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24), 0, 0, 0, 0};
            hash = fnv32a(hash, le);
        }
        return safeEncode(hash);
    }

    /** A revision's hash (history.HashControllerRevision): FNV-1 over its data, then the probe in decimal. */
    public static String hashControllerRevision(ControllerRevision revision, Integer probe) {
        int hash = fnv32(FNV_OFFSET, raw(revision).getBytes(StandardCharsets.UTF_8));
        if (probe != null) {
            hash = fnv32(hash, Long.toString(probe).getBytes(StandardCharsets.UTF_8));
        }
        return safeEncode(hash);
    }

    /** {@code <prefix>-<hash>}, the prefix cut to 223 characters (history.ControllerRevisionName). */
    public static String revisionName(String prefix, String hash) {
        String p = prefix.length() > MAX_PREFIX ? prefix.substring(0, MAX_PREFIX) : prefix;
        return p + "-" + hash;
    }

    /**
     * A revision controlled by {@code parent} (history.NewControllerRevision): the template's labels
     * plus {@code controller.kubernetes.io/hash}, named {@code <parent>-<hash>}. Not yet created.
     */
    public static ControllerRevision newControllerRevision(KubeObject parent, Map<String, String> templateLabels,
                                                           Map<String, Object> data, long revision, Integer collisionCount) {
        ControllerRevision cr = new ControllerRevision();
        cr.metadata.namespace = parent.metadata.namespace;
        if (templateLabels != null) {
            cr.metadata.labels.putAll(templateLabels);
        }
        cr.metadata.ownerReferences.add(OwnerReference.controllerOf(parent));
        cr.data = data;
        cr.revision = revision;
        String hash = hashControllerRevision(cr, collisionCount);
        cr.metadata.name = revisionName(parent.metadata.name, hash);
        cr.metadata.labels.put(HASH_LABEL, hash);
        return cr;
    }

    /** Oldest first: by revision number, then creation time, then name (history.SortControllerRevisions). */
    public static final Comparator<ControllerRevision> BY_REVISION = Comparator
            .comparingLong((ControllerRevision r) -> r.revision)
            .thenComparing(r -> r.metadata.creationTimestamp == null ? "" : r.metadata.creationTimestamp)
            .thenComparing(r -> r.metadata.name == null ? "" : r.metadata.name);

    /**
     * Whether two revisions hold the same data (history.EqualRevision). Kubernetes compares the hash
     * labels first, but only when both parse as integers, which the safe-encoded hashes never do; so in
     * effect, and here, only the data counts.
     */
    public static boolean equalRevision(ControllerRevision a, ControllerRevision b) {
        if (a == null || b == null) {
            return a == b;
        }
        return raw(a).equals(raw(b));
    }

    /** The revisions equal to {@code needle}, in the order given (history.FindEqualRevisions). */
    public static List<ControllerRevision> findEqualRevisions(List<ControllerRevision> revisions, ControllerRevision needle) {
        List<ControllerRevision> out = new ArrayList<>();
        for (ControllerRevision r : revisions) {
            if (equalRevision(r, needle)) {
                out.add(r);
            }
        }
        return out;
    }

    /** The highest revision number, 0 for none (maxRevision). */
    public static long maxRevision(List<ControllerRevision> revisions) {
        long max = 0;
        for (ControllerRevision r : revisions) {
            max = Math.max(max, r.revision);
        }
        return max;
    }

    /** Whether two data maps are the same JSON. */
    public static boolean sameData(Map<String, Object> a, Map<String, Object> b) {
        return Objects.equals(canonicalJson(Json.toTree(a == null ? Map.of() : a)),
                canonicalJson(Json.toTree(b == null ? Map.of() : b)));
    }
}
