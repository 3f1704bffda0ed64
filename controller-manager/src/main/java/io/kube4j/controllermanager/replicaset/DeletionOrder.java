package io.kube4j.controllermanager.replicaset;

import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Pod;
import io.kube4j.controllermanager.runtime.PodReadiness;
import io.kube4j.json.Times;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * Which pods a ReplicaSet deletes first when it has too many (Kubernetes' ActivePods order): not yet
 * scheduled, then Pending before Unknown before Running, not ready before ready, ready for less time,
 * more container restarts, and finally the newest.
 */
final class DeletionOrder implements Comparator<Pod> {
    static final DeletionOrder INSTANCE = new DeletionOrder();

    private DeletionOrder() {
    }

    @Override
    public int compare(Pod a, Pod b) {
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
            // ready for less time goes first
            int bySince = compareDesc(PodReadiness.readySince(a), PodReadiness.readySince(b));
            if (bySince != 0) {
                return bySince;
            }
        }
        int byRestarts = Integer.compare(restarts(b), restarts(a));
        if (byRestarts != 0) {
            return byRestarts;
        }
        int byAge = compareDesc(created(a), created(b));
        if (byAge != 0) {
            return byAge;
        }
        return Objects.compare(b.metadata.name, a.metadata.name, Comparator.nullsLast(Comparator.naturalOrder()));
    }

    private static int phaseRank(Pod p) {
        String phase = p.status == null ? null : p.status.phase;
        if (phase == null || phase.equals("Pending")) {
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

    private static Instant created(Pod p) {
        try {
            return Times.parse(p.metadata.creationTimestamp);
        } catch (RuntimeException e) {
            return null;
        }
    }

    // later instants first; unknown ones last
    private static int compareDesc(Instant a, Instant b) {
        if (Objects.equals(a, b)) {
            return 0;
        }
        if (a == null) {
            return 1;
        }
        if (b == null) {
            return -1;
        }
        return b.compareTo(a);
    }
}
