package io.kube4j.kubeproxy.userspace;

import io.kube4j.kubeproxy.ProxiedPort;
import io.kube4j.kubeproxy.ProxyMetrics;
import io.kube4j.kubeproxy.Proxier;
import io.kube4j.kubeproxy.iptables.CommandRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Userspace ClusterIPs: each Service's ClusterIP is added to this node's loopback device
 * ({@code ip addr add <ip>/32 dev lo}, needs NET_ADMIN and the {@code ip} tool) and a listener on
 * {@code ClusterIP:port} forwards to the ready endpoints like a NodePort listener. Pods reach it when their
 * route to the service range points at this proxy (the docker kubelet adds that route to each pod
 * sandbox); it is the portable stand-in for iptables DNAT when kube-proxy does not own the host's tables.
 */
public class ClusterIpProxier implements Proxier {
    private static final Logger log = LoggerFactory.getLogger(ClusterIpProxier.class);

    private final ProxyMetrics metrics;
    private final Duration connectTimeout;
    private final CommandRunner commands;
    /** Open listeners by {@code clusterIP:port}. */
    private final Map<String, PortProxy> listeners = new HashMap<>();
    /** ClusterIPs added to the loopback device. */
    private final Set<String> addresses = new HashSet<>();
    /** Listeners that failed, so the warning is logged once, not at every sync. */
    private final Set<String> failures = new HashSet<>();

    public ClusterIpProxier(ProxyMetrics metrics, Duration connectTimeout, CommandRunner commands) {
        this.metrics = metrics;
        this.connectTimeout = connectTimeout;
        this.commands = commands;
    }

    @Override
    public synchronized void sync(List<ProxiedPort> ports) {
        Map<String, ProxiedPort> wanted = new HashMap<>();
        for (ProxiedPort p : ports) {
            if (p.hasClusterIp() && "TCP".equals(p.protocol()) && p.port() > 0) {
                wanted.put(p.clusterIP() + ":" + p.port(), p);
            }
        }
        listeners.entrySet().removeIf(e -> {
            if (wanted.containsKey(e.getKey())) {
                return false;
            }
            e.getValue().close();
            log.info("closed ClusterIP listener {}", e.getKey());
            return true;
        });
        Set<String> ipsInUse = new HashSet<>();
        wanted.values().forEach(p -> ipsInUse.add(p.clusterIP()));
        for (String ip : Set.copyOf(addresses)) {
            if (!ipsInUse.contains(ip)) {
                commands.run(List.of("ip", "addr", "del", ip + "/32", "dev", "lo"), null);
                addresses.remove(ip);
            }
        }
        for (Map.Entry<String, ProxiedPort> e : wanted.entrySet()) {
            ProxiedPort p = e.getValue();
            PortProxy existing = listeners.get(e.getKey());
            if (existing != null) {
                existing.update(p);
                continue;
            }
            if (!addresses.contains(p.clusterIP())) {
                CommandRunner.Result r = commands.run(List.of("ip", "addr", "add", p.clusterIP() + "/32", "dev", "lo"), null);
                // "File exists": already there (e.g. after a restart), which is what we want
                if (r.ok() || r.output().contains("exists")) {
                    addresses.add(p.clusterIP());
                } else {
                    if (failures.add(e.getKey())) {
                        log.warn("{}: cannot add ClusterIP {} to lo ({}); ClusterIP traffic is not proxied", p.id(), p.clusterIP(), r.output().strip());
                    }
                    continue;
                }
            }
            try {
                listeners.put(e.getKey(), new PortProxy(InetAddress.getByName(p.clusterIP()), p.port(), p, metrics, connectTimeout));
                failures.remove(e.getKey());
                log.info("{}: listening on ClusterIP {} -> {}", p.id(), e.getKey(), p.endpoints());
            } catch (IOException ex) {
                if (failures.add(e.getKey())) {
                    log.warn("{}: cannot listen on {} ({}); retrying at each sync", p.id(), e.getKey(), ex.getMessage());
                }
            }
        }
    }

    /** The {@code clusterIP:port} listeners that are open (visible for tests). */
    public synchronized Set<String> listening() {
        return Set.copyOf(listeners.keySet());
    }

    @Override
    public synchronized void close() {
        listeners.values().forEach(PortProxy::close);
        listeners.clear();
        for (String ip : addresses) {
            commands.run(List.of("ip", "addr", "del", ip + "/32", "dev", "lo"), null);
        }
        addresses.clear();
    }
}
