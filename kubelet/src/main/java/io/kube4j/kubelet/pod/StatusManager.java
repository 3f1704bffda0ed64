package io.kube4j.kubelet.pod;

import io.kube4j.api.Pod;
import io.kube4j.api.PodStatus;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.json.Json;
import io.kube4j.kubelet.status.TwoWayMergePatch;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

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
 * changed. Keys are sorted as Go's encoder writes them.
 *
 * <p>Writes are asynchronous, as Kubernetes' status manager's: {@link #set} only caches the new status with a
 * version ({@code SetPodStatus}/{@code updateStatusInternal}: {@code podStatuses}) and wakes the writer, so a pod
 * worker never waits for a PATCH before it starts containers; the writer ({@link #start}: one virtual thread per
 * node, {@code Start}'s loop) runs {@link #syncBatch} on every wake-up and at least every 10 s
 * ({@code syncPeriod}), writing, one pod after the other, each status whose version the apiserver does not have
 * yet ({@code needsUpdate}, {@code apiStatusVersions}); a status set twice before the writer got to it is written
 * once, the later one. A failed write is retried by the next batch. {@link #flush} writes one pod's status at
 * once, for the final status that must be on the apiserver before the pod is deleted (Kubernetes' status manager
 * deletes the pod itself after that write, {@code canBeDeleted}). Deviation: Kubernetes GETs the pod before every
 * PATCH and diffs against what it read; kube4j diffs against what it last wrote (the patch cannot conflict either
 * way, and one round trip per write is saved). One per node; thread-safe.
 */
public final class StatusManager {
    private static final Logger log = LoggerFactory.getLogger(StatusManager.class);
    private static final String STRATEGIC = "application/strategic-merge-patch+json";
    /** status_manager.go {@code syncPeriod}: failed writes are retried at least this often. */
    static final Duration SYNC_PERIOD = Duration.ofSeconds(10);
    /** The merge keys of PodStatus' lists with patchStrategy merge (k8s.io/api/core/v1 types.go); the others are atomic. */
    static final Map<String, String> MERGE_KEYS = Map.of("conditions", "type", "podIPs", "ip", "hostIPs", "ip", "resourceClaimStatuses", "name");
    /**
     * Conditions the kubelet owns or shares (pkg/kubelet/types/pod_status.go PodConditionsByKubelet with
     * PodReadyToStartContainers, PodConditionSharedByKubelet): the others belong to other writers and are never
     * removed by the kubelet's patch (mergePodStatus keeps them).
     */
    static final Set<String> KUBELET_CONDITIONS = Set.of("PodScheduled", "Ready", "Initialized", "ContainersReady",
            "PodReadyToStartContainers", "DisruptionTarget");

    /**
     * A status set for a pod: where to write it, the apiserver's status when the kubelet first set one (the base of
     * the first patch), and its version (status_manager.go {@code versionedPodStatus}).
     */
    private record Versioned(String namespace, String name, PodStatus apiStatus, PodStatus status, ObjectNode tree, long version) {
    }

    private final ApiClient client;
    // the latest status set per pod uid (podStatuses): what the kubelet means the apiserver to have
    private final Map<String, Versioned> statuses = new ConcurrentHashMap<>();
    // the last status written per pod uid and its version (apiStatusVersions): what the apiserver has of ours
    private final Map<String, PodStatus> written = new ConcurrentHashMap<>();
    private final Map<String, Long> writtenVersions = new ConcurrentHashMap<>();
    // one writer at a time (the batch, a flush, a forget), never held by set()
    private final ReentrantLock writing = new ReentrantLock();
    // podStatusChannel: a buffer of one wake-up, so set() never blocks
    private final BlockingQueue<Boolean> wakeUp = new ArrayBlockingQueue<>(1);
    private final AtomicLong writes = new AtomicLong();
    private volatile Thread writer;
    private volatile boolean stopped;

    /** A status manager that writes only when {@link #syncBatch} or {@link #flush} is called until {@link #start}. */
    public StatusManager(ApiClient client) {
        this.client = client;
    }

    /** Starts the writer loop (a virtual thread named after {@code node}); idempotent. */
    public synchronized StatusManager start(String node) {
        if (writer == null && !stopped) {
            writer = Thread.ofVirtual().name("status-manager-" + node).start(this::run);
        }
        return this;
    }

    /** Stops the writer loop; statuses not yet written stay unwritten. */
    public synchronized void stop() {
        stopped = true;
        Thread t = writer;
        if (t != null) {
            t.interrupt();
        }
    }

    private void run() {
        while (!stopped) {
            try {
                wakeUp.poll(SYNC_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
                syncBatch();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("pod status batch failed: {}", e.toString());
            }
        }
    }

    /**
     * Records {@code status} for {@code pod} unless nothing changed since the status last set (or, before the first,
     * the apiserver's), and wakes the writer. Returns whether it changed (it will be written). Never blocks on the
     * apiserver.
     */
    public boolean set(Pod pod, PodStatus status) {
        String uid = pod.metadata.uid;
        // the new status' tree is made once per call; the cached one's was made when it was set (a pod worker calls
        // this on every sync, so comparing must be cheap: this was a fifth of a hollow kubelet's CPU with copies)
        ObjectNode next = tree(status);
        boolean[] changed = {false};
        statuses.compute(uid, (k, cached) -> {
            ObjectNode old;
            if (cached != null) {
                old = cached.tree();
            } else {
                PodStatus base = written.get(uid);
                old = tree(base != null ? base : pod.status == null ? new PodStatus() : pod.status);
            }
            if (isPodStatusByKubeletEqual(old, next)) {
                return cached;
            }
            changed[0] = true;
            PodStatus api = cached != null ? cached.apiStatus() : pod.status == null ? new PodStatus() : Json.copy(pod.status);
            return new Versioned(pod.metadata.namespace, pod.metadata.name, api, Json.convert(next, PodStatus.class), next,
                    cached == null ? 1 : cached.version() + 1);
        });
        if (changed[0]) {
            wakeUp.offer(Boolean.TRUE);
        }
        return changed[0];
    }

    /**
     * Writes every status whose version the apiserver does not have yet, one after the other (status_manager.go
     * {@code syncBatch}); a write that fails is logged and left for the next batch. Returns how many were written.
     */
    public int syncBatch() {
        int n = 0;
        writing.lock();
        try {
            for (String uid : List.copyOf(statuses.keySet())) {
                try {
                    if (write(uid)) {
                        n++;
                    }
                } catch (ApiException e) {
                    Versioned v = statuses.get(uid);
                    log.warn("status of pod {} not written (retried in the next batch): {}",
                            v == null ? uid : v.namespace() + "/" + v.name(), e.getMessage());
                }
            }
        } finally {
            writing.unlock();
        }
        return n;
    }

    /**
     * Writes the pod's latest status now if the apiserver does not have it yet. Returns whether a PATCH was sent.
     *
     * @throws ApiException when the apiserver refuses it or cannot be reached (a gone or recreated pod is not an error)
     */
    public boolean flush(String uid) {
        writing.lock();
        try {
            return write(uid);
        } finally {
            writing.unlock();
        }
    }

    // called with the writing lock held
    private boolean write(String uid) {
        Versioned v = statuses.get(uid);
        if (v == null || v.version() <= writtenVersions.getOrDefault(uid, 0L)) {
            return false;
        }
        PodStatus base = written.getOrDefault(uid, v.apiStatus());
        ObjectNode body = patch(uid, tree(base), v.tree());
        if (body.has("status")) {
            try {
                client.patchStatus(Pod.class, v.namespace(), v.name(), STRATEGIC, Json.write(body));
            } catch (ApiException e) {
                if (!e.isNotFound() && !recreated(e)) {
                    throw e;
                }
                // gone, or the name is another pod's now: nothing to write, ever (status_manager.go syncPod returns)
                writtenVersions.put(uid, v.version());
                return false;
            }
            writes.incrementAndGet();
        }
        written.put(uid, v.status());
        writtenVersions.put(uid, v.version());
        return body.has("status");
    }

    /**
     * The status as a tree, by the mapper's {@code valueToTree} (no JSON written and parsed again, as {@link Json#toTree}
     * would: this runs on every pod worker sync). All trees this class compares come from here, so number nodes are of
     * the same kinds on both sides.
     */
    private static ObjectNode tree(PodStatus status) {
        return Json.mapper().valueToTree(status);
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

    /**
     * The status last set for the pod, written or not (Kubernetes' {@code GetPodStatus}: what the pod worker builds the
     * next status on), or null. The manager's own instance, not a copy: read it, never change it.
     */
    public PodStatus status(String uid) {
        Versioned v = statuses.get(uid);
        return v == null ? null : v.status();
    }

    /** The status last written to the apiserver for the pod, or null. */
    public PodStatus written(String uid) {
        PodStatus s = written.get(uid);
        return s == null ? null : Json.copy(s);
    }

    /** Forgets a pod that is gone (waits for a write of it in flight). */
    public void forget(String uid) {
        writing.lock();
        try {
            statuses.remove(uid);
            written.remove(uid);
            writtenVersions.remove(uid);
        } finally {
            writing.unlock();
        }
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
        return sameWithoutConditions(old, now) && sameWithoutConditions(now, old);
    }

    // every field of a but conditions equals b's, an absent field and an empty list or object being the same
    // (Go's omitempty); both ways round this is withoutEmpty(a - conditions).equals(withoutEmpty(b - conditions))
    private static boolean sameWithoutConditions(ObjectNode a, ObjectNode b) {
        for (Map.Entry<String, JsonNode> e : a.properties()) {
            JsonNode v = e.getValue();
            if (e.getKey().equals("conditions") || isEmpty(v)) {
                continue;
            }
            if (!v.equals(b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isEmpty(JsonNode v) {
        return v == null || v.isNull() || ((v.isArray() || v.isObject()) && v.isEmpty());
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
