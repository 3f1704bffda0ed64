package io.kube4j.api;

/** A Lease (coordination.k8s.io/v1): node heartbeats and leader election. */
public class Lease extends KubeObject {
    public LeaseSpec spec = new LeaseSpec();

    public Lease() {
        super("coordination.k8s.io/v1", "Lease");
    }

    /** Who holds it, for how long, renewed when. Times are MicroTime (RFC 3339 with microseconds). */
    public static class LeaseSpec {
        public String holderIdentity;
        public Integer leaseDurationSeconds;
        public String acquireTime;
        public String renewTime;
        public Integer leaseTransitions;
    }
}
