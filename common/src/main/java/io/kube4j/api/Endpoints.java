package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** The pod addresses behind a Service, written by the Endpoints controller. */
public class Endpoints extends KubeObject {
    public List<EndpointSubset> subsets = new ArrayList<>();

    public Endpoints() {
        super("v1", "Endpoints");
    }

    /** A set of addresses sharing the same ports. */
    public static class EndpointSubset {
        public List<EndpointAddress> addresses = new ArrayList<>();
        public List<EndpointAddress> notReadyAddresses = new ArrayList<>();
        public List<EndpointPort> ports = new ArrayList<>();
    }

    /** One pod IP. */
    public static class EndpointAddress {
        public String ip;
        public String hostname;
        public String nodeName;
        public ObjectReference targetRef;
    }

    /** A resolved port. */
    public static class EndpointPort {
        public String name;
        public int port;
        public String protocol;
    }
}
