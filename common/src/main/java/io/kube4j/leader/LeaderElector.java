package io.kube4j.leader;

import io.kube4j.api.Lease;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;

/**
 * Leader election on a coordination.k8s.io Lease, as client-go's leaderelection: the holder renews
 * every {@code retryPeriod}; a candidate takes the lease once it has seen the same record unchanged
 * for {@code leaseDuration} (by its own clock, so clock skew between machines does not matter).
 * Writes are optimistic (resourceVersion), so two candidates can never both win.
 */
public final class LeaderElector {
    private static final Logger log = LoggerFactory.getLogger(LeaderElector.class);

    /** Called on the elector's thread when leadership is gained or lost. */
    public interface Callbacks {
        void onStartedLeading();

        void onStoppedLeading();
    }

    private final ApiClient client;
    private final String namespace;
    private final String name;
    private final String identity;
    private final Duration leaseDuration;
    private final Duration renewDeadline;
    private final Duration retryPeriod;
    private final Callbacks callbacks;

    private volatile boolean leader;
    private volatile boolean stopped;
    private Thread thread;
    // the record as last observed, and when (by our clock)
    private String observedRecord;
    private long observedAtNanos;
    private long lastRenewNanos;

    public LeaderElector(ApiClient client, String namespace, String name, String identity,
                         Duration leaseDuration, Duration renewDeadline, Duration retryPeriod, Callbacks callbacks) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.identity = identity;
        this.leaseDuration = leaseDuration;
        this.renewDeadline = renewDeadline;
        this.retryPeriod = retryPeriod;
        this.callbacks = callbacks;
    }

    /** Defaults that fail over within 15 s: lease 10 s, renew deadline 8 s, retry 2 s. */
    public static LeaderElector withDefaults(ApiClient client, String namespace, String name, String identity, Callbacks callbacks) {
        return new LeaderElector(client, namespace, name, identity, Duration.ofSeconds(10), Duration.ofSeconds(8), Duration.ofSeconds(2), callbacks);
    }

    public boolean isLeader() {
        return leader;
    }

    public String identity() {
        return identity;
    }

    public synchronized void start() {
        if (thread == null) {
            thread = Thread.ofVirtual().name("leader-elector-" + name).start(this::run);
        }
    }

    /** Stops and, if leading, releases the lease so a standby takes over at once. */
    public void stop() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
        }
        if (leader) {
            try {
                Lease lease = client.get(Lease.class, namespace, name);
                if (identity.equals(lease.spec.holderIdentity)) {
                    lease.spec.holderIdentity = null;
                    lease.spec.renewTime = null;
                    lease.spec.leaseDurationSeconds = 1;
                    client.update(lease);
                }
            } catch (RuntimeException e) {
                log.debug("could not release lease {}/{}: {}", namespace, name, e.getMessage());
            }
            setLeader(false);
        }
    }

    private void run() {
        while (!stopped) {
            boolean ok;
            try {
                ok = tryAcquireOrRenew();
            } catch (RuntimeException e) {
                log.debug("lease {}/{}: {}", namespace, name, e.getMessage());
                ok = false;
            }
            if (ok) {
                lastRenewNanos = System.nanoTime();
                setLeader(true);
            } else if (leader && System.nanoTime() - lastRenewNanos > renewDeadline.toNanos()) {
                log.warn("{} lost lease {}/{}", identity, namespace, name);
                setLeader(false);
            }
            try {
                Thread.sleep(retryPeriod);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void setLeader(boolean now) {
        if (now == leader) {
            return;
        }
        leader = now;
        if (now) {
            log.info("{} became leader of {}/{}", identity, namespace, name);
            callbacks.onStartedLeading();
        } else {
            callbacks.onStoppedLeading();
        }
    }

    private boolean tryAcquireOrRenew() {
        Lease lease;
        try {
            lease = client.get(Lease.class, namespace, name);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            Lease fresh = new Lease();
            fresh.metadata.namespace = namespace;
            fresh.metadata.name = name;
            fresh.spec.holderIdentity = identity;
            fresh.spec.leaseDurationSeconds = (int) leaseDuration.toSeconds();
            fresh.spec.acquireTime = Times.nowMicro();
            fresh.spec.renewTime = fresh.spec.acquireTime;
            fresh.spec.leaseTransitions = 0;
            try {
                client.create(fresh);
                return true;
            } catch (ApiException conflict) {
                return false;
            }
        }
        String record = Json.write(lease.spec);
        if (!Objects.equals(record, observedRecord)) {
            observedRecord = record;
            observedAtNanos = System.nanoTime();
        }
        String holder = lease.spec.holderIdentity;
        boolean mine = identity.equals(holder);
        int seconds = lease.spec.leaseDurationSeconds == null ? (int) leaseDuration.toSeconds() : lease.spec.leaseDurationSeconds;
        boolean expired = holder == null || holder.isEmpty()
                || System.nanoTime() - observedAtNanos > Duration.ofSeconds(seconds).toNanos();
        if (!mine && !expired) {
            return false;
        }
        Lease next = Json.copy(lease);
        String now = Times.nowMicro();
        if (!mine) {
            next.spec.acquireTime = now;
            next.spec.leaseTransitions = (lease.spec.leaseTransitions == null ? 0 : lease.spec.leaseTransitions) + 1;
        }
        next.spec.holderIdentity = identity;
        next.spec.leaseDurationSeconds = (int) leaseDuration.toSeconds();
        next.spec.renewTime = now;
        try {
            Lease written = client.update(next);
            observedRecord = Json.write(written.spec);
            observedAtNanos = System.nanoTime();
            return true;
        } catch (ApiException e) {
            if (e.isConflict()) {
                return false;
            }
            throw e;
        }
    }
}
