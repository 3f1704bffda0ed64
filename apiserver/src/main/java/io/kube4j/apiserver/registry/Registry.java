package io.kube4j.apiserver.registry;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StorageException;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import io.kube4j.labels.FieldSelector;
import io.kube4j.labels.Selector;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The storage semantics of every resource, for any kind: create, get, list, update, status update,
 * patch and graceful delete with finalizers, on JSON trees. What differs per kind comes from its
 * {@link Strategy}; this class has no branch on a kind. Typed objects are used only for the kind's
 * defaults and validation; everything else stays a tree so unknown fields and annotations survive
 * verbatim. Objects read from the {@link WatchCache} are shared and never mutated.
 *
 * <p>Kubernetes' counterpart: {@code staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go}.
 */
@Component
public class Registry {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Registry.class);
    private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
    /** maxGeneratedNameLength: 63 minus the 5 random characters. */
    private static final int MAX_GENERATED_BASE = 58;

    private final Storage storage;
    private final WatchCache cache;
    private final ApiServerProperties props;
    private final Strategies strategies;
    /** Validating admission, in order; run after the kind's validation, before the write. */
    private final List<Admission> admission;
    private final ObjectStore plain;
    private final SecureRandom random = new SecureRandom();

    public Registry(Storage storage, WatchCache cache, ApiServerProperties props, Strategies strategies, List<Admission> admission) {
        this.storage = storage;
        this.cache = cache;
        this.props = props;
        this.strategies = strategies;
        this.admission = List.copyOf(admission);
        this.plain = new PlainObjectStore(storage);
    }

    // ---- keys ---------------------------------------------------------------------------------

    /** The storage key of an object: {@code /registry/{resource}/{namespace}/{name}}, or without the namespace when cluster-scoped. */
    public static String key(ResourceType rt, String namespace, String name) {
        return rt.namespaced() ? "/registry/" + storageResource(rt) + "/" + namespace + "/" + name : "/registry/" + storageResource(rt) + "/" + name;
    }

    /** The key prefix of a collection, in one namespace or (null) all of them. */
    public static String prefix(ResourceType rt, String namespace) {
        return rt.namespaced() && namespace != null ? "/registry/" + storageResource(rt) + "/" + namespace + "/" : "/registry/" + storageResource(rt) + "/";
    }

    /**
     * The resource part of a key: the plural for built-in kinds, {@code group/plural} for CRDs and custom
     * resources as Kubernetes stores them ({@code /registry/stable.example.com/crontabs/...}), so every
     * version of a custom resource shares one collection and no group can shadow a built-in resource.
     */
    static String storageResource(ResourceType rt) {
        return io.kube4j.api.ResourceTypes.byResource(rt.resource()).filter(rt::equals).isPresent() ? rt.resource() : rt.group() + "/" + rt.resource();
    }

    /** The strategy of {@code rt}. */
    public Strategy strategy(ResourceType rt) {
        return strategies.of(rt);
    }

    // ---- reads --------------------------------------------------------------------------------

    /** An object as read from storage, and the revision it was last written at. */
    public record Current(ObjectNode object, long modRevision) {
    }

    /** The object as stored now (a consistent read from etcd); 404 when absent. */
    public ObjectNode get(ResourceType rt, String namespace, String name) {
        return read(rt, namespace, name).object();
    }

    /**
     * A GET's {@code resourceVersion}: the state must be at least that new (the watch cache's
     * NotOlderThan), so a version the server has not reached waits up to {@link #TOO_LARGE_WAIT}, then 504
     * ResourceVersionTooLarge, as for lists; unset and {@code 0} need nothing; unparsable is 400.
     */
    public void awaitResourceVersion(String resourceVersion) {
        if (resourceVersion == null || resourceVersion.isEmpty() || resourceVersion.equals("0")) {
            return;
        }
        long rv;
        try {
            rv = Long.parseUnsignedLong(resourceVersion);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("invalid resource version: resourceVersion: Invalid value: \"" + resourceVersion
                    + "\": strconv.ParseUint: parsing \"" + resourceVersion + "\": invalid syntax");
        }
        try {
            cache.waitUntilFresh(rv, TOO_LARGE_WAIT);
        } catch (StorageException e) {
            throw tooLargeResourceVersion(rv, cache.revision());
        }
    }

    /** The object as stored now with its revision; 404 when absent. */
    public Current read(ResourceType rt, String namespace, String name) {
        Storage.Stored s;
        try {
            s = storage.get(key(rt, namespace, name)).orElseThrow(() -> ApiError.notFound(rt.group(), rt.resource(), name));
        } catch (StorageException e) {
            throw StorageErrors.toApiError(e, rt, name);
        }
        return new Current(decode(s.value(), s.modRevision()), s.modRevision());
    }

    /** The cached object (no etcd read), or null. */
    public ObjectNode cached(ResourceType rt, String namespace, String name) {
        return cache.get(key(rt, namespace, name));
    }

    private static ObjectNode decode(byte[] value, long rev) {
        ObjectNode obj = (ObjectNode) Json.tree(value);
        meta(obj).put("resourceVersion", Long.toString(rev));
        return obj;
    }

    /** The object's metadata, created when missing. */
    public static ObjectNode meta(ObjectNode obj) {
        JsonNode m = obj.get("metadata");
        return m instanceof ObjectNode o ? o : obj.putObject("metadata");
    }

    /** The filter for a list or watch of {@code rt}: label selector on metadata.labels, field selector on field paths. */
    public Predicate<ObjectNode> filter(ResourceType rt, String labelSelector, String fieldSelector) {
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
        Strategy strategy = strategy(rt);
        for (FieldSelector.Term t : fields.terms()) {
            // only the kind's field labels, as Kubernetes' field label conversion: anything else is 400, not an empty list
            String label = t.field();
            if (!strategy.fieldLabels().contains(label)) {
                throw ApiError.badRequest(strategy.unsupportedFieldLabel(t.field()));
            }
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

    /** A list of one page, as the JSON the client gets (resourceVersionMatch unset). */
    public ObjectNode list(ResourceType rt, String namespace, String labelSelector, String fieldSelector, int limit, String continueToken, String resourceVersion) {
        return list(rt, namespace, labelSelector, fieldSelector, limit, continueToken, resourceVersion, null);
    }

    /** How long a consistent list waits for the cache to reach etcd's revision before reading etcd itself. */
    static final Duration CONSISTENT_READ_WAIT = Duration.ofSeconds(1);

    /** How long a list waits for the cache to reach a resourceVersion before 504 (the cacher's blockTimeout). */
    static final Duration TOO_LARGE_WAIT = Duration.ofSeconds(3);

    /**
     * A list of one page with Kubernetes' resourceVersion semantics (API concepts, "Resource versions"):
     * no resourceVersion is the current state (consistent read); {@code 0} any state the cache has;
     * {@code N} with match {@code NotOlderThan} (or none) a state at least as new as N, waiting up to
     * {@link #TOO_LARGE_WAIT} then 504 ResourceVersionTooLarge; {@code Exact} the state at exactly N (from
     * etcd, 410 when compacted). Invalid combinations are 422 ListOptions, an unparsable version 400.
     */
    public ObjectNode list(ResourceType rt, String namespace, String labelSelector, String fieldSelector, int limit, String continueToken,
                           String resourceVersion, String resourceVersionMatch) {
        boolean hasRv = resourceVersion != null && !resourceVersion.isEmpty();
        boolean hasContinue = continueToken != null && !continueToken.isEmpty();
        if (resourceVersionMatch != null && !resourceVersionMatch.isEmpty()) {
            if (!hasRv) {
                throw listOptionsInvalid(new io.kube4j.api.Status.Cause("FieldValueForbidden", "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided", "resourceVersionMatch"));
            }
            if (hasContinue) {
                throw listOptionsInvalid(new io.kube4j.api.Status.Cause("FieldValueForbidden", "Forbidden: resourceVersionMatch is forbidden when continue is provided", "resourceVersionMatch"));
            }
            if (!resourceVersionMatch.equals("NotOlderThan") && !resourceVersionMatch.equals("Exact")) {
                throw listOptionsInvalid(new io.kube4j.api.Status.Cause("FieldValueNotSupported", "Unsupported value: \"" + resourceVersionMatch
                        + "\": supported values: \"Exact\", \"NotOlderThan\", \"\"", "resourceVersionMatch"));
            }
            if (resourceVersionMatch.equals("Exact") && resourceVersion.equals("0")) {
                throw listOptionsInvalid(new io.kube4j.api.Status.Cause("FieldValueForbidden", "Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"", "resourceVersionMatch"));
            }
        }
        if (hasContinue && hasRv && !resourceVersion.equals("0")) {
            // etcd3 store GetList: the continue token carries the snapshot's revision
            throw ApiError.badRequest("specifying resource version is not allowed when using continue");
        }
        long rv = 0;
        if (hasRv) {
            try {
                rv = Long.parseUnsignedLong(resourceVersion);
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("invalid resource version: resourceVersion: Invalid value: \"" + resourceVersion
                        + "\": strconv.ParseUint: parsing \"" + resourceVersion + "\": invalid syntax");
            }
        }
        if (rv > 0 && !hasContinue) {
            long current = storage.currentRevision();
            if ("Exact".equals(resourceVersionMatch)) {
                if (rv > current) {
                    throw tooLargeResourceVersion(rv, current);
                }
                return page(rt, namespace, filter(rt, labelSelector, fieldSelector), unfiltered(labelSelector, fieldSelector), limit <= 0 ? Integer.MAX_VALUE - 1 : limit, rv, null);
            }
            try {
                cache.waitUntilFresh(rv, TOO_LARGE_WAIT);
            } catch (StorageException e) {
                throw tooLargeResourceVersion(rv, cache.revision());
            }
        }
        Predicate<ObjectNode> filter = filter(rt, labelSelector, fieldSelector);
        ObjectNode list = Json.mapper().createObjectNode();
        list.put("apiVersion", rt.apiVersion());
        list.put("kind", rt.listKind());
        ObjectNode lm = list.putObject("metadata");
        ArrayNode items = list.putArray("items");
        if (limit <= 0 && (continueToken == null || continueToken.isEmpty())) {
            if (!hasRv) {
                // a consistent list: the cache must have caught up with what etcd has now. When it does not
                // within CONSISTENT_READ_WAIT (a write the cache never sees moved etcd's revision, and etcd
                // before 3.4.31 cannot be asked for watch progress), the list is read from etcd instead: Kubernetes'
                // ConsistentListFromCache falls back to etcd for consistent reads the cache cannot serve (its
                // feature-gate page; with such an etcd it always reads etcd, we first give the cache a moment).
                long current = storage.currentRevision();
                try {
                    cache.waitUntilFresh(current, CONSISTENT_READ_WAIT);
                } catch (StorageException e) {
                    log.debug("consistent list of {} read from etcd: {}", rt.resource(), e.getMessage());
                    return page(rt, namespace, filter, unfiltered(labelSelector, fieldSelector), Integer.MAX_VALUE - 1, 0, null);
                }
            }
            WatchCache.Snapshot snap = cache.snapshot(prefix(rt, namespace), filter);
            snap.items().forEach(items::add);
            lm.put("resourceVersion", Long.toString(snap.revision()));
            return list;
        }
        // paginated lists read etcd at one revision, so every page belongs to the same snapshot
        long rev = 0;
        String from = null;
        int want = limit <= 0 ? 500 : limit;
        if (continueToken != null && !continueToken.isEmpty()) {
            try {
                JsonNode t = Json.tree(Base64.getUrlDecoder().decode(continueToken));
                rev = t.path("rv").asLong();
                from = t.path("start").asString();
            } catch (RuntimeException e) {
                throw ApiError.badRequest("invalid continue token");
            }
        }
        if (from != null && !from.startsWith(prefix(rt, namespace))) {
            // a crafted token must not read outside the collection asked for
            throw ApiError.badRequest("continue key is not valid: the continue token is for another collection");
        }
        return page(rt, namespace, filter, unfiltered(labelSelector, fieldSelector), want, rev, from);
    }

    private static boolean unfiltered(String labelSelector, String fieldSelector) {
        return (labelSelector == null || labelSelector.isBlank()) && (fieldSelector == null || fieldSelector.isBlank());
    }

    /**
     * One page read from etcd at {@code rev} (0: now) from key {@code from} (null: the start), with a
     * continue token if more follow, and, for an unfiltered list, {@code remainingItemCount} (etcd3
     * store GetList: the range's count minus the limit; not set when a selector filters, since the
     * count includes objects the selector would drop).
     */
    private ObjectNode page(ResourceType rt, String namespace, Predicate<ObjectNode> filter, boolean unfiltered, int want, long rev, String from) {
        ObjectNode list = Json.mapper().createObjectNode();
        list.put("apiVersion", rt.apiVersion());
        list.put("kind", rt.listKind());
        ObjectNode lm = list.putObject("metadata");
        ArrayNode items = list.putArray("items");
        String prefix = prefix(rt, namespace);
        String nextStart = null;
        long firstCount = -1;
        outer:
        while (true) {
            Storage.Page page;
            try {
                // one more than needed, so we know whether another page follows
                page = storage.range(prefix, from, rev, want - items.size() + 1);
            } catch (StorageException e) {
                if (e.kind() == StorageException.Kind.FUTURE_REVISION && from != null) {
                    // only a crafted token can name a revision etcd has not reached
                    throw ApiError.badRequest("invalid continue token: continue key is not valid: its resourceVersion " + rev
                            + " is newer than the storage's latest revision; start a new list without the continue parameter");
                }
                if (e.kind() == StorageException.Kind.COMPACTED) {
                    throw ApiError.gone(from == null
                            ? "The resourceVersion for the provided list is too old."
                            : "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
                }
                throw e;
            }
            // etcd's header names its newest revision even for a read at an older one: a page read at a
            // requested revision (Exact, or a continue token) belongs to that revision, and so does its token
            rev = rev > 0 ? rev : page.revision();
            if (firstCount < 0) {
                firstCount = page.count();
            }
            for (Storage.Stored s : page.items()) {
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
            if (unfiltered) {
                lm.put("remainingItemCount", firstCount - want);
            }
        }
        return list;
    }

    private static ApiError listOptionsInvalid(io.kube4j.api.Status.Cause cause) {
        io.kube4j.api.Status s = io.kube4j.api.Status.failure(422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: " + cause.field + ": " + cause.message);
        s.details = new io.kube4j.api.Status.Details();
        s.details.group = "meta.k8s.io";
        s.details.kind = "ListOptions";
        s.details.causes = List.of(cause);
        return new ApiError(s);
    }

    /** NewTooLargeResourceVersionError: 504 Timeout with the ResourceVersionTooLarge cause and a retry hint. */
    static ApiError tooLargeResourceVersion(long wanted, long current) {
        io.kube4j.api.Status s = io.kube4j.api.Status.failure(504, "Timeout", "Too large resource version: " + wanted + ", current: " + current);
        s.details = new io.kube4j.api.Status.Details();
        s.details.causes = List.of(new io.kube4j.api.Status.Cause("ResourceVersionTooLarge", "Too large resource version", null));
        s.details.retryAfterSeconds = 1;
        return new ApiError(s);
    }

    // ---- create -------------------------------------------------------------------------------

    /** Creates the object: names, uid, timestamps, defaults, validation, admission, then one storage transaction. */
    public ObjectNode create(ResourceType rt, String namespace, ObjectNode body, boolean dryRun) {
        return createEncoded(rt, namespace, body, dryRun).object();
    }

    /**
     * A created object and, when the registry encoded it itself (a kind stored plainly), its JSON as a
     * client gets it: exactly {@code Json.writeBytes(object)}, made from the bytes written to etcd with the
     * resourceVersion spliced in, so a create encodes the object once. {@code json} is null otherwise.
     */
    public record Created(ObjectNode object, byte[] json) {
    }

    /** {@link #create}, with the created object's JSON when the registry has it ({@link Created}). */
    public Created createEncoded(ResourceType rt, String namespace, ObjectNode body, boolean dryRun) {
        return createOwned(rt, namespace, body.deepCopy(), dryRun);
    }

    /**
     * {@link #createEncoded} of a body the caller hands over (a request's own decoded body, not used by the
     * caller afterwards): it is changed in place, and becomes the created object, instead of being copied first.
     */
    public Created createOwned(ResourceType rt, String namespace, ObjectNode obj, boolean dryRun) {
        Strategy strategy = strategy(rt);
        checkKind(rt, obj);
        checkTimes(rt, obj);
        strategy.pruneUnknownFields(obj);
        // stored, like Kubernetes' encoded objects, with their type, so every read names it
        if (obj.path("apiVersion").asString("").isEmpty()) {
            obj.put("apiVersion", rt.apiVersion());
        }
        if (obj.path("kind").asString("").isEmpty()) {
            obj.put("kind", rt.kind());
        }
        ObjectNode m = meta(obj);
        String bodyNs = m.path("namespace").asString("");
        if (rt.namespaced()) {
            if (namespace == null || namespace.isEmpty()) {
                throw ApiError.badRequest("a namespace is required for " + rt.resource());
            }
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
            // SimpleNameGenerator: the base is cut to 58 characters so the name stays within 63
            name = (generateName.length() > MAX_GENERATED_BASE ? generateName.substring(0, MAX_GENERATED_BASE) : generateName) + randomSuffix();
            m.put("name", name);
        }
        m.remove("resourceVersion");
        m.remove("selfLink");
        m.remove("deletionTimestamp");
        m.remove("deletionGracePeriodSeconds");
        m.put("uid", UUID.randomUUID().toString());
        m.put("creationTimestamp", Times.now());
        if (strategy.tracksGeneration()) {
            // the kind's PrepareForCreate; other kinds store what the client sent, as BeforeCreate leaves it alone
            m.put("generation", 1);
        }
        strategy.prepareForCreate(obj);
        // the body's times were checked above and the server's own (creationTimestamp) parse; obj is this
        // request's own copy, so the typed values are laid over it in place
        ObjectNode out = defaultAndValidate(strategy, obj, null, new Admission.Attributes(Admission.Operation.CREATE, rt, namespace, name, obj, null), true);
        validateAdmission(new Admission.Attributes(Admission.Operation.CREATE, rt, namespace, name, out, null));
        ObjectStore store = strategy.store(plain);
        try {
            if (store != plain || dryRun || meta(out).has("resourceVersion")) {
                return new Created(store.create(key(rt, namespace, name), out, dryRun), null);
            }
            // PlainObjectStore.create, keeping the encoded bytes for the response
            byte[] stored = encode(out);
            long rev = storage.create(key(rt, namespace, name), stored);
            String resourceVersion = Long.toString(rev);
            meta(out).put("resourceVersion", resourceVersion);
            return new Created(out, withResourceVersion(stored, resourceVersion));
        } catch (StorageException e) {
            throw StorageErrors.toApiError(e, rt, name);
        }
    }

    /**
     * The JSON of an object from the JSON it was stored as (no resourceVersion; {@link #encode}) and the
     * resourceVersion it got: {@code ,"resourceVersion":"<rv>"} inserted before the closing brace of the
     * top-level {@code metadata}, where {@code meta(obj).put("resourceVersion", rv)} appends it, so the result
     * equals encoding the object with its resourceVersion. Only the bytes up to the end of metadata are
     * scanned. Null when the stored JSON has no metadata object (the caller then encodes the object).
     */
    static byte[] withResourceVersion(byte[] stored, String resourceVersion) {
        int close = -1;
        try (tools.jackson.core.JsonParser p = Json.mapper().createParser(stored)) {
            if (p.nextToken() != tools.jackson.core.JsonToken.START_OBJECT) {
                return null;
            }
            tools.jackson.core.JsonToken t;
            while ((t = p.nextToken()) == tools.jackson.core.JsonToken.PROPERTY_NAME) {
                boolean metadata = p.currentName().equals("metadata");
                t = p.nextToken();
                if (metadata) {
                    if (t != tools.jackson.core.JsonToken.START_OBJECT) {
                        return null;
                    }
                    p.skipChildren();
                    close = (int) p.currentTokenLocation().getByteOffset();
                    break;
                }
                p.skipChildren();
            }
        }
        if (close <= 0 || stored[close] != '}') {
            return null;
        }
        byte[] field = ((stored[close - 1] == '{' ? "" : ",") + "\"resourceVersion\":\"" + resourceVersion + "\"")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] out = new byte[stored.length + field.length];
        System.arraycopy(stored, 0, out, 0, close);
        System.arraycopy(field, 0, out, close, field.length);
        System.arraycopy(stored, close, out, close + field.length, stored.length - close);
        return out;
    }

    private void validateAdmission(Admission.Attributes attributes) {
        for (Admission a : admission) {
            a.validate(attributes);
        }
    }

    /**
     * Admission of a DELETE, a status/ephemeralcontainers update or a subresource create
     * ({@link Admission#validateSubresourceOrDelete}), in plugin order; throws the first denial.
     */
    public void admitSubresourceOrDelete(Admission.Attributes attributes) {
        for (Admission a : admission) {
            a.validateSubresourceOrDelete(attributes);
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

    /**
     * Typed round trip: the kind's defaults, mutating admission ({@code attributes}, null for none), then
     * validation (422 with causes); returns the defaulted tree.
     */
    private ObjectNode defaultAndValidate(Strategy strategy, ObjectNode obj, ObjectNode old, Admission.Attributes attributes) {
        return defaultAndValidate(strategy, obj, old, attributes, false);
    }

    /**
     * {@link #defaultAndValidate(Strategy, ObjectNode, ObjectNode, Admission.Attributes)}; {@code ownTree}: the
     * caller checked {@code obj}'s times already and does not use {@code obj} afterwards (a create), so it is
     * neither checked again nor copied (the typed values are laid over it in place).
     */
    private ObjectNode defaultAndValidate(Strategy strategy, ObjectNode obj, ObjectNode old, Admission.Attributes attributes, boolean ownTree) {
        ResourceType rt = strategy.type();
        KubeObject typed = ownTree ? decode(rt, obj) : typed(rt, obj);
        strategy.applyDefaults(typed);
        if (attributes != null && attributes.operation() == Admission.Operation.CREATE) {
            // on the one decoded, defaulted object, before mutating admission, as PrepareForCreate saw it before
            strategy.prepareDefaultedForCreate(typed);
        }
        if (attributes != null) {
            for (Admission a : admission) {
                a.admit(attributes, typed);
            }
        }
        FieldErrors errs = new FieldErrors();
        Validation.metadata(errs, typed, strategy.nameRule());
        strategy.validate(typed, errs);
        if (old != null) {
            KubeObject typedOld = Json.convert(old, rt.type());
            Validation.metadataUpdate(errs, typed, typedOld);
            strategy.validateUpdate(typed, typedOld, errs);
        }
        if (!errs.isEmpty()) {
            throw ApiError.invalid(rt.group(), rt.kind(), typed.metadata.name, errs.causes());
        }
        // the typed view models most fields, not all: lay its (defaulted) values over the request's tree so
        // fields kube4j does not model survive verbatim instead of being dropped
        ObjectNode out = overlay(ownTree ? obj : obj.deepCopy(), ownTree ? typedTree(typed) : Json.toTree(typed));
        strategy.canonicalize(out);
        return out;
    }

    /**
     * The typed view as a tree, for {@link #overlay}: the mapper's {@code valueToTree}, which hands the
     * serializer's tokens straight to the tree builder instead of writing JSON bytes and parsing them again
     * ({@link Json#toTree}); the same fields, values and order. Integers come out as the Java type the field
     * has (a {@code Long} field as a long node, where parsing gives an int node for a small value): the same
     * JSON when written, which is all a create does with it.
     */
    private static ObjectNode typedTree(KubeObject typed) {
        return Json.mapper().valueToTree(typed);
    }

    /**
     * Refuses a body whose timestamps do not parse, as Kubernetes' decoder does before anything else sees
     * the object (so even fields the server overwrites, such as creationTimestamp, count).
     */
    private static void checkTimes(ResourceType rt, ObjectNode obj) {
        java.util.Optional<String> badTime = io.kube4j.apiserver.schema.TimeFields.firstError(obj, rt.type());
        if (badTime.isPresent()) {
            throw ApiError.badRequest(rt.kind() + " in version \"" + rt.version() + "\" cannot be handled as a " + rt.kind() + ": " + badTime.get());
        }
    }

    private static KubeObject typed(ResourceType rt, ObjectNode obj) {
        checkTimes(rt, obj);
        return decode(rt, obj);
    }

    /** The typed view of a tree whose times were checked ({@link #checkTimes}); 400 when it does not decode. */
    private static KubeObject decode(ResourceType rt, ObjectNode obj) {
        try {
            return Json.convert(obj, rt.type());
        } catch (RuntimeException e) {
            throw ApiError.badRequest(rt.kind() + " in version \"" + rt.version() + "\" cannot be handled as a " + rt.kind() + ": " + DecodingErrors.describe(e));
        }
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
        typedOrder(base, top);
        return base;
    }

    /**
     * Puts {@code base}'s fields in the typed view's order (the API type's field order, as Kubernetes
     * writes every object from its Go struct whatever order a client sent), fields the type does not model
     * after them in their own order. Without it a strategic-merge patch with Go's sorted keys (the kubelet's
     * status patch) would store a condition as {@code {"lastProbeTime":..,"status":..,"type":..}}.
     */
    /** {@link #typedOrder} at every level of {@code base} that the typed view {@code top} has too. */
    static void typedOrderDeep(ObjectNode base, ObjectNode top) {
        for (Map.Entry<String, JsonNode> e : top.properties()) {
            JsonNode b = base.get(e.getKey());
            JsonNode t = e.getValue();
            if (b instanceof ObjectNode bo && t instanceof ObjectNode to) {
                typedOrderDeep(bo, to);
            } else if (b instanceof ArrayNode ba && t instanceof ArrayNode ta && ba.size() == ta.size()) {
                for (int i = 0; i < ta.size(); i++) {
                    if (ba.get(i) instanceof ObjectNode bi && ta.get(i) instanceof ObjectNode ti) {
                        typedOrderDeep(bi, ti);
                    }
                }
            }
        }
        typedOrder(base, top);
    }

    private static void typedOrder(ObjectNode base, ObjectNode top) {
        if (inTypedOrder(base, top)) {
            // the usual case (a client, or the registry itself, wrote the fields in the type's order): no lists
            return;
        }
        java.util.List<String> order = new java.util.ArrayList<>();
        top.properties().forEach(e -> {
            if (base.has(e.getKey())) {
                order.add(e.getKey());
            }
        });
        java.util.List<String> current = new java.util.ArrayList<>(base.propertyNames());
        java.util.List<String> wanted = new java.util.ArrayList<>(order);
        current.stream().filter(k -> !top.has(k)).forEach(wanted::add);
        if (wanted.equals(current)) {
            return;
        }
        java.util.LinkedHashMap<String, JsonNode> fields = new java.util.LinkedHashMap<>();
        for (String k : wanted) {
            fields.put(k, base.get(k));
        }
        base.removeAll();
        fields.forEach(base::set);
    }

    /**
     * Whether {@code base}'s fields are already in the order {@link #typedOrder} gives them: those {@code top}
     * has, in {@code top}'s order, then those it has not. One pass over both, allocating nothing.
     */
    static boolean inTypedOrder(ObjectNode base, ObjectNode top) {
        java.util.Iterator<String> typed = top.propertyNames().iterator();
        boolean unmodelled = false;
        for (String k : base.propertyNames()) {
            if (!top.has(k)) {
                unmodelled = true;
                continue;
            }
            if (unmodelled) {
                // a field of the type after one it does not model
                return false;
            }
            // the next field of top that base has must be this one
            String next = null;
            while (typed.hasNext()) {
                String t = typed.next();
                if (base.has(t)) {
                    next = t;
                    break;
                }
            }
            if (!k.equals(next)) {
                return false;
            }
        }
        return true;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.toString() : m.lines().findFirst().orElse(m);
    }

    /** The bytes stored for an object: its JSON without resourceVersion (the revision is the version). */
    static byte[] encode(ObjectNode obj) {
        if (obj.get("metadata") instanceof ObjectNode m && !m.has("resourceVersion")) {
            // nothing to strip (a create): no copy
            return Json.writeBytes(obj);
        }
        ObjectNode copy = obj.deepCopy();
        meta(copy).remove("resourceVersion");
        return Json.writeBytes(copy);
    }

    // ---- update -------------------------------------------------------------------------------

    /** What a write replaces: the whole object (status kept) or only the status. */
    /**
     * Which part of an object a write may change: all but the status, the status only, (pods'
     * {@code ephemeralcontainers} subresource) only {@code spec.ephemeralContainers}, or (CertificateSigningRequests'
     * {@code approval} subresource) only {@code status.conditions}.
     */
    public enum Part { MAIN, STATUS, EPHEMERAL_CONTAINERS, APPROVAL }

    /** PUT: a stale metadata.resourceVersion in the body gives 409 Conflict. */
    public ObjectNode update(ResourceType rt, String namespace, String name, ObjectNode body, Part part, boolean dryRun) {
        return update(rt, namespace, name, body, part, dryRun, null);
    }

    /** PUT with {@code track(current, proposed)} applied to the proposal first (managedFields bookkeeping); null for none. */
    public ObjectNode update(ResourceType rt, String namespace, String name, ObjectNode body, Part part, boolean dryRun, BinaryOperator<ObjectNode> track) {
        checkKind(rt, body);
        checkTimes(rt, body);
        String bodyName = meta(body).path("name").asString("");
        if (!bodyName.isEmpty() && !bodyName.equals(name)) {
            throw ApiError.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + name + ")");
        }
        String bodyNs = meta(body).path("namespace").asString("");
        if (rt.namespaced() && !bodyNs.isEmpty() && !bodyNs.equals(namespace)) {
            throw ApiError.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        String precondition = meta(body).path("resourceVersion").asString("");
        Strategy strategy = strategy(rt);
        return guaranteedUpdate(rt, namespace, name, precondition, part, dryRun, current -> {
            ObjectNode proposed = body.deepCopy();
            strategy.pruneUnknownFields(proposed);
            managedFieldsFromLive(proposed, current, part);
            return track == null ? proposed : track.apply(current, proposed);
        });
    }

    /** PATCH: applies the patch to the current object in a retry loop (no resourceVersion needed). */
    public ObjectNode patch(ResourceType rt, String namespace, String name, String contentType, JsonNode patch, Part part, boolean dryRun) {
        return patch(rt, namespace, name, contentType, patch, part, dryRun, null);
    }

    /** PATCH with {@code track(current, patched)} applied to the result (managedFields bookkeeping); null for none. */
    public ObjectNode patch(ResourceType rt, String namespace, String name, String contentType, JsonNode patch, Part part, boolean dryRun, BinaryOperator<ObjectNode> track) {
        return guaranteedUpdate(rt, namespace, name, null, part, dryRun, current -> {
            ObjectNode patched = Patches.apply(contentType, current, patch, rt.type());
            checkName(patched, name, namespace);
            strategy(rt).pruneUnknownFields(patched);
            managedFieldsFromLive(patched, current, part);
            // a patch that sets metadata.resourceVersion makes it a precondition, as for PUT
            String rv = meta(patched).path("resourceVersion").asString("");
            if (!rv.isEmpty() && !rv.equals(meta(current).path("resourceVersion").asString(""))) {
                throw ApiError.conflict(rt.group(), rt.resource(), name, StorageErrors.OPTIMISTIC_LOCK);
            }
            return track == null ? patched : track.apply(current, patched);
        });
    }

    /**
     * Which managedFields a write starts from (fieldmanager.go decodeLiveOrNew): a subresource write cannot
     * set them, so the live ones; a main write that omits them (or sends null) keeps the live ones, so a
     * client unaware of the field does not erase them; an empty list, or a list of one empty entry, resets
     * them (isResetManagedFields). The field manager then records the write's own manager on top.
     */
    static void managedFieldsFromLive(ObjectNode proposed, ObjectNode current, Part part) {
        ObjectNode m = meta(proposed);
        JsonNode live = meta(current).get("managedFields");
        JsonNode sent = m.get("managedFields");
        if (part != Part.MAIN || sent == null || sent.isNull()) {
            if (live == null) {
                m.remove("managedFields");
            } else {
                m.set("managedFields", live.deepCopy());
            }
        } else if (sent.isArray() && sent.size() == 1 && sent.get(0).isObject() && sent.get(0).isEmpty()) {
            // one empty entry means the same as an empty list; the (empty) list stays so the field manager sees the reset
            m.putArray("managedFields");
        }
    }

    /**
     * The patch handler's checkName: a patched object must keep the name and namespace of its URL, else
     * 400 with Kubernetes' message (a patch that removes the name cannot be matched to the URL at all).
     */
    private static void checkName(ObjectNode patched, String name, String namespace) {
        String objName = meta(patched).path("name").asString("");
        if (objName.isEmpty()) {
            throw ApiError.badRequest("the name of the object (" + name + " based on URL) was undeterminable: name must be provided");
        }
        if (!objName.equals(name)) {
            throw ApiError.badRequest("the name of the object (" + objName + ") does not match the name on the URL (" + name + ")");
        }
        String objNamespace = meta(patched).path("namespace").asString("");
        if (namespace != null && !namespace.isEmpty() && !objNamespace.isEmpty() && !objNamespace.equals(namespace)) {
            throw ApiError.badRequest("the namespace of the object (" + objNamespace + ") does not match the namespace on the URL (" + namespace + ")");
        }
    }

    /**
     * Read-modify-write with the kind's rules: {@code change} proposes the next object from (a copy of)
     * the current one; identity fields, status or spec are kept per {@code part}, defaults and validation
     * run, and the write is guarded by the revision read. Retried on conflict ({@link #retryOnConflict})
     * unless the caller gave a {@code precondition} resourceVersion, which must match (409 otherwise).
     */
    public ObjectNode guaranteedUpdate(ResourceType rt, String namespace, String name, String precondition, Part part, boolean dryRun, UnaryOperator<ObjectNode> change) {
        Strategy strategy = strategy(rt);
        ObjectStore store = strategy.store(plain);
        boolean preconditioned = precondition != null && !precondition.isEmpty();
        return retryOnConflict(rt, namespace, name, cur -> {
            if (preconditioned && !precondition.equals(Long.toString(cur.modRevision()))) {
                throw ApiError.conflict(rt.group(), rt.resource(), name, StorageErrors.OPTIMISTIC_LOCK);
            }
            ObjectNode proposed = change.apply(cur.object().deepCopy());
            if (part == Part.MAIN) {
                store.carryOver(cur.object(), proposed);
            }
            ObjectNode next = prepareUpdate(strategy, cur.object(), proposed, part, namespace);
            if (part == Part.MAIN) {
                validateAdmission(new Admission.Attributes(Admission.Operation.UPDATE, rt, namespace, name, next, cur.object()));
            } else {
                admitSubresourceOrDelete(new Admission.Attributes(Admission.Operation.UPDATE, rt, namespace, name, next, cur.object(),
                        switch (part) {
                            case STATUS -> "status";
                            case APPROVAL -> "approval";
                            default -> "ephemeralcontainers";
                        }));
            }
            if (dryRun) {
                return next;
            }
            try {
                return commit(rt, namespace, name, next, cur);
            } catch (StorageException e) {
                if (preconditioned && e.kind() == StorageException.Kind.CONFLICT) {
                    throw ApiError.conflict(rt.group(), rt.resource(), name, StorageErrors.OPTIMISTIC_LOCK);
                }
                throw e;
            }
        });
    }

    /**
     * The one conflict-retry loop: reads the object, lets {@code attempt} compute and write the next
     * state guarded by the revision it read, and starts over when that write meets a
     * {@link StorageException.Kind#CONFLICT} (a concurrent writer won), with a small random pause, until
     * {@code kube4j.request-timeout} has passed, as Kubernetes' GuaranteedUpdate retries until the
     * request's deadline. Other storage failures become API errors ({@link StorageErrors}).
     *
     * @throws ApiError 409 when writers kept conflicting until the deadline, 404 when the object is gone
     */
    public <T> T retryOnConflict(ResourceType rt, String namespace, String name, Function<Current, T> attempt) {
        long deadline = System.nanoTime() + props.requestTimeout().toNanos();
        for (int tries = 1; ; tries++) {
            Current cur = read(rt, namespace, name);
            try {
                return attempt.apply(cur);
            } catch (StorageException e) {
                if (e.kind() != StorageException.Kind.CONFLICT) {
                    throw StorageErrors.toApiError(e, rt, name);
                }
                if (System.nanoTime() > deadline) {
                    throw ApiError.conflict(rt.group(), rt.resource(), name, "too many concurrent writers; try again");
                }
                if (tries > 3) {
                    // many writers on one key: spread them out instead of all re-reading at once
                    sleepQuietly(ThreadLocalRandom.current().nextInt(1, Math.min(50, tries * 2)));
                }
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.internal("interrupted while retrying a conflicting write");
        }
    }

    /**
     * Writes {@code next} over the revision read, through the kind's {@link ObjectStore}; removes it
     * instead when its deletion is complete. Sets {@code next}'s resourceVersion; returns {@code next}.
     *
     * @throws StorageException CONFLICT when the object moved since {@code cur} was read
     */
    public ObjectNode commit(ResourceType rt, String namespace, String name, ObjectNode next, Current cur) {
        Strategy strategy = strategy(rt);
        ObjectStore store = strategy.store(plain);
        String key = key(rt, namespace, name);
        if (!deletionComplete(strategy, next) && sameObject(next, cur.object())) {
            // an update that changes nothing is no write: same resourceVersion, no watch event (GuaranteedUpdate)
            meta(next).put("resourceVersion", Long.toString(cur.modRevision()));
            return next;
        }
        long rev = deletionComplete(strategy, next)
                ? store.delete(key, cur.object(), cur.modRevision())
                : store.update(key, cur.object(), next, cur.modRevision());
        meta(next).put("resourceVersion", Long.toString(rev));
        return next;
    }

    /**
     * Equal apart from resourceVersion, as the bytes that would be stored (field order does not matter):
     * compared after a round trip through JSON so a number built in memory ({@code generation} as a long)
     * equals the same number read back from storage (an int node), as etcd3's GuaranteedUpdate compares
     * the encoded bytes.
     */
    static boolean sameObject(ObjectNode a, ObjectNode b) {
        return Json.tree(encode(a)).equals(Json.tree(encode(b)));
    }

    /** An object marked for deletion whose finalizers (and whatever else its kind waits for) have all gone is removed. */
    private static boolean deletionComplete(Strategy strategy, ObjectNode obj) {
        ObjectNode m = meta(obj);
        return m.has("deletionTimestamp") && m.path("finalizers").isEmpty() && !strategy.deletionHeld(obj);
    }

    /**
     * The next object from the current one and a proposal: identity fields come from the current
     * object; a main-resource write keeps the current status (kinds with a status subresource), a status
     * write keeps everything else; generation moves only when the spec changes of a kind that tracks it.
     */
    private ObjectNode prepareUpdate(Strategy strategy, ObjectNode current, ObjectNode proposed, Part part, String namespace) {
        ResourceType rt = strategy.type();
        // ValidateObjectMetaUpdate (through BeforeUpdate's validateCommonFields): a write naming another uid than the
        // stored object's is refused, so the uid a kubelet puts in its status patch (statusutil.PatchPodStatus) keeps a
        // recreated pod of the same name from being changed; a write without a uid takes the stored one
        String proposedUid = meta(proposed).path("uid").asString("");
        if (!proposedUid.isEmpty() && !proposedUid.equals(meta(current).path("uid").asString(""))) {
            FieldErrors errs = new FieldErrors();
            errs.invalid("metadata.uid", proposedUid, "field is immutable");
            throw ApiError.invalid(rt.group(), rt.kind(), meta(current).path("name").asString(), errs.causes());
        }
        ObjectNode next;
        if (part == Part.EPHEMERAL_CONTAINERS) {
            // dropNonEphemeralContainerUpdates: the current pod with the proposal's ephemeral containers alone
            next = current.deepCopy();
            JsonNode ephemeral = proposed.path("spec").get("ephemeralContainers");
            ObjectNode spec = next.has("spec") && next.get("spec").isObject() ? (ObjectNode) next.get("spec") : next.putObject("spec");
            if (ephemeral == null || ephemeral.isNull()) {
                spec.remove("ephemeralContainers");
            } else {
                spec.set("ephemeralContainers", ephemeral.deepCopy());
            }
            JsonNode managed = meta(proposed).get("managedFields");
            if (managed == null) {
                meta(next).remove("managedFields");
            } else {
                meta(next).set("managedFields", managed.deepCopy());
            }
        } else if (part == Part.STATUS || part == Part.APPROVAL) {
            next = current.deepCopy();
            JsonNode status = proposed.get("status");
            if (part == Part.APPROVAL) {
                // csrApprovalStrategy.PrepareForUpdate: the stored object with the proposal's conditions alone
                ObjectNode nextStatus = next.get("status") instanceof ObjectNode s ? s : next.putObject("status");
                JsonNode conditions = status == null ? null : status.get("conditions");
                if (conditions == null || conditions.isNull()) {
                    nextStatus.remove("conditions");
                } else {
                    nextStatus.set("conditions", conditions.deepCopy());
                }
            } else if (status == null || status.isNull()) {
                next.remove("status");
            } else {
                next.set("status", status.deepCopy());
            }
            // managedFields are kept from the proposal: the field manager recorded this status write there
            // (customresource status_strategy PrepareForUpdate preserves them likewise)
            JsonNode managed = meta(proposed).get("managedFields");
            if (managed == null) {
                meta(next).remove("managedFields");
            } else {
                meta(next).set("managedFields", managed.deepCopy());
            }
        } else {
            next = proposed;
            checkKind(rt, next);
            if (next.path("apiVersion").asString("").isEmpty()) {
                next.put("apiVersion", rt.apiVersion());
            }
            if (next.path("kind").asString("").isEmpty()) {
                next.put("kind", rt.kind());
            }
            if (strategy.hasStatusSubresource()) {
                JsonNode status = current.get("status");
                if (status == null) {
                    next.remove("status");
                } else {
                    next.set("status", status.deepCopy());
                }
            }
            strategy.prepareForUpdate(next, current);
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
        if (m.get("managedFields") instanceof ArrayNode managed && managed.isEmpty()) {
            // reset: an object with no managers stores no managedFields
            m.remove("managedFields");
        }
        // BeforeUpdate: a write cannot set generation; only the kind's PrepareForUpdate moves it
        if (strategy.tracksGeneration() && part == Part.MAIN
                && !Objects.equals(withoutEmpty(strategy.specOf(current)), withoutEmpty(strategy.specOf(next)))) {
            m.put("generation", cm.path("generation").asLong(0) + 1);
        } else if (cm.has("generation")) {
            m.set("generation", cm.get("generation"));
        } else {
            m.remove("generation");
        }
        m.remove("resourceVersion");
        if (part == Part.APPROVAL) {
            checkTimes(rt, next);
            try {
                Json.convert(next, rt.type());
            } catch (RuntimeException e) {
                throw ApiError.badRequest(rt.kind() + " status cannot be decoded: " + rootMessage(e));
            }
            FieldErrors errs = new FieldErrors();
            strategy.prepareApprovalUpdate(next, current, errs);
            if (!errs.isEmpty()) {
                throw ApiError.invalid(rt.group(), rt.kind(), meta(current).path("name").asString(), errs.causes());
            }
            return next;
        }
        if (part == Part.STATUS) {
            // a status write cannot be validated against spec rules it does not touch, but must still decode
            KubeObject typedNext;
            checkTimes(rt, next);
            try {
                typedNext = Json.convert(next, rt.type());
            } catch (RuntimeException e) {
                throw ApiError.badRequest(rt.kind() + " status cannot be decoded: " + rootMessage(e));
            }
            // and pass the kind's status rules (e.g. ValidatePodStatusUpdate)
            FieldErrors errs = new FieldErrors();
            strategy.validateStatusUpdate(typedNext, Json.convert(current, rt.type()), errs);
            if (!errs.isEmpty()) {
                throw ApiError.invalid(rt.group(), rt.kind(), typedNext.metadata.name, errs.causes());
            }
            FieldErrors statusErrs = new FieldErrors();
            strategy.prepareStatusUpdate(next, current, statusErrs);
            if (!statusErrs.isEmpty()) {
                throw ApiError.invalid(rt.group(), rt.kind(), meta(current).path("name").asString(), statusErrs.causes());
            }
            // no defaults on a status write, but the fields in the type's order, as Kubernetes writes them (only the
            // order is taken from the typed tree, so valueToTree's number types do not matter; no JSON round trip)
            typedOrderDeep(next, typedTree(typedNext));
            return next;
        }
        if (part == Part.EPHEMERAL_CONTAINERS) {
            KubeObject typedNext = typed(rt, next);
            strategy.applyDefaults(typedNext);
            FieldErrors errs = new FieldErrors();
            strategy.validateEphemeralContainersUpdate(typedNext, Json.convert(current, rt.type()), errs);
            if (!errs.isEmpty()) {
                throw ApiError.invalid(rt.group(), rt.kind(), typedNext.metadata.name, errs.causes());
            }
            ObjectNode out = overlay(next.deepCopy(), Json.toTree(typedNext));
            strategy.canonicalize(out);
            return out;
        }
        return defaultAndValidate(strategy, next, current,
                new Admission.Attributes(Admission.Operation.UPDATE, rt, namespace, meta(current).path("name").asString(), next, current));
    }

    /**
     * A copy without nulls, empty objects and empty arrays, recursively: Kubernetes compares specs with
     * Semantic.DeepEqual, for which an empty and an absent slice or map are equal ({@code resources: {}},
     * {@code args: []}), so such a difference is no spec change.
     */
    public static JsonNode withoutEmpty(JsonNode node) {
        if (node instanceof ObjectNode o) {
            ObjectNode out = Json.mapper().createObjectNode();
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                JsonNode v = withoutEmpty(e.getValue());
                if (v != null) {
                    out.set(e.getKey(), v);
                }
            }
            return out.isEmpty() ? null : out;
        }
        if (node instanceof ArrayNode a) {
            ArrayNode out = Json.mapper().createArrayNode();
            for (JsonNode item : a) {
                JsonNode v = withoutEmpty(item);
                // keep positions: an element that empties out still counts as an element
                out.add(v == null ? Json.mapper().createObjectNode() : v);
            }
            return out.isEmpty() ? null : out;
        }
        return node == null || node.isNull() || node.isMissingNode() ? null : node;
    }

    // ---- delete -------------------------------------------------------------------------------

    /** The result of a delete: the object's last state, and whether it is gone or only marked. */
    public record Deleted(ObjectNode object, boolean removed) {
    }

    /**
     * DELETE: preconditions, then either remove now or mark (deletionTimestamp) while the kind's
     * grace period runs (a kubelet stopping a pod) or finalizers hold it. propagationPolicy
     * Foreground/Orphan becomes the finalizer the garbage collector acts on.
     */
    public Deleted delete(ResourceType rt, String namespace, String name, DeleteOptions options, boolean dryRun) {
        DeleteOptions opts = options == null ? new DeleteOptions() : options;
        Strategy strategy = strategy(rt);
        strategy.checkDelete(name);
        if (!dryRun) {
            admission.forEach(a -> a.deleting(rt, namespace, name));
        }
        ObjectStore store = strategy.store(plain);
        String key = key(rt, namespace, name);
        return retryOnConflict(rt, namespace, name, cur -> {
            admitSubresourceOrDelete(new Admission.Attributes(Admission.Operation.DELETE, rt, namespace, name, null, cur.object()));
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
            long grace = strategy.gracePeriodSeconds(obj, opts);
            boolean changed = addPropagationFinalizer(obj, opts);
            boolean alreadyDeleting = m.has("deletionTimestamp");
            if (!alreadyDeleting || (grace < m.path("deletionGracePeriodSeconds").asLong(0))) {
                m.put("deletionTimestamp", Times.format(Instant.now().plusSeconds(grace)));
                m.put("deletionGracePeriodSeconds", grace);
                changed = true;
            }
            changed |= strategy.markTerminating(obj);
            if (dryRun) {
                return new Deleted(obj, deletionComplete(strategy, obj));
            }
            if (deletionComplete(strategy, obj)) {
                long rev = store.delete(key, cur.object(), cur.modRevision());
                meta(obj).put("resourceVersion", Long.toString(rev));
                return new Deleted(obj, true);
            }
            if (!changed) {
                return new Deleted(cur.object(), false);
            }
            long rev = store.update(key, cur.object(), obj, cur.modRevision());
            meta(obj).put("resourceVersion", Long.toString(rev));
            return new Deleted(obj, false);
        });
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

    // ---- for the web layer --------------------------------------------------------------------

    /** The watch cache (for watches served by the web layer). */
    public WatchCache cache() {
        return cache;
    }

    public ApiServerProperties properties() {
        return props;
    }

    /** The objects under a prefix as a list of copies, for callers that need to modify them. */
    public List<ObjectNode> snapshotCopies(ResourceType rt, String namespace) {
        List<ObjectNode> out = new ArrayList<>();
        cache.snapshot(prefix(rt, namespace), o -> true).items().forEach(o -> out.add(o.deepCopy()));
        return out;
    }

    /** Writes plainly: one guarded key per object. */
    private record PlainObjectStore(Storage storage) implements ObjectStore {
        @Override
        public ObjectNode create(String key, ObjectNode obj, boolean dryRun) {
            if (dryRun) {
                return obj;
            }
            long rev = storage.create(key, encode(obj));
            meta(obj).put("resourceVersion", Long.toString(rev));
            return obj;
        }

        @Override
        public long update(String key, ObjectNode current, ObjectNode next, long modRevision) {
            return storage.update(key, encode(next), modRevision);
        }

        @Override
        public long delete(String key, ObjectNode current, long modRevision) {
            return storage.delete(key, modRevision);
        }
    }
}
