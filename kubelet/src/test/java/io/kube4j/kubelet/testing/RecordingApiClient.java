package io.kube4j.kubelet.testing;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Event;
import io.kube4j.api.KubeObject;
import io.kube4j.api.Status;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.json.Json;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fake apiserver client that keeps objects in memory and records every write, so tests can compare
 * what a component did with what it should have done. Never talks to the network.
 */
public class RecordingApiClient extends ApiClient {
    /** One write: verb (create, update, updateStatus, delete), kind, key, and the object or options. */
    public record Action(String verb, String kind, String key, Object body) {
    }

    private final Map<String, KubeObject> objects = new ConcurrentHashMap<>();
    private final List<Action> actions = new CopyOnWriteArrayList<>();
    private final AtomicLong rv = new AtomicLong(1);

    public RecordingApiClient() {
        super("http://127.0.0.1:1");
    }

    public List<Action> actions() {
        return List.copyOf(actions);
    }

    public List<Action> actions(String verb, String kind) {
        return actions.stream().filter(a -> a.verb.equals(verb) && a.kind.equals(kind)).toList();
    }

    /** The reasons of the Events created so far, in order. */
    public List<String> eventReasons() {
        return actions("create", "Event").stream().map(a -> ((Event) a.body).reason).toList();
    }

    public List<Event> events() {
        return actions("create", "Event").stream().map(a -> (Event) a.body).toList();
    }

    public void clear() {
        actions.clear();
    }

    /** Stores an object as if it had been created by someone else. */
    public <T extends KubeObject> T put(T obj) {
        T copy = Json.copy(obj);
        copy.metadata.resourceVersion = String.valueOf(rv.incrementAndGet());
        objects.put(id(copy), copy);
        return Json.copy(copy);
    }

    @SuppressWarnings("unchecked")
    public <T extends KubeObject> T stored(Class<T> type, String namespace, String name) {
        KubeObject o = objects.get(type.getSimpleName() + "/" + io.kube4j.api.ObjectMeta.key(namespace, name));
        return o == null ? null : (T) Json.copy(o);
    }

    private static String id(KubeObject o) {
        return o.getClass().getSimpleName() + "/" + o.key();
    }

    @Override
    public <T extends KubeObject> T create(T obj) {
        actions.add(new Action("create", obj.kind, obj.key(), Json.copy(obj)));
        if (objects.containsKey(id(obj))) {
            throw new ApiException(409, Status.failure(409, "AlreadyExists", obj.key() + " already exists"), "409 AlreadyExists", null);
        }
        T copy = Json.copy(obj);
        if (copy.metadata.uid == null) {
            copy.metadata.uid = "uid-" + copy.metadata.name;
        }
        return put(copy);
    }

    /** A JSON merge patch of the main resource (the event recorder's count updates). */
    @Override
    public <T extends KubeObject> T patch(Class<T> type, String namespace, String name, String contentType, String body) {
        actions.add(new Action("patch", type.getSimpleName(), io.kube4j.api.ObjectMeta.key(namespace, name), body));
        T old = stored(type, namespace, name);
        if (old == null) {
            throw new ApiException(404, Status.failure(404, "NotFound", name + " not found"), "404 NotFound", null);
        }
        tools.jackson.databind.node.ObjectNode current = Json.toTree(old);
        Json.tree(body).properties().forEach(e -> current.set(e.getKey(), e.getValue()));
        return put(Json.convert(current, type));
    }

    /** The Events as they are now, with their counts (identical events are counted on the first one). */
    public List<Event> storedEvents() {
        return objects.values().stream().filter(o -> o instanceof Event).map(o -> (Event) Json.copy(o)).toList();
    }

    @Override
    public <T extends KubeObject> T get(Class<T> type, String namespace, String name) {
        T o = stored(type, namespace, name);
        if (o == null) {
            throw new ApiException(404, Status.failure(404, "NotFound", name + " not found"), "404 NotFound", null);
        }
        return o;
    }

    @Override
    public <T extends KubeObject> Optional<T> find(Class<T> type, String namespace, String name) {
        return Optional.ofNullable(stored(type, namespace, name));
    }

    @Override
    public <T extends KubeObject> T update(T obj) {
        actions.add(new Action("update", obj.kind, obj.key(), Json.copy(obj)));
        return write(obj);
    }

    @Override
    public <T extends KubeObject> T updateStatus(T obj) {
        actions.add(new Action("updateStatus", obj.kind, obj.key(), Json.copy(obj)));
        return write(obj);
    }

    private <T extends KubeObject> T write(T obj) {
        KubeObject old = objects.get(id(obj));
        if (old == null) {
            throw new ApiException(404, Status.failure(404, "NotFound", obj.key() + " not found"), "404 NotFound", null);
        }
        if (obj.metadata.resourceVersion != null && !obj.metadata.resourceVersion.equals(old.metadata.resourceVersion)) {
            throw new ApiException(409, Status.failure(409, "Conflict", "stale"), "409 Conflict", null);
        }
        return put(obj);
    }

    /**
     * PATCH of a status: merge patch semantics (objects merge, null removes) with conditions merged by type
     * and {@code $patch: delete} honoured, as the apiserver's strategic merge patch does for pod status.
     */
    @Override
    public <T extends KubeObject> T patchStatus(Class<T> type, String namespace, String name, String contentType, String body) {
        KubeObject old = objects.get(type.getSimpleName() + "/" + io.kube4j.api.ObjectMeta.key(namespace, name));
        actions.add(new Action("patchStatus", type.getSimpleName(), io.kube4j.api.ObjectMeta.key(namespace, name), body));
        if (old == null) {
            throw new ApiException(404, Status.failure(404, "NotFound", name + " not found"), "404 NotFound", null);
        }
        tools.jackson.databind.node.ObjectNode current = Json.toTree(old);
        tools.jackson.databind.JsonNode patch = Json.tree(body).path("status");
        tools.jackson.databind.node.ObjectNode status = current.has("status") && current.get("status").isObject()
                ? (tools.jackson.databind.node.ObjectNode) current.get("status") : current.putObject("status");
        String uid = Json.tree(body).path("metadata").path("uid").asString("");
        if (!uid.isEmpty() && old.metadata.uid != null && !uid.equals(old.metadata.uid)) {
            // the apiserver's ValidateObjectMetaUpdate: the uid of a status patch must be the stored pod's
            throw new ApiException(422, Status.failure(422, "Invalid", "metadata.uid: Invalid value: \"" + uid + "\": field is immutable"), "422 Invalid", null);
        }
        mergeStrategic(status, patch);
        return put(Json.convert(current, type));
    }

    // a strategic merge of a status patch: $setElementOrder ignored, merge lists by their keys, null removes
    private static void mergeStrategic(tools.jackson.databind.node.ObjectNode target, tools.jackson.databind.JsonNode patch) {
        Map<String, String> mergeKeys = Map.of("conditions", "type", "podIPs", "ip", "hostIPs", "ip", "resourceClaimStatuses", "name");
        for (var e : patch.properties()) {
            String key = e.getKey();
            tools.jackson.databind.JsonNode v = e.getValue();
            if (key.startsWith("$setElementOrder/")) {
                continue;
            }
            if (v.isNull()) {
                target.remove(key);
            } else if (mergeKeys.containsKey(key) && v.isArray()) {
                String mk = mergeKeys.get(key);
                tools.jackson.databind.node.ArrayNode merged = target.get(key) instanceof tools.jackson.databind.node.ArrayNode a ? a : target.putArray(key);
                for (tools.jackson.databind.JsonNode c : v) {
                    String k = c.path(mk).asString("");
                    int at = -1;
                    for (int i = 0; i < merged.size(); i++) {
                        if (merged.get(i).path(mk).asString("").equals(k)) {
                            at = i;
                        }
                    }
                    if ("delete".equals(c.path("$patch").asString(""))) {
                        if (at >= 0) {
                            merged.remove(at);
                        }
                    } else if (at >= 0 && merged.get(at) instanceof tools.jackson.databind.node.ObjectNode existing) {
                        mergeStrategic(existing, c);
                    } else {
                        merged.add(c);
                    }
                }
            } else if (v.isObject() && target.get(key) instanceof tools.jackson.databind.node.ObjectNode existing) {
                mergeStrategic(existing, v);
            } else if (v.isArray() && !v.isEmpty() && "replace".equals(v.get(0).path("$patch").asString(""))) {
                // {"$patch":"replace"} first: the list is the rest, whole
                tools.jackson.databind.node.ArrayNode replaced = target.putArray(key);
                for (int i = 1; i < v.size(); i++) {
                    replaced.add(v.get(i));
                }
            } else {
                target.set(key, v);
            }
        }
    }

    @Override
    public void delete(Class<? extends KubeObject> type, String namespace, String name, DeleteOptions options) {
        actions.add(new Action("delete", type.getSimpleName(), io.kube4j.api.ObjectMeta.key(namespace, name), options));
        objects.remove(type.getSimpleName() + "/" + io.kube4j.api.ObjectMeta.key(namespace, name));
    }
}
