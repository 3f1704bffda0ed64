package io.kube4j.controllermanager.runtime;

import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.json.Times;

import java.time.Instant;

/** Whether a pod is active, ready and available, as the ReplicaSet, Deployment and Endpoints controllers count them. */
public final class PodReadiness {
    private PodReadiness() {
    }

    /** Succeeded or Failed: the pod will never run again. */
    public static boolean isTerminal(Pod pod) {
        String phase = pod.status == null ? null : pod.status.phase;
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** Neither terminal nor being deleted: it counts towards a ReplicaSet's replicas. */
    public static boolean isActive(Pod pod) {
        return !isTerminal(pod) && pod.metadata.deletionTimestamp == null;
    }

    /** The Ready condition is True. */
    public static boolean isReady(Pod pod) {
        PodCondition c = pod.status == null ? null : pod.status.condition("Ready");
        return c != null && "True".equals(c.status);
    }

    /** When the pod last became Ready (null if not ready or unknown). */
    public static Instant readySince(Pod pod) {
        if (!isReady(pod)) {
            return null;
        }
        PodCondition c = pod.status.condition("Ready");
        try {
            return Times.parse(c.lastTransitionTime);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Ready for at least {@code minReadySeconds} (a pod without a transition time counts as ready long enough). */
    public static boolean isAvailable(Pod pod, int minReadySeconds, Instant now) {
        if (!isReady(pod)) {
            return false;
        }
        if (minReadySeconds <= 0) {
            return true;
        }
        Instant since = readySince(pod);
        return since == null || !since.plusSeconds(minReadySeconds).isAfter(now);
    }
}
