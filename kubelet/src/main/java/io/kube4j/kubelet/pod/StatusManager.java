package io.kube4j.kubelet.pod;

import io.kube4j.api.Pod;
import io.kube4j.api.PodStatus;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.json.Json;
import io.kube4j.kubelet.status.TwoWayMergePatch;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes pod statuses to the apiserver, only when they changed (Kubernetes' {@code pkg/kubelet/status/
 * status_manager.go}): the new status is compared with the one this kubelet last wrote (or, before its
 * first write, the apiserver's) as {@code isPodStatusByKubeletEqual} does (the kubelet's own conditions by
 * type, status, reason and message only, so their timestamps alone never cause a write; everything else
 * exactly), and only the difference goes out, as {@code statusutil.PatchPodStatus} builds it: a strategic
 * merge patch on {@code pods/{name}/status} made like {@code CreateTwoWayMergePatch} of the old and new status
 * (changed fields, {@code null} for fields that went away, merge lists ({@code conditions} by type, {@code podIPs}
 * and {@code hostIPs} by ip) with only their changed elements, {@code $patch: delete} and
 * {@code $setElementOrder/<list>}), with {@code metadata.uid} as a precondition and no resourceVersion: a patch
 * cannot meet a 409 from a concurrent writer, and a recreated pod of the same name (another uid) is not
 * changed. Keys are sorted as Go's encoder writes them. One per node; thread-safe.
 */
public final class StatusManager {
    private static final String STRATEGIC = "application/strategic-merge-patch+json";
    /** The merge keys of PodStatus' lists with patchStrategy merge (k8s.io/api/core/v1 types.go); the others are atomic. */
    static final Map<String, String> MERGE_KEYS = Map.of("conditions", "type", "podIPs", "ip", "hostIPs", "ip", "resourceClaimStatuses", "name");
    /**
     * Conditions the kubelet owns or shares (pkg/kubelet/types/pod_status.go PodConditionsByKubelet with
     * PodReadyToStartContainers, PodConditionSharedByKubelet): the others belong to other writers and are never
     * removed by the kubelet's patch (mergePodStatus keeps them).
     */
    static final Set<String> KUBELET_CONDITIONS = Set.of("PodScheduled", "Ready", "Initialized", "ContainersReady",
            "PodReadyToStartContainers", "DisruptionTarget");

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
        ObjectNode from = Json.toTree(base);
        ObjectNode to = Json.toTree(status);
        if (isPodStatusByKubeletEqual(from, to)) {
            return false;
        }
        ObjectNode body = patch(uid, from, to);
        if (!body.has("status")) {
            return false;
        }
        try {
            client.patchStatus(Pod.class, pod.metadata.namespace, pod.metadata.name, STRATEGIC, Json.write(body));
        } catch (ApiException e) {
            if (e.isNotFound() || recreated(e)) {
                return false;
            }
            throw e;
        }
        writes.incrementAndGet();
        written.put(uid, Json.copy(status));
        return true;
    }

    /**
     * The pod of this name is another one now (its uid differs from the patch's precondition: 422 from
     * ValidateObjectMetaUpdate, "field is immutable" on metadata.uid): like the status manager's "Pod was deleted
     * and then recreated, skipping status update", not an error.
     */
    private static boolean recreated(ApiException e) {
        String m = e.status() == null || e.status().message == null ? "" : e.status().message;
        return e.code() == 422 && m.contains("metadata.uid");
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

    /**
     * statusutil's {@code preparePatchBytesForPodStatus}: {@code {"metadata":{"uid":...},"status":<diff>}}, the
     * status left out when nothing changed (then only the uid remains: Kubernetes' "unchanged").
     */
    static ObjectNode patch(String uid, ObjectNode from, ObjectNode to) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.putObject("metadata").put("uid", uid);
        ObjectNode status = diff(from, to);
        if (!status.isEmpty()) {
            body.set("status", status);
        }
        return body;
    }

    /**
     * The status manager's {@code isPodStatusByKubeletEqual}: the kubelet's conditions compared by type, status,
     * reason and message (not their times); all else compared exactly.
     */
    static boolean isPodStatusByKubeletEqual(ObjectNode old, ObjectNode now) {
        Map<String, JsonNode> oldConditions = kubeletConditions(old);
        Map<String, JsonNode> newConditions = kubeletConditions(now);
        if (oldConditions.size() != newConditions.size()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> e : newConditions.entrySet()) {
            JsonNode o = oldConditions.get(e.getKey());
            JsonNode n = e.getValue();
            if (o == null || !text(o, "status").equals(text(n, "status")) || !text(o, "message").equals(text(n, "message"))
                    || !text(o, "reason").equals(text(n, "reason"))) {
                return false;
            }
        }
        ObjectNode oldCopy = old.deepCopy();
        oldCopy.remove("conditions");
        ObjectNode newCopy = now.deepCopy();
        newCopy.remove("conditions");
        return withoutEmpty(oldCopy).equals(withoutEmpty(newCopy));
    }

    private static Map<String, JsonNode> kubeletConditions(ObjectNode status) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        JsonNode cs = status.get("conditions");
        if (cs != null && cs.isArray()) {
            for (JsonNode c : cs) {
                if (KUBELET_CONDITIONS.contains(text(c, "type"))) {
                    out.put(text(c, "type"), c);
                }
            }
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "" : v.asString("");
    }

    // Go's omitempty: an empty list or object and an absent field are the same status
    private static ObjectNode withoutEmpty(ObjectNode n) {
        ObjectNode out = Json.mapper().createObjectNode();
        n.properties().forEach(e -> {
            JsonNode v = e.getValue();
            if (v != null && !v.isNull() && !((v.isArray() || v.isObject()) && v.isEmpty())) {
                out.set(e.getKey(), v);
            }
        });
        return out;
    }

    /** The strategic merge patch that turns status {@code from} into {@code to} (CreateTwoWayMergePatch); empty when equal. */
    static ObjectNode diff(ObjectNode from, ObjectNode to) {
        return TwoWayMergePatch.diff(withoutEmpty(from), withoutEmpty(to), MERGE_KEYS,
                (list, key) -> !"conditions".equals(list) || KUBELET_CONDITIONS.contains(key));
    }
}
