package io.kube4j.testing.netns;

import java.util.ArrayList;
import java.util.List;

/**
 * A LAN for {@link NetnsHost}s: a Linux bridge {@code br0} living in its own network namespace
 * ({@code <prefix>-lan}), so nothing of the test touches the root namespace. Each host is a namespace
 * {@code <prefix>-<name>} whose {@code eth0} is one end of a veth pair, the other end ({@code h<n>}) being a
 * port of the bridge; hosts get {@code <subnet>.<n>/24} and a default route via the bridge's own address
 * {@code <subnet>.1} (the LAN's "router", which routes nowhere else: a node needs some route for a
 * Service IP, or the kernel refuses a local connection to it before the nat OUTPUT chain can DNAT it).
 * All names carry a prefix unique to the run.
 *
 * <pre>{@code
 * try (NetnsLan lan = NetnsLan.create("10.123.0")) {
 *     NetnsHost cp = lan.host("cp", 254);
 *     NetnsHost a = lan.host("node-a", 2);
 *     a.exec("ping", "-c1", cp.ip());
 * }   // every process killed, every namespace (hence every veth, bridge and iptables rule) gone
 * }</pre>
 *
 * {@link #close()} closes the hosts (killing their processes) and deletes the LAN namespace, also when a
 * test failed half-way; a JVM shutdown hook does the same if the test JVM is stopped before.
 */
public final class NetnsLan implements AutoCloseable {
    private final String prefix;
    private final String subnet;
    private final List<NetnsHost> hosts = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::close);
    private int nextPort;
    private boolean closed;

    private NetnsLan(String prefix, String subnet) {
        this.prefix = prefix;
        this.subnet = subnet;
    }

    /**
     * Creates the LAN namespace and its bridge.
     *
     * @param subnet the first three octets of the LAN's /24, e.g. {@code "10.123.0"}
     */
    public static NetnsLan create(String subnet) {
        NetnsLan lan = new NetnsLan(Netns.uniquePrefix(), subnet);
        Runtime.getRuntime().addShutdownHook(lan.shutdownHook);
        try {
            Netns.run("ip", "netns", "add", lan.namespace()).orThrow("ip netns add " + lan.namespace());
            lan.exec("ip", "link", "set", "lo", "up");
            lan.exec("ip", "link", "add", "br0", "type", "bridge");
            lan.exec("ip", "link", "set", "br0", "up");
            lan.exec("ip", "addr", "add", subnet + ".1/24", "dev", "br0");
        } catch (RuntimeException e) {
            lan.close();
            throw e;
        }
        return lan;
    }

    /** The run's unique prefix of every namespace name. */
    public String prefix() {
        return prefix;
    }

    /** The namespace holding the bridge. */
    public String namespace() {
        return prefix + "-lan";
    }

    /** {@code <subnet>.1}, the bridge's address and every host's default gateway. */
    public String gateway() {
        return subnet + ".1";
    }

    /** {@code <subnet>.0/24}. */
    public String cidr() {
        return subnet + ".0/24";
    }

    /**
     * A new host on this LAN: namespace {@code <prefix>-<name>}, {@code lo} up, {@code eth0} with
     * {@code <subnet>.<octet>/24} and a default route via {@link #gateway()}, IPv4 forwarding on (a node
     * routes to its pods).
     *
     * @param octet 2..254 (1 is the gateway)
     */
    public synchronized NetnsHost host(String name, int octet) {
        if (octet < 2 || octet > 254) {
            throw new IllegalArgumentException("host octet " + octet + " not in 2..254");
        }
        String ns = prefix + "-" + name;
        String lanPort = "h" + (++nextPort);
        NetnsHost host = NetnsHost.create(ns, name, subnet + "." + octet);
        hosts.add(host);
        Netns.run("ip", "link", "add", "name", "eth0", "netns", ns, "type", "veth", "peer", "name", lanPort, "netns", namespace())
                .orThrow("veth " + ns + " <-> " + namespace());
        exec("ip", "link", "set", lanPort, "master", "br0");
        exec("ip", "link", "set", lanPort, "up");
        host.exec("ip", "addr", "add", host.ip() + "/24", "dev", "eth0");
        host.exec("ip", "link", "set", "eth0", "up");
        host.exec("ip", "route", "add", "default", "via", gateway());
        return host;
    }

    private void exec(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace()));
        cmd.addAll(List.of(command));
        Netns.run(cmd, null).orThrow(String.join(" ", command) + " in " + namespace());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (NetnsHost h : hosts.reversed()) {
            h.close();
        }
        Netns.run("ip", "netns", "del", namespace());
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
    }
}
