package io.kube4j.apiserver.registry;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.admission.Defaults;
import io.kube4j.apiserver.admission.FieldErrors;
import io.kube4j.apiserver.admission.Validation;
import io.kube4j.apiserver.allocation.ServiceAllocator;
import io.kube4j.apiserver.storage.EtcdStorage;
import io.kube4j.apiserver.storage.StorageException;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.apiserver.web.ApiError;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import io.kube4j.labels.FieldSelector;
import io.kube4j.labels.Selector;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.BinaryOperator;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The storage semantics of every resource, on JSON trees: create, get, list, update, status update,
 * patch, graceful delete with finalizers, binding and scale. Typed objects are used only where
 * Kubernetes applies defaults and validation; everything else stays a tree so unknown fields and
 * annotations survive verbatim. Objects read from the {@link WatchCache} are shared and never mutated.
 */
@Component
public class Registry {
    /** Resources whose status is written only through the /status subresource. */
    private static final Set<String> WITH_STATUS = Set.of("pods", "nodes", "services", "namespaces", "replicasets", "deployments");
    /** Namespaces the cluster cannot work without. */
    public static final List<String> SYSTEM_NAMESPACES = List.of("default", "kube-system", "kube-public", "kube-node-lease");
    private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
    private static final int MAX_CONFLICT_RETRIES = 50;

    private final EtcdStorage storage;
    private final WatchCache cache;
    private final ApiServerProperties props;
    /** Services are written together with their ClusterIP/NodePort allocations. */
    private final ServiceAllocator services;
    private final SecureRandom random = new SecureRandom();
    private final Defaults defaults;

    public Registry(EtcdStorage storage, WatchCache cache, ApiServerProperties props, ServiceAllocator services) {
        this.storage = storage;
        this.cache = cache;
        this.props = props;
        this.defaults = new Defaults(props.admission().defaultTolerationSeconds());
        this.services = services;
    }

    // ---- keys ---------------------------------------------------------------------------------

    public static String key(ResourceType rt, String namespace, String name) {
        return rt.namespaced() ? "/registry/" + rt.resource() + "/" + namespace + "/" + name : "/registry/" + rt.resource() + "/" + name;
    }

    public static String prefix(ResourceType rt, String namespace) {
        return rt.namespaced() && namespace != null ? "/registry/" + rt.resource() + "/" + namespace + "/" : "/registry/" + rt.resource() + "/";
    }

    // ---- reads --------------------------------------------------------------------------------

    /** The object as stored now (a consistent read from etcd). */
    public ObjectNode get(ResourceType rt, String namespace, String name) {
        return read(rt, namespace, name).object();
    }

    private record Current(ObjectNode object, long modRevision) {
    }

    private Current read(ResourceType rt, String namespace, String name) {
        EtcdStorage.Stored s = storage.get(key(rt, namespace, name))
                .orElseThrow(() -> ApiError.notFound(rt.group(), rt.resource(), name));
        return new Current(decode(s.value(), s.modRevision()), s.modRevision());
    }

    private static ObjectNode decode(byte[] value, long rev) {
        ObjectNode obj = (ObjectNode) Json.tree(value);
        meta(obj).put("resourceVersion", Long.toString(rev));
        return obj;
    }

    static ObjectNode meta(ObjectNode obj) {
        JsonNode m = obj.get("metadata");
        return m instanceof ObjectNode o ? o : obj.putObject("metadata");
    }

    /** The filter for a list or watch: label selector on metadata.labels, field selector on JSON paths. */
    public static Predicate<ObjectNode> filter(String labelSelector, String fieldSelector) {
        Selector labels;
        FieldSelector fields;
        try {
            labels = Selector.parse(labelSelector);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("unable to parse labelSelector: " + e.getMessage());
        }
        try {
            fields = FieldSelector.parse(fieldSelector);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("unable to parse fieldSelector: " + e.getMessage());
        }
        if (labels.isEverything() && fields.isEverything()) {
            return o -> true;
        }
        return o -> {
            if (!labels.isEverything()) {
                Map<String, String> l = new HashMap<>();
                o.path("metadata").path("labels").properties().forEach(e -> l.put(e.getKey(), e.getValue().asString("")));
                if (!labels.matches(l)) {
                    return false;
                }
            }
            if (!fields.isEverything()) {
                Map<String, String> f = new HashMap<>();
                for (FieldSelector.Term t : fields.terms()) {
                    f.put(t.field(), fieldValue(o, t.field()));
                }
                return fields.matches(f);
            }
            return true;
        };
    }

    /** The value of a dotted field path (e.g. {@code spec.nodeName}) as text; "" when absent. */
    static String fieldValue(ObjectNode o, String path) {
        JsonNode cur = o;
        for (String part : path.split("\\.")) {
            cur = cur.path(part);
        }
        return cur.isMissingNode() || cur.isNull() ? "" : cur.isValueNode() ? cur.asString("") : cur.toString();
    }

    /** A list of one page, as the JSON the client gets. */
    public ObjectNode list(ResourceType rt, String namespace, String labelSelector, String fieldSelector, int limit, String continueToken, String resourceVersion) {
        Predicate<ObjectNode> filter = filter(labelSelector, fieldSelector);
        ObjectNode list = Json.mapper().createObjectNode();
        list.put("apiVersion", rt.apiVersion());
        list.put("kind", rt.listKind());
        ObjectNode lm = list.putObject("metadata");
        ArrayNode items = list.putArray("items");
        if (limit <= 0 && (continueToken == null || continueToken.isEmpty())) {
            if (!"0".equals(resourceVersion)) {
                // a consistent list: the cache must have caught up with what etcd has now
                cache.waitUntilFresh(storage.currentRevision(), Duration.ofSeconds(5));
            }
            WatchCache.Snapshot snap = cache.snapshot(prefix(rt, namespace), filter);
            snap.items().forEach(items::add);
            lm.put("resourceVersion", Long.toString(snap.revision()));
            return list;
        }
        // paginated lists read etcd at one revision, so every page belongs to the same snapshot
        long rev = 0;
        String from = null;
        if (continueToken != null && !continueToken.isEmpty()) {
            try {
                JsonNode t = Json.tree(Base64.getUrlDecoder().decode(continueToken));
                rev = t.path("rv").asLong();
                from = t.path("start").asString();
            } catch (RuntimeException e) {
                throw ApiError.badRequest("invalid continue token");
            }
        }
        String prefix = prefix(rt, namespace);
        int want = limit <= 0 ? 500 : limit;
        String nextStart = null;
        outer:
        while (true) {
            EtcdStorage.Page page;
            try {
                // one more than needed, so we know whether another page follows
                page = storage.range(prefix, from, rev, want - items.size() + 1);
            } catch (StorageException e) {
                if (e.kind() == StorageException.Kind.COMPACTED) {
                    throw ApiError.gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
                }
                throw e;
            }
            rev = page.revision();
            for (EtcdStorage.Stored s : page.items()) {
                if (items.size() == want) {
                    nextStart = s.key();
                    break outer;
                }
                ObjectNode o = decode(s.value(), s.modRevision());
                if (filter.test(o)) {
                    items.add(o);
                }
            }
            if (!page.more() || page.items().isEmpty()) {
                break;
            }
            from = page.items().get(page.items().size() - 1).key() + "\0";
        }
        lm.put("resourceVersion", Long.toString(rev));
        if (nextStart != null) {
            ObjectNode t = Json.mapper().createObjectNode();
            t.put("rv", rev);
            t.put("start", nextStart);
            lm.put("continue", Base64.getUrlEncoder().withoutPadding().encodeToString(Json.writeBytes(t)));
        }
        return list;
    }

    // ---- create -------------------------------------------------------------------------------

    /** Creates the object: names, uid, timestamps, defaults, validation, then one etcd transaction. */
    public ObjectNode create(ResourceType rt, String namespace, ObjectNode body, boolean dryRun) {
        ObjectNode obj = body.deepCopy();
        checkKind(rt, obj);
        ObjectNode m = meta(obj);
        String bodyNs = m.path("namespace").asString("");
        if (rt.namespaced()) {
            if (!bodyNs.isEmpty() && !bodyNs.equals(namespace)) {
                throw ApiError.badRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            m.put("namespace", namespace);
        } else {
            m.remove("namespace");
        }
        String name = m.path("name").asString("");
        String generateName = m.path("generateName").asString("");
        if (name.isEmpty() && !generateName.isEmpty()) {
            name = generateName + randomSuffix();
            m.put("name", name);
        }
        m.remove("resourceVersion");
        m.remove("selfLink");
        m.remove("deletionTimestamp");
        m.remove("deletionGracePeriodSeconds");
        m.put("uid", UUID.randomUUID().toString());
        m.put("creationTimestamp", Times.now());
        m.put("generation", 1);
        resetStatusForCreate(rt, obj);
        if (rt.namespaced()) {
            admitNamespace(rt, namespace, name);
        }
        ObjectNode out = defaultAndValidate(rt, obj, null);
        if (rt == ResourceTypes.SERVICES) {
            return services.create(key(rt, namespace, name), out, dryRun);
        }
        if (dryRun) {
            return out;
        }
        try {
            long rev = storage.create(key(rt, namespace, name), encode(out));
            meta(out).put("resourceVersion", Long.toString(rev));
            return out;
        } catch (StorageException e) {
            if (e.kind() == StorageException.Kind.KEY_EXISTS) {
                throw ApiError.alreadyExists(rt.group(), rt.resource(), name);
            }
            throw e;
        }
    }

    private String randomSuffix() {
        StringBuilder sb = new StringBuilder(5);
        for (int i = 0; i < 5; i++) {
            sb.append(NAME_CHARS.charAt(random.nextInt(NAME_CHARS.length())));
        }
        return sb.toString();
    }

    private static void checkKind(ResourceType rt, ObjectNode obj) {
        String kind = obj.path("kind").asString("");
        String apiVersion = obj.path("apiVersion").asString("");
        if (!kind.isEmpty() && !kind.equals(rt.kind())) {
            throw ApiError.badRequest("the kind of the provided object (" + kind + ") does not match the resource " + rt.resource() + " (" + rt.kind() + ")");
        }
        if (!apiVersion.isEmpty() && !apiVersion.equals(rt.apiVersion())) {
            throw ApiError.badRequest("the apiVersion of the provided object (" + apiVersion + ") does not match " + rt.apiVersion());
        }
        obj.put("apiVersion", rt.apiVersion());
        obj.put("kind", rt.kind());
    }

    private static void resetStatusForCreate(ResourceType rt, ObjectNode obj) {
        switch (rt.resource()) {
            case "pods" -> {
                ObjectNode status = obj.putObject("status");
                status.put("phase", "Pending");
            }
            // a node reports its own capacity and conditions when it registers
            case "nodes", "namespaces" -> {
            }
            default -> {
                if (WITH_STATUS.contains(rt.resource())) {
                    obj.putObject("status");
                }
            }
        }
    }

    /** Namespaced objects need a namespace that exists and is not being deleted. */
    private void admitNamespace(ResourceType rt, String namespace, String name) {
        if (namespace == null || namespace.isEmpty()) {
            throw ApiError.badRequest("a namespace is required for " + rt.resource());
        }
        ObjectNode ns = cache.get(key(ResourceTypes.NAMESPACES, null, namespace));
        if (ns == null) {
            ns = storage.get(key(ResourceTypes.NAMESPACES, null, namespace)).map(s -> decode(s.value(), s.modRevision())).orElse(null);
        }
        if (ns == null) {
            throw ApiError.notFound("", "namespaces", namespace);
        }
        if (ns.path("metadata").has("deletionTimestamp") || "Terminating".equals(ns.path("status").path("phase").asString(""))) {
            throw ApiError.forbidden(rt.group(), rt.resource(), name,
                    "unable to create new content in namespace " + namespace + " because it is being terminated");
        }
    }

    /** Typed round trip: defaults, then validation (422 with causes); returns the defaulted tree. */
    private ObjectNode defaultAndValidate(ResourceType rt, ObjectNode obj, ObjectNode old) {
        KubeObject typed;
        try {
            typed = Json.convert(obj, rt.type());
        } catch (RuntimeException e) {
            throw ApiError.badRequest(rt.kind() + " in version \"" + rt.version() + "\" cannot be handled as a " + rt.kind() + ": " + rootMessage(e));
        }
        defaults.apply(typed);
        KubeObject typedOld = old == null ? null : Json.convert(old, rt.type());
        FieldErrors errs = Validation.validate(typed, typedOld);
        if (!errs.isEmpty()) {
            throw ApiError.invalid(rt.group(), rt.kind(), typed.metadata.name, errs.causes());
        }
        // the typed view models most fields, not all: lay its (defaulted) values over the request's tree so
        // fields kube4j does not model survive verbatim instead of being dropped
        return overlay(obj.deepCopy(), Json.toTree(typed));
    }

    /** Writes every value of {@code top} into {@code base}, recursing into objects and same-length arrays. */
    static ObjectNode overlay(ObjectNode base, ObjectNode top) {
        for (Map.Entry<String, JsonNode> e : top.properties()) {
            JsonNode b = base.get(e.getKey());
            JsonNode t = e.getValue();
            if (b instanceof ObjectNode bo && t instanceof ObjectNode to) {
                overlay(bo, to);
            } else if (b instanceof ArrayNode ba && t instanceof ArrayNode ta && ba.size() == ta.size()) {
                for (int i = 0; i < ta.size(); i++) {
                    if (ba.get(i) instanceof ObjectNode bi && ta.get(i) instanceof ObjectNode ti) {
                        overlay(bi, ti);
                    } else {
                        ba.set(i, ta.get(i));
                    }
                }
            } else {
                base.set(e.getKey(), t);
            }
        }
        return base;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.toString() : m.lines().findFirst().orElse(m);
    }

    private static byte[] encode(ObjectNode obj) {
        ObjectNode copy = obj.deepCopy();
        meta(copy).remove("resourceVersion");
        return Json.writeBytes(copy);
    }

    // ---- update -------------------------------------------------------------------------------

    /** What a write replaces: the whole object (status kept) or only the status. */
    public enum Part { MAIN, STATUS }

    /** PUT: a stale metadata.resourceVersion in the body gives 409 Conflict. */
    public ObjectNode update(ResourceType rt, String namespace, String name, ObjectNode body, Part part, boolean dryRun) {
        return update(rt, namespace, name, body, part, dryRun, null);
    }

    /** PUT with {@code track(current, proposed)} applied to the proposal first (managedFields bookkeeping); null for none. */
    public ObjectNode update(ResourceType rt, String namespace, String name, ObjectNode body, Part part, boolean dryRun, BinaryOperator<ObjectNode> track) {
        checkKind(rt, body);
        String bodyName = meta(body).path("name").asString("");
        if (!bodyName.isEmpty() && !bodyName.equals(name)) {
            throw ApiError.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + name + ")");
        }
        String bodyNs = meta(body).path("namespace").asString("");
        if (rt.namespaced() && !bodyNs.isEmpty() && !bodyNs.equals(namespace)) {
            throw ApiError.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        String precondition = meta(body).path("resourceVersion").asString("");
        return guaranteedUpdate(rt, namespace, name, precondition, part, dryRun,
                current -> track == null ? body.deepCopy() : track.apply(current, body.deepCopy()));
    }

    /** PATCH: applies the patch to the current object in a retry loop (no resourceVersion needed). */
    public ObjectNode patch(ResourceType rt, String namespace, String name, String contentType, JsonNode patch, Part part, boolean dryRun) {
        return patch(rt, namespace, name, contentType, patch, part, dryRun, null);
    }

    /** PATCH with {@code track(current, patched)} applied to the result (managedFields bookkeeping); null for none. */
    public ObjectNode patch(ResourceType rt, String namespace, String name, String contentType, JsonNode patch, Part part, boolean dryRun, BinaryOperator<ObjectNode> track) {
        return guaranteedUpdate(rt, namespace, name, null, part, dryRun, current -> {
            ObjectNode patched = Patches.apply(contentType, current, patch, rt.type());
            return track == null ? patched : track.apply(current, patched);
        });
    }

    /**
     * Read-modify-write: {@code change} proposes the next object from the current one; the write is
     * guarded by the current revision and retried on conflict unless the caller gave a precondition.
     */
    public ObjectNode guaranteedUpdate(ResourceType rt, String namespace, String name, String precondition, Part part, boolean dryRun, UnaryOperator<ObjectNode> change) {
        for (int attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
            Current cur = read(rt, namespace, name);
            if (precondition != null && !precondition.isEmpty() && !precondition.equals(Long.toString(cur.modRevision()))) {
                throw ApiError.conflict(rt.group(), rt.resource(), name, "the object has been modified; please apply your changes to the latest version and try again");
            }
            ObjectNode proposed = change.apply(cur.object().deepCopy());
            if (rt == ResourceTypes.SERVICES && part == Part.MAIN) {
                services.carryOver(cur.object(), proposed);
            }
            ObjectNode next = prepareUpdate(rt, cur.object(), proposed, part);
            if (dryRun) {
                return next;
            }
            try {
                if (rt == ResourceTypes.SERVICES) {
                    return commitService(key(rt, namespace, name), cur, next);
                }
                return commit(rt, namespace, name, next, cur.modRevision());
            } catch (StorageException e) {
                if (e.kind() == StorageException.Kind.CONFLICT && (precondition == null || precondition.isEmpty())) {
                    continue;
                }
                throw translate(rt, name, e);
            }
        }
        throw ApiError.conflict(rt.group(), rt.resource(), name, "too many concurrent writers; try again");
    }

    /** Writes {@code next} over the revision read; removes it instead when its deletion is complete. */
    private ObjectNode commit(ResourceType rt, String namespace, String name, ObjectNode next, long modRevision) {
        String key = key(rt, namespace, name);
        if (deletionComplete(next)) {
            long rev = storage.delete(key, modRevision);
            meta(next).put("resourceVersion", Long.toString(rev));
            return next;
        }
        long rev = storage.update(key, encode(next), modRevision);
        meta(next).put("resourceVersion", Long.toString(rev));
        return next;
    }

    /** A Service write also allocates or releases its addresses, in the same transaction. */
    private ObjectNode commitService(String key, Current cur, ObjectNode next) {
        long rev = deletionComplete(next) ? services.delete(key, cur.object(), cur.modRevision()) : services.update(key, cur.object(), next, cur.modRevision());
        meta(next).put("resourceVersion", Long.toString(rev));
        return next;
    }

    private static ApiError translate(ResourceType rt, String name, StorageException e) {
        return switch (e.kind()) {
            case CONFLICT -> ApiError.conflict(rt.group(), rt.resource(), name, "the object has been modified; please apply your changes to the latest version and try again");
            case NOT_FOUND -> ApiError.notFound(rt.group(), rt.resource(), name);
            default -> throw e;
        };
    }

    /** An object marked for deletion whose finalizers have all gone is removed. */
    private static boolean deletionComplete(ObjectNode obj) {
        ObjectNode m = meta(obj);
        if (!m.has("deletionTimestamp")) {
            return false;
        }
        if (m.path("finalizers").size() > 0) {
            return false;
        }
        if ("Namespace".equals(obj.path("kind").asString("")) && obj.path("spec").path("finalizers").size() > 0) {
            return false;
        }
        // a pod being gracefully deleted stays until its kubelet deletes it with grace 0
        return !("Pod".equals(obj.path("kind").asString("")) && m.path("deletionGracePeriodSeconds").asLong(0) > 0);
    }

    /**
     * The next object from the current one and a proposal: identity fields come from the current
     * object; a main-resource write keeps the current status, a status write keeps everything else;
     * generation moves only when the spec changes.
     */
    private ObjectNode prepareUpdate(ResourceType rt, ObjectNode current, ObjectNode proposed, Part part) {
        ObjectNode next;
        if (part == Part.STATUS) {
            next = current.deepCopy();
            JsonNode status = proposed.get("status");
            if (status == null || status.isNull()) {
                next.remove("status");
            } else {
                next.set("status", status.deepCopy());
            }
        } else {
            next = proposed;
            checkKind(rt, next);
            if (WITH_STATUS.contains(rt.resource())) {
                JsonNode status = current.get("status");
                if (status == null) {
                    next.remove("status");
                } else {
                    next.set("status", status.deepCopy());
                }
            }
        }
        ObjectNode m = meta(next);
        ObjectNode cm = meta(current);
        for (String f : List.of("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds")) {
            if (cm.has(f)) {
                m.set(f, cm.get(f));
            } else {
                m.remove(f);
            }
        }
        long generation = cm.path("generation").asLong(1);
        if (part == Part.MAIN && !Objects.equals(specOf(current), specOf(next))) {
            generation++;
        }
        m.put("generation", generation);
        m.remove("resourceVersion");
        ObjectNode out = part == Part.STATUS ? next : defaultAndValidate(rt, next, current);
        // a status write cannot be validated against spec rules it does not touch, but must still decode
        if (part == Part.STATUS) {
            try {
                Json.convert(out, rt.type());
            } catch (RuntimeException e) {
                throw ApiError.badRequest(rt.kind() + " status cannot be decoded: " + rootMessage(e));
            }
        }
        return out;
    }

    /** What counts as the spec for generation: {@code spec}, or for kinds without one everything but metadata and status. */
    private static JsonNode specOf(ObjectNode obj) {
        if (obj.has("spec")) {
            return obj.get("spec");
        }
        ObjectNode rest = obj.deepCopy();
        rest.remove("metadata");
        rest.remove("status");
        return rest;
    }

    // ---- delete -------------------------------------------------------------------------------

    /** The result of a delete: the object's last state, and whether it is gone or only marked. */
    public record Deleted(ObjectNode object, boolean removed) {
    }

    /**
     * DELETE: preconditions, then either remove now or mark (deletionTimestamp) while a kubelet stops a
     * pod or finalizers run. propagationPolicy Foreground/Orphan becomes the finalizer the garbage
     * collector acts on.
     */
    public Deleted delete(ResourceType rt, String namespace, String name, DeleteOptions options, boolean dryRun) {
        DeleteOptions opts = options == null ? new DeleteOptions() : options;
        if (rt == ResourceTypes.NAMESPACES && SYSTEM_NAMESPACES.contains(name)) {
            throw ApiError.forbidden("", "namespaces", name, "this namespace may not be deleted");
        }
        for (int attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
            Current cur = read(rt, namespace, name);
            ObjectNode obj = cur.object().deepCopy();
            ObjectNode m = meta(obj);
            if (opts.preconditions != null) {
                if (opts.preconditions.uid != null && !opts.preconditions.uid.equals(m.path("uid").asString(""))) {
                    throw ApiError.conflict(rt.group(), rt.resource(), name, "Precondition failed: UID in precondition: " + opts.preconditions.uid + ", UID in object meta: " + m.path("uid").asString(""));
                }
                if (opts.preconditions.resourceVersion != null && !opts.preconditions.resourceVersion.equals(Long.toString(cur.modRevision()))) {
                    throw ApiError.conflict(rt.group(), rt.resource(), name, "Precondition failed: ResourceVersion in precondition: " + opts.preconditions.resourceVersion + ", ResourceVersion in object meta: " + cur.modRevision());
                }
            }
            long grace = gracePeriod(rt, obj, opts);
            boolean changed = addPropagationFinalizer(obj, opts);
            boolean alreadyDeleting = m.has("deletionTimestamp");
            if (!alreadyDeleting || (grace < m.path("deletionGracePeriodSeconds").asLong(0))) {
                m.put("deletionTimestamp", Times.format(Instant.now().plusSeconds(grace)));
                m.put("deletionGracePeriodSeconds", grace);
                changed = true;
            }
            if (rt == ResourceTypes.NAMESPACES && !"Terminating".equals(obj.path("status").path("phase").asString(""))) {
                obj.putObject("status").put("phase", "Terminating");
                changed = true;
            }
            if (dryRun) {
                return new Deleted(obj, deletionComplete(obj));
            }
            try {
                if (deletionComplete(obj)) {
                    long rev = rt == ResourceTypes.SERVICES
                            ? services.delete(key(rt, namespace, name), cur.object(), cur.modRevision())
                            : storage.delete(key(rt, namespace, name), cur.modRevision());
                    meta(obj).put("resourceVersion", Long.toString(rev));
                    return new Deleted(obj, true);
                }
                if (!changed) {
                    return new Deleted(cur.object(), false);
                }
                long rev = storage.update(key(rt, namespace, name), encode(obj), cur.modRevision());
                meta(obj).put("resourceVersion", Long.toString(rev));
                return new Deleted(obj, false);
            } catch (StorageException e) {
                if (e.kind() == StorageException.Kind.CONFLICT) {
                    continue;
                }
                throw translate(rt, name, e);
            }
        }
        throw ApiError.conflict(rt.group(), rt.resource(), name, "too many concurrent writers; try again");
    }

    /** Pods on a node get their grace period (so the kubelet can stop them); everything else goes at once. */
    private static long gracePeriod(ResourceType rt, ObjectNode obj, DeleteOptions opts) {
        if (rt != ResourceTypes.PODS) {
            return 0;
        }
        String node = obj.path("spec").path("nodeName").asString("");
        String phase = obj.path("status").path("phase").asString("");
        if (node.isEmpty() || phase.equals("Succeeded") || phase.equals("Failed")) {
            return 0;
        }
        if (opts.gracePeriodSeconds != null) {
            return Math.max(0, opts.gracePeriodSeconds);
        }
        return obj.path("spec").path("terminationGracePeriodSeconds").asLong(30);
    }

    private static boolean addPropagationFinalizer(ObjectNode obj, DeleteOptions opts) {
        String finalizer = null;
        if ("Foreground".equals(opts.propagationPolicy)) {
            finalizer = "foregroundDeletion";
        } else if ("Orphan".equals(opts.propagationPolicy) || Boolean.TRUE.equals(opts.orphanDependents)) {
            finalizer = "orphan";
        } else if (opts.propagationPolicy != null && !"Background".equals(opts.propagationPolicy)) {
            throw ApiError.badRequest("propagationPolicy must be one of Foreground, Background or Orphan, not " + opts.propagationPolicy);
        }
        if (finalizer == null || meta(obj).has("deletionTimestamp")) {
            return false;
        }
        ArrayNode fins = meta(obj).has("finalizers") ? (ArrayNode) meta(obj).get("finalizers") : meta(obj).putArray("finalizers");
        for (JsonNode f : fins) {
            if (finalizer.equals(f.asString(""))) {
                return false;
            }
        }
        fins.add(finalizer);
        return true;
    }

    // ---- subresources -------------------------------------------------------------------------

    /** POST pods/{name}/binding: sets spec.nodeName once and PodScheduled=True. */
    public void bind(String namespace, String podName, ObjectNode binding) {
        String node = binding.path("target").path("name").asString("");
        if (node.isEmpty()) {
            throw ApiError.invalid("", "Binding", podName, List.of(new io.kube4j.api.Status.Cause("FieldValueRequired", "Required value", "target.name")));
        }
        ResourceType rt = ResourceTypes.PODS;
        for (int attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
            Current cur = read(rt, namespace, podName);
            ObjectNode pod = cur.object().deepCopy();
            String uid = binding.path("metadata").path("uid").asString("");
            if (!uid.isEmpty() && !uid.equals(meta(pod).path("uid").asString(""))) {
                throw ApiError.conflict("", "pods", podName, "the pod's UID has changed");
            }
            if (meta(pod).has("deletionTimestamp")) {
                throw ApiError.conflict("", "pods", podName, "pod " + podName + " is being deleted, cannot be assigned to a host");
            }
            String bound = pod.path("spec").path("nodeName").asString("");
            if (!bound.isEmpty()) {
                throw ApiError.conflict("", "pods", podName, "pod " + podName + " is already assigned to node \"" + bound + "\"");
            }
            ((ObjectNode) pod.get("spec")).put("nodeName", node);
            ObjectNode status = pod.has("status") ? (ObjectNode) pod.get("status") : pod.putObject("status");
            ArrayNode conditions = status.has("conditions") ? (ArrayNode) status.get("conditions") : status.putArray("conditions");
            for (int i = conditions.size() - 1; i >= 0; i--) {
                if ("PodScheduled".equals(conditions.get(i).path("type").asString(""))) {
                    conditions.remove(i);
                }
            }
            ObjectNode c = conditions.addObject();
            c.put("type", "PodScheduled");
            c.put("status", "True");
            c.put("lastTransitionTime", Times.now());
            meta(pod).remove("resourceVersion");
            try {
                storage.update(key(rt, namespace, podName), encode(pod), cur.modRevision());
                return;
            } catch (StorageException e) {
                if (e.kind() == StorageException.Kind.CONFLICT) {
                    continue;
                }
                throw translate(rt, podName, e);
            }
        }
        throw ApiError.conflict("", "pods", podName, "too many concurrent writers; try again");
    }

    /** The Scale (autoscaling/v1) view of a deployment or replicaset. */
    public static ObjectNode scaleOf(ObjectNode obj) {
        ObjectNode scale = Json.mapper().createObjectNode();
        scale.put("apiVersion", "autoscaling/v1");
        scale.put("kind", "Scale");
        ObjectNode m = scale.putObject("metadata");
        ObjectNode om = meta(obj);
        for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (om.has(f)) {
                m.set(f, om.get(f));
            }
        }
        scale.putObject("spec").put("replicas", obj.path("spec").path("replicas").asInt(0));
        ObjectNode st = scale.putObject("status");
        st.put("replicas", obj.path("status").path("replicas").asInt(0));
        io.kube4j.api.LabelSelector sel = Json.convert(obj.path("spec").path("selector").isObject() ? obj.path("spec").path("selector") : Json.mapper().createObjectNode(), io.kube4j.api.LabelSelector.class);
        st.put("selector", Selector.from(sel).toString());
        return scale;
    }

    /** Writes a new replica count through the main resource (generation moves, as for any spec change). */
    public ObjectNode updateScale(ResourceType rt, String namespace, String name, UnaryOperator<ObjectNode> scaleChange, boolean dryRun) {
        ObjectNode updated = guaranteedUpdate(rt, namespace, name, null, Part.MAIN, dryRun, current -> {
            ObjectNode scale = scaleChange.apply(scaleOf(current));
            String rv = scale.path("metadata").path("resourceVersion").asString("");
            if (!rv.isEmpty() && !rv.equals(meta(current).path("resourceVersion").asString(""))) {
                throw ApiError.conflict(rt.group(), rt.resource(), name, "the object has been modified; please apply your changes to the latest version and try again");
            }
            JsonNode replicas = scale.path("spec").path("replicas");
            if (!replicas.isIntegralNumber()) {
                throw ApiError.invalid("autoscaling", "Scale", name, List.of(new io.kube4j.api.Status.Cause("FieldValueRequired", "Required value", "spec.replicas")));
            }
            if (replicas.asInt() < 0) {
                throw ApiError.invalid("autoscaling", "Scale", name, List.of(new io.kube4j.api.Status.Cause("FieldValueInvalid", "Invalid value: " + replicas.asInt() + ": must be greater than or equal to 0", "spec.replicas")));
            }
            ((ObjectNode) current.get("spec")).put("replicas", replicas.asInt());
            return current;
        });
        return scaleOf(updated);
    }

    /** PUT namespaces/{name}/finalize: replaces spec.finalizers; a terminating namespace with none left is removed. */
    public ObjectNode finalizeNamespace(String name, ObjectNode body) {
        ResourceType rt = ResourceTypes.NAMESPACES;
        for (int attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
            Current cur = read(rt, null, name);
            ObjectNode next = cur.object().deepCopy();
            JsonNode fins = body.path("spec").path("finalizers");
            ObjectNode spec = next.has("spec") ? (ObjectNode) next.get("spec") : next.putObject("spec");
            if (fins.isArray() && fins.size() > 0) {
                spec.set("finalizers", fins.deepCopy());
            } else {
                spec.remove("finalizers");
            }
            try {
                return commit(rt, null, name, next, cur.modRevision());
            } catch (StorageException e) {
                if (e.kind() == StorageException.Kind.CONFLICT) {
                    continue;
                }
                throw translate(rt, name, e);
            }
        }
        throw ApiError.conflict("", "namespaces", name, "too many concurrent writers; try again");
    }

    /** Creates the system namespaces if they are missing (idempotent; run at startup). */
    public void ensureSystemNamespaces() {
        for (String ns : SYSTEM_NAMESPACES) {
            if (storage.get(key(ResourceTypes.NAMESPACES, null, ns)).isPresent()) {
                continue;
            }
            ObjectNode obj = Json.mapper().createObjectNode();
            obj.putObject("metadata").put("name", ns);
            try {
                create(ResourceTypes.NAMESPACES, null, obj, false);
            } catch (ApiError e) {
                if (e.code() != 409) {
                    throw e;
                }
            }
        }
    }

    /** The watch cache (for watches served by the web layer). */
    public WatchCache cache() {
        return cache;
    }

    public ApiServerProperties properties() {
        return props;
    }

    /** Decodes a request body given in the continue token or binding (visible for tests). */
    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The objects under a prefix as a list of copies, for callers that need to modify them. */
    public List<ObjectNode> snapshotCopies(ResourceType rt, String namespace) {
        List<ObjectNode> out = new ArrayList<>();
        cache.snapshot(prefix(rt, namespace), o -> true).items().forEach(o -> out.add(o.deepCopy()));
        return out;
    }
}
