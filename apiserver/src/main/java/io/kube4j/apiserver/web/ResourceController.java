package io.kube4j.apiserver.web;

import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.api.DeleteOptions;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.Status;
import io.kube4j.api.Scale;
import io.kube4j.apiserver.apply.FieldModel;
import io.kube4j.apiserver.apply.ManagedFields;
import io.kube4j.apiserver.apply.ServerSideApply;
import io.kube4j.apiserver.crd.CustomResourceStrategy;
import io.kube4j.apiserver.registry.Patches;
import io.kube4j.apiserver.discovery.ServedResources;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.registry.VersionConverter;
import io.kube4j.apiserver.registry.Views;
import io.kube4j.apiserver.table.TableConverter;
import io.kube4j.apiserver.registry.subresources.BindingREST;
import io.kube4j.apiserver.registry.subresources.EvictionREST;
import io.kube4j.apiserver.registry.subresources.FinalizeREST;
import io.kube4j.apiserver.registry.subresources.ScaleREST;
import io.kube4j.apiserver.schema.FieldValidation;
import io.kube4j.apiserver.watch.Expired;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.function.Predicate;

/**
 * The REST layer for every resource: parses the URL and query, hands the work to the {@link Registry},
 * and writes the answer. Errors are thrown as {@link ApiError} and become Status in one place.
 */
@RestController
public class ResourceController {
    /** Request attributes the metrics filter reads after the request. */
    public static final String VERB = "kube4j.verb";
    public static final String RESOURCE = "kube4j.resource";
    private static final String APPLY_PATCH = "application/apply-patch+yaml";
    /** Request attribute: the {@link VersionConverter} of a request for another version of a stored kind. */
    private static final String CONVERTER = "kube4j.converter";

    /** The patch types of built-in kinds, in the order Kubernetes' patch handler lists them in a 415. */
    private static final List<String> PATCH_TYPES = List.of("application/json-patch+json", "application/merge-patch+json",
            "application/strategic-merge-patch+json", APPLY_PATCH);
    /** Custom resources have no patch strategies: the CRD handler accepts no strategic merge patch. */
    private static final List<String> CUSTOM_PATCH_TYPES = List.of("application/json-patch+json", "application/merge-patch+json", APPLY_PATCH);

    private final Registry registry;
    private final ServedResources served;
    private final ResponseEncoder encoder;
    private final PodLogProxy logs;
    private static final java.util.Set<String> STREAMING = java.util.Set.of("exec", "attach", "portforward");
    /** pods/{name}/exec, attach and portforward: proxied to the kubelet. */
    @org.springframework.beans.factory.annotation.Autowired
    private PodStreamProxy streams;
    private final ServerSideApply serverSideApply;
    private final BindingREST binding;
    private final ScaleREST scale;
    private final FinalizeREST finalizer;
    private final EvictionREST eviction;
    private final long maxBody;
    private final Views views;
    /** serviceaccounts/{name}/token (TokenRequest). */
    @org.springframework.beans.factory.annotation.Autowired
    private io.kube4j.apiserver.registry.subresources.TokenRequestREST tokenRequest;

    public ResourceController(Registry registry, ServedResources served, ResponseEncoder encoder, PodLogProxy logs, ServerSideApply serverSideApply,
                              BindingREST binding, ScaleREST scale, FinalizeREST finalizer, EvictionREST eviction, Views views) {
        this.views = views;
        this.registry = registry;
        this.served = served;
        this.encoder = encoder;
        this.logs = logs;
        this.serverSideApply = serverSideApply;
        this.binding = binding;
        this.scale = scale;
        this.finalizer = finalizer;
        this.eviction = eviction;
        this.maxBody = registry.properties().maxRequestBytes();
    }

    @RequestMapping(path = {"/api/v1/**", "/apis/{group}/{version}/**"})
    public void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        RequestPath path = RequestPath.parse(req.getRequestURI().substring(req.getContextPath().length()), served);
        // another version of a stored kind: the registry works on the stored version, bodies are
        // converted on the way in here and on the way out in write/watchEvent
        VersionConverter converter = views.of(path.type()).orElse(null);
        ResourceType servedType = path.type();
        if (converter != null) {
            req.setAttribute(CONVERTER, converter);
            path = new RequestPath(converter.stored(), path.namespace(), path.name(), path.subresource());
        }
        ResourceType rt = path.type();
        req.setAttribute(RESOURCE, rt.resource() + (path.subresource() == null ? "" : "/" + path.subresource()));
        boolean dryRun = dryRun(req);
        String method = req.getMethod();
        String sub = path.subresource();
        if (servedType.type() == io.kube4j.apiserver.crd.UnstructuredObject.class
                && registry.strategy(servedType) instanceof CustomResourceStrategy crs && crs.deprecationWarning() != null) {
            // a deprecated custom resource version warns on every request to it (customresource_handler.go)
            io.kube4j.apiserver.warning.WarningRecorder.of(req, resp).add(crs.deprecationWarning());
        }
        if (rt == ResourceTypes.PODS && path.name() != null && sub != null && STREAMING.contains(sub) && (method.equals("GET") || method.equals("POST"))) {
            // Kubernetes authorizes these as create on pods/exec|attach|portforward, for GET upgrades too
            verb(req, "create");
            streams.proxy(req, resp, registry.get(rt, path.namespace(), path.name()), sub);
            return;
        }
        switch (method) {
            case "GET" -> get(req, resp, path);
            case "POST" -> {
                if (path.name() == null) {
                    verb(req, "create");
                    ObjectNode body = RequestBodies.object(req, maxBody, servedType.apiVersion(), servedType.kind());
                    checkFields(req, resp, body, rt, servedType, null);
                    if (converter != null) {
                        body = converter.toStored(body);
                    }
                    String manager = manager(req);
                    if (!manager.isEmpty()) {
                        // owned fields are those that survive pruning, as Kubernetes decodes (and prunes) first
                        registry.strategy(rt).pruneUnknownFields(body);
                        ManagedFields.recordUpdate(null, body, manager, rt.apiVersion(), FieldModel.of(registry.strategy(rt)), "");
                    }
                    // the body is this request's own and not used afterwards: no copy
                    Registry.Created created = registry.createOwned(rt, path.namespace(), body, dryRun);
                    if (created.json() != null && converter == null && !custom(rt)) {
                        // the object as stored, in JSON unless the client asked for another form: encoded once
                        encoder.write(req, resp, 201, rt, created.object(), created.json());
                    } else {
                        write(req, resp, 201, rt, created.object());
                    }
                } else if ("binding".equals(sub)) {
                    verb(req, "create");
                    binding.bind(path.namespace(), path.name(), RequestBodies.object(req, maxBody, "v1", "Binding"));
                    Status ok = Status.success();
                    ok.code = 201;
                    write(req, resp, 201, rt, Json.toTree(ok));
                } else if ("token".equals(sub) && rt == ResourceTypes.SERVICEACCOUNTS) {
                    verb(req, "create");
                    var warnings = io.kube4j.apiserver.warning.WarningRecorder.of(req, resp);
                    ObjectNode issued = tokenRequest.create(path.namespace(), path.name(),
                            RequestBodies.object(req, maxBody, "authentication.k8s.io/v1", "TokenRequest"), warnings::add);
                    write(req, resp, 201, null, issued);
                } else if ("eviction".equals(sub)) {
                    verb(req, "create");
                    eviction.evict(path.namespace(), path.name(), RequestBodies.object(req, maxBody, "policy/v1", "Eviction"), dryRun);
                    Status ok = Status.success();
                    ok.code = 201;
                    write(req, resp, 201, null, Json.toTree(ok));
                } else {
                    throw ApiError.methodNotAllowed("POST is not supported on " + rt.resource() + (sub == null ? "/{name}" : "/" + sub));
                }
            }
            case "PUT" -> {
                verb(req, "update");
                requireName(path);
                ObjectNode read = "scale".equals(sub)
                        ? RequestBodies.object(req, maxBody, "autoscaling/v1", "Scale")
                        : RequestBodies.object(req, maxBody, servedType.apiVersion(), servedType.kind());
                checkFields(req, resp, read, rt, servedType, sub);
                ObjectNode body = converter != null && !"scale".equals(sub) ? converter.toStored(read) : read;
                ObjectNode result = switch (sub == null ? "" : sub) {
                    case "" -> registry.update(rt, path.namespace(), path.name(), body, Registry.Part.MAIN, dryRun, tracker(req, rt, ""));
                    case "status" -> registry.update(rt, path.namespace(), path.name(), body, Registry.Part.STATUS, dryRun, tracker(req, rt, ManagedFields.STATUS));
                    case "ephemeralcontainers" -> registry.update(rt, path.namespace(), path.name(), body, Registry.Part.EPHEMERAL_CONTAINERS, dryRun,
                            tracker(req, rt, "ephemeralcontainers"));
                    case "approval" -> registry.update(rt, path.namespace(), path.name(), body, Registry.Part.APPROVAL, dryRun, tracker(req, rt, "approval"));
                    case "scale" -> scale.update(rt, path.namespace(), path.name(), current -> body, dryRun);
                    case "finalize" -> finalizer.finalizeNamespace(path.name(), body);
                    default -> throw ApiError.methodNotAllowed("PUT is not supported on " + rt.resource() + "/" + sub);
                };
                write(req, resp, 200, rt, result);
            }
            case "PATCH" -> {
                verb(req, "patch");
                requireName(path);
                String ct = RequestBodies.contentType(req);
                List<String> patchTypes = custom(rt) ? CUSTOM_PATCH_TYPES : PATCH_TYPES;
                if (!patchTypes.contains(ct)) {
                    throw ApiError.unsupportedMediaType(ct, patchTypes);
                }
                JsonNode patch = RequestBodies.patch(req, RequestBodies.read(req, maxBody), ct.equals(APPLY_PATCH));
                if (!ct.equals("application/json-patch+json")) {
                    checkFields(req, resp, patch, rt, servedType, sub);
                }
                if (converter != null && !"scale".equals(sub)) {
                    if (ct.equals(APPLY_PATCH)) {
                        throw ApiError.unsupportedMediaType(ct, List.of("application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"));
                    }
                    // the patch is written against the served version: apply it there, then convert back
                    Registry.Part part = "status".equals(sub) ? Registry.Part.STATUS : Registry.Part.MAIN;
                    ObjectNode result = registry.guaranteedUpdate(rt, path.namespace(), path.name(), null, part, dryRun,
                            current -> converter.toStored(Patches.apply(ct, converter.toServed(current), patch, servedType.type())));
                    write(req, resp, 200, rt, result);
                    return;
                }
                if (ct.equals(APPLY_PATCH)) {
                    if (sub != null && !List.of("status", "scale", "approval", "ephemeralcontainers").contains(sub)) {
                        throw ApiError.methodNotAllowed("PATCH, application/apply-patch+yaml is not supported on " + rt.resource() + "/" + sub);
                    }
                    boolean force = boolParam(req, "force");
                    if ("scale".equals(sub)) {
                        write(req, resp, 200, rt, scale.apply(rt, path.namespace(), path.name(), patch, req.getParameter("fieldManager"), force, dryRun));
                        return;
                    }
                    ServerSideApply.Result applied = serverSideApply.apply(rt, path.namespace(), path.name(), patch, req.getParameter("fieldManager"), force, dryRun,
                            sub == null ? "" : sub);
                    write(req, resp, applied.created() ? 201 : 200, rt, applied.object());
                    return;
                }
                ObjectNode result = switch (sub == null ? "" : sub) {
                    case "" -> registry.patch(rt, path.namespace(), path.name(), ct, patch, Registry.Part.MAIN, dryRun, tracker(req, rt, ""));
                    case "status" -> registry.patch(rt, path.namespace(), path.name(), ct, patch, Registry.Part.STATUS, dryRun, tracker(req, rt, ManagedFields.STATUS));
                    case "ephemeralcontainers" -> registry.patch(rt, path.namespace(), path.name(), ct, patch, Registry.Part.EPHEMERAL_CONTAINERS, dryRun,
                            tracker(req, rt, "ephemeralcontainers"));
                    case "approval" -> registry.patch(rt, path.namespace(), path.name(), ct, patch, Registry.Part.APPROVAL, dryRun, tracker(req, rt, "approval"));
                    case "scale" -> scale.update(rt, path.namespace(), path.name(), current -> Patches.apply(ct, current, patch, Scale.class), dryRun);
                    default -> throw ApiError.methodNotAllowed("PATCH is not supported on " + rt.resource() + "/" + sub);
                };
                write(req, resp, 200, rt, result);
            }
            case "DELETE" -> {
                verb(req, path.name() == null ? "deletecollection" : "delete");
                if (sub != null) {
                    throw ApiError.methodNotAllowed("DELETE is not supported on " + rt.resource() + "/" + sub);
                }
                DeleteOptions opts = deleteOptions(req, rt);
                // kubectl sends dryRun in the DeleteOptions body rather than the query
                boolean dryDelete = dryRun || (opts.dryRun != null && opts.dryRun.contains("All"));
                if (path.name() == null) {
                    deleteCollection(req, resp, path, opts, dryDelete);
                    return;
                }
                Registry.Deleted d = registry.delete(rt, path.namespace(), path.name(), opts, dryDelete);
                write(req, resp, 200, rt, d.object());
            }
            default -> throw ApiError.methodNotAllowed(method + " is not supported");
        }
    }

    /** Whether {@code rt} is a custom resource. */
    private boolean custom(ResourceType rt) {
        return registry.strategy(rt) instanceof CustomResourceStrategy;
    }

    /**
     * fieldValidation for a body: against the Scale model, a custom resource's schema, or the typed model
     * of the version the client wrote ({@code served}: a view's own type, else the stored kind's).
     */
    private void checkFields(HttpServletRequest req, HttpServletResponse resp, JsonNode body, ResourceType rt, ResourceType served, String sub) {
        if ("scale".equals(sub)) {
            FieldValidation.check(req, resp, body, Scale.class, "Scale", "autoscaling/v1");
        } else if (registry.strategy(rt) instanceof CustomResourceStrategy crs) {
            FieldValidation.check(req, resp, crs.unknownFields(body), rt.kind(), rt.apiVersion());
        } else {
            FieldValidation.check(req, resp, body, served.type(), served.kind(), served.apiVersion());
        }
    }

    /** Writes {@code body} as the client's version: converted when the request was for a view, except Tables (printed from the stored version, as Kubernetes prints from the internal one). */
    private void write(HttpServletRequest req, HttpServletResponse resp, int code, ResourceType type, JsonNode body) throws IOException {
        encoder.write(req, resp, code, type, served(req, type, defaultOnRead(type, body)));
    }

    /** A custom resource read from storage gets its version's schema defaults (Kubernetes defaults on decoding from etcd). */
    private JsonNode defaultOnRead(ResourceType type, JsonNode body) {
        if (type == null || type.type() != io.kube4j.apiserver.crd.UnstructuredObject.class) {
            return body;
        }
        try {
            return registry.strategy(type) instanceof CustomResourceStrategy crs ? crs.defaultOnRead(body) : body;
        } catch (IllegalArgumentException e) {
            return body; // the CRD went away meanwhile
        }
    }

    /** One watch event in the client's version (see {@link #write}). */
    private byte[] watchEvent(HttpServletRequest req, ResourceType type, String eventType, JsonNode object) {
        return encoder.watchEvent(req, type, eventType, eventType.equals("ERROR") ? object : served(req, type, defaultOnRead(type, object)));
    }

    /** {@code body} (an object, a list of them, a bookmark or a Status) in the version the request named. */
    private static JsonNode served(HttpServletRequest req, ResourceType type, JsonNode body) {
        if (!(req.getAttribute(CONVERTER) instanceof VersionConverter c) || type == null || !(body instanceof ObjectNode obj)
                || TableConverter.wanted(req) || !c.stored().apiVersion().equals(obj.path("apiVersion").asString(""))) {
            return body;
        }
        String kind = obj.path("kind").asString("");
        if (kind.equals(c.stored().listKind())) {
            ObjectNode list = obj.deepCopy();
            list.put("apiVersion", c.served().apiVersion());
            list.put("kind", c.served().listKind());
            var items = list.putArray("items");
            obj.path("items").forEach(i -> items.add(i instanceof ObjectNode o ? c.toServed(o) : i));
            return list;
        }
        if (!kind.equals(c.stored().kind())) {
            return body;
        }
        if (!obj.has("spec") && !obj.has("involvedObject") && obj.path("metadata").size() <= 2 && !obj.path("metadata").has("name")) {
            // a bookmark: only apiVersion changes
            ObjectNode bm = obj.deepCopy();
            bm.put("apiVersion", c.served().apiVersion());
            return bm;
        }
        return c.toServed(obj);
    }

    /**
     * managedFields bookkeeping for a write through {@code subresource} ("" or status) by its manager: the
     * fieldManager parameter, else the User-Agent's product (managerOrUserAgent); null when neither names one.
     */
    private BinaryOperator<ObjectNode> tracker(HttpServletRequest req, ResourceType rt, String subresource) {
        String manager = manager(req);
        if (manager.isEmpty()) {
            return null;
        }
        FieldModel model = FieldModel.of(registry.strategy(rt));
        return (current, next) -> ManagedFields.recordUpdate(current, next, manager, rt.apiVersion(), model, subresource);
    }

    /**
     * The write's field manager: the fieldManager parameter, else the User-Agent up to its first "/", with
     * unprintable characters dropped and cut to 128 bytes (handlers/rest.go managerOrUserAgent,
     * prefixFromUserAgent).
     */
    static String manager(HttpServletRequest req) {
        String manager = req.getParameter("fieldManager");
        if (manager != null && !manager.isEmpty()) {
            return manager;
        }
        String ua = req.getHeader("User-Agent");
        if (ua == null) {
            return "";
        }
        String product = ua.split("/", -1)[0];
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < product.length(); ) {
            int cp = product.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isISOControl(cp) || !Character.isDefined(cp)) {
                continue;
            }
            int len = new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes + len > 128) {
                break;
            }
            sb.appendCodePoint(cp);
            bytes += len;
        }
        return sb.toString();
    }

    /**
     * ValidateDryRun: {@code dryRun} may only be {@code All} (repeated or not); anything else is 400, never a
     * real write (a client sending {@code dryRun=true} must not delete for real).
     */
    static boolean dryRun(HttpServletRequest req) {
        String[] values = req.getParameterValues("dryRun");
        if (values == null || values.length == 0) {
            return false;
        }
        for (String v : values) {
            if (!"All".equals(v)) {
                throw ApiError.badRequest("dryRun: Unsupported value: []string{" + String.join(", ", java.util.Arrays.stream(values).map(x -> "\"" + x + "\"").toList())
                        + "}: supported values: \"All\"");
            }
        }
        return true;
    }

    private static void requireName(RequestPath path) {
        if (path.name() == null) {
            throw ApiError.methodNotAllowed("this method needs an object name in the URL");
        }
    }

    private static void verb(HttpServletRequest req, String verb) {
        req.setAttribute(VERB, verb);
    }

    private void get(HttpServletRequest req, HttpServletResponse resp, RequestPath path) throws IOException {
        ResourceType rt = path.type();
        if (path.name() == null) {
            String watch = req.getParameter("watch");
            if ("poll".equals(watch)) {
                verb(req, "watch");
                poll(req, resp, path);
            } else if (boolParam(req, "watch")) {
                verb(req, "watch");
                if ("websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
                    // a WebSocket handshake answered with an endless 200 stream hangs the client until the
                    // stream ends; 503 is what Kubernetes answers without WebSockets, and clients (fabric8)
                    // then fall back to a plain chunked HTTP watch
                    throw ApiError.unavailable("watches over WebSocket are not supported; watch over plain HTTP instead");
                }
                stream(req, resp, path);
            } else {
                verb(req, "list");
                if (req.getParameter("sendInitialEvents") != null) {
                    throw watchListInvalid("sendInitialEvents", "sendInitialEvents is forbidden for list");
                }
                ObjectNode list = registry.list(rt, path.namespace(), req.getParameter("labelSelector"), req.getParameter("fieldSelector"),
                        intParam(req, "limit", 0), req.getParameter("continue"), req.getParameter("resourceVersion"), req.getParameter("resourceVersionMatch"));
                write(req, resp, 200, rt, list);
            }
            return;
        }
        verb(req, "get");
        registry.awaitResourceVersion(req.getParameter("resourceVersion"));
        String sub = path.subresource();
        if (sub == null || sub.equals("status") || sub.equals("ephemeralcontainers") || sub.equals("approval")) {
            write(req, resp, 200, rt, registry.get(rt, path.namespace(), path.name()));
        } else if (sub.equals("scale")) {
            write(req, resp, 200, rt, scale.get(rt, path.namespace(), path.name()));
        } else if (sub.equals("log")) {
            logs.proxy(req, resp, registry.get(rt, path.namespace(), path.name()));
        } else {
            throw ApiError.notFound(rt.group(), rt.resource() + "/" + sub, path.name());
        }
    }

    /**
     * A boolean query parameter read as Kubernetes' {@code Convert_Slice_string_To_bool} reads it: absent,
     * {@code 0} and {@code false} (any case) are false, anything else, the empty string included, is true
     * (so {@code watch=maybe} is a watch, as on a real apiserver).
     */
    static boolean boolParam(HttpServletRequest req, String name) {
        String v = req.getParameter(name);
        return v != null && !v.equals("0") && !v.equalsIgnoreCase("false");
    }

    private static int intParam(HttpServletRequest req, String name, int dflt) {
        String v = req.getParameter(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name + " must be an integer, not \"" + v + "\"");
        }
    }

    private static long revisionParam(HttpServletRequest req) {
        String rv = req.getParameter("resourceVersion");
        if (rv == null || rv.isEmpty()) {
            return -1;
        }
        try {
            return Long.parseLong(rv);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("resourceVersion must be a decimal revision, not \"" + rv + "\"");
        }
    }

    /** Long-poll watch: the matching events after resourceVersion, waiting up to timeoutSeconds for the first. */
    private void poll(HttpServletRequest req, HttpServletResponse resp, RequestPath path) throws IOException {
        ResourceType rt = path.type();
        Predicate<ObjectNode> filter = registry.filter(rt, req.getParameter("labelSelector"), req.getParameter("fieldSelector"));
        WatchCache cache = registry.cache();
        long from = revisionParam(req);
        if (from <= 0) {
            from = cache.revision();
        }
        int timeout = Math.max(0, Math.min(intParam(req, "timeoutSeconds", 30), 600));
        WatchCache.Batch batch;
        try {
            batch = cache.eventsAfter(Registry.prefix(rt, path.namespace()), filter, nodeNameTrigger(req, rt), from,
                    registry.properties().watchCache().batchLimit(), Duration.ofSeconds(timeout));
        } catch (Expired e) {
            throw ApiError.gone(e.getMessage());
        }
        if (sharedJson(req, rt) && MediaTypes.negotiate(req.getHeader("Accept")) == MediaTypes.Format.JSON) {
            byte[] body = sharedWatchEventList(batch);
            resp.setStatus(200);
            resp.setContentType("application/json");
            resp.setContentLength(body.length);
            resp.getOutputStream().write(body);
            return;
        }
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("kind", "WatchEventList");
        out.put("apiVersion", "v1");
        out.putObject("metadata").put("resourceVersion", Long.toString(batch.revision()));
        var items = out.putArray("items");
        for (WatchCache.WatchEventOut e : batch.events()) {
            ObjectNode item = items.addObject();
            item.put("type", e.type());
            item.set("object", e.object());
        }
        write(req, resp, 200, rt, out);
    }

    /**
     * The exact {@code spec.nodeName} a pod watch's field selector requires (a kubelet's watch), or null:
     * the watch cache then wakes this watcher only for pods on that node (Kubernetes' watcher trigger,
     * {@code NodeNameTriggerFunc} in pkg/registry/core/pod/storage). Called after the selector was
     * validated by {@link Registry#filter}.
     */
    private static String nodeNameTrigger(HttpServletRequest req, ResourceType rt) {
        String fieldSelector = req.getParameter("fieldSelector");
        if (rt != ResourceTypes.PODS || fieldSelector == null || fieldSelector.isBlank()) {
            return null;
        }
        return io.kube4j.labels.FieldSelector.parse(fieldSelector).exactValue("spec.nodeName");
    }

    /**
     * Whether this watcher receives each event's object exactly as cached and in JSON, so that it can
     * share the bytes encoded once per event for every watcher ({@link io.kube4j.apiserver.watch.CachingObject},
     * Kubernetes' cachingObject). Watchers whose objects are changed on the way out keep their own path:
     * a served view or another version ({@link #served}), a custom resource (defaults on read, its
     * apiVersion), Table rows, and (checked by the callers) protobuf or YAML.
     */
    private boolean sharedJson(HttpServletRequest req, ResourceType rt) {
        return registry.properties().watchCache().sharedEncoding() && req.getAttribute(CONVERTER) == null
                && rt.type() != io.kube4j.apiserver.crd.UnstructuredObject.class && !TableConverter.wanted(req);
    }

    /**
     * The long-poll answer built from the shared bytes: byte for byte what encoding the same
     * WatchEventList tree gives ({@code kind, apiVersion, metadata.resourceVersion, items[type, object]}),
     * without encoding any object again.
     */
    static byte[] sharedWatchEventList(WatchCache.Batch batch) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(256 + batch.events().size() * 2048);
        b.writeBytes(("{\"kind\":\"WatchEventList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\""
                + batch.revision() + "\"},\"items\":[").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        boolean first = true;
        for (WatchCache.WatchEventOut e : batch.events()) {
            if (!first) {
                b.write(',');
            }
            first = false;
            writeSharedEvent(b, e);
        }
        b.writeBytes("]}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return b.toByteArray();
    }

    /** {@code {"type":"<type>","object":<shared JSON>}}: the event types are plain ASCII words, no escaping needed. */
    static void writeSharedEvent(OutputStream out, WatchCache.WatchEventOut e) throws IOException {
        out.write(("{\"type\":\"" + e.type() + "\",\"object\":").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.write(e.encoded().json());
        out.write('}');
    }

    private static void writeSharedEvent(java.io.ByteArrayOutputStream out, WatchCache.WatchEventOut e) {
        try {
            writeSharedEvent((OutputStream) out, e);
        } catch (IOException impossible) {
            throw new java.io.UncheckedIOException(impossible);
        }
    }

    /**
     * Streaming watch for kubectl and client-go: chunked, one JSON event per line (or, for a client that
     * prefers protobuf, one length-prefixed protobuf WatchEvent per frame). Without a
     * resourceVersion (or with 0) it starts with a synthetic ADDED for every current object.
     */
    private static ApiError watchListInvalid(String field, String why) {
        Status s = Status.failure(422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: " + field + ": Forbidden: " + why);
        s.details = new Status.Details();
        s.details.group = "meta.k8s.io";
        s.details.kind = "ListOptions";
        s.details.causes = List.of(new Status.Cause("FieldValueForbidden", "Forbidden: " + why, field));
        return new ApiError(s);
    }

    private void stream(HttpServletRequest req, HttpServletResponse resp, RequestPath path) throws IOException {
        ResourceType rt = path.type();
        Predicate<ObjectNode> filter = registry.filter(rt, req.getParameter("labelSelector"), req.getParameter("fieldSelector"));
        WatchCache cache = registry.cache();
        String prefix = Registry.prefix(rt, path.namespace());
        String nodeName = nodeNameTrigger(req, rt);
        long from = revisionParam(req);
        boolean bookmarks = boolParam(req, "allowWatchBookmarks");
        boolean initialEvents = boolParam(req, "sendInitialEvents");
        if (req.getParameter("sendInitialEvents") != null) {
            // ValidateListOptions for watch-list: sendInitialEvents needs bookmarks and resourceVersionMatch=NotOlderThan
            if (!"NotOlderThan".equals(req.getParameter("resourceVersionMatch"))) {
                throw watchListInvalid("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan");
            }
            if (initialEvents && !bookmarks) {
                throw watchListInvalid("allowWatchBookmarks", "sendInitialEvents requires setting allowWatchBookmarks to true");
            }
        } else if (req.getParameter("resourceVersionMatch") != null && !req.getParameter("resourceVersionMatch").isEmpty()) {
            throw watchListInvalid("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided");
        }
        boolean noInitialEvents = req.getParameter("sendInitialEvents") != null && !initialEvents;
        if (noInitialEvents && from <= 0) {
            // watch_cache getAllEventsSinceLocked: sendInitialEvents=false with no version starts at the newest
            // revision without replaying the current objects
            from = cache.revision();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(Math.max(1, intParam(req, "timeoutSeconds", 1800))).toNanos();
        resp.setStatus(200);
        // no Content-Length, so the container chunks the body itself; setting Transfer-Encoding here
        // as well sends the header twice, which Go's HTTP client (kubectl) refuses
        resp.setContentType(encoder.watchContentType(req, rt));
        OutputStream out = resp.getOutputStream();
        // decided once per watch, not per event
        boolean shared = sharedJson(req, rt) && !encoder.protobufWatch(req, rt);
        if (from <= 0 || initialEvents) {
            WatchCache.Snapshot snap = cache.snapshot(prefix, filter);
            for (ObjectNode o : snap.items()) {
                out.write(watchEvent(req, rt, "ADDED", o));
            }
            from = snap.revision();
            if (initialEvents) {
                // the end of the initial events, as 1.32's watch-list: a bookmark annotated k8s.io/initial-events-end
                ObjectNode bm = Json.mapper().createObjectNode();
                bm.put("apiVersion", rt.apiVersion());
                bm.put("kind", rt.kind());
                ObjectNode meta = bm.putObject("metadata");
                meta.put("resourceVersion", Long.toString(from));
                meta.putObject("annotations").put("k8s.io/initial-events-end", "true");
                out.write(watchEvent(req, rt, "BOOKMARK", bm));
            }
        }
        out.flush();
        while (System.nanoTime() < deadline) {
            WatchCache.Batch batch;
            try {
                long left = Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis());
                batch = cache.eventsAfter(prefix, filter, nodeName, from, 500, Duration.ofMillis(Math.min(left, 5000)));
            } catch (Expired e) {
                Status gone = Status.failure(410, "Expired", e.getMessage());
                out.write(watchEvent(req, rt, "ERROR", Json.toTree(gone)));
                out.flush();
                return;
            }
            for (WatchCache.WatchEventOut e : batch.events()) {
                if (shared) {
                    writeSharedEvent(out, e);
                    out.write('\n');
                } else {
                    out.write(watchEvent(req, rt, e.type(), e.object()));
                }
            }
            // an idle watch writes nothing unless the client takes bookmarks; a client that went away is
            // then noticed at the next event or at timeoutSeconds (blank keepalive lines would break
            // line-by-line readers such as the README's shell loops)
            if (batch.events().isEmpty() && bookmarks) {
                ObjectNode bm = Json.mapper().createObjectNode();
                bm.put("apiVersion", rt.apiVersion());
                bm.put("kind", rt.kind());
                bm.putObject("metadata").put("resourceVersion", Long.toString(batch.revision()));
                out.write(watchEvent(req, rt, "BOOKMARK", bm));
            }
            from = batch.revision();
            out.flush();
        }
    }

    private DeleteOptions deleteOptions(HttpServletRequest req, ResourceType rt) {
        ObjectNode body = RequestBodies.optionalObject(req, maxBody, rt.apiVersion(), "DeleteOptions");
        DeleteOptions opts;
        try {
            opts = body == null ? new DeleteOptions() : Json.convert(body, DeleteOptions.class);
        } catch (RuntimeException e) {
            throw ApiError.badRequest("the DeleteOptions body could not be decoded: " + e.getMessage());
        }
        String grace = req.getParameter("gracePeriodSeconds");
        if (grace != null && !grace.isEmpty()) {
            opts.gracePeriodSeconds = (long) intParam(req, "gracePeriodSeconds", 0);
        }
        String policy = req.getParameter("propagationPolicy");
        if (policy != null && !policy.isEmpty()) {
            opts.propagationPolicy = policy;
        }
        validate(opts);
        return opts;
    }

    /**
     * Kubernetes' ValidateDeleteOptions (apimachinery/pkg/apis/meta/internalversion/validation): 422 on
     * DeleteOptions.meta.k8s.io before anything is looked up, so a bad request deletes nothing.
     */
    private static void validate(DeleteOptions opts) {
        FieldErrors errs = new FieldErrors();
        if (opts.orphanDependents != null && opts.propagationPolicy != null) {
            errs.invalid("propagationPolicy", opts.propagationPolicy, "orphanDependents and deletionPropagation cannot be both set");
        }
        if (opts.propagationPolicy != null && !List.of("Foreground", "Background", "Orphan").contains(opts.propagationPolicy)) {
            errs.notSupported("propagationPolicy", opts.propagationPolicy, List.of("Foreground", "Background", "Orphan", "nil"));
        }
        if (!errs.isEmpty()) {
            throw ApiError.invalid("meta.k8s.io", "DeleteOptions", "", errs.causes());
        }
    }

    private void deleteCollection(HttpServletRequest req, HttpServletResponse resp, RequestPath path, DeleteOptions opts, boolean dryRun) throws IOException {
        ResourceType rt = path.type();
        ObjectNode list = registry.list(rt, path.namespace(), req.getParameter("labelSelector"), req.getParameter("fieldSelector"), 0, null, null);
        var deleted = Json.mapper().createArrayNode();
        for (JsonNode item : list.get("items")) {
            String ns = item.path("metadata").path("namespace").asString(null);
            String name = item.path("metadata").path("name").asString();
            try {
                deleted.add(registry.delete(rt, ns, name, opts, dryRun).object());
            } catch (ApiError e) {
                if (e.code() != 404) {
                    throw e;
                }
            }
        }
        list.set("items", deleted);
        write(req, resp, 200, rt, list);
    }
}
