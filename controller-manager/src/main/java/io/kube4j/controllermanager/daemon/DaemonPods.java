package io.kube4j.controllermanager.daemon;

import io.kube4j.api.Affinity;
import io.kube4j.api.DaemonSet;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.Pod;
import io.kube4j.api.PodSpec;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.api.Toleration;
import io.kube4j.controllermanager.history.ControllerHistory;
import io.kube4j.json.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a DaemonSet's pods look (Kubernetes' {@code pkg/controller/daemon/util/daemonset_util.go}): the
 * tolerations every daemon pod gets, the template labels ({@code controller-revision-hash},
 * {@code pod-template-generation}), the required node affinity {@code metadata.name In [node]} that
 * pins a pod to its node for the default scheduler, and how to read that node back from a pod.
 */
final class DaemonPods {
    /** The taints the node lifecycle controller and the kubelet put on nodes (k8s.io/api/core/v1 well_known_taints.go). */
    static final String TAINT_NOT_READY = "node.kubernetes.io/not-ready";
    static final String TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
    static final String TAINT_DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
    static final String TAINT_MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
    static final String TAINT_PID_PRESSURE = "node.kubernetes.io/pid-pressure";
    static final String TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
    static final String TAINT_NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";
    /** The pod label with the DaemonSet's template generation (extensions.DaemonSetTemplateGenerationKey, deprecated). */
    static final String TEMPLATE_GENERATION_LABEL = "pod-template-generation";
    /** The DaemonSet annotation the apiserver keeps the template generation in (apps/v1 conversion). */
    static final String TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";
    /** The field a node selector term matches the node's name with (metav1.ObjectNameField). */
    static final String OBJECT_NAME_FIELD = "metadata.name";

    private DaemonPods() {
    }

    /**
     * Adds (or replaces a looser one of) the tolerations Kubernetes gives every daemon pod
     * (AddOrUpdateDaemonPodTolerations): not-ready and unreachable NoExecute with no tolerationSeconds,
     * so node problems never evict them; disk-, memory-, pid-pressure and unschedulable NoSchedule; and
     * for host-network pods network-unavailable NoSchedule.
     */
    static void addOrUpdateDaemonPodTolerations(PodSpec spec) {
        addOrUpdate(spec, exists(TAINT_NOT_READY, "NoExecute"));
        addOrUpdate(spec, exists(TAINT_UNREACHABLE, "NoExecute"));
        addOrUpdate(spec, exists(TAINT_DISK_PRESSURE, "NoSchedule"));
        addOrUpdate(spec, exists(TAINT_MEMORY_PRESSURE, "NoSchedule"));
        addOrUpdate(spec, exists(TAINT_PID_PRESSURE, "NoSchedule"));
        addOrUpdate(spec, exists(TAINT_UNSCHEDULABLE, "NoSchedule"));
        if (Boolean.TRUE.equals(spec.hostNetwork)) {
            addOrUpdate(spec, exists(TAINT_NETWORK_UNAVAILABLE, "NoSchedule"));
        }
    }

    private static Toleration exists(String key, String effect) {
        Toleration t = new Toleration();
        t.key = key;
        t.operator = "Exists";
        t.effect = effect;
        return t;
    }

    /**
     * v1helper.AddOrUpdateTolerationInPodSpec: a toleration with the same key, operator, value and
     * effect is replaced by {@code toleration} (dropping e.g. its tolerationSeconds); otherwise it is appended.
     */
    private static void addOrUpdate(PodSpec spec, Toleration toleration) {
        List<Toleration> next = new ArrayList<>();
        boolean updated = false;
        for (Toleration t : spec.tolerations) {
            if (sameToleration(toleration, t)) {
                next.add(toleration);
                updated = true;
            } else {
                next.add(t);
            }
        }
        if (!updated) {
            next.add(toleration);
        }
        spec.tolerations = next;
    }

    /** Toleration.MatchToleration: same key, operator, value and effect. */
    private static boolean sameToleration(Toleration a, Toleration b) {
        return Objects.equals(a.key, b.key) && Objects.equals(a.operator, b.operator)
                && Objects.equals(blank(a.value), blank(b.value)) && Objects.equals(blank(a.effect), blank(b.effect));
    }

    private static String blank(String s) {
        return s == null ? "" : s;
    }

    /** The template generation from the DaemonSet's annotation, or null (util.GetTemplateGeneration; unparsable counts as absent). */
    static Long templateGeneration(DaemonSet ds) {
        String v = ds.metadata.annotations.get(TEMPLATE_GENERATION_ANNOTATION);
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The template new pods are made from (util.CreatePodTemplate): the DaemonSet's, with the daemon
     * tolerations, {@code pod-template-generation} when known and {@code controller-revision-hash}.
     */
    static PodTemplateSpec createPodTemplate(PodTemplateSpec template, Long generation, String hash) {
        PodTemplateSpec t = Json.copy(template);
        addOrUpdateDaemonPodTolerations(t.spec);
        if (generation != null) {
            t.metadata.labels.put(TEMPLATE_GENERATION_LABEL, Long.toString(generation));
        }
        if (hash != null && !hash.isEmpty()) {
            t.metadata.labels.put(ControllerHistory.CONTROLLER_REVISION_HASH, hash);
        }
        return t;
    }

    /**
     * util.ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes exactly one term,
     * {@code metadata.name In [node]}; preferred terms and pod (anti-)affinity are kept.
     */
    static Affinity replaceNodeNameNodeAffinity(Affinity affinity, String nodeName) {
        Affinity.NodeSelectorRequirement req = new Affinity.NodeSelectorRequirement();
        req.key = OBJECT_NAME_FIELD;
        req.operator = "In";
        req.values = new ArrayList<>(List.of(nodeName));
        Affinity.NodeSelectorTerm term = new Affinity.NodeSelectorTerm();
        term.matchFields.add(req);
        Affinity out = affinity == null ? new Affinity() : affinity;
        if (out.nodeAffinity == null) {
            out.nodeAffinity = new Affinity.NodeAffinity();
        }
        if (out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution == null) {
            out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = new Affinity.NodeSelector();
        }
        out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms = new ArrayList<>(List.of(term));
        return out;
    }

    /** The pod the DaemonSet would run on {@code nodeName}, for the eligibility checks (NewPod). */
    static Pod newPod(DaemonSet ds, String nodeName) {
        DaemonSet copy = Json.copy(ds);
        Pod pod = new Pod();
        if (copy.spec.template != null) {
            pod.metadata = copy.spec.template.metadata;
            pod.spec = copy.spec.template.spec;
        }
        pod.metadata.namespace = ds.metadata.namespace;
        pod.spec.nodeName = nodeName;
        addOrUpdateDaemonPodTolerations(pod.spec);
        return pod;
    }

    /** A pod of {@code ds} from {@code template}, pinned to {@code nodeName}, named by the apiserver from {@code <ds>-}. */
    static Pod podForNode(DaemonSet ds, PodTemplateSpec template, String nodeName) {
        PodTemplateSpec t = Json.copy(template);
        Pod pod = new Pod();
        pod.metadata.generateName = ds.metadata.name + "-";
        pod.metadata.namespace = ds.metadata.namespace;
        pod.metadata.labels.putAll(t.metadata.labels);
        pod.metadata.annotations.putAll(t.metadata.annotations);
        pod.metadata.finalizers.addAll(t.metadata.finalizers);
        pod.metadata.ownerReferences.add(OwnerReference.controllerOf(ds));
        pod.spec = t.spec;
        pod.spec.affinity = replaceNodeNameNodeAffinity(pod.spec.affinity, nodeName);
        return pod;
    }

    /**
     * The node a daemon pod is for (util.GetTargetNodeName): its nodeName, or for a pod not yet
     * scheduled the single value of its {@code metadata.name In [...]} node affinity field; null if neither.
     */
    static String targetNodeName(Pod pod) {
        if (pod.spec.nodeName != null && !pod.spec.nodeName.isEmpty()) {
            return pod.spec.nodeName;
        }
        Affinity a = pod.spec.affinity;
        if (a == null || a.nodeAffinity == null || a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution == null) {
            return null;
        }
        for (Affinity.NodeSelectorTerm term : a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms) {
            for (Affinity.NodeSelectorRequirement r : term.matchFields) {
                if (OBJECT_NAME_FIELD.equals(r.key) && "In".equals(r.operator)) {
                    return r.values != null && r.values.size() == 1 ? r.values.getFirst() : null;
                }
            }
        }
        return null;
    }

    /** Whether the pod is of the DaemonSet's current template (util.IsPodUpdated): same hash, or same template generation. */
    static boolean isPodUpdated(Pod pod, String hash, Long generation) {
        boolean templateMatches = generation != null && Long.toString(generation).equals(pod.metadata.labels.get(TEMPLATE_GENERATION_LABEL));
        boolean hashMatches = hash != null && !hash.isEmpty() && hash.equals(pod.metadata.labels.get(ControllerHistory.CONTROLLER_REVISION_HASH));
        return hashMatches || templateMatches;
    }
}
