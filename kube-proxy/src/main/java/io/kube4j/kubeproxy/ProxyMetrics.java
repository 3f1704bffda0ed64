package io.kube4j.kubeproxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * kube-proxy's metrics, tagged by Service port ({@code namespace/name[:port]}): connections accepted,
 * connections that found no reachable endpoint, bytes each way, and the number of ready endpoints.
 */
public class ProxyMetrics {
    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> endpoints = new ConcurrentHashMap<>();
    private final Map<String, Gauge> endpointGauges = new ConcurrentHashMap<>();
    private final Timer syncTimer;

    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.syncTimer = Timer.builder("kubeproxy_sync_proxy_rules_duration").description("time to apply one full sync").register(registry);
    }

    public void connection(String service) {
        Counter.builder("kubeproxy_connections_total").description("connections accepted").tag("service", service).register(registry).increment();
    }

    public void noEndpoint(String service) {
        Counter.builder("kubeproxy_connections_failed_total").description("connections closed because no endpoint accepted them")
                .tag("service", service).register(registry).increment();
    }

    /** {@code direction} is {@code in} (client to endpoint) or {@code out} (endpoint to client). */
    public void bytes(String service, String direction, long count) {
        if (count > 0) {
            Counter.builder("kubeproxy_bytes").description("bytes forwarded").baseUnit("bytes")
                    .tag("service", service).tag("direction", direction).register(registry).increment(count);
        }
    }

    /** Sets the endpoint gauges to the given ports; gauges of ports no longer present are removed. */
    public void endpoints(List<ProxiedPort> ports) {
        Set<String> present = new HashSet<>();
        for (ProxiedPort p : ports) {
            present.add(p.id());
            AtomicInteger value = endpoints.computeIfAbsent(p.id(), id -> {
                AtomicInteger v = new AtomicInteger();
                endpointGauges.put(id, Gauge.builder("kubeproxy_endpoints", v, AtomicInteger::get)
                        .description("ready endpoints of a Service port").tag("service", id).register(registry));
                return v;
            });
            value.set(p.endpoints().size());
        }
        for (String id : Set.copyOf(endpoints.keySet())) {
            if (!present.contains(id)) {
                endpoints.remove(id);
                Gauge g = endpointGauges.remove(id);
                if (g != null) {
                    registry.remove(g);
                }
            }
        }
    }

    public void synced(Duration took) {
        syncTimer.record(took);
    }
}
