package io.kube4j.kubeproxy.userspace;

import io.kube4j.kubeproxy.Endpoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Chooses endpoints for one Service port: round-robin, or with ClientIP affinity the endpoint a client
 * used last, while that endpoint exists and the client was seen within the timeout. It returns an
 * ordered list of candidates so the caller can move on when one refuses.
 */
final class RoundRobin {
    private record Sticky(Endpoint endpoint, long lastUsedNanos) {
    }

    private final LongSupplier nanoClock;
    private final AtomicInteger next = new AtomicInteger();
    private final Map<String, Sticky> affinity = new ConcurrentHashMap<>();
    private volatile List<Endpoint> endpoints = List.of();
    private volatile boolean clientIpAffinity;
    private volatile long affinityTimeoutNanos;

    RoundRobin(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** New endpoints or affinity settings; clients stuck to a vanished endpoint are released. */
    void update(List<Endpoint> endpoints, boolean clientIpAffinity, Duration affinityTimeout) {
        this.endpoints = List.copyOf(endpoints);
        this.clientIpAffinity = clientIpAffinity;
        this.affinityTimeoutNanos = affinityTimeout.toNanos();
        if (!clientIpAffinity) {
            affinity.clear();
        } else {
            affinity.values().removeIf(s -> !endpoints.contains(s.endpoint()));
        }
    }

    /** Every endpoint, in the order to try them for a connection from {@code clientIp}. */
    List<Endpoint> candidates(String clientIp) {
        List<Endpoint> eps = endpoints;
        if (eps.isEmpty()) {
            return List.of();
        }
        int start = -1;
        if (clientIpAffinity) {
            Sticky s = affinity.get(clientIp);
            if (s != null && nanoClock.getAsLong() - s.lastUsedNanos() < affinityTimeoutNanos) {
                start = eps.indexOf(s.endpoint());
            }
        }
        if (start < 0) {
            start = Math.floorMod(next.getAndIncrement(), eps.size());
        }
        List<Endpoint> out = new ArrayList<>(eps.size());
        for (int i = 0; i < eps.size(); i++) {
            out.add(eps.get((start + i) % eps.size()));
        }
        return out;
    }

    /** Records that {@code clientIp} was served by {@code endpoint} (for affinity). */
    void used(String clientIp, Endpoint endpoint) {
        if (clientIpAffinity) {
            affinity.put(clientIp, new Sticky(endpoint, nanoClock.getAsLong()));
        }
    }
}
