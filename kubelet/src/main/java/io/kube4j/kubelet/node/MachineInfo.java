package io.kube4j.kubelet.node;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;

/** Facts about the machine the kubelet runs on: CPUs, memory, first IPv4 address, OS and ids. */
public final class MachineInfo {
    private MachineInfo() {
    }

    public static int cpus() {
        return Runtime.getRuntime().availableProcessors();
    }

    public static long memoryBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** The first non-loopback IPv4 address of an interface that is up, else 127.0.0.1. */
    public static String firstIpv4() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // no interfaces to look at: fall through to loopback
        }
        return "127.0.0.1";
    }

    /**
     * The node's address as the apiserver at {@code apiserverUrls} sees it: the local address of the
     * route to the (first) apiserver host, when that is not loopback (on a machine with several
     * networks, as a kubelet container on two compose networks, it is the one the apiserver can reach);
     * otherwise the first non-loopback IPv4. Connecting a UDP socket sends nothing.
     */
    public static String addressFacing(String apiserverUrls) {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
            java.net.URI uri = java.net.URI.create(apiserverUrls.split(",")[0].trim());
            s.connect(InetAddress.getByName(uri.getHost()), uri.getPort() > 0 ? uri.getPort() : 80);
            InetAddress local = s.getLocalAddress();
            if (local instanceof Inet4Address && !local.isLoopbackAddress() && !local.isAnyLocalAddress()) {
                return local.getHostAddress();
            }
        } catch (IOException | RuntimeException e) {
            // unresolvable or unroutable: fall back
        }
        return firstIpv4();
    }

    public static String hostname() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.toLowerCase();
        }
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** PRETTY_NAME of /etc/os-release, or the JVM's os.name. */
    public static String osImage() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // not Linux, or no os-release
        }
        return System.getProperty("os.name");
    }

    /** Kubernetes' GOARCH names for the JVM's os.arch. */
    public static String architecture() {
        return switch (System.getProperty("os.arch")) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
    }

    public static String operatingSystem() {
        return System.getProperty("os.name").toLowerCase().startsWith("linux") ? "linux" : System.getProperty("os.name").toLowerCase();
    }

    /** The content of a small id file (/etc/machine-id, boot_id), or empty. */
    public static String readId(String path) {
        try {
            return Files.readString(Path.of(path)).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
