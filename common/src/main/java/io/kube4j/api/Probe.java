package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A liveness, readiness or startup probe. */
public class Probe {
    public ExecAction exec;
    public HTTPGetAction httpGet;
    public TCPSocketAction tcpSocket;
    public GRPCAction grpc;
    public Integer initialDelaySeconds;
    public Integer timeoutSeconds;
    public Integer periodSeconds;
    public Integer successThreshold;
    public Integer failureThreshold;
    public Long terminationGracePeriodSeconds;

    /** The action part shared by probes and lifecycle hooks. */
    public static class Handler {
        public ExecAction exec;
        public HTTPGetAction httpGet;
        public TCPSocketAction tcpSocket;
        public java.util.Map<String, Object> sleep;
    }

    /** Run a command in the container; exit 0 is success. */
    public static class ExecAction {
        public List<String> command = new ArrayList<>();
    }

    /** GET a path; 200-399 is success. */
    public static class HTTPGetAction {
        public String path;
        public IntOrString port;
        public String host;
        public String scheme;
        public List<HTTPHeader> httpHeaders = new ArrayList<>();
    }

    /** An extra request header of an httpGet probe. */
    public static class HTTPHeader {
        public String name;
        public String value;
    }

    /**
     * Call the standard gRPC health service ({@code grpc.health.v1.Health/Check}) on {@code port} of the pod;
     * SERVING is success. {@code service} is the service name asked about (empty: the server as a whole).
     */
    public static class GRPCAction {
        public Integer port;
        /** Defaulted to "" and then always written, as Kubernetes does (kubectl describe dereferences it). */
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        public String service;
    }

    /** Open a TCP connection; connecting is success. */
    public static class TCPSocketAction {
        public IntOrString port;
        public String host;
    }
}
