package io.kube4j.kubeproxy;

import java.util.List;

/** Makes the node forward Service traffic as described by the full list of ports; called on every change. */
public interface Proxier extends AutoCloseable {
    /** Brings the forwarding in line with {@code ports} (the whole desired state, not a delta). Must not throw for bad input. */
    void sync(List<ProxiedPort> ports);

    /** Removes everything this proxier set up (listeners, rules). */
    @Override
    void close();
}
