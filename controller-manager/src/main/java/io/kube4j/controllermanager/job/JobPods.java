package io.kube4j.controllermanager.job;

import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Job;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.controllermanager.runtime.PodReadiness;
import io.kube4j.json.Times;

import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;

/**
 * What the Job controller asks of one pod: its completion index, whether it still carries the
 * tracking finalizer, whether it counts as active, terminating or failed, when it finished, and in
 * which order surplus pods are deleted.
 */
public final class JobPods {
    /** The finalizer that keeps a finished pod until the controller has counted it. */
    public static final String TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
    /** Annotation (and, with PodIndexLabel, label) carrying an Indexed Job pod's index. */
    public static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
    /** Failures of the index so far, carried to the replacement pod (backoffLimitPerIndex). */
    public static final String INDEX_FAILURE_COUNT = "batch.kubernetes.io/job-index-failure-count";
    /** Failures of the index that an Ignore rule excused. */
    public static final String INDEX_IGNORED_FAILURE_COUNT = "batch.kubernetes.io/job-index-ignored-failure-count";
    /** A pod without a valid index. */
    public static final int UNKNOWN_INDEX = -1;

    private JobPods() {
    }

    public static boolean hasTrackingFinalizer(Pod pod) {
        return pod.metadata.finalizers != null && pod.metadata.finalizers.contains(TRACKING_FINALIZER);
    }

    /** The index in the annotation, or {@link #UNKNOWN_INDEX} when missing, not a number or negative. */
    public static int completionIndex(Pod pod) {
        Map<String, String> a = pod.metadata.annotations;
        String v = a == null ? null : a.get(COMPLETION_INDEX);
        if (v == null) {
            return UNKNOWN_INDEX;
        }
        try {
            int i = Integer.parseInt(v);
            return i < 0 ? UNKNOWN_INDEX : i;
        } catch (NumberFormatException e) {
            return UNKNOWN_INDEX;
        }
    }

    static String phase(Pod pod) {
        return pod.status == null ? null : pod.status.phase;
    }

    public static boolean isSucceeded(Pod pod) {
        return "Succeeded".equals(phase(pod));
    }

    /** Kubernetes' FilterActivePods: neither Succeeded nor Failed, and not being deleted. */
    public static boolean isActive(Pod pod) {
        return PodReadiness.isActive(pod);
    }

    /** Kubernetes' IsPodTerminating: being deleted but not yet terminal. */
    public static boolean isTerminating(Pod pod) {
        return !PodReadiness.isTerminal(pod) && pod.metadata.deletionTimestamp != null;
    }

    /**
     * Kubernetes' isPodFailed: phase Failed, or (unless only failed pods are replaced) deleted before
     * it succeeded, so an orphaned pod that never reaches Failed is still counted.
     */
    public static boolean isFailed(Pod pod, Job job) {
        if ("Failed".equals(phase(pod))) {
            return true;
        }
        if (JobSpecs.onlyReplaceFailedPods(job)) {
            return false;
        }
        return pod.metadata.deletionTimestamp != null && !isSucceeded(pod);
    }

    /**
     * When the pod finished: the latest container finishedAt if every container terminated, else the
     * Ready=False transition, else deletionTimestamp minus its grace period, else its creation time
     * (Kubernetes' getFinishedTime in {@code backoff_utils.go}).
     */
    public static Instant finishedTime(Pod pod) {
        Instant t = fromContainers(pod);
        if (t != null) {
            return t;
        }
        PodCondition ready = pod.status == null ? null : pod.status.condition("Ready");
        if (ready != null && "False".equals(ready.status)) {
            Instant since = parse(ready.lastTransitionTime);
            if (since != null) {
                return since;
            }
        }
        Instant deleted = parse(pod.metadata.deletionTimestamp);
        if (deleted != null) {
            long grace = pod.metadata.deletionGracePeriodSeconds == null ? 0 : pod.metadata.deletionGracePeriodSeconds;
            return deleted.minusSeconds(grace);
        }
        Instant created = parse(pod.metadata.creationTimestamp);
        return created == null ? Instant.EPOCH : created;
    }

    private static Instant fromContainers(Pod pod) {
        if (pod.status == null || pod.status.containerStatuses.isEmpty()) {
            return null;
        }
        Instant latest = null;
        for (ContainerStatus cs : pod.status.containerStatuses) {
            if (cs.state == null || cs.state.terminated == null) {
                return null;
            }
            Instant at = parse(cs.state.terminated.finishedAt);
            if (at == null) {
                return null;
            }
            if (latest == null || at.isAfter(latest)) {
                latest = at;
            }
        }
        return latest;
    }

    static Instant parse(String time) {
        try {
            return Times.parse(time);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Kubernetes' controller.ActivePods order, least valuable first: unscheduled before scheduled,
     * Pending before Unknown before Running, not ready before ready, ready for less time first, more
     * container restarts first, newer first.
     */
    public static final Comparator<Pod> ACTIVE_PODS_ORDER = (a, b) -> {
        boolean aAssigned = a.spec.nodeName != null && !a.spec.nodeName.isEmpty();
        boolean bAssigned = b.spec.nodeName != null && !b.spec.nodeName.isEmpty();
        if (aAssigned != bAssigned) {
            return aAssigned ? 1 : -1;
        }
        int byPhase = Integer.compare(phaseRank(a), phaseRank(b));
        if (byPhase != 0) {
            return byPhase;
        }
        boolean aReady = PodReadiness.isReady(a);
        boolean bReady = PodReadiness.isReady(b);
        if (aReady != bReady) {
            return aReady ? 1 : -1;
        }
        if (aReady) {
            int bySince = laterFirst(PodReadiness.readySince(a), PodReadiness.readySince(b));
            if (bySince != 0) {
                return bySince;
            }
        }
        int byRestarts = Integer.compare(restarts(b), restarts(a));
        if (byRestarts != 0) {
            return byRestarts;
        }
        return laterFirst(parse(a.metadata.creationTimestamp), parse(b.metadata.creationTimestamp));
    };

    private static int phaseRank(Pod p) {
        String phase = phase(p);
        if (phase == null || phase.isEmpty() || phase.equals("Pending")) {
            return 0;
        }
        return phase.equals("Running") ? 2 : 1;
    }

    private static int restarts(Pod p) {
        int sum = 0;
        if (p.status != null) {
            for (ContainerStatus cs : p.status.containerStatuses) {
                sum += cs.restartCount;
            }
        }
        return sum;
    }

    // later instants first; unknown ones first too (Kubernetes: empty creation time < newer < older)
    private static int laterFirst(Instant a, Instant b) {
        if (Objects.equals(a, b)) {
            return 0;
        }
        if (a == null) {
            return -1;
        }
        if (b == null) {
            return 1;
        }
        return b.compareTo(a);
    }
}
