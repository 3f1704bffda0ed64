package io.kube4j.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A PodDisruptionBudget (policy/v1): how many selected pods may be down at once through voluntary disruptions. */
public class PodDisruptionBudget extends KubeObject {
    public PodDisruptionBudgetSpec spec = new PodDisruptionBudgetSpec();
    public PodDisruptionBudgetStatus status = new PodDisruptionBudgetStatus();

    public PodDisruptionBudget() {
        super("policy/v1", "PodDisruptionBudget");
    }

    /** minAvailable or maxUnavailable (numbers or percentages) of the selected pods. */
    public static class PodDisruptionBudgetSpec {
        public IntOrString minAvailable;
        public LabelSelector selector;
        public IntOrString maxUnavailable;
        public String unhealthyPodEvictionPolicy;
    }

    /** Healthy and expected pods, and how many disruptions are allowed now. */
    public static class PodDisruptionBudgetStatus {
        public Long observedGeneration;
        /** Pod name to the time its eviction was granted. */
        public Map<String, String> disruptedPods = new LinkedHashMap<>();
        public int disruptionsAllowed;
        public int currentHealthy;
        public int desiredHealthy;
        public int expectedPods;
        public List<Condition> conditions = new ArrayList<>();
    }
}
