package io.kube4j.kubeproxy.userspace;

import io.kube4j.kubeproxy.ProxiedPort;
import io.kube4j.kubeproxy.Proxier;
import io.kube4j.kubeproxy.ProxyMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The portable proxier: a TCP listener on each Service port's NodePort (on the configured bind
 * address) forwarding to the ready endpoints. Listeners are opened, reconfigured in place and closed
 * as Services and Endpoints change. ClusterIPs are served by {@link ClusterIpProxier} when enabled
 * (or by the iptables mode); UDP ports are not proxied in this mode.
 */
public class UserspaceProxier implements Proxier {
    private static final Logger log = LoggerFactory.getLogger(UserspaceProxier.class);

    private final InetAddress bindAddress;
    private final ProxyMetrics metrics;
    private final Duration connectTimeout;
    /** Open listeners by NodePort. */
    private final Map<Integer, PortProxy> listeners = new HashMap<>();
    /** Ports that failed to bind, so the warning is logged once per port, not every sync. */
    private final Set<Integer> bindFailures = new HashSet<>();

    public UserspaceProxier(String bindAddress, ProxyMetrics metrics, Duration connectTimeout) {
        try {
            this.bindAddress = InetAddress.getByName(bindAddress);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("kube4j.kube-proxy.bind-address is not an address: " + bindAddress, e);
        }
        this.metrics = metrics;
        this.connectTimeout = connectTimeout;
    }

    @Override
    public synchronized void sync(List<ProxiedPort> ports) {
        Map<Integer, ProxiedPort> wanted = new HashMap<>();
        for (ProxiedPort p : ports) {
            if (p.nodePort() <= 0) {
                continue;
            }
            if (!"TCP".equals(p.protocol())) {
                log.debug("{}: {} is not proxied in userspace mode", p.id(), p.protocol());
                continue;
            }
            ProxiedPort other = wanted.putIfAbsent(p.nodePort(), p);
            if (other != null) {
                log.warn("NodePort {} claimed by both {} and {}; keeping {}", p.nodePort(), other.id(), p.id(), other.id());
            }
        }
        listeners.entrySet().removeIf(e -> {
            if (wanted.containsKey(e.getKey())) {
                return false;
            }
            e.getValue().close();
            log.info("closed NodePort {}", e.getKey());
            return true;
        });
        for (Map.Entry<Integer, ProxiedPort> e : wanted.entrySet()) {
            PortProxy existing = listeners.get(e.getKey());
            if (existing != null) {
                existing.update(e.getValue());
                continue;
            }
            try {
                listeners.put(e.getKey(), new PortProxy(bindAddress, e.getKey(), e.getValue(), metrics, connectTimeout));
                bindFailures.remove(e.getKey());
                log.info("{}: listening on {}:{} -> {}", e.getValue().id(), bindAddress.getHostAddress(), e.getKey(), e.getValue().endpoints());
            } catch (IOException ex) {
                if (bindFailures.add(e.getKey())) {
                    log.warn("{}: cannot listen on {}:{} ({}); retrying at each sync", e.getValue().id(), bindAddress.getHostAddress(), e.getKey(), ex.getMessage());
                }
            }
        }
    }

    /** The NodePorts with an open listener (visible for tests). */
    public synchronized Set<Integer> listeningPorts() {
        return Set.copyOf(listeners.keySet());
    }

    @Override
    public synchronized void close() {
        listeners.values().forEach(PortProxy::close);
        listeners.clear();
    }
}
