package io.kube4j.scheduler.framework;

import java.util.List;

/**
 * The result of running a plugin on a pod (and node): a {@link Code} plus the structured reasons a
 * node was rejected, which the scheduler counts into "0/5 nodes are available: ..." messages.
 *
 * @param code    what happened
 * @param plugin  the plugin that said so (null for success)
 * @param reasons one short phrase per reason, e.g. {@code Insufficient cpu}
 */
public record Status(Code code, String plugin, List<String> reasons) {
    /** How the scheduler reacts to a status. */
    public enum Code {
        /** The node passes; go on with the next plugin. */
        SUCCESS,
        /** Something broke (not the pod's or node's fault): the pod is retried after a backoff. */
        ERROR,
        /** The node does not fit now but might after a change (e.g. other pods leave it). */
        UNSCHEDULABLE,
        /** The node cannot fit the pod whatever happens to other pods (labels, taints, names). */
        UNSCHEDULABLE_AND_UNRESOLVABLE
    }

    public static final Status SUCCESS = new Status(Code.SUCCESS, null, List.of());

    public Status {
        reasons = List.copyOf(reasons);
    }

    public static Status unschedulable(String... reasons) {
        return new Status(Code.UNSCHEDULABLE, null, List.of(reasons));
    }

    public static Status unresolvable(String... reasons) {
        return new Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, null, List.of(reasons));
    }

    public static Status error(String reason) {
        return new Status(Code.ERROR, null, List.of(reason));
    }

    public boolean isSuccess() {
        return code == Code.SUCCESS;
    }

    public boolean isRejection() {
        return code == Code.UNSCHEDULABLE || code == Code.UNSCHEDULABLE_AND_UNRESOLVABLE;
    }

    /** The reasons joined by {@code ", "}: Kubernetes' {@code Status.Message()}. */
    public String message() {
        return String.join(", ", reasons);
    }

    /** This status, attributed to {@code pluginName}. */
    public Status by(String pluginName) {
        return isSuccess() || pluginName.equals(plugin) ? this : new Status(code, pluginName, reasons);
    }
}
