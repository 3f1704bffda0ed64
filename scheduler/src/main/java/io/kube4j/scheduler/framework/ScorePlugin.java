package io.kube4j.scheduler.framework;

import java.util.List;

/**
 * Ranks the nodes that passed filtering. Scores are normalized to 0..{@link #MAX_SCORE} per plugin,
 * then multiplied by the plugin's configured weight and summed; the highest total wins.
 */
public interface ScorePlugin extends Plugin {
    long MAX_SCORE = 100;

    /** Once per cycle before scoring, with the feasible nodes: precompute into {@code state}. */
    default void preScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
    }

    long score(CycleState state, PodInfo pod, NodeInfo node);

    /** Rescales the raw scores (in node order) into 0..MAX_SCORE; by default they already are. */
    default void normalizeScores(CycleState state, PodInfo pod, long[] scores) {
    }

    /** The weight used when the configuration names none. */
    default int defaultWeight() {
        return 1;
    }

    /**
     * Kubernetes' DefaultNormalizeScore: scales so the largest score becomes MAX_SCORE; with
     * {@code reverse} the smallest raw score gets the most points (e.g. fewest intolerable taints).
     */
    static void normalize(long[] scores, boolean reverse) {
        long max = 0;
        for (long s : scores) {
            max = Math.max(max, s);
        }
        for (int i = 0; i < scores.length; i++) {
            if (max == 0) {
                scores[i] = reverse ? MAX_SCORE : 0;
            } else {
                long s = scores[i] * MAX_SCORE / max;
                scores[i] = reverse ? MAX_SCORE - s : s;
            }
        }
    }
}
