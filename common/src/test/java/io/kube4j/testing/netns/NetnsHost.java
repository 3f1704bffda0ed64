package io.kube4j.testing.netns;

import io.kube4j.testing.ComponentProcess;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One machine of a multi-host test: a network namespace ({@code ip netns}) with {@code lo} up and IPv4
 * forwarding on; made by {@link NetnsLan#host} (then with {@code eth0} on the LAN and {@link #ip()}) or by
 * {@link #addPod} (a pod behind a veth pair, routed by its node). Commands run inside it with
 * {@code ip netns exec <namespace>}; processes started here are killed on {@link #close()}, and so is
 * anything else still running in the namespace, before the namespace is deleted (which removes its
 * interfaces, routes and iptables rules with it).
 *
 * <p>A process here cannot reach the root namespace's 127.0.0.1, nor can the test JVM reach this
 * namespace's: talk to servers in it through its LAN address from another host, or run the client in
 * it ({@code host.exec("curl", ...)}, {@code host.exec("kubectl", ...)}).
 */
public final class NetnsHost implements AutoCloseable {
    private final String namespace;
    private final String name;
    private final String ip;
    private final List<Process> processes = new ArrayList<>();
    private final List<NetnsHost> pods = new ArrayList<>();
    private int nextPodPort;
    private boolean closed;

    private NetnsHost(String namespace, String name, String ip) {
        this.namespace = namespace;
        this.name = name;
        this.ip = ip;
    }

    /** Creates namespace {@code namespace} with lo up and forwarding on; {@code ip} is recorded, not configured. */
    static NetnsHost create(String namespace, String name, String ip) {
        Netns.run("ip", "netns", "add", namespace).orThrow("ip netns add " + namespace);
        NetnsHost h = new NetnsHost(namespace, name, ip);
        try {
            h.exec("ip", "link", "set", "lo", "up");
            h.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
        } catch (RuntimeException e) {
            h.close();
            throw e;
        }
        return h;
    }

    /** The namespace name ({@code ip netns exec <namespace> ...}). */
    public String namespace() {
        return namespace;
    }

    /** The short name given by the test (e.g. {@code node-a}). */
    public String name() {
        return name;
    }

    /** Its address: on the LAN for a host, the pod IP for a pod. */
    public String ip() {
        return ip;
    }

    /** {@code /proc}-independent path of the namespace, as CNI's {@code CNI_NETNS} wants it. */
    public Path netnsPath() {
        return Path.of("/run/netns", namespace);
    }

    /** The command prefix that runs something inside this namespace. */
    public List<String> prefix() {
        return List.of("ip", "netns", "exec", namespace);
    }

    /** Runs a command inside the namespace (60 s limit) and returns its result whatever the exit code. */
    public Netns.Result run(String... command) {
        return run(List.of(command), null);
    }

    /** Runs a command inside the namespace with {@code stdin}. */
    public Netns.Result run(List<String> command, String stdin) {
        List<String> cmd = new ArrayList<>(prefix());
        cmd.addAll(command);
        return Netns.run(cmd, stdin);
    }

    /** Runs a command inside the namespace; its output, or an IllegalStateException when it fails. */
    public String exec(String... command) {
        return run(command).orThrow(String.join(" ", command) + " in " + namespace);
    }

    /** Runs {@code sh -c script} inside the namespace. */
    public Netns.Result sh(String script) {
        return run("sh", "-c", script);
    }

    /** {@code ip route replace <cidr> via <gateway>} here (e.g. another node's pod CIDR via its address). */
    public void route(String cidr, String via) {
        exec("ip", "route", "replace", cidr, "via", via);
    }

    /**
     * Starts a long-running process inside the namespace, its output appended to
     * {@code target/netns/<namespace>-<logName>.log}; killed on {@link #close()}.
     */
    public synchronized Process start(String logName, List<String> command) {
        List<String> cmd = new ArrayList<>(prefix());
        cmd.addAll(command);
        try {
            Path dir = Path.of("target", "netns");
            Files.createDirectories(dir);
            File log = dir.resolve(namespace + "-" + logName + ".log").toFile();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command + " in " + namespace + ": " + e, e);
        }
    }

    /** The log file of {@link #start}{@code (logName, ...)}. */
    public Path log(String logName) {
        return Path.of("target", "netns", namespace + "-" + logName + ".log");
    }

    /**
     * Starts a kube4j component ({@code java -jar <module>/target/<module>.jar}, found as
     * {@link ComponentProcess#locateJar} finds it) inside the namespace with {@code --server.port=port} and
     * the given Spring arguments, and waits until {@code http://127.0.0.1:<port><healthPath>} answers 200
     * from inside the namespace (polled with curl); null healthPath: no wait.
     *
     * @throws IllegalStateException when the process exits or is not healthy in time (see its log)
     */
    public Process startComponent(String module, String logName, int port, String healthPath, List<String> args, Duration readyWithin) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
                "-jar", ComponentProcess.locateJar(module).toString(), "--server.port=" + port));
        cmd.addAll(args);
        Process p = start(logName, cmd);
        if (healthPath != null) {
            awaitHttp(p, "http://127.0.0.1:" + port + healthPath, readyWithin, logName);
        }
        return p;
    }

    /** Polls {@code url} with curl from inside the namespace until it answers 2xx, while {@code p} lives. */
    void awaitHttp(Process p, String url, Duration within, String logName) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (p != null && !p.isAlive()) {
                throw new IllegalStateException(logName + " in " + namespace + " exited with " + p.exitValue() + "; see " + log(logName));
            }
            if (run("curl", "-sf", "-o", "/dev/null", "--max-time", "2", url).ok()) {
                return;
            }
            sleep(300);
        }
        throw new IllegalStateException(url + " in " + namespace + " not ready within " + within + "; see " + log(logName));
    }

    /**
     * A pod of this host: namespace {@code <namespace>-<podName>} whose {@code eth0} (address
     * {@code podIp/32}, default route via the link-local gateway 169.254.1.1) is one end of a veth pair;
     * the other end, {@code p<n>} here, holds 169.254.1.1 and the route {@code podIp/32} (source: this
     * host's address), so the host routes to the pod and the pod to everything through the host (plain
     * routing, no bridge: no bridge-netfilter or hairpin settings involved). Closed with this host.
     */
    public synchronized NetnsHost addPod(String podName, String podIp) {
        NetnsHost pod = create(namespace + "-" + podName, podName, podIp);
        pods.add(pod);
        String port = "p" + (++nextPodPort);
        Netns.run("ip", "link", "add", "name", "eth0", "netns", pod.namespace, "type", "veth", "peer", "name", port, "netns", namespace)
                .orThrow("veth " + pod.namespace + " <-> " + namespace);
        exec("ip", "link", "set", port, "up");
        exec("ip", "addr", "add", "169.254.1.1/32", "dev", port);
        if (ip != null) {
            exec("ip", "route", "add", podIp + "/32", "dev", port, "src", ip);
        } else {
            exec("ip", "route", "add", podIp + "/32", "dev", port);
        }
        pod.exec("ip", "addr", "add", podIp + "/32", "dev", "eth0");
        pod.exec("ip", "link", "set", "eth0", "up");
        pod.exec("ip", "route", "add", "169.254.1.1", "dev", "eth0");
        pod.exec("ip", "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
        return pod;
    }

    /**
     * A pod of this host wired as the CNI bridge plugin wires one ({@code isGateway}, {@code hairpinMode}): a Linux
     * bridge {@code bridge} here (created on first use, up, holding {@code gatewayCidr}, e.g. {@code 10.244.1.1/24},
     * so the host routes the pod subnet to it), a veth pair whose host end {@code v<n>} is a bridge port with
     * hairpin on and whose pod end is the pod's {@code eth0} with {@code podIp/<prefix>} and a default route via
     * the gateway. Two pods of one bridge talk to each other through the bridge, not through the host's routing:
     * their packets pass iptables only with bridge netfilter on ({@code net.bridge.bridge-nf-call-iptables=1} in
     * this namespace). Closed with this host.
     */
    public synchronized NetnsHost addBridgedPod(String podName, String podIp, String bridge, String gatewayCidr) {
        String gateway = gatewayCidr.substring(0, gatewayCidr.indexOf('/'));
        String prefixLength = gatewayCidr.substring(gatewayCidr.indexOf('/') + 1);
        if (!run("ip", "link", "show", "dev", bridge).ok()) {
            exec("ip", "link", "add", bridge, "type", "bridge");
            exec("ip", "addr", "add", gatewayCidr, "dev", bridge);
            exec("ip", "link", "set", bridge, "up");
        }
        NetnsHost pod = create(namespace + "-" + podName, podName, podIp);
        pods.add(pod);
        String port = "v" + (++nextPodPort);
        Netns.run("ip", "link", "add", "name", "eth0", "netns", pod.namespace, "type", "veth", "peer", "name", port, "netns", namespace)
                .orThrow("veth " + pod.namespace + " <-> " + namespace);
        exec("ip", "link", "set", port, "master", bridge);
        exec("ip", "link", "set", "dev", port, "type", "bridge_slave", "hairpin", "on");
        exec("ip", "link", "set", port, "up");
        pod.exec("ip", "addr", "add", podIp + "/" + prefixLength, "dev", "eth0");
        pod.exec("ip", "link", "set", "eth0", "up");
        pod.exec("ip", "route", "add", "default", "via", gateway, "dev", "eth0");
        return pod;
    }

    /** Stops {@code p} (SIGTERM, then SIGKILL after 10 s) if it is one of this host's processes. */
    public synchronized void stop(Process p) {
        terminate(p);
        processes.remove(p);
    }

    private static void terminate(Process p) {
        if (!p.isAlive()) {
            return;
        }
        // ip netns exec execs the command, so p is the process itself (java, etcd...), not a wrapper
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /**
     * Stops this host's processes, kills whatever else still runs in the namespace (children, servers
     * started with {@link #sh}), closes its pods and deletes the namespace. Safe to call twice.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : processes.reversed()) {
            terminate(p);
        }
        processes.clear();
        for (NetnsHost pod : pods.reversed()) {
            pod.close();
        }
        killRemaining();
        Netns.Result del = Netns.run("ip", "netns", "del", namespace);
        if (!del.ok()) {
            sleep(500);
            killRemaining();
            Netns.run("ip", "netns", "del", namespace);
        }
    }

    private void killRemaining() {
        Netns.Result pids = Netns.run("ip", "netns", "pids", namespace);
        if (pids.ok()) {
            for (String pid : pids.output().split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return name + "(" + namespace + ", " + ip + ")";
    }
}
