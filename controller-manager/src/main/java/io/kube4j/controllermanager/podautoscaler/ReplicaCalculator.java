package io.kube4j.controllermanager.podautoscaler;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.json.Times;
import io.kube4j.quantity.Quantity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The replica count a resource metric asks for: the usage ratio to the target, over the pods that count,
 * with Kubernetes' handling of pods without metrics (on a scale-down they count as using their request,
 * or the target when above 100%; on a scale-up as using nothing), of unready pods (on a scale-up, as using
 * nothing; otherwise left out) and of deleted or failed pods (left out), and the tolerance (no change when
 * the ratio is within it of 1). Pure: the pods and metrics come in, a count (or an error) goes out.
 *
 * <p>Kubernetes: {@code pkg/controller/podautoscaler/replica_calculator.go} ({@code GetResourceReplicas},
 * {@code GetRawResourceReplicas}, {@code calcPlainMetricReplicas}, {@code groupPods},
 * {@code calculatePodRequests}) and {@code metrics/utilization.go}.
 */
public final class ReplicaCalculator {
    /** kube-controller-manager's {@code --horizontal-pod-autoscaler-tolerance}. */
    public static final double DEFAULT_TOLERANCE = 0.1;
    /** {@code --horizontal-pod-autoscaler-cpu-initialization-period}. */
    public static final Duration DEFAULT_CPU_INITIALIZATION_PERIOD = Duration.ofMinutes(5);
    /** {@code --horizontal-pod-autoscaler-initial-readiness-delay}. */
    public static final Duration DEFAULT_INITIAL_READINESS_DELAY = Duration.ofSeconds(30);

    /** A proposal: the replicas, the utilization in percent of requests (Utilization targets), and the average raw milli-value. */
    public record Replicas(int replicas, int utilization, long rawUtilization, Instant timestamp) {
    }

    /** The calculation failed; the message is Kubernetes'. */
    public static final class CalculationException extends RuntimeException {
        public CalculationException(String message) {
            super(message);
        }
    }

    private final double tolerance;
    private final Duration cpuInitializationPeriod;
    private final Duration delayOfInitialReadinessStatus;
    private final Clock clock;

    public ReplicaCalculator(double tolerance, Duration cpuInitializationPeriod, Duration delayOfInitialReadinessStatus, Clock clock) {
        this.tolerance = tolerance;
        this.cpuInitializationPeriod = cpuInitializationPeriod;
        this.delayOfInitialReadinessStatus = delayOfInitialReadinessStatus;
        this.clock = clock;
    }

    /**
     * A Utilization target: {@code targetUtilization} percent of the pods' requests of {@code resource}.
     *
     * @param pods      the pods the target's selector matches
     * @param metrics   their usage by pod name (milli-values); not modified
     * @param container only this container's requests and usage (empty: all)
     */
    public Replicas resourceReplicas(int currentReplicas, int targetUtilization, String resource, List<Pod> pods,
                                     MetricsClient.PodMetrics metrics, String container) {
        if (pods.isEmpty()) {
            throw new CalculationException("no pods returned by selector while calculating replica count");
        }
        Map<String, PodMetric> usage = new HashMap<>(metrics.byPod());
        Groups g = groupPods(pods, usage, resource);
        usage.keySet().removeAll(g.ignored);
        usage.keySet().removeAll(g.unready);
        if (usage.isEmpty()) {
            throw new CalculationException("did not receive metrics for targeted pods (pods might be unready)");
        }
        Map<String, Long> requests = podRequests(pods, container, resource);
        Ratio ratio = utilizationRatio(usage, requests, targetUtilization);
        boolean scaleUpWithUnready = !g.unready.isEmpty() && ratio.ratio > 1.0;
        if (!scaleUpWithUnready && g.missing.isEmpty()) {
            if (Math.abs(1.0 - ratio.ratio) <= tolerance) {
                return new Replicas(currentReplicas, ratio.utilization, ratio.raw, metrics.timestamp());
            }
            return new Replicas((int) Math.ceil(ratio.ratio * g.readyPodCount), ratio.utilization, ratio.raw, metrics.timestamp());
        }
        if (!g.missing.isEmpty()) {
            if (ratio.ratio < 1.0) {
                // on a scale-down, missing pods use their whole request, or the target when it is above 100%
                long fallback = Math.max(100, targetUtilization);
                for (String name : g.missing) {
                    usage.put(name, new PodMetric(null, null, requests.get(name) * fallback / 100));
                }
            } else if (ratio.ratio > 1.0) {
                for (String name : g.missing) {
                    usage.put(name, new PodMetric(null, null, 0));
                }
            }
        }
        if (scaleUpWithUnready) {
            for (String name : g.unready) {
                usage.put(name, new PodMetric(null, null, 0));
            }
        }
        double newRatio = utilizationRatio(usage, requests, targetUtilization).ratio;
        if (Math.abs(1.0 - newRatio) <= tolerance || (ratio.ratio < 1.0 && newRatio > 1.0) || (ratio.ratio > 1.0 && newRatio < 1.0)) {
            // too small a change, or the rebalanced ratio would turn the direction around
            return new Replicas(currentReplicas, ratio.utilization, ratio.raw, metrics.timestamp());
        }
        int newReplicas = (int) Math.ceil(newRatio * usage.size());
        if ((newRatio < 1.0 && newReplicas > currentReplicas) || (newRatio > 1.0 && newReplicas < currentReplicas)) {
            return new Replicas(currentReplicas, ratio.utilization, ratio.raw, metrics.timestamp());
        }
        return new Replicas(newReplicas, ratio.utilization, ratio.raw, metrics.timestamp());
    }

    /** An AverageValue target: {@code targetUsage} (milli-value) per pod. Kubernetes' {@code GetRawResourceReplicas}. */
    public Replicas rawResourceReplicas(int currentReplicas, long targetUsage, String resource, List<Pod> pods, MetricsClient.PodMetrics metrics) {
        if (pods.isEmpty()) {
            throw new CalculationException("no pods returned by selector while calculating replica count");
        }
        Map<String, PodMetric> usage = new HashMap<>(metrics.byPod());
        Groups g = groupPods(pods, usage, resource);
        usage.keySet().removeAll(g.ignored);
        usage.keySet().removeAll(g.unready);
        if (usage.isEmpty()) {
            throw new CalculationException("did not receive metrics for targeted pods (pods might be unready)");
        }
        long current = average(usage);
        double ratio = (double) current / targetUsage;
        boolean scaleUpWithUnready = !g.unready.isEmpty() && ratio > 1.0;
        if (!scaleUpWithUnready && g.missing.isEmpty()) {
            if (Math.abs(1.0 - ratio) <= tolerance) {
                return new Replicas(currentReplicas, 0, current, metrics.timestamp());
            }
            return new Replicas((int) Math.ceil(ratio * g.readyPodCount), 0, current, metrics.timestamp());
        }
        if (!g.missing.isEmpty()) {
            if (ratio < 1.0) {
                // on a scale-down, missing pods use exactly the target
                for (String name : g.missing) {
                    usage.put(name, new PodMetric(null, null, targetUsage));
                }
            } else if (ratio > 1.0) {
                for (String name : g.missing) {
                    usage.put(name, new PodMetric(null, null, 0));
                }
            }
        }
        if (scaleUpWithUnready) {
            for (String name : g.unready) {
                usage.put(name, new PodMetric(null, null, 0));
            }
        }
        double newRatio = (double) average(usage) / targetUsage;
        if (Math.abs(1.0 - newRatio) <= tolerance || (ratio < 1.0 && newRatio > 1.0) || (ratio > 1.0 && newRatio < 1.0)) {
            return new Replicas(currentReplicas, 0, current, metrics.timestamp());
        }
        int newReplicas = (int) Math.ceil(newRatio * usage.size());
        if ((newRatio < 1.0 && newReplicas > currentReplicas) || (newRatio > 1.0 && newReplicas < currentReplicas)) {
            return new Replicas(currentReplicas, 0, current, metrics.timestamp());
        }
        return new Replicas(newReplicas, 0, current, metrics.timestamp());
    }

    private static long average(Map<String, PodMetric> usage) {
        long total = 0;
        for (PodMetric m : usage.values()) {
            total += m.value();
        }
        return total / usage.size();
    }

    private record Ratio(double ratio, int utilization, long raw) {
    }

    /** Kubernetes' {@code GetResourceUtilizationRatio}: integer percent of the summed requests, then the ratio to the target. */
    private static Ratio utilizationRatio(Map<String, PodMetric> usage, Map<String, Long> requests, int targetUtilization) {
        long metricsTotal = 0;
        long requestsTotal = 0;
        int entries = 0;
        for (Map.Entry<String, PodMetric> e : usage.entrySet()) {
            Long request = requests.get(e.getKey());
            if (request == null) {
                // a metric for a pod we do not know: as good as redundant
                continue;
            }
            metricsTotal += e.getValue().value();
            requestsTotal += request;
            entries++;
        }
        if (requestsTotal == 0) {
            throw new CalculationException("no metrics returned matched known pods");
        }
        int utilization = (int) (metricsTotal * 100 / requestsTotal);
        return new Ratio((double) utilization / targetUtilization, utilization, metricsTotal / entries);
    }

    private record Groups(int readyPodCount, Set<String> unready, Set<String> missing, Set<String> ignored) {
    }

    /** Kubernetes' {@code groupPods}. */
    private Groups groupPods(List<Pod> pods, Map<String, PodMetric> usage, String resource) {
        int ready = 0;
        Set<String> unready = new HashSet<>();
        Set<String> missing = new HashSet<>();
        Set<String> ignored = new HashSet<>();
        Instant now = clock.instant();
        for (Pod pod : pods) {
            String name = pod.metadata.name;
            String phase = pod.status == null ? null : pod.status.phase;
            if (pod.metadata.deletionTimestamp != null || "Failed".equals(phase)) {
                ignored.add(name);
                continue;
            }
            if ("Pending".equals(phase)) {
                unready.add(name);
                continue;
            }
            PodMetric metric = usage.get(name);
            if (metric == null) {
                missing.add(name);
                continue;
            }
            if ("cpu".equals(resource)) {
                PodCondition condition = pod.status == null ? null : pod.status.condition("Ready");
                String startTime = pod.status == null ? null : pod.status.startTime;
                boolean isUnready;
                if (condition == null || startTime == null) {
                    isUnready = true;
                } else {
                    Instant start = Times.parse(startTime);
                    Instant transition = condition.lastTransitionTime == null ? Instant.EPOCH : Times.parse(condition.lastTransitionTime);
                    if (start.plus(cpuInitializationPeriod).isAfter(now)) {
                        // still initializing: only a sample taken a whole window after becoming ready counts
                        Duration window = metric.window() == null ? Duration.ZERO : metric.window();
                        isUnready = "False".equals(condition.status) || metric.timestamp().isBefore(transition.plus(window));
                    } else {
                        // unready and never been ready
                        isUnready = "False".equals(condition.status) && start.plus(delayOfInitialReadinessStatus).isAfter(transition);
                    }
                }
                if (isUnready) {
                    unready.add(name);
                    continue;
                }
            }
            ready++;
        }
        return new Groups(ready, unready, missing, ignored);
    }

    /** Kubernetes' {@code calculatePodRequests}: regular and restartable init (sidecar) containers, in milli-units. */
    static Map<String, Long> podRequests(List<Pod> pods, String container, String resource) {
        Map<String, Long> requests = new HashMap<>();
        for (Pod pod : pods) {
            long sum = 0;
            List<Container> containers = new ArrayList<>(pod.spec.containers);
            for (Container c : pod.spec.initContainers) {
                if ("Always".equals(c.restartPolicy)) {
                    containers.add(c);
                }
            }
            for (Container c : containers) {
                if (container.isEmpty() || container.equals(c.name)) {
                    Quantity q = c.resources == null || c.resources.requests == null ? null : c.resources.requests.get(resource);
                    if (q == null) {
                        throw new CalculationException("missing request for " + resource + " in container " + c.name + " of Pod " + pod.metadata.name);
                    }
                    sum += q.milliValue();
                }
            }
            requests.put(pod.metadata.name, sum);
        }
        return requests;
    }
}
