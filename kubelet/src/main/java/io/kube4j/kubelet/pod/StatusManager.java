package io.kube4j.kubelet.pod;

import io.kube4j.api.Pod;
import io.kube4j.api.PodStatus;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes pod statuses to the apiserver, only when they changed (Kubernetes' {@code pkg/kubelet/status/
 * status_manager.go}): the new status is compared with the one this kubelet last wrote (or, before its
 * first write, the apiserver's), and only the difference goes out, as a strategic merge patch on
 * {@code pods/{name}/status}: changed fields, {@code null} for fields that went away, conditions merged
 * by type. The patch carries {@code metadata.uid} as Kubernetes' does (the apiserver checks it there).
 * One per node; thread-safe.
 */
public final class StatusManager {
    private static final String STRATEGIC = "application/strategic-merge-patch+json";

    private final ApiClient client;
    // the last status written per pod uid: what the apiserver has of ours
    private final Map<String, PodStatus> written = new ConcurrentHashMap<>();
    private final AtomicLong writes = new AtomicLong();

    public StatusManager(ApiClient client) {
        this.client = client;
    }

    /**
     * Writes {@code status} for {@code pod} unless nothing changed. Returns whether a PATCH was sent.
     * A pod that is gone (404) is not an error; other apiserver errors are thrown for the next sync to retry.
     */
    public boolean set(Pod pod, PodStatus status) {
        String uid = pod.metadata.uid;
        PodStatus base = written.get(uid);
        if (base == null) {
            base = pod.status == null ? new PodStatus() : pod.status;
        }
        ObjectNode patch = diff(Json.toTree(base), Json.toTree(status));
        if (patch.isEmpty()) {
            return false;
        }
        ObjectNode body = Json.mapper().createObjectNode();
        body.putObject("metadata").put("uid", uid);
        body.set("status", patch);
        try {
            client.patchStatus(Pod.class, pod.metadata.namespace, pod.metadata.name, STRATEGIC, Json.write(body));
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw e;
        }
        writes.incrementAndGet();
        written.put(uid, Json.copy(status));
        return true;
    }

    /** The status last written for the pod, or null. */
    public PodStatus written(String uid) {
        PodStatus s = written.get(uid);
        return s == null ? null : Json.copy(s);
    }

    /** Forgets a pod that is gone. */
    public void forget(String uid) {
        written.remove(uid);
    }

    /** How many PATCHes have been sent (tests: no write when nothing changed). */
    public long writes() {
        return writes.get();
    }

    /** The strategic merge patch that turns status {@code from} into {@code to}; empty when they are equal. */
    static ObjectNode diff(ObjectNode from, ObjectNode to) {
        ObjectNode patch = Json.mapper().createObjectNode();
        Set<String> keys = new LinkedHashSet<>();
        from.propertyNames().forEach(keys::add);
        to.propertyNames().forEach(keys::add);
        for (String key : keys) {
            JsonNode a = from.get(key);
            JsonNode b = to.get(key);
            if (b == null || b.isNull()) {
                if (a != null && !a.isNull()) {
                    patch.putNull(key);
                }
            } else if ("conditions".equals(key)) {
                ArrayNode changed = conditions(a, b);
                if (!changed.isEmpty()) {
                    patch.set(key, changed);
                }
            } else if (!b.equals(a)) {
                patch.set(key, b);
            }
        }
        return patch;
    }

    // conditions merge by type: send the ones that changed, delete the ones that went away
    private static ArrayNode conditions(JsonNode from, JsonNode to) {
        ArrayNode out = Json.mapper().createArrayNode();
        Map<String, JsonNode> old = new ConcurrentHashMap<>();
        if (from != null && from.isArray()) {
            from.forEach(c -> old.put(c.path("type").asString(""), c));
        }
        Set<String> types = new LinkedHashSet<>();
        for (JsonNode c : to) {
            String type = c.path("type").asString("");
            types.add(type);
            JsonNode before = old.get(type);
            if (!c.equals(before)) {
                // a merge keeps fields the patch leaves out: clear the ones the new condition no longer has
                // (a condition turning True drops its reason and message)
                ObjectNode changed = ((ObjectNode) c).deepCopy();
                if (before != null) {
                    before.properties().forEach(e -> {
                        if (!changed.has(e.getKey())) {
                            changed.putNull(e.getKey());
                        }
                    });
                }
                out.add(changed);
            }
        }
        for (String type : old.keySet()) {
            if (!types.contains(type)) {
                ObjectNode delete = out.addObject();
                delete.put("type", type);
                delete.put("$patch", "delete");
            }
        }
        return out;
    }
}
