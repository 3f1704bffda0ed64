package io.kube4j.kubelet.node;

import io.kube4j.api.Lease;
import io.kube4j.api.OwnerReference;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.json.Times;

/**
 * The node's heartbeat Lease in {@code kube-node-lease}, named after the node and owned by it: renewed
 * every 10 s so the node lifecycle controller sees the kubelet alive without a full status write.
 */
public final class LeaseHeartbeat {
    public static final String NAMESPACE = "kube-node-lease";
    public static final int LEASE_DURATION_SECONDS = 40;

    private final ApiClient client;
    private final String nodeName;
    private volatile Lease lease;

    public LeaseHeartbeat(ApiClient client, String nodeName) {
        this.client = client;
        this.nodeName = nodeName;
    }

    /** Renews (creating it when missing); {@code nodeUid} makes the Node its owner. */
    public Lease renew(String nodeUid) {
        Lease current = lease;
        if (current != null) {
            current.spec.renewTime = Times.nowMicro();
            try {
                lease = client.update(current);
                return lease;
            } catch (ApiException e) {
                if (!e.isConflict() && !e.isNotFound()) {
                    throw e;
                }
                // somebody else wrote it (or deleted it): start from the stored one
            }
        }
        Lease stored = client.find(Lease.class, NAMESPACE, nodeName).orElse(null);
        if (stored == null) {
            Lease fresh = new Lease();
            fresh.metadata.namespace = NAMESPACE;
            fresh.metadata.name = nodeName;
            if (nodeUid != null) {
                OwnerReference owner = new OwnerReference();
                owner.apiVersion = "v1";
                owner.kind = "Node";
                owner.name = nodeName;
                owner.uid = nodeUid;
                fresh.metadata.ownerReferences.add(owner);
            }
            fresh.spec.holderIdentity = nodeName;
            fresh.spec.leaseDurationSeconds = LEASE_DURATION_SECONDS;
            fresh.spec.renewTime = Times.nowMicro();
            lease = client.create(fresh);
            return lease;
        }
        stored.spec.holderIdentity = nodeName;
        stored.spec.leaseDurationSeconds = LEASE_DURATION_SECONDS;
        stored.spec.renewTime = Times.nowMicro();
        lease = client.update(stored);
        return lease;
    }
}
