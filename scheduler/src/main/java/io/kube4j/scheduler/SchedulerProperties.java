package io.kube4j.scheduler;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.Map;

/**
 * The scheduler's configuration ({@code kube4j.scheduler.*}; as environment variables
 * {@code KUBE4J_SCHEDULER_NAME}, {@code KUBE4J_SCHEDULER_LEADER_ELECT}, ...).
 *
 * @param name                     pods with this {@code spec.schedulerName} (or none) are ours
 * @param leaderElect              run leader election so only one replica schedules
 * @param leaseNamespace           namespace of the leader election Lease
 * @param leaseName                name of the leader election Lease
 * @param weights                  score plugin weights by plugin name (0 turns a plugin's scoring off)
 * @param percentageOfNodesToScore stop filtering after this share of nodes fit (0: Kubernetes' adaptive default)
 * @param bindConcurrency          bindings in flight to the apiserver at once
 * @param initialBackoff           backoff after the first failed attempt (doubles per attempt)
 * @param maxBackoff               the longest backoff
 * @param unschedulableTimeout     how long a pod waits as unschedulable before it is retried anyway
 * @param identity                 leader election identity; empty means hostname plus a random suffix
 * @param recordScheduledEvents    write a {@code Scheduled} Event per bound pod (one more apiserver write per
 *                                 pod; FailedScheduling events are always written)
 * @param minCandidateNodesPercentage DefaultPreemption's {@code minCandidateNodesPercentage}: the dry run looks for
 *                                 candidates on at least this share of the nodes preemption may help on (0..100)
 * @param minCandidateNodesAbsolute DefaultPreemption's {@code minCandidateNodesAbsolute}: ... and on at least this many
 * @param clientConnection         KubeSchedulerConfiguration's {@code clientConnection}: the event client's QPS and burst
 */
@ConfigurationProperties("kube4j.scheduler")
public record SchedulerProperties(
        @DefaultValue("default-scheduler") String name,
        @DefaultValue("true") boolean leaderElect,
        @DefaultValue("kube-system") String leaseNamespace,
        @DefaultValue("kube-scheduler") String leaseName,
        Map<String, Integer> weights,
        @DefaultValue("0") int percentageOfNodesToScore,
        @DefaultValue("64") int bindConcurrency,
        @DefaultValue("1s") Duration initialBackoff,
        @DefaultValue("10s") Duration maxBackoff,
        @DefaultValue("60s") Duration unschedulableTimeout,
        @DefaultValue("") String identity,
        @DefaultValue("true") boolean recordScheduledEvents,
        @DefaultValue("10") int minCandidateNodesPercentage,
        @DefaultValue("100") int minCandidateNodesAbsolute,
        @DefaultValue ClientConnection clientConnection) {

    /**
     * KubeSchedulerConfiguration's {@code clientConnection} ({@code kube4j.scheduler.client-connection.qps} and
     * {@code .burst}), with Kubernetes' defaults 50 and 100 ({@code SetDefaults_KubeSchedulerConfiguration}).
     * kube-scheduler gives its main client and its event client each a token bucket of this size; kube4j applies
     * it to the event client only: bindings are bounded by {@code bind-concurrency} instead, so that the default
     * scheduler is not held to 50 bindings a second. qps 0 or less: no limit.
     *
     * @param qps   sustained requests a second
     * @param burst the bucket's size
     */
    public record ClientConnection(@DefaultValue("50") float qps, @DefaultValue("100") int burst) {
    }

    public SchedulerProperties {
        weights = weights == null ? Map.of() : Map.copyOf(weights);
        clientConnection = clientConnection == null ? new ClientConnection(50, 100) : clientConnection;
        if (percentageOfNodesToScore < 0 || percentageOfNodesToScore > 100) {
            throw new IllegalArgumentException("kube4j.scheduler.percentage-of-nodes-to-score must be 0..100, not " + percentageOfNodesToScore);
        }
        // Kubernetes' ValidateDefaultPreemptionArgs
        if (minCandidateNodesPercentage < 0 || minCandidateNodesPercentage > 100) {
            throw new IllegalArgumentException("kube4j.scheduler.min-candidate-nodes-percentage must be 0..100, not " + minCandidateNodesPercentage);
        }
        if (minCandidateNodesAbsolute < 0) {
            throw new IllegalArgumentException("kube4j.scheduler.min-candidate-nodes-absolute must not be negative");
        }
        if (minCandidateNodesPercentage == 0 && minCandidateNodesAbsolute == 0) {
            throw new IllegalArgumentException("kube4j.scheduler.min-candidate-nodes-percentage and min-candidate-nodes-absolute must not both be 0");
        }
    }
}
