package io.kube4j.scheduler.framework;

/** A host port a container asks for; two conflict on the same port and protocol when their IPs overlap. */
public record HostPort(String hostIP, String protocol, int port) {
    private static final String ANY = "0.0.0.0";

    public HostPort {
        hostIP = hostIP == null || hostIP.isEmpty() ? ANY : hostIP;
        protocol = protocol == null || protocol.isEmpty() ? "TCP" : protocol;
    }

    public boolean conflictsWith(HostPort other) {
        return port == other.port && protocol.equals(other.protocol)
                && (hostIP.equals(other.hostIP) || ANY.equals(hostIP) || ANY.equals(other.hostIP));
    }
}
