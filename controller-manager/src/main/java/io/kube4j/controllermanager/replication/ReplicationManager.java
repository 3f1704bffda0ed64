package io.kube4j.controllermanager.replication;

import io.kube4j.api.ReplicationController;
import io.kube4j.controllermanager.replicaset.Owners;
import io.kube4j.controllermanager.replicaset.ReplicaSetController;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.SharedInformers;

import java.time.Clock;

/**
 * The ReplicationController controller ({@code replicationcontroller}): Kubernetes'
 * {@code pkg/controller/replication/replication_controller.go} is the ReplicaSet controller run over
 * ReplicationControllers converted to ReplicaSets, and so is this one. Pods it creates are controlled by
 * the ReplicationController ({@code kind: ReplicationController}, {@code apiVersion: v1}); it writes
 * {@code status.replicas}, {@code fullyLabeledReplicas}, {@code readyReplicas}, {@code availableReplicas},
 * {@code observedGeneration} and the {@code ReplicaFailure} condition.
 */
public final class ReplicationManager {
    private ReplicationManager() {
    }

    /** The controller, reading ReplicationControllers and pods from {@code informers}. */
    public static ReplicaSetController create(SharedInformers informers, ControllerClient client, Clock clock) {
        return create(informers, client, clock, io.kube4j.controllermanager.runtime.SlowStartBatch.DEFAULT_MAX_IN_FLIGHT);
    }

    /** The controller with at most {@code maxInFlight} pod creations or deletions in flight at once. */
    public static ReplicaSetController create(SharedInformers informers, ControllerClient client, Clock clock, int maxInFlight) {
        Owners<ReplicationController> owners = Owners.converted(informers.informer(ReplicationController.class), "ReplicationController",
                ReplicationControllerConversion::toReplicaSet, ReplicationControllerConversion::withStatus);
        return new ReplicaSetController("replicationcontroller", owners, informers, client, clock, maxInFlight);
    }
}
