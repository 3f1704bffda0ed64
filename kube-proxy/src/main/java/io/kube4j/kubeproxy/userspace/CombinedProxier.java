package io.kube4j.kubeproxy.userspace;

import io.kube4j.kubeproxy.ProxiedPort;
import io.kube4j.kubeproxy.Proxier;

import java.util.List;

/** Several proxiers fed the same ports: userspace NodePorts plus, when enabled, ClusterIP listeners. */
public class CombinedProxier implements Proxier {
    private final List<Proxier> proxiers;

    public CombinedProxier(List<Proxier> proxiers) {
        this.proxiers = List.copyOf(proxiers);
    }

    @Override
    public void sync(List<ProxiedPort> ports) {
        for (Proxier p : proxiers) {
            p.sync(ports);
        }
    }

    @Override
    public void close() {
        for (Proxier p : proxiers) {
            p.close();
        }
    }
}
