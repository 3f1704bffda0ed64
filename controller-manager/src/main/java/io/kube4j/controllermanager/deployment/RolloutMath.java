package io.kube4j.controllermanager.deployment;

import io.kube4j.api.Deployment;
import io.kube4j.api.IntOrString;
import io.kube4j.api.ReplicaSet;

import java.util.List;

/** The arithmetic of a rolling update (Kubernetes' deployment/util): surge, unavailability, counts. */
final class RolloutMath {
    private RolloutMath() {
    }

    static int replicas(Deployment d) {
        return d.spec.replicas == null ? 1 : d.spec.replicas;
    }

    static int replicas(ReplicaSet rs) {
        return rs.spec.replicas == null ? 0 : rs.spec.replicas;
    }

    /**
     * Available pods of a ReplicaSet as far as a scale-down decision may trust them: its status, but
     * never more than its spec, since pods above the spec are about to go (the status lags a scale-down).
     */
    static int available(ReplicaSet rs) {
        int available = rs.status.availableReplicas == null ? 0 : rs.status.availableReplicas;
        return Math.min(available, replicas(rs));
    }

    static boolean isRollingUpdate(Deployment d) {
        return d.spec.strategy == null || !"Recreate".equals(d.spec.strategy.type);
    }

    /** maxSurge as a count: percentages round up. */
    static int maxSurge(Deployment d) {
        if (!isRollingUpdate(d)) {
            return 0;
        }
        IntOrString surge = d.spec.strategy == null || d.spec.strategy.rollingUpdate == null ? null : d.spec.strategy.rollingUpdate.maxSurge;
        int s = surge == null ? IntOrString.of("25%").scaledValue(replicas(d), true) : surge.scaledValue(replicas(d), true);
        return Math.max(0, s);
    }

    /** maxUnavailable as a count: percentages round down; never 0 together with a 0 surge (no progress possible). */
    static int maxUnavailable(Deployment d) {
        if (!isRollingUpdate(d)) {
            return 0;
        }
        IntOrString unavailable = d.spec.strategy == null || d.spec.strategy.rollingUpdate == null ? null : d.spec.strategy.rollingUpdate.maxUnavailable;
        int u = unavailable == null ? IntOrString.of("25%").scaledValue(replicas(d), false) : unavailable.scaledValue(replicas(d), false);
        u = Math.max(0, u);
        if (u == 0 && maxSurge(d) == 0) {
            u = 1;
        }
        return Math.min(u, replicas(d));
    }

    static int specSum(List<ReplicaSet> sets) {
        int sum = 0;
        for (ReplicaSet rs : sets) {
            sum += replicas(rs);
        }
        return sum;
    }

    static int availableSum(List<ReplicaSet> sets) {
        int sum = 0;
        for (ReplicaSet rs : sets) {
            sum += available(rs);
        }
        return sum;
    }

    /** The new ReplicaSet's next size in a rolling update: up towards replicas, within replicas + maxSurge in total. */
    static int newReplicaSetReplicas(Deployment d, List<ReplicaSet> all, ReplicaSet newRs) {
        int current = newRs == null ? 0 : replicas(newRs);
        if (!isRollingUpdate(d)) {
            return replicas(d);
        }
        int maxTotal = replicas(d) + maxSurge(d);
        int total = specSum(all);
        if (total >= maxTotal) {
            return current;
        }
        int up = Math.min(maxTotal - total, replicas(d) - current);
        return current + Math.max(0, up);
    }
}
