package io.kube4j.controllermanager.daemon;

import io.kube4j.api.DaemonSet;
import io.kube4j.api.IntOrString;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.controllermanager.runtime.PodReadiness;

import java.time.Instant;
import java.util.ArrayList;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One step of a DaemonSet's RollingUpdate (Kubernetes' {@code rollingUpdate} in
 * {@code pkg/controller/daemon/update.go}), as a pure computation over the nodes and their daemon
 * pods: which old pods to delete and on which nodes to create new ones.
 *
 * <ul>
 *   <li>maxSurge 0: delete old pods while the unavailable ones (new pods not yet available, nodes
 *       without a pod, old pods not available) stay within maxUnavailable; unavailable old pods are
 *       always replaced. The core loop then creates the new pods on the emptied nodes.</li>
 *   <li>maxSurge &gt; 0: create a new pod next to an old one (on at most maxSurge nodes at a time,
 *       and at once where the old pod is unavailable), and delete the old pod when the new one is available.</li>
 * </ul>
 */
final class RollingUpdate {
    private RollingUpdate() {
    }

    /** What to do: delete these pods (names) and create daemon pods on these nodes. */
    record Step(List<String> podsToDelete, List<String> nodesToCreate) {
    }

    /** The effective update strategy type: RollingUpdate unless OnDelete is asked for (apps/v1 default). */
    static String strategyType(DaemonSet ds) {
        return ds.spec.updateStrategy == null || ds.spec.updateStrategy.type == null || ds.spec.updateStrategy.type.isEmpty()
                ? "RollingUpdate" : ds.spec.updateStrategy.type;
    }

    private static DaemonSet.RollingUpdateDaemonSet params(DaemonSet ds) {
        if (!"RollingUpdate".equals(strategyType(ds))) {
            return null;
        }
        return ds.spec.updateStrategy == null ? null : ds.spec.updateStrategy.rollingUpdate;
    }

    /** util.UnavailableCount: maxUnavailable scaled against the nodes that should run the pod, rounded up (default 1). */
    static int unavailableCount(DaemonSet ds, int numberToSchedule) {
        if (!"RollingUpdate".equals(strategyType(ds))) {
            return 0;
        }
        DaemonSet.RollingUpdateDaemonSet r = params(ds);
        IntOrString v = r == null || r.maxUnavailable == null ? IntOrString.of(1) : r.maxUnavailable;
        return v.scaledValue(numberToSchedule, true);
    }

    /** util.SurgeCount: maxSurge scaled the same way (default 0). */
    static int surgeCount(DaemonSet ds, int numberToSchedule) {
        DaemonSet.RollingUpdateDaemonSet r = params(ds);
        if (r == null || r.maxSurge == null) {
            return 0;
        }
        return r.maxSurge.scaledValue(numberToSchedule, true);
    }

    /** util.AllowsSurge: a RollingUpdate with a non-zero maxSurge. */
    static boolean allowsSurge(DaemonSet ds) {
        return surgeCount(ds, 1) != 0;
    }

    /**
     * The next step. {@code nodeToDaemonPods} are the live (not terminal-and-deleting) daemon pods by
     * node; {@code nodes} the cluster's nodes; {@code nodeByName} looks a node up in the cache.
     */
    static Step step(DaemonSet ds, List<Node> nodes, Map<String, List<Pod>> nodeToDaemonPods, String hash,
                     Function<String, Node> nodeByName, Instant now) {
        Map<String, List<Pod>> byNode = new TreeMap<>(nodeToDaemonPods);
        int desired = 0;
        for (Node node : nodes) {
            if (!NodeEligibility.of(node, ds).shouldRun()) {
                continue;
            }
            desired++;
            byNode.putIfAbsent(node.metadata.name, List.of());
        }
        int maxUnavailable = unavailableCount(ds, desired);
        int maxSurge = surgeCount(ds, desired);
        if (desired > 0 && maxUnavailable == 0 && maxSurge == 0) {
            // an impossible configuration: Kubernetes falls back to accepting one unavailable pod
            maxUnavailable = 1;
        }
        int minReady = ds.spec.minReadySeconds == null ? 0 : ds.spec.minReadySeconds;
        Long generation = DaemonPods.templateGeneration(ds);
        return maxSurge == 0
                ? withoutSurge(byNode, hash, generation, maxUnavailable, minReady, now)
                : withSurge(ds, byNode, hash, generation, maxSurge, desired, minReady, nodeByName, now);
    }

    /** At most one old and one new non-deleted pod on the node (findUpdatedPodsOnNode); null when there are more. */
    private static Pod[] newAndOld(List<Pod> pods, String hash, Long generation) {
        Pod newPod = null;
        Pod oldPod = null;
        for (Pod p : pods) {
            if (p.metadata.deletionTimestamp != null) {
                continue;
            }
            if (DaemonPods.isPodUpdated(p, hash, generation)) {
                if (newPod != null) {
                    return null;
                }
                newPod = p;
            } else {
                if (oldPod != null) {
                    return null;
                }
                oldPod = p;
            }
        }
        return new Pod[]{newPod, oldPod};
    }

    private static Step withoutSurge(Map<String, List<Pod>> byNode, String hash, Long generation, int maxUnavailable, int minReady, Instant now) {
        int numUnavailable = 0;
        List<String> allowedReplacements = new ArrayList<>();
        List<String> candidates = new ArrayList<>();
        for (Map.Entry<String, List<Pod>> e : byNode.entrySet()) {
            Pod[] pair = newAndOld(e.getValue(), hash, generation);
            if (pair == null) {
                // excess pods: the core loop cleans this node up; count it as unavailable
                numUnavailable++;
                continue;
            }
            Pod newPod = pair[0];
            Pod oldPod = pair[1];
            if ((oldPod == null && newPod == null) || (oldPod != null && newPod != null)) {
                // the core loop creates or deletes here
                numUnavailable++;
            } else if (newPod != null) {
                if (!PodReadiness.isAvailable(newPod, minReady, now)) {
                    numUnavailable++;
                }
            } else if (!PodReadiness.isAvailable(oldPod, minReady, now)) {
                // an old pod that is not available anyway: replace it at once
                allowedReplacements.add(oldPod.metadata.name);
                numUnavailable++;
            } else if (numUnavailable < maxUnavailable) {
                candidates.add(oldPod.metadata.name);
            }
        }
        int remaining = Math.max(0, maxUnavailable - numUnavailable);
        remaining = Math.min(remaining, candidates.size());
        List<String> delete = new ArrayList<>(allowedReplacements);
        delete.addAll(candidates.subList(0, remaining));
        return new Step(delete, List.of());
    }

    private static Step withSurge(DaemonSet ds, Map<String, List<Pod>> byNode, String hash, Long generation, int maxSurge,
                                  int desired, int minReady, Function<String, Node> nodeByName, Instant now) {
        List<String> oldPodsToDelete = new ArrayList<>();
        List<String> shouldNotRunPodsToDelete = new ArrayList<>();
        List<String> candidateNewNodes = new ArrayList<>();
        List<String> allowedNewNodes = new ArrayList<>();
        int numSurge = 0;
        int numAvailable = 0;
        for (Map.Entry<String, List<Pod>> e : byNode.entrySet()) {
            String nodeName = e.getKey();
            Pod[] pair = newAndOld(e.getValue(), hash, generation);
            if (pair == null) {
                numSurge++;
                continue;
            }
            Pod newPod = pair[0];
            Pod oldPod = pair[1];
            // availability counts on every node, also those the pod is leaving
            if (oldPod != null) {
                if (PodReadiness.isAvailable(oldPod, minReady, now)) {
                    numAvailable++;
                }
            } else if (newPod != null && PodReadiness.isAvailable(newPod, minReady, now)) {
                numAvailable++;
            }
            if (oldPod == null) {
                continue;
            }
            if (newPod == null) {
                Node node = nodeByName.apply(nodeName);
                boolean shouldRun = node != null && NodeEligibility.of(node, ds).shouldRun();
                if (!PodReadiness.isAvailable(oldPod, minReady, now)) {
                    if (!shouldRun) {
                        oldPodsToDelete.add(oldPod.metadata.name);
                    } else {
                        allowedNewNodes.add(nodeName);
                    }
                } else if (!shouldRun) {
                    shouldNotRunPodsToDelete.add(oldPod.metadata.name);
                } else if (numSurge < maxSurge) {
                    candidateNewNodes.add(nodeName);
                }
            } else if (!PodReadiness.isAvailable(newPod, minReady, now)) {
                // surged here already, waiting for the new pod
                numSurge++;
            } else {
                oldPodsToDelete.add(oldPod.metadata.name);
            }
        }
        // with surge the owner expects full availability: a pod leaves a node only once another is available
        int deletable = numAvailable - desired;
        if (deletable > 0) {
            oldPodsToDelete.addAll(shouldNotRunPodsToDelete.subList(0, Math.min(deletable, shouldNotRunPodsToDelete.size())));
        }
        int remaining = Math.max(0, maxSurge - numSurge);
        remaining = Math.min(remaining, candidateNewNodes.size());
        List<String> create = new ArrayList<>(allowedNewNodes);
        create.addAll(candidateNewNodes.subList(0, remaining));
        return new Step(oldPodsToDelete, create);
    }
}
