package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** An Ingress (networking.k8s.io/v1): HTTP(S) routing by host and path to Services. */
public class Ingress extends KubeObject {
    public IngressSpec spec = new IngressSpec();
    public IngressStatus status = new IngressStatus();

    public Ingress() {
        super("networking.k8s.io/v1", "Ingress");
    }

    /** The class, the default backend, TLS and the rules. */
    public static class IngressSpec {
        public String ingressClassName;
        public IngressBackend defaultBackend;
        public List<IngressTLS> tls = new ArrayList<>();
        public List<IngressRule> rules = new ArrayList<>();
    }

    /** The Secret with the certificate for some hosts. */
    public static class IngressTLS {
        public List<String> hosts = new ArrayList<>();
        public String secretName;
    }

    /** Paths of one host (or of every host when host is empty). */
    public static class IngressRule {
        public String host;
        public HTTPIngressRuleValue http;
    }

    /** The paths of a rule. */
    public static class HTTPIngressRuleValue {
        public List<HTTPIngressPath> paths = new ArrayList<>();
    }

    /** A path (Exact, Prefix or ImplementationSpecific) and where it goes. */
    public static class HTTPIngressPath {
        public String path;
        public String pathType;
        public IngressBackend backend;
    }

    /** A Service port or another resource; exactly one is set. */
    public static class IngressBackend {
        public IngressServiceBackend service;
        public TypedLocalObjectReference resource;
    }

    /** A Service by name and port. */
    public static class IngressServiceBackend {
        public String name;
        public ServiceBackendPort port;
    }

    /** A Service port by name or by number. */
    public static class ServiceBackendPort {
        public String name;
        public Integer number;
    }

    /** The load balancer's addresses. */
    public static class IngressStatus {
        public IngressLoadBalancerStatus loadBalancer;
    }

    /** The load balancer's ingress points. */
    public static class IngressLoadBalancerStatus {
        public List<IngressLoadBalancerIngress> ingress = new ArrayList<>();
    }

    /** One ingress point: an IP or hostname, with port statuses. */
    public static class IngressLoadBalancerIngress {
        public String ip;
        public String hostname;
        public List<IngressPortStatus> ports = new ArrayList<>();
    }

    /** The status of one port of an ingress point. */
    public static class IngressPortStatus {
        public int port;
        public String protocol;
        public String error;
    }
}
