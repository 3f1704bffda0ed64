package io.kube4j.kubeproxy;

/** One ready backend of a Service port: a pod IP and the target port on it. */
public record Endpoint(String ip, int port) implements Comparable<Endpoint> {
    @Override
    public int compareTo(Endpoint o) {
        int c = ip.compareTo(o.ip);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
        return ip + ":" + port;
    }
}
