package io.kube4j.controllermanager.runtime;

import io.kube4j.api.Container;
import io.kube4j.api.IntOrString;
import io.kube4j.api.Pod;
import io.kube4j.api.Service;

import java.util.List;
import java.util.Objects;

/**
 * Resolves a Service port's targetPort on a pod, for the Endpoints and EndpointSlice controllers.
 * Kubernetes: {@code FindPort} in {@code pkg/api/v1/pod/util.go} (copied into
 * {@code staging/src/k8s.io/endpointslice/utils.go}).
 */
public final class PodPorts {
    private PodPorts() {
    }

    /**
     * A numeric targetPort is itself; a named one is the containerPort of that name and of the Service
     * port's protocol (TCP when unset) on one of the pod's containers, or on a sidecar (an init container
     * with {@code restartPolicy: Always}). Null when the name is on no such port: the pod does not serve
     * this Service port. A targetPort that is unset means the Service port's own number (the apiserver
     * defaults it so).
     */
    public static Integer findPort(Pod pod, Service.ServicePort servicePort) {
        IntOrString target = servicePort.targetPort == null ? IntOrString.of(servicePort.port) : servicePort.targetPort;
        if (target.isInt()) {
            return target.intValue();
        }
        String name = target.strValue();
        String protocol = protocolOf(servicePort.protocol);
        Integer port = find(pod.spec.containers, name, protocol, false);
        return port != null ? port : find(pod.spec.initContainers, name, protocol, true);
    }

    private static Integer find(List<Container> containers, String name, String protocol, boolean sidecarsOnly) {
        if (containers == null) {
            return null;
        }
        for (Container c : containers) {
            if (sidecarsOnly && !"Always".equals(c.restartPolicy)) {
                continue;
            }
            for (Container.ContainerPort p : c.ports) {
                // container ports default to TCP like Service ports; compare defaulted values
                if (Objects.equals(name, p.name) && protocol.equals(protocolOf(p.protocol)) && p.containerPort != null) {
                    return p.containerPort;
                }
            }
        }
        return null;
    }

    private static String protocolOf(String protocol) {
        return protocol == null || protocol.isEmpty() ? "TCP" : protocol;
    }
}
