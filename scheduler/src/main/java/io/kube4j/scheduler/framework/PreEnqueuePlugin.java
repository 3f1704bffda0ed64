package io.kube4j.scheduler.framework;

import io.kube4j.api.Pod;

/**
 * Decides whether a pod may enter the scheduling queue's active part at all (Kubernetes'
 * {@code PreEnqueuePlugin}). The queue asks every such plugin when a pod is added or updated; a pod
 * that any of them rejects is kept aside as <em>gated</em>: never popped, not moved by cluster events or
 * the unschedulable timeout, and asked again only when the pod itself changes. Must be cheap and must
 * not look at nodes: it runs on the informer's thread for every pending pod update.
 */
public interface PreEnqueuePlugin extends Plugin {
    /**
     * {@link Status#SUCCESS} to let the pod be scheduled; a rejection (normally
     * {@link Status.Code#UNSCHEDULABLE_AND_UNRESOLVABLE}) with a reason for the logs to keep it gated.
     */
    Status preEnqueue(Pod pod);
}
