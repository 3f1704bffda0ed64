package io.kube4j.kubelet.probe;

import io.kube4j.api.Container;
import io.kube4j.api.Probe;

import java.time.Duration;
import java.util.Map;

/**
 * What to check or run, from either a {@link Probe} or a lifecycle {@link Probe.Handler}: exactly one of
 * exec, httpGet, tcpSocket, grpc (probes only) or sleep (hooks only, in seconds).
 */
public record ProbeAction(Probe.ExecAction exec, Probe.HTTPGetAction httpGet, Probe.TCPSocketAction tcpSocket,
                          Probe.GRPCAction grpc, Long sleepSeconds) {

    public static ProbeAction of(Probe probe) {
        return new ProbeAction(probe.exec, probe.httpGet, probe.tcpSocket, probe.grpc, null);
    }

    public static ProbeAction of(Probe.Handler handler) {
        return new ProbeAction(handler.exec, handler.httpGet, handler.tcpSocket, null, sleepSeconds(handler.sleep));
    }

    private static Long sleepSeconds(Map<String, Object> sleep) {
        if (sleep == null || !(sleep.get("seconds") instanceof Number n)) {
            return null;
        }
        return n.longValue();
    }

    /** The probe's timeout: timeoutSeconds, at least 1 s as in Kubernetes. */
    public static Duration timeout(Probe probe) {
        return Duration.ofSeconds(probe.timeoutSeconds == null || probe.timeoutSeconds < 1 ? 1 : probe.timeoutSeconds);
    }

    /** Resolves a numeric or named container port. */
    static int port(io.kube4j.api.IntOrString port, Container container) {
        if (port == null) {
            throw new IllegalArgumentException("probe has no port");
        }
        if (port.isInt()) {
            return port.intValue();
        }
        for (Container.ContainerPort p : container.ports) {
            if (port.strValue().equals(p.name) && p.containerPort != null) {
                return p.containerPort;
            }
        }
        try {
            return Integer.parseInt(port.strValue());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("no container port named " + port.strValue());
        }
    }
}
