package io.kube4j.controllermanager;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Settings of the controller-manager ({@code kube4j.controller-manager.*}, or environment variables
 * such as {@code KUBE4J_CONTROLLERMANAGER_LEADERELECT}).
 *
 * @param leaderElect             run controllers only while holding the Lease (several replicas, one active)
 * @param leaseNamespace          namespace of the leader-election Lease
 * @param leaseName               name of the leader-election Lease
 * @param identity                this replica's name in the Lease; empty means hostname plus a random suffix
 * @param workers                 workers per controller
 * @param nodeMonitorPeriod       how often each node's health is checked
 * @param nodeMonitorGracePeriod  how long a node may go without a heartbeat before it is Unknown
 * @param defaultTolerationSeconds how long a pod without a toleration for the not-ready/unreachable taint stays
 * @param terminatedPodGcThreshold terminated pods kept before the pod garbage collector deletes the oldest
 *                                 (kube-controller-manager's {@code --terminated-pod-gc-threshold}); 0 or less: never
 * @param podGcCheckPeriod         how often the pod garbage collector looks (Kubernetes' fixed {@code gcCheckPeriod})
 * @param podGcQuarantineTime      how long a node missing from the cache may take to show up before the pods bound
 *                                 to it are orphans (Kubernetes' fixed {@code quarantineTime})
 * @param kubeApiQps               requests a second each controller may make to the apiserver, sustained
 *                                 ({@code --kube-api-qps}, 20); 0 or less: no limit
 * @param kubeApiBurst             requests each controller may make at once above that rate ({@code --kube-api-burst}, 30);
 *                                 big clusters raise both (e.g. 200 / 300 for thousands of pods a minute): pod creations
 *                                 of the ReplicaSet, Job, DaemonSet and StatefulSet controllers wait for these tokens
 * @param podRequestsInFlight      pod creations of one slow-start batch (ReplicaSet, ReplicationController, Job, DaemonSet,
 *                                 Parallel StatefulSet), or pod deletions, one controller sends at once (64). Kubernetes
 *                                 starts a whole batch at once and lets kube-api-qps/burst pace it; 1 sends them one after
 *                                 another, as kube4j did before slow start (a benchmark's baseline)
 * @param resourceDiscoveryPeriod  how often discovery is re-run so the garbage collector and the namespace controller
 *                                 see custom resources created since (kube-controller-manager re-syncs its garbage
 *                                 collector's resources every 30 s); a CustomResourceDefinition event re-runs it too
 * @param allocateNodeCidrs        run the node IPAM controller, which gives each Node a {@code spec.podCIDR} from the
 *                                 cluster CIDR ({@code --allocate-node-cidrs}, false)
 * @param clusterCidr              the range the nodes' pod CIDRs come from ({@code --cluster-cidr}; kube4j's default
 *                                 10.244.0.0/16, the range kubeadm's flannel setup uses)
 * @param nodeCidrMaskSize         prefix length of each node's pod CIDR ({@code --node-cidr-mask-size}, 24)
 * @param concurrentNamespaceSyncs namespaces the namespace controller empties at once ({@code --concurrent-namespace-syncs}, 10)
 * @param controllers              which controllers run ({@code --controllers}, {@code *}: all but bootstrap-signer and
 *                                 token-cleaner); see {@link io.kube4j.controllermanager.runtime.ControllerSelection}
 */
@ConfigurationProperties("kube4j.controller-manager")
public record ControllerManagerProperties(
        @DefaultValue("true") boolean leaderElect,
        @DefaultValue("kube-system") String leaseNamespace,
        @DefaultValue("kube-controller-manager") String leaseName,
        @DefaultValue("") String identity,
        @DefaultValue("2") int workers,
        @DefaultValue("5s") Duration nodeMonitorPeriod,
        @DefaultValue("40s") Duration nodeMonitorGracePeriod,
        @DefaultValue("300") long defaultTolerationSeconds,
        @DefaultValue("12500") int terminatedPodGcThreshold,
        @DefaultValue("20s") Duration podGcCheckPeriod,
        @DefaultValue("40s") Duration podGcQuarantineTime,
        @DefaultValue("20") double kubeApiQps,
        @DefaultValue("30") int kubeApiBurst,
        @DefaultValue("64") int podRequestsInFlight,
        @DefaultValue("30s") Duration resourceDiscoveryPeriod,
        @DefaultValue("false") boolean allocateNodeCidrs,
        @DefaultValue("10.244.0.0/16") String clusterCidr,
        @DefaultValue("24") int nodeCidrMaskSize,
        @DefaultValue("10") int concurrentNamespaceSyncs,
        @DefaultValue("*") java.util.List<String> controllers) {
}
