package io.kube4j.scheduler.framework;

/** A change in the cluster that may make an unschedulable pod fit; the queue reacts to these. */
public enum ClusterEvent {
    NODE_ADDED,
    /** A node's labels changed. */
    NODE_LABELS_CHANGED,
    /** A node's taints changed. */
    NODE_TAINTS_CHANGED,
    /** A node's allocatable resources changed. */
    NODE_ALLOCATABLE_CHANGED,
    /** spec.unschedulable changed. */
    NODE_SCHEDULABILITY_CHANGED,
    /** A pod was bound (or assumed) to a node. */
    ASSIGNED_POD_ADDED,
    /** A bound pod changed its labels. */
    ASSIGNED_POD_LABELS_CHANGED,
    /** A bound pod went away (deleted, finished, or an assumption was forgotten): its resources are free. */
    ASSIGNED_POD_REMOVED
}
