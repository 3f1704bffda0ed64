package io.kube4j.scheduler.framework;

/**
 * What a scheduling attempt decides about the pod's nominated node (Kubernetes' {@code NominatingInfo}).
 *
 * @param nominatedNodeName the node to nominate; empty to clear the nomination (only with {@link Mode#OVERRIDE})
 * @param mode              whether to change the nomination at all
 */
public record NominatingInfo(String nominatedNodeName, Mode mode) {
    /** Kubernetes' {@code NominatingMode}. */
    public enum Mode {
        /** Keep whatever nomination the pod has. */
        NOOP,
        /** Set the nomination to {@link #nominatedNodeName()} (empty: remove it). */
        OVERRIDE
    }

    /** Leaves the nomination alone. */
    public static final NominatingInfo NOOP = new NominatingInfo("", Mode.NOOP);

    public NominatingInfo {
        nominatedNodeName = nominatedNodeName == null ? "" : nominatedNodeName;
    }

    /** Nominates {@code nodeName}; an empty name clears the nomination. */
    public static NominatingInfo override(String nodeName) {
        return new NominatingInfo(nodeName, Mode.OVERRIDE);
    }

    public boolean isOverride() {
        return mode == Mode.OVERRIDE;
    }
}
