package io.kube4j.controllermanager.replication;

import io.kube4j.api.Deployment;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.ReplicaSet;
import io.kube4j.api.ReplicationController;
import io.kube4j.json.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * ReplicationController to ReplicaSet and back, as Kubernetes' {@code pkg/controller/replication/conversion.go}
 * ({@code convertRCtoRS}, {@code convertRStoRC} via the internal types): the map selector becomes
 * {@code matchLabels}, everything else carries over field by field. The ReplicaSet view keeps the
 * ReplicationController's {@code apiVersion} ({@code v1}) and {@code kind}, so owner references and Events
 * made from it name the ReplicationController.
 */
public final class ReplicationControllerConversion {
    private ReplicationControllerConversion() {
    }

    /** A ReplicaSet view of {@code rc}, sharing nothing mutable with it. */
    public static ReplicaSet toReplicaSet(ReplicationController rc) {
        ReplicationController copy = Json.copy(rc);
        ReplicaSet rs = new ReplicaSet();
        rs.apiVersion = copy.apiVersion == null ? "v1" : copy.apiVersion;
        rs.kind = copy.kind == null ? "ReplicationController" : copy.kind;
        rs.metadata = copy.metadata;
        rs.spec.replicas = copy.spec.replicas;
        rs.spec.minReadySeconds = copy.spec.minReadySeconds;
        rs.spec.selector = copy.spec.selector == null ? null : LabelSelector.of(new LinkedHashMap<>(copy.spec.selector));
        rs.spec.template = copy.spec.template;
        rs.status.replicas = copy.status.replicas;
        rs.status.fullyLabeledReplicas = copy.status.fullyLabeledReplicas;
        rs.status.readyReplicas = copy.status.readyReplicas;
        rs.status.availableReplicas = copy.status.availableReplicas;
        rs.status.observedGeneration = copy.status.observedGeneration;
        rs.status.conditions = new ArrayList<>();
        for (ReplicationController.ReplicationControllerCondition c : copy.status.conditions) {
            Deployment.Condition d = new Deployment.Condition();
            d.type = c.type;
            d.status = c.status;
            d.lastTransitionTime = c.lastTransitionTime;
            d.reason = c.reason;
            d.message = c.message;
            rs.status.conditions.add(d);
        }
        return rs;
    }

    /** A copy of {@code cached} with the status of {@code view} (what the controller computed). */
    public static ReplicationController withStatus(ReplicationController cached, ReplicaSet view) {
        ReplicationController next = Json.copy(cached);
        ReplicationController.ReplicationControllerStatus s = new ReplicationController.ReplicationControllerStatus();
        s.replicas = view.status.replicas;
        s.fullyLabeledReplicas = view.status.fullyLabeledReplicas;
        s.readyReplicas = view.status.readyReplicas;
        s.availableReplicas = view.status.availableReplicas;
        s.observedGeneration = view.status.observedGeneration;
        for (Deployment.Condition d : view.status.conditions) {
            ReplicationController.ReplicationControllerCondition c = new ReplicationController.ReplicationControllerCondition();
            c.type = d.type;
            c.status = d.status;
            c.lastTransitionTime = d.lastTransitionTime;
            c.reason = d.reason;
            c.message = d.message;
            s.conditions.add(c);
        }
        next.status = s;
        return next;
    }
}
