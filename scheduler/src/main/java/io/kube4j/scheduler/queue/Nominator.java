package io.kube4j.scheduler.queue;

import io.kube4j.api.Pod;
import io.kube4j.scheduler.framework.NominatingInfo;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.PodNominator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The pending pods nominated to nodes, as Kubernetes' {@code nominator} in the scheduling queue
 * ({@code pkg/scheduler/backend/queue/nominator.go}): fed by the queue from every pending pod's
 * {@code status.nominatedNodeName} and by the scheduler's own preemption decisions, which it knows before
 * the apiserver does. A pod leaves it when it is deleted, bound (assumed), or its nomination is cleared.
 * Thread-safe: informer threads write, the scheduling thread reads.
 */
public final class Nominator implements PodNominator {
    // pod key -> nominated node, and node -> the nominated pods (pod keys identify pods: a pod deleted and
    // recreated under the same name leaves through its delete first)
    private final Map<String, String> nominatedPodToNode = new HashMap<>();
    private final Map<String, List<PodInfo>> nominatedPods = new HashMap<>();
    private final Function<String, Pod> podLister;
    // read without the lock: most nodes of most clusters have no nominated pod, and filtering asks per node
    private volatile int size;

    /** @param podLister the informer's pod by key (null: don't check), to refuse nominating a pod that is gone or bound */
    public Nominator(Function<String, Pod> podLister) {
        this.podLister = podLister;
    }

    /** A nominator that does not check pods against an informer (tests). */
    public Nominator() {
        this(null);
    }

    /**
     * Nominates the pod (Kubernetes' {@code addNominatedPodUnlocked}): to {@code nominating}'s node when it
     * overrides (an empty node name clears the nomination), else to the pod's {@code status.nominatedNodeName}
     * if it has one. A pod the informer no longer has, or has bound, is not nominated.
     */
    public synchronized void addNominatedPod(PodInfo pod, NominatingInfo nominating) {
        deleteUnlocked(pod.key());
        String nodeName = nominating != null && nominating.isOverride() ? nominating.nominatedNodeName() : pod.nominatedNodeName();
        if (nodeName.isEmpty()) {
            return;
        }
        if (podLister != null) {
            Pod latest = podLister.apply(pod.key());
            if (latest == null || (latest.spec.nodeName != null && !latest.spec.nodeName.isEmpty())) {
                return;
            }
        }
        nominatedPodToNode.put(pod.key(), nodeName);
        nominatedPods.computeIfAbsent(nodeName, k -> new ArrayList<>()).add(pod);
        size++;
    }

    /**
     * A pending pod changed (Kubernetes' {@code updateNominatedPod}). If neither version carries a
     * nomination but the scheduler nominated the pod itself, that nomination stays: the informer may
     * deliver an update written before the scheduler's status patch.
     */
    public synchronized void updateNominatedPod(Pod oldPod, PodInfo newPod) {
        NominatingInfo keep = NominatingInfo.NOOP;
        if (nominatedNodeName(oldPod).isEmpty() && newPod.nominatedNodeName().isEmpty()) {
            String nnn = nominatedPodToNode.get(oldPod.key());
            if (nnn != null) {
                keep = NominatingInfo.override(nnn);
            }
        }
        deleteUnlocked(oldPod.key());
        addNominatedPod(newPod, keep);
    }

    /** A pending pod entered the queue: nominated if its status says so. */
    public void podAdded(Pod pod) {
        if (!nominatedNodeName(pod).isEmpty()) {
            addNominatedPod(PodInfo.of(pod), NominatingInfo.NOOP);
        }
    }

    /** A pending pod changed (compiles the pod only when a nomination is involved). */
    public synchronized void podUpdated(Pod oldPod, Pod newPod) {
        if (nominatedNodeName(newPod).isEmpty() && !nominatedPodToNode.containsKey(newPod.key())) {
            return;
        }
        updateNominatedPod(oldPod == null ? newPod : oldPod, PodInfo.of(newPod));
    }

    /** The pod was deleted, bound or assumed: it reserves nothing any more. */
    public synchronized void deleteNominatedPodIfExists(String podKey) {
        deleteUnlocked(podKey);
    }

    /** The node the pod is nominated to, or null. */
    public synchronized String nominatedNodeFor(String podKey) {
        return nominatedPodToNode.get(podKey);
    }

    @Override
    public List<PodInfo> nominatedPodsForNode(String nodeName) {
        if (size == 0) {
            return List.of();
        }
        synchronized (this) {
            List<PodInfo> pods = nominatedPods.get(nodeName);
            return pods == null ? List.of() : List.copyOf(pods);
        }
    }

    private void deleteUnlocked(String podKey) {
        String nodeName = nominatedPodToNode.remove(podKey);
        if (nodeName == null) {
            return;
        }
        List<PodInfo> pods = nominatedPods.get(nodeName);
        if (pods != null) {
            pods.removeIf(p -> p.key().equals(podKey));
            if (pods.isEmpty()) {
                nominatedPods.remove(nodeName);
            }
        }
        size--;
    }

    private static String nominatedNodeName(Pod pod) {
        return pod == null || pod.status == null || pod.status.nominatedNodeName == null ? "" : pod.status.nominatedNodeName;
    }
}
