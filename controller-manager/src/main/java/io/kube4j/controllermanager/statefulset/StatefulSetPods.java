package io.kube4j.controllermanager.statefulset;

import io.kube4j.api.ControllerRevision;
import io.kube4j.api.KubeObject;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.PersistentVolumeClaim;
import io.kube4j.api.Pod;
import io.kube4j.api.StatefulSet;
import io.kube4j.api.Volume;
import io.kube4j.controllermanager.history.ControllerHistory;
import io.kube4j.controllermanager.runtime.PodReadiness;
import io.kube4j.json.Json;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A StatefulSet's pods and claims by ordinal (Kubernetes' {@code pkg/controller/statefulset/stateful_set_utils.go}):
 * names {@code <set>-<ordinal>} and {@code <claim>-<set>-<ordinal>}, the identity labels, hostname and
 * subdomain, the claim volumes, the revision a pod is of, the PVC retention policy as owner references,
 * and the StatefulSet defaults apps/v1 would have filled in.
 */
final class StatefulSetPods {
    /** The label with the pod's own name (apps.StatefulSetPodNameLabel). */
    static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
    /** The label with the pod's ordinal (apps.PodIndexLabel; the PodIndexLabel feature is on by default in 1.32). */
    static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
    static final String RETAIN = "Retain";
    static final String DELETE = "Delete";
    /** revisionHistoryLimit when unset (apps/v1 default). */
    static final int DEFAULT_REVISION_HISTORY_LIMIT = 10;

    /** {@code <parent>-<ordinal>} (statefulPodRegex). */
    private static final Pattern STATEFUL_POD = Pattern.compile("(.*)-([0-9]+)$");

    private StatefulSetPods() {
    }

    // ---- defaults (apps/v1 SetDefaults_StatefulSet), for a server that did not apply them -------

    static int replicas(StatefulSet set) {
        return set.spec.replicas == null ? 1 : set.spec.replicas;
    }

    static boolean isParallel(StatefulSet set) {
        return "Parallel".equals(set.spec.podManagementPolicy);
    }

    static String updateStrategyType(StatefulSet set) {
        return set.spec.updateStrategy == null || set.spec.updateStrategy.type == null || set.spec.updateStrategy.type.isEmpty()
                ? "RollingUpdate" : set.spec.updateStrategy.type;
    }

    /** The rolling update partition (0 when unset). */
    static int partition(StatefulSet set) {
        StatefulSet.StatefulSetUpdateStrategy s = set.spec.updateStrategy;
        return s == null || s.rollingUpdate == null || s.rollingUpdate.partition == null ? 0 : s.rollingUpdate.partition;
    }

    static int minReadySeconds(StatefulSet set) {
        return set.spec.minReadySeconds == null ? 0 : set.spec.minReadySeconds;
    }

    static int revisionHistoryLimit(StatefulSet set) {
        return set.spec.revisionHistoryLimit == null ? DEFAULT_REVISION_HISTORY_LIMIT : set.spec.revisionHistoryLimit;
    }

    /** whenDeleted / whenScaled, each Retain when unset (getPersistentVolumeClaimRetentionPolicy). */
    record RetentionPolicy(String whenDeleted, String whenScaled) {
    }

    static RetentionPolicy retentionPolicy(StatefulSet set) {
        StatefulSet.StatefulSetPersistentVolumeClaimRetentionPolicy p = set.spec.persistentVolumeClaimRetentionPolicy;
        if (p == null) {
            return new RetentionPolicy(RETAIN, RETAIN);
        }
        return new RetentionPolicy(p.whenDeleted == null ? RETAIN : p.whenDeleted, p.whenScaled == null ? RETAIN : p.whenScaled);
    }

    // ---- ordinals and names -----------------------------------------------------------------

    /** The parent name in {@code <parent>-<ordinal>}, or "" if the name has no ordinal. */
    static String parentName(Pod pod) {
        Matcher m = STATEFUL_POD.matcher(pod.metadata.name == null ? "" : pod.metadata.name);
        return m.matches() ? m.group(1) : "";
    }

    /** The ordinal in the pod's name, or -1. */
    static int ordinal(Pod pod) {
        Matcher m = STATEFUL_POD.matcher(pod.metadata.name == null ? "" : pod.metadata.name);
        if (!m.matches()) {
            return -1;
        }
        try {
            return Integer.parseInt(m.group(2));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** spec.ordinals.start, or 0. */
    static int startOrdinal(StatefulSet set) {
        return set.spec.ordinals == null ? 0 : set.spec.ordinals.start;
    }

    /** The last ordinal in range (inclusive). */
    static int endOrdinal(StatefulSet set) {
        return startOrdinal(set) + replicas(set) - 1;
    }

    /** Whether the pod's ordinal is within [start, end] (podInOrdinalRange). */
    static boolean inOrdinalRange(Pod pod, StatefulSet set) {
        int o = ordinal(pod);
        return o >= startOrdinal(set) && o <= endOrdinal(set);
    }

    static String podName(StatefulSet set, int ordinal) {
        return set.metadata.name + "-" + ordinal;
    }

    static String claimName(StatefulSet set, PersistentVolumeClaim template, int ordinal) {
        return template.metadata.name + "-" + set.metadata.name + "-" + ordinal;
    }

    /** isMemberOf: the pod's name is {@code <set>-<number>}. */
    static boolean isMemberOf(StatefulSet set, Pod pod) {
        return parentName(pod).equals(set.metadata.name);
    }

    /** identityMatches: name, namespace and pod-name label fit the set and the ordinal. */
    static boolean identityMatches(StatefulSet set, Pod pod) {
        int o = ordinal(pod);
        return o >= 0 && set.metadata.name.equals(parentName(pod)) && pod.metadata.name.equals(podName(set, o))
                && Objects.equals(pod.metadata.namespace, set.metadata.namespace)
                && pod.metadata.name.equals(pod.metadata.labels.get(POD_NAME_LABEL));
    }

    /** storageMatches: every claim template has a volume of its name using the pod's claim. */
    static boolean storageMatches(StatefulSet set, Pod pod) {
        int o = ordinal(pod);
        if (o < 0) {
            return false;
        }
        Map<String, Volume> volumes = new LinkedHashMap<>();
        pod.spec.volumes.forEach(v -> volumes.put(v.name, v));
        for (PersistentVolumeClaim t : set.spec.volumeClaimTemplates) {
            Volume v = volumes.get(t.metadata.name);
            if (v == null || v.persistentVolumeClaim == null || !claimName(set, t, o).equals(v.persistentVolumeClaim.claimName)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The claims the pod needs, by template name (getPersistentVolumeClaims): each template named for
     * the ordinal, in the set's namespace, labelled with the set's matchLabels.
     */
    static Map<String, PersistentVolumeClaim> claims(StatefulSet set, Pod pod) {
        int o = ordinal(pod);
        Map<String, PersistentVolumeClaim> out = new LinkedHashMap<>();
        for (PersistentVolumeClaim t : set.spec.volumeClaimTemplates) {
            PersistentVolumeClaim c = Json.copy(t);
            c.metadata.name = claimName(set, t, o);
            c.metadata.namespace = set.metadata.namespace;
            if (set.spec.selector != null && set.spec.selector.matchLabels != null) {
                c.metadata.labels.putAll(set.spec.selector.matchLabels);
            }
            out.put(t.metadata.name, c);
        }
        return out;
    }

    /** updateStorage: a volume per claim template (replacing one of the same name), other volumes kept. */
    static void updateStorage(StatefulSet set, Pod pod) {
        Map<String, PersistentVolumeClaim> claims = claims(set, pod);
        List<Volume> next = new ArrayList<>();
        claims.forEach((name, claim) -> {
            Volume v = new Volume();
            v.name = name;
            v.persistentVolumeClaim = new Volume.PersistentVolumeClaimVolumeSource();
            v.persistentVolumeClaim.claimName = claim.metadata.name;
            next.add(v);
        });
        for (Volume v : pod.spec.volumes) {
            if (!claims.containsKey(v.name)) {
                next.add(v);
            }
        }
        pod.spec.volumes = next;
    }

    /** updateIdentity: name, namespace, pod-name and pod-index labels from the ordinal. */
    static void updateIdentity(StatefulSet set, Pod pod) {
        int o = ordinal(pod);
        pod.metadata.name = podName(set, o);
        pod.metadata.namespace = set.metadata.namespace;
        pod.metadata.labels.put(POD_NAME_LABEL, pod.metadata.name);
        pod.metadata.labels.put(POD_INDEX_LABEL, Integer.toString(o));
    }

    /** initIdentity: the identity, and hostname and subdomain, which are set only at creation. */
    static void initIdentity(StatefulSet set, Pod pod) {
        updateIdentity(set, pod);
        pod.spec.hostname = pod.metadata.name;
        pod.spec.subdomain = set.spec.serviceName;
    }

    /**
     * newStatefulSetPod: controller.GetPodFromTemplate (labels, annotations, finalizers, generateName
     * {@code <set>-}, controller reference) with the identity and the claim volumes of {@code ordinal}.
     */
    static Pod newStatefulSetPod(StatefulSet set, int ordinal) {
        StatefulSet copy = Json.copy(set);
        Pod pod = new Pod();
        if (copy.spec.template != null) {
            pod.metadata.labels.putAll(copy.spec.template.metadata.labels);
            pod.metadata.annotations.putAll(copy.spec.template.metadata.annotations);
            pod.metadata.finalizers.addAll(copy.spec.template.metadata.finalizers);
            pod.spec = copy.spec.template.spec;
        }
        pod.metadata.generateName = set.metadata.name + "-";
        pod.metadata.ownerReferences.add(OwnerReference.controllerOf(set));
        pod.metadata.name = podName(set, ordinal);
        // a fresh object has no status: not "created" until the apiserver gives it a phase
        pod.status.phase = null;
        initIdentity(set, pod);
        updateStorage(set, pod);
        return pod;
    }

    /**
     * newVersionedStatefulSetPod: a pod of the current revision below the partition (or, for a
     * RollingUpdate without rollingUpdate parameters, below the current replicas), else of the update
     * revision. The condition keeps Kubernetes' operator precedence ({@code a && b || c}).
     */
    static Pod newVersionedStatefulSetPod(StatefulSet currentSet, StatefulSet updateSet, String currentRevision, String updateRevision, int ordinal) {
        boolean rolling = "RollingUpdate".equals(updateStrategyType(currentSet));
        StatefulSet.StatefulSetUpdateStrategy s = currentSet.spec.updateStrategy;
        boolean noParams = s == null || s.rollingUpdate == null;
        int currentReplicas = currentSet.status.currentReplicas == null ? 0 : currentSet.status.currentReplicas;
        if ((rolling && noParams && ordinal < startOrdinal(currentSet) + currentReplicas)
                || (!noParams && ordinal < startOrdinal(currentSet) + partition(currentSet))) {
            Pod pod = newStatefulSetPod(currentSet, ordinal);
            setRevision(pod, currentRevision);
            return pod;
        }
        Pod pod = newStatefulSetPod(updateSet, ordinal);
        setRevision(pod, updateRevision);
        return pod;
    }

    static void setRevision(Pod pod, String revision) {
        if (revision != null && !revision.isEmpty()) {
            pod.metadata.labels.put(ControllerHistory.CONTROLLER_REVISION_HASH, revision);
        }
    }

    /** The revision (name) a pod is of, "" if unlabelled. */
    static String revisionOf(Pod pod) {
        String r = pod.metadata.labels.get(ControllerHistory.CONTROLLER_REVISION_HASH);
        return r == null ? "" : r;
    }

    // ---- pod state ---------------------------------------------------------------------------

    static String phase(Pod pod) {
        return pod.status == null || pod.status.phase == null ? "" : pod.status.phase;
    }

    /** isCreated: the apiserver has given it a phase. */
    static boolean isCreated(Pod pod) {
        return !phase(pod).isEmpty();
    }

    static boolean isRunningAndReady(Pod pod) {
        return "Running".equals(phase(pod)) && PodReadiness.isReady(pod);
    }

    static boolean isRunningAndAvailable(Pod pod, int minReadySeconds, Instant now) {
        return PodReadiness.isAvailable(pod, minReadySeconds, now);
    }

    static boolean isTerminating(Pod pod) {
        return pod.metadata.deletionTimestamp != null;
    }

    /** isHealthy: running, ready and not terminating. */
    static boolean isHealthy(Pod pod) {
        return isRunningAndReady(pod) && !isTerminating(pod);
    }

    // ---- revisions ---------------------------------------------------------------------------

    /** newRevision: the set's template as a revision (hash of the data and collision count), with the set's annotations. */
    static ControllerRevision newRevision(StatefulSet set, long revision, int collisionCount) {
        ControllerRevision cr = ControllerHistory.newControllerRevision(set,
                set.spec.template == null ? Map.of() : set.spec.template.metadata.labels,
                ControllerHistory.templatePatch(set), revision, collisionCount);
        cr.metadata.annotations.putAll(set.metadata.annotations);
        return cr;
    }

    /** ApplyRevision: a copy of the set with the revision's template. */
    static StatefulSet applyRevision(StatefulSet set, ControllerRevision revision) {
        StatefulSet copy = Json.copy(set);
        var template = ControllerHistory.template(revision);
        if (template != null) {
            copy.spec.template = template;
        }
        return copy;
    }

    /** The next revision number: the last one's plus one (revisions sorted), or 1. */
    static long nextRevision(List<ControllerRevision> sorted) {
        return sorted.isEmpty() ? 1 : sorted.getLast().revision + 1;
    }

    // ---- PVC owner references for the retention policy ---------------------------------------

    static final String SET_API_VERSION = "apps/v1";
    static final String SET_KIND = "StatefulSet";
    static final String POD_API_VERSION = "v1";
    static final String POD_KIND = "Pod";

    /** hasOwnerRef: a reference to the owner's uid, controller or not. */
    static boolean hasOwnerRef(KubeObject target, KubeObject owner) {
        for (OwnerReference r : target.metadata.ownerReferences) {
            if (Objects.equals(r.uid, owner.metadata.uid)) {
                return true;
            }
        }
        return false;
    }

    /** matchesRef: the reference names the object (apiVersion, kind, name), whatever its uid. */
    static boolean matchesRef(OwnerReference ref, KubeObject obj, String apiVersion, String kind) {
        return apiVersion.equals(ref.apiVersion) && kind.equals(ref.kind) && Objects.equals(ref.name, obj.metadata.name);
    }

    /** hasStaleOwnerRef: the first reference naming the object has another uid (an earlier incarnation). */
    static boolean hasStaleOwnerRef(KubeObject target, KubeObject obj, String apiVersion, String kind) {
        for (OwnerReference r : target.metadata.ownerReferences) {
            if (matchesRef(r, obj, apiVersion, kind)) {
                return !Objects.equals(r.uid, obj.metadata.uid);
            }
        }
        return false;
    }

    /**
     * hasUnexpectedController: under a Delete policy, the claim has a controller that is neither this
     * set nor this pod (or a reference to a set or pod of the same name but another uid).
     */
    static boolean hasUnexpectedController(PersistentVolumeClaim claim, StatefulSet set, Pod pod) {
        RetentionPolicy policy = retentionPolicy(set);
        if (RETAIN.equals(policy.whenScaled()) && RETAIN.equals(policy.whenDeleted())) {
            return false;
        }
        for (OwnerReference r : claim.metadata.ownerReferences) {
            if (matchesRef(r, set, SET_API_VERSION, SET_KIND)) {
                if (!Objects.equals(r.uid, set.metadata.uid)) {
                    return true;
                }
                continue;
            }
            if (matchesRef(r, pod, POD_API_VERSION, POD_KIND)) {
                if (!Objects.equals(r.uid, pod.metadata.uid)) {
                    return true;
                }
                continue;
            }
            if (Boolean.TRUE.equals(r.controller)) {
                return true;
            }
        }
        return false;
    }

    /** hasNonControllerOwner: the set or pod owns the claim without being its controller (an older controller-manager's reference). */
    static boolean hasNonControllerOwner(PersistentVolumeClaim claim, StatefulSet set, Pod pod) {
        for (OwnerReference r : claim.metadata.ownerReferences) {
            if ((Objects.equals(r.uid, set.metadata.uid) || Objects.equals(r.uid, pod.metadata.uid)) && !Boolean.TRUE.equals(r.controller)) {
                return true;
            }
        }
        return false;
    }

    /**
     * isClaimOwnerUpToDate: whether the claim's references follow the retention policy. Retain/Retain:
     * neither set nor pod; Retain on scale-down, Delete with the set: the set only; Delete on scale-down,
     * Retain with the set: the pod, once it is scaled down; Delete/Delete: the set while the pod is in
     * range, the pod once it is scaled down. Claims with stale references are left alone; claims another
     * controller owns only lose our references.
     */
    static boolean isClaimOwnerUpToDate(PersistentVolumeClaim claim, StatefulSet set, Pod pod) {
        if (hasStaleOwnerRef(claim, set, SET_API_VERSION, SET_KIND) || hasStaleOwnerRef(claim, pod, POD_API_VERSION, POD_KIND)) {
            // managed by a previous, presumably deleted, set or pod: not to be touched
            return true;
        }
        if (hasUnexpectedController(claim, set, pod)) {
            return !(hasOwnerRef(claim, set) || hasOwnerRef(claim, pod));
        }
        if (hasNonControllerOwner(claim, set, pod)) {
            return false;
        }
        RetentionPolicy policy = retentionPolicy(set);
        boolean scaledDown = !inOrdinalRange(pod, set);
        boolean deleteOnScale = DELETE.equals(policy.whenScaled());
        boolean deleteWithSet = DELETE.equals(policy.whenDeleted());
        if (deleteOnScale && deleteWithSet) {
            return scaledDown != hasOwnerRef(claim, set) && scaledDown == hasOwnerRef(claim, pod);
        }
        if (deleteOnScale) {
            return !hasOwnerRef(claim, set) && scaledDown == hasOwnerRef(claim, pod);
        }
        if (deleteWithSet) {
            return hasOwnerRef(claim, set) && !hasOwnerRef(claim, pod);
        }
        // Retain/Retain, and unknown values treated as Retain
        return !hasOwnerRef(claim, set) && !hasOwnerRef(claim, pod);
    }

    /**
     * updateClaimOwnerRefForSetAndPod: drops every reference to this set and pod, then (unless another
     * controller owns the claim) adds the controller references the policy wants.
     */
    static void updateClaimOwnerRefForSetAndPod(PersistentVolumeClaim claim, StatefulSet set, Pod pod) {
        boolean unexpectedController = hasUnexpectedController(claim, set, pod);
        claim.metadata.ownerReferences.removeIf(r -> matchesRef(r, set, SET_API_VERSION, SET_KIND) || matchesRef(r, pod, POD_API_VERSION, POD_KIND));
        if (unexpectedController) {
            return;
        }
        RetentionPolicy policy = retentionPolicy(set);
        boolean scaledDown = !inOrdinalRange(pod, set);
        boolean deleteOnScale = DELETE.equals(policy.whenScaled());
        boolean deleteWithSet = DELETE.equals(policy.whenDeleted());
        if (deleteOnScale && scaledDown) {
            addControllerRef(claim, pod, POD_API_VERSION, POD_KIND);
        } else if (deleteWithSet && (!deleteOnScale || !scaledDown)) {
            addControllerRef(claim, set, SET_API_VERSION, SET_KIND);
        }
    }

    /** addControllerRef: a controller reference (blockOwnerDeletion) to the owner, unless it has one. */
    private static void addControllerRef(PersistentVolumeClaim claim, KubeObject owner, String apiVersion, String kind) {
        if (hasOwnerRef(claim, owner)) {
            return;
        }
        OwnerReference r = new OwnerReference();
        r.apiVersion = apiVersion;
        r.kind = kind;
        r.name = owner.metadata.name;
        r.uid = owner.metadata.uid;
        r.controller = true;
        r.blockOwnerDeletion = true;
        claim.metadata.ownerReferences.add(r);
    }
}
