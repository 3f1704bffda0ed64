package io.kube4j.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * Bridge netfilter ({@code br_netfilter}, sysctl {@code net.bridge.bridge-nf-call-iptables}) in the caller's network
 * namespace: whether frames a Linux bridge forwards between two of its ports (two pods on {@code cni0}) pass through
 * iptables. Without it they never reach the filter FORWARD chain (NetworkPolicy rules do not see them) nor conntrack
 * (the reply of a connection DNATed to a pod on the same bridge is not translated back, so a ClusterIP fails from a
 * pod to a pod of the same node).
 *
 * <p>Mirrors Kubernetes: kubenet's {@code Init} ({@code pkg/kubelet/dockershim/network/kubenet/kubenet_linux.go},
 * Kubernetes &le; 1.23) runs {@code modprobe br-netfilter}, ignoring its result (the module may be built in), then
 * sets {@code net/bridge/bridge-nf-call-iptables} to 1, logging {@code can't set sysctl <name>: <error>} when that
 * fails; the no-op network plugin also sets {@code bridge-nf-call-ip6tables} when it is not 1. kube-proxy's iptables
 * proxier only reads it and logs {@value #MISSING} when it is not 1 ({@code pkg/proxy/iptables/proxier.go}).
 *
 * <p>{@code /proc/sys/net} is per network namespace, and so is this sysctl on Linux &ge; 5.3 (a new namespace
 * starts with 1): the value read and written is that of the namespace the JVM runs in, the node's.
 */
public final class BridgeNetfilter {
    private static final Logger log = LoggerFactory.getLogger(BridgeNetfilter.class);

    /** The sysctl (path under {@code /proc/sys}) making bridged IPv4 traffic pass iptables. */
    public static final String CALL_IPTABLES = "net/bridge/bridge-nf-call-iptables";
    /** The same for IPv6 and ip6tables. */
    public static final String CALL_IP6TABLES = "net/bridge/bridge-nf-call-ip6tables";
    /** kube-proxy's warning when {@link #CALL_IPTABLES} is not 1 (Kubernetes' iptables/ipvs proxier, verbatim). */
    public static final String MISSING = "Missing br-netfilter module or unset sysctl br-nf-call-iptables, proxy may not work as intended";

    private final Path procSys;
    private final List<String> modprobe;

    /**
     * @param procSys  the sysctl tree ({@code /proc/sys}; a directory of files in tests)
     * @param modprobe the command loading the module (empty: none is tried)
     */
    public BridgeNetfilter(Path procSys, List<String> modprobe) {
        this.procSys = procSys;
        this.modprobe = List.copyOf(modprobe);
    }

    /** The running system's: {@code /proc/sys}, {@code modprobe br-netfilter} (kubenet's command). */
    public static BridgeNetfilter system() {
        return new BridgeNetfilter(Path.of("/proc/sys"), List.of("modprobe", "br-netfilter"));
    }

    /** What {@link #ensure()} found and did. */
    public record Status(boolean enabled, String problem) {
    }

    /**
     * The value of {@link #CALL_IPTABLES}: empty when the file does not exist (the kernel has no bridge netfilter:
     * module not loaded, or not built).
     *
     * @throws IllegalStateException when the file exists but cannot be read
     */
    public OptionalInt callIptables() {
        return read(CALL_IPTABLES);
    }

    /**
     * kubenet's {@code Init}: loads the module when the sysctl is missing ({@code modprobe br-netfilter}, result
     * ignored but kept for the message), sets {@link #CALL_IPTABLES} to 1 when it is not, and
     * {@link #CALL_IP6TABLES} when it exists and is not 1. Never throws: a failure is logged as a warning naming
     * the sysctl (kubenet's {@code can't set sysctl <name>: <error>}) and returned.
     */
    public Status ensure() {
        String problem = null;
        if (!Files.exists(procSys.resolve(CALL_IPTABLES)) && !modprobe.isEmpty()) {
            String out = runModprobe();
            if (!Files.exists(procSys.resolve(CALL_IPTABLES))) {
                problem = "can't set sysctl " + CALL_IPTABLES + ": " + procSys.resolve(CALL_IPTABLES)
                        + " does not exist (no br_netfilter in this kernel; " + String.join(" ", modprobe) + ": " + out
                        + "): traffic between pods on the same Linux bridge bypasses iptables (NetworkPolicy, Service DNAT replies)";
            }
        }
        if (problem == null) {
            problem = set(CALL_IPTABLES, true);
        }
        String v6 = set(CALL_IP6TABLES, false);
        if (v6 != null) {
            log.warn(v6);
        }
        if (problem != null) {
            log.warn(problem);
            return new Status(false, problem);
        }
        return new Status(true, null);
    }

    /** Sets {@code name} to 1 unless it is 1 already; the problem, or null. A missing file is a problem only when {@code required}. */
    private String set(String name, boolean required) {
        Path file = procSys.resolve(name);
        try {
            OptionalInt now = read(name);
            if (now.isEmpty()) {
                return required ? "can't set sysctl " + name + ": " + file + " does not exist" : null;
            }
            if (now.getAsInt() == 1) {
                return null;
            }
            Files.writeString(file, "1\n", StandardCharsets.US_ASCII);
            log.info("sysctl {} was {}: set to 1 so that traffic between pods on a Linux bridge passes iptables", name, now.getAsInt());
            return null;
        } catch (IOException | RuntimeException e) {
            return "can't set sysctl " + name + ": " + e.getMessage();
        }
    }

    private OptionalInt read(String name) {
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(procSys.resolve(name), StandardCharsets.US_ASCII).strip()));
        } catch (NoSuchFileException e) {
            return OptionalInt.empty();
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read sysctl " + name + ": " + e, e);
        }
    }

    private String runModprobe() {
        try {
            Process p = new ProcessBuilder(modprobe).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            return p.exitValue() == 0 ? "ok" : "exit " + p.exitValue() + (out.isEmpty() ? "" : ", " + out);
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
