package io.kube4j.api;

/** Spread matching pods evenly across topology domains. */
public class TopologySpreadConstraint {
    public int maxSkew;
    public String topologyKey;
    public String whenUnsatisfiable;
    public LabelSelector labelSelector;
    public Integer minDomains;
}
