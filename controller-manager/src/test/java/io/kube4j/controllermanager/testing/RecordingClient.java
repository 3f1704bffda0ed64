package io.kube4j.controllermanager.testing;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Event;
import io.kube4j.api.KubeObject;
import io.kube4j.api.Namespace;
import io.kube4j.api.Status;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A fake {@link ControllerClient} that records every write (and Event) and answers like an
 * apiserver would in the simple cases: creates get a name, uid and resourceVersion; live reads come
 * from objects the test puts in {@link #live}. Failures can be injected per action.
 */
public final class RecordingClient implements ControllerClient {
    private final List<Action> actions = Collections.synchronizedList(new ArrayList<>());
    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    private final List<DeleteOptions> deleteOptions = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger counter = new AtomicInteger();
    private final Map<String, KubeObject> live = new ConcurrentHashMap<>();
    private volatile Predicate<Action> failWhen = a -> false;
    private volatile int failCode = 500;
    private volatile Status failStatus;
    private volatile Predicate<Action> failAfterWhen = a -> false;
    private volatile Status failAfterStatus;
    private volatile Predicate<io.kube4j.controllermanager.runtime.SubjectAccess> allowWhen = a -> false;
    private final List<io.kube4j.controllermanager.runtime.SubjectAccess> accessReviews = Collections.synchronizedList(new ArrayList<>());

    /** What SubjectAccessReviews answer: allowed when {@code when} holds (default: never). */
    public RecordingClient allowWhen(Predicate<io.kube4j.controllermanager.runtime.SubjectAccess> when) {
        this.allowWhen = when;
        return this;
    }

    /** The SubjectAccessReviews asked, in order. */
    public List<io.kube4j.controllermanager.runtime.SubjectAccess> accessReviews() {
        synchronized (accessReviews) {
            return List.copyOf(accessReviews);
        }
    }

    /** Makes every action matching {@code when} fail with an ApiException of {@code code}. */
    public RecordingClient failWhen(Predicate<Action> when, int code) {
        this.failWhen = when;
        this.failCode = code;
        this.failStatus = null;
        return this;
    }

    /** Makes every action matching {@code when} fail with an ApiException carrying {@code status}. */
    public RecordingClient failWhen(Predicate<Action> when, Status status) {
        this.failWhen = when;
        this.failCode = status.code;
        this.failStatus = status;
        return this;
    }

    /**
     * Makes every action matching {@code when} take effect (it is recorded, a create's object exists) and then fail
     * with an ApiException carrying {@code status}: what a caller sees when the apiserver did the write but the answer
     * was an error (a 504 Timeout after etcd applied it late, a client timeout).
     */
    public RecordingClient failAfterWhen(Predicate<Action> when, Status status) {
        this.failAfterWhen = when;
        this.failAfterStatus = status;
        return this;
    }

    /** Objects a live GET/LIST finds, by kind and key. */
    public RecordingClient live(KubeObject... objects) {
        for (KubeObject o : objects) {
            live.put(o.kind + ":" + o.key(), o);
        }
        return this;
    }

    public List<Action> actions() {
        synchronized (actions) {
            return List.copyOf(actions);
        }
    }

    /** The actions as {@code verb kind ns/name} strings. */
    public List<String> summaries() {
        return actions().stream().map(Action::summary).toList();
    }

    public List<Action> actions(String verb, String kind) {
        return actions().stream().filter(a -> a.verb().equals(verb) && a.kind().equals(kind)).toList();
    }

    public List<String> eventReasons() {
        synchronized (events) {
            return events.stream().map(e -> e.reason).toList();
        }
    }

    public List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    public void clear() {
        actions.clear();
        events.clear();
    }

    private void record(Action a) {
        if (failWhen.test(a)) {
            Status status = failStatus != null ? failStatus : Status.failure(failCode, switch (failCode) {
                case 404 -> "NotFound";
                case 409 -> a.verb().equals("create") ? "AlreadyExists" : "Conflict";
                default -> "InternalError";
            }, "injected failure");
            throw new ApiException(failCode, status, failCode + " " + status.reason + ": " + status.message, null);
        }
        actions.add(a);
        if (failAfterWhen.test(a)) {
            Status status = failAfterStatus;
            throw new ApiException(status.code, status, status.code + " " + status.reason + ": " + status.message, null);
        }
    }

    @Override
    public <T extends KubeObject> T create(T obj) {
        T out = Json.copy(obj);
        if (out.metadata.name == null || out.metadata.name.isEmpty()) {
            out.metadata.name = out.metadata.generateName + String.format("%05d", counter.incrementAndGet());
        }
        record(new Action("create", obj.kind, obj.metadata.namespace, out.metadata.name, out, null));
        out.metadata.uid = "uid-" + out.metadata.name;
        out.metadata.resourceVersion = "1";
        out.metadata.generation = 1L;
        out.metadata.creationTimestamp = Times.now();
        return out;
    }

    @Override
    public <T extends KubeObject> T update(T obj) {
        T out = Json.copy(obj);
        record(new Action("update", obj.kind, obj.metadata.namespace, obj.metadata.name, out, null));
        out.metadata.resourceVersion = obj.metadata.resourceVersion + "+";
        return out;
    }

    @Override
    public <T extends KubeObject> T updateStatus(T obj) {
        T out = Json.copy(obj);
        record(new Action("updateStatus", obj.kind, obj.metadata.namespace, obj.metadata.name, out, null));
        out.metadata.resourceVersion = obj.metadata.resourceVersion + "+";
        return out;
    }

    @Override
    public <T extends KubeObject> T mergePatch(Class<T> type, String namespace, String name, String patch) {
        String kind = kindOf(type);
        record(new Action("patch", kind, namespace, name, null, patch));
        KubeObject base = live.get(kind + ":" + io.kube4j.api.ObjectMeta.key(namespace, name));
        if (base == null) {
            return null;
        }
        JsonNode merged = merge(Json.toTree(base), Json.tree(patch));
        return Json.convert(merged, type);
    }

    /** Recorded as a {@code patch}; answers with the live object (if any) without applying the directives. */
    @Override
    public <T extends KubeObject> T strategicMergePatch(Class<T> type, String namespace, String name, String patch) {
        String kind = kindOf(type);
        record(new Action("patch", kind, namespace, name, null, patch));
        KubeObject base = live.get(kind + ":" + io.kube4j.api.ObjectMeta.key(namespace, name));
        return base == null ? null : type.cast(Json.copy(base));
    }

    /** The options of every recorded delete, in order. */
    public List<DeleteOptions> deleteOptions() {
        synchronized (deleteOptions) {
            return List.copyOf(deleteOptions);
        }
    }

    @Override
    public void delete(Class<? extends KubeObject> type, String namespace, String name, DeleteOptions options) {
        deleteOptions.add(options == null ? new DeleteOptions() : options);
        record(new Action("delete", kindOf(type), namespace, name, null, options == null || options.propagationPolicy == null ? null : options.propagationPolicy,
                options == null ? null : Json.copy(options)));
    }

    @Override
    public <T extends KubeObject> Optional<T> find(Class<T> type, String namespace, String name) {
        KubeObject o = live.get(kindOf(type) + ":" + io.kube4j.api.ObjectMeta.key(namespace, name));
        return Optional.ofNullable(o == null ? null : type.cast(Json.copy(o)));
    }

    @Override
    public <T extends KubeObject> List<T> list(Class<T> type, String namespace) {
        String kind = kindOf(type);
        List<T> out = new ArrayList<>();
        for (KubeObject o : live.values()) {
            if (o.kind.equals(kind) && (namespace == null || namespace.equals(o.metadata.namespace))) {
                out.add(type.cast(Json.copy(o)));
            }
        }
        return out;
    }

    @Override
    public List<io.kube4j.controllermanager.runtime.CustomObject> list(io.kube4j.controllermanager.runtime.ApiResource resource, String namespace) {
        List<io.kube4j.controllermanager.runtime.CustomObject> out = new ArrayList<>();
        for (KubeObject o : live.values()) {
            if (o instanceof io.kube4j.controllermanager.runtime.CustomObject c && o.kind.equals(resource.kind())
                    && (namespace == null || namespace.equals(o.metadata.namespace))) {
                out.add(c.copy());
            }
        }
        return out;
    }

    @Override
    public Optional<io.kube4j.controllermanager.runtime.CustomObject> find(io.kube4j.controllermanager.runtime.ApiResource resource, String namespace, String name) {
        KubeObject o = live.get(resource.kind() + ":" + io.kube4j.api.ObjectMeta.key(resource.namespaced() ? namespace : null, name));
        return o instanceof io.kube4j.controllermanager.runtime.CustomObject c ? Optional.of(c.copy()) : Optional.empty();
    }

    @Override
    public io.kube4j.controllermanager.runtime.CustomObject updateCustom(io.kube4j.controllermanager.runtime.CustomObject obj) {
        io.kube4j.controllermanager.runtime.CustomObject out = obj.copy();
        // the object as sent, not the answer
        record(new Action("update", obj.kind, obj.metadata.namespace, obj.metadata.name, obj.copy(), null));
        out.metadata.resourceVersion = obj.metadata.resourceVersion + "+";
        return out;
    }

    @Override
    public void mergePatch(io.kube4j.controllermanager.runtime.ApiResource resource, String namespace, String name, String patch) {
        record(new Action("patch", resource.kind(), namespace, name, null, patch));
    }

    @Override
    public void delete(io.kube4j.controllermanager.runtime.ApiResource resource, String namespace, String name, DeleteOptions options) {
        deleteOptions.add(options == null ? new DeleteOptions() : options);
        record(new Action("delete", resource.kind(), namespace, name, null, options == null || options.propagationPolicy == null ? null : options.propagationPolicy,
                options == null ? null : Json.copy(options)));
    }

    @Override
    public Namespace finalizeNamespace(Namespace namespace) {
        Namespace out = Json.copy(namespace);
        record(new Action("finalize", "Namespace", null, namespace.metadata.name, out, null));
        return out;
    }

    /** Recorded as verb {@code update/<subresource>}. */
    @Override
    public <T extends KubeObject> T updateSubresource(T obj, String subresource) {
        T out = Json.copy(obj);
        record(new Action("update/" + subresource, obj.kind, obj.metadata.namespace, obj.metadata.name, out, null));
        out.metadata.resourceVersion = obj.metadata.resourceVersion + "+";
        return out;
    }

    /** Recorded as {@code create SubjectAccessReview <user>}; answered by {@link #allowWhen}. */
    @Override
    public boolean subjectAccessReview(io.kube4j.controllermanager.runtime.SubjectAccess access) {
        record(new Action("create", "SubjectAccessReview", null, access.user(), null, access.subresource()));
        accessReviews.add(access);
        return allowWhen.test(access);
    }

    @Override
    public void event(KubeObject about, String type, String reason, String message) {
        Event e = new Event();
        e.type = type;
        e.reason = reason;
        e.message = message;
        e.involvedObject = io.kube4j.api.ObjectReference.to(about);
        events.add(e);
    }

    private static String kindOf(Class<? extends KubeObject> type) {
        return io.kube4j.api.ResourceTypes.of(type).kind();
    }

    private static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Json.mapper().createObjectNode();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), merge(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }
}
