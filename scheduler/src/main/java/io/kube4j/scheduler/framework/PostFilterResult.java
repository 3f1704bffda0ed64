package io.kube4j.scheduler.framework;

/**
 * What a PostFilter plugin did about a pod that fits nowhere (Kubernetes returns the pair
 * {@code (*PostFilterResult, *Status)}).
 *
 * @param status     {@link Status#SUCCESS} when the pod may fit in a later cycle (e.g. victims are being
 *                   deleted); a rejection whose {@link Status#message()} goes after the attempt's message;
 *                   an error
 * @param nominating what to do with the pod's nominated node; {@link NominatingInfo#NOOP} to keep it
 */
public record PostFilterResult(Status status, NominatingInfo nominating) {
    public PostFilterResult {
        nominating = nominating == null ? NominatingInfo.NOOP : nominating;
    }

    /** Success, nominating {@code nodeName}. */
    public static PostFilterResult nominated(String nodeName) {
        return new PostFilterResult(Status.SUCCESS, NominatingInfo.override(nodeName));
    }
}
