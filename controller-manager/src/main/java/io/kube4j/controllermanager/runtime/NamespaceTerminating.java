package io.kube4j.controllermanager.runtime;

import io.kube4j.api.Status;
import io.kube4j.client.ApiException;

/**
 * Recognises a create refused because its namespace is being deleted: Kubernetes' apiserver answers
 * with the cause {@code v1.NamespaceTerminatingCause}, and the ReplicaSet, Job and DaemonSet
 * controllers then treat the creation as done rather than failed ({@code apierrors.HasStatusCause}),
 * since every later creation would fail the same way and the namespace controller removes the owner.
 */
public final class NamespaceTerminating {
    /** Kubernetes' {@code v1.NamespaceTerminatingCause}. */
    public static final String CAUSE = "NamespaceTerminating";

    private NamespaceTerminating() {
    }

    /** Whether {@code e} is an API error whose details carry the {@link #CAUSE} cause. */
    public static boolean refused(Exception e) {
        if (!(e instanceof ApiException api)) {
            return false;
        }
        Status s = api.status();
        return s != null && s.details != null && s.details.causes != null
                && s.details.causes.stream().anyMatch(c -> CAUSE.equals(c.reason));
    }
}
