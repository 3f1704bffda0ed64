package io.kube4j.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A Service: a stable address in front of the pods its selector picks. */
public class Service extends KubeObject {
    public ServiceSpec spec = new ServiceSpec();
    public ServiceStatus status = new ServiceStatus();

    public Service() {
        super("v1", "Service");
    }

    /** Ports, selector, type and addresses. */
    public static class ServiceSpec {
        public List<ServicePort> ports = new ArrayList<>();
        public Map<String, String> selector = new LinkedHashMap<>();
        public String clusterIP;
        public List<String> clusterIPs = new ArrayList<>();
        public String type;
        /** For type ExternalName: the DNS name the Service is an alias (CNAME) for. */
        public String externalName;
        public List<String> externalIPs = new ArrayList<>();
        public String sessionAffinity;
        public SessionAffinityConfig sessionAffinityConfig;
        public String externalTrafficPolicy;
        public String internalTrafficPolicy;
        public List<String> ipFamilies = new ArrayList<>();
        public String ipFamilyPolicy;
        /** Publish the addresses of pods that are not ready (e.g. for a StatefulSet's peer discovery). */
        public Boolean publishNotReadyAddresses;
    }

    /** One port of a service. */
    public static class ServicePort {
        public String name;
        public String protocol;
        public int port;
        public IntOrString targetPort;
        public Integer nodePort;
        public String appProtocol;
    }

    /** ClientIP affinity timeout. */
    public static class SessionAffinityConfig {
        public ClientIPConfig clientIP;

        /** The timeout in seconds. */
        public static class ClientIPConfig {
            public Integer timeoutSeconds;
        }
    }

    /** Load balancer ingress (left empty by kube4j). */
    public static class ServiceStatus {
        public Map<String, Object> loadBalancer = new LinkedHashMap<>();
    }
}
