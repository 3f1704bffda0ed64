package io.kube4j.scheduler.core;

import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.Diagnosis;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One pod's placement on a snapshot: PreFilter, then Filter over nodes starting where the last
 * cycle stopped (so all nodes get their turn), stopping once enough feasible nodes are found as
 * Kubernetes' percentageOfNodesToScore does (large clusters need not be scanned whole for each pod),
 * then Score and pick the best, breaking ties at random.
 */
public final class SchedulingAlgorithm {
    // below this many nodes, all of them are always evaluated (Kubernetes' minFeasibleNodesToFind)
    static final int MIN_FEASIBLE_NODES_TO_FIND = 100;
    static final int MIN_FEASIBLE_NODES_PERCENTAGE = 5;

    private final Framework framework;
    private final int percentageOfNodesToScore;
    private final RandomGenerator random;
    private int nextStartNodeIndex;

    /** @param percentageOfNodesToScore 1..100, or 0 for Kubernetes' adaptive default (50% minus 1% per 125 nodes, at least 5%) */
    public SchedulingAlgorithm(Framework framework, int percentageOfNodesToScore, RandomGenerator random) {
        this.framework = framework;
        this.percentageOfNodesToScore = percentageOfNodesToScore;
        this.random = random;
    }

    /**
     * Places {@code pod} on {@code snapshot}. A pod with a nominated node (where its preemption made room)
     * tries that node first and takes it if it fits, as Kubernetes' {@code evaluateNominatedNode}: it is
     * likely the only node that does. Every Filter counts the nominated pods of equal or higher priority
     * (see {@link Framework#runFiltersWithNominatedPods}).
     */
    public ScheduleResult schedule(PodInfo pod, Snapshot snapshot) {
        List<NodeInfo> nodes = snapshot.nodes();
        int n = nodes.size();
        Diagnosis diagnosis = new Diagnosis(n);
        if (n == 0) {
            return new ScheduleResult(null, diagnosis, 0, 0, null);
        }
        CycleState state = new CycleState(snapshot);
        Status pre = framework.runPreFilters(state, pod, snapshot);
        if (!pre.isSuccess()) {
            diagnosis.addPreFilterRejection(pre);
            return new ScheduleResult(null, diagnosis, 0, 0, state);
        }
        String nominated = pod.nominatedNodeName();
        if (!nominated.isEmpty()) {
            NodeInfo node = snapshot.get(nominated);
            if (node != null && node.node() != null) {
                Status s = framework.runFiltersWithNominatedPods(state, pod, node);
                if (s.isSuccess()) {
                    return new ScheduleResult(node.name(), diagnosis, 1, 1, state);
                }
                diagnosis.add(node.name(), s);
            }
        }
        int wanted = numFeasibleNodesToFind(n);
        List<NodeInfo> feasible = new ArrayList<>(Math.min(wanted, n));
        int start = nextStartNodeIndex % n;
        int processed = 0;
        while (processed < n && feasible.size() < wanted) {
            NodeInfo node = nodes.get((start + processed) % n);
            processed++;
            Status s = framework.runFiltersWithNominatedPods(state, pod, node);
            if (s.isSuccess()) {
                feasible.add(node);
            } else {
                diagnosis.add(node.name(), s);
            }
        }
        nextStartNodeIndex = (start + processed) % n;
        if (feasible.isEmpty()) {
            return new ScheduleResult(null, diagnosis, processed, 0, state);
        }
        if (feasible.size() == 1) {
            return new ScheduleResult(feasible.getFirst().name(), diagnosis, processed, 1, state);
        }
        long[] scores = framework.runScores(state, pod, feasible);
        return new ScheduleResult(selectHost(feasible, scores), diagnosis, processed, feasible.size(), state);
    }

    /** How many feasible nodes are enough to stop filtering. */
    int numFeasibleNodesToFind(int allNodes) {
        if (allNodes < MIN_FEASIBLE_NODES_TO_FIND || percentageOfNodesToScore >= 100) {
            return allNodes;
        }
        int percentage = percentageOfNodesToScore;
        if (percentage <= 0) {
            percentage = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE, 50 - allNodes / 125);
        }
        return Math.max(MIN_FEASIBLE_NODES_TO_FIND, allNodes * percentage / 100);
    }

    // the highest score; among equals each is equally likely (reservoir sampling)
    private String selectHost(List<NodeInfo> nodes, long[] scores) {
        int best = 0;
        int ties = 1;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
                ties = 1;
            } else if (scores[i] == scores[best]) {
                ties++;
                if (random.nextInt(ties) == 0) {
                    best = i;
                }
            }
        }
        return nodes.get(best).name();
    }
}
