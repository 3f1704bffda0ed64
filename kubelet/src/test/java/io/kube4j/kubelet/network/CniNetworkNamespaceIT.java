package io.kube4j.kubelet.network;

import io.kube4j.testing.netns.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * {@link CniNetwork} with Debian's real plugins (containernetworking-plugins in {@code /usr/lib/cni}) on the real
 * kernel, entirely inside network namespaces this test makes ({@code k4jcni-*}): a "host" namespace the plugins run
 * in (as the kubelet runs them in its node's), where the bridge {@code cni0}, the host veths and the bridge
 * plugin's masquerade rules go, and two "pod" namespaces. Needs root, iproute2, iptables, curl and busybox (CI
 * installs them in {@code .ci/run}); nothing is made in the root namespace.
 */
class CniNetworkNamespaceIT {
    private static final String POD_CIDR = "10.213.1.0/24";
    private final String id = HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(3).putShort((short) ThreadLocalRandom.current().nextInt())
            .put((byte) ThreadLocalRandom.current().nextInt()).array());
    private final String hostNs = "k4jcni-h-" + id;
    private final String podNs = "k4jcni-p-" + id;
    private final String pod2Ns = "k4jcni-q-" + id;
    private final String network = "k4jcni-" + id;
    private final Path leases = Path.of("/var/lib/cni/networks", network);
    private final List<Process> processes = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();

    @TempDir
    Path tmp;

    private CniNetwork cni;

    @BeforeEach
    void namespaces() throws Exception {
        for (String ns : List.of(hostNs, podNs, pod2Ns)) {
            run("ip", "netns", "add", ns);
            namespaces.add(ns);
        }
        run("ip", "-n", hostNs, "link", "set", "lo", "up");
        Path confDir = Files.createDirectories(tmp.resolve("net.d"));
        // the generated kubenet-style network, under a name of this test's own (host-local's lease dir) and run in the host namespace
        cni = new CniNetwork(confDir, CniNetwork.searchPath("/usr/lib/cni:/opt/cni/bin"), () -> POD_CIDR, tmp.resolve("results"),
                List.of("ip", "netns", "exec", hostNs), Duration.ofSeconds(30), network, CniNetwork.DEFAULT_BRIDGE);
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        // deleting the host namespace takes cni0, the host veths and the masquerade rules with it
        for (String ns : namespaces) {
            Netns.run("ip", "netns", "del", ns);
        }
        if (Files.isDirectory(leases)) {
            try (var files = Files.list(leases)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(leases);
        }
    }

    @Test
    void addGivesThePodAnAddressOnTheBridgeItAnswersOnAndDelReleasesIt() throws Exception {
        // the pod's namespace as the kubelet names it for a docker sandbox: /proc/<pid of a process in it>/ns/net
        Process sandbox = start("ip", "netns", "exec", podNs, "busybox", "sleep", "600");
        Path podNetns = Path.of("/proc", String.valueOf(sandbox.pid()), "ns", "net");
        waitForNamespaceOf(sandbox, podNs);
        Map<String, String> args = CniNetwork.kubernetesArgs("default", "web", "uid-1", "sandbox1-" + id);

        String ip = cni.add("sandbox1-" + id, podNetns.toString(), args);

        assertThat(ip).startsWith("10.213.1.").isNotEqualTo("10.213.1.1");
        assertThat(run("ip", "-n", podNs, "-4", "-o", "addr", "show", "dev", "eth0")).contains("inet " + ip + "/24");
        assertThat(run("ip", "-n", podNs, "-o", "link", "show", "dev", "lo")).contains("UP");
        assertThat(run("ip", "-n", podNs, "route", "show", "default")).contains("via 10.213.1.1 dev eth0");
        assertThat(run("ip", "-n", hostNs, "-4", "-o", "addr", "show", "dev", "cni0")).contains("inet 10.213.1.1/24");
        assertThat(leases.resolve(ip)).exists();
        // ipMasq false (kubenet's template): the bridge plugin added no masquerade rule for this pod
        assertThat(run("ip", "netns", "exec", hostNs, "iptables", "-t", "nat", "-S", "POSTROUTING")).doesNotContain("-s " + ip + "/32")
                .doesNotContain("name: \\\"" + network + "\\\"");
        assertThat(cni.podIp("sandbox1-" + id)).contains(ip);

        // the pod answers from the host namespace
        Path www = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(www.resolve("token"), "hello-" + id);
        start("ip", "netns", "exec", podNs, "busybox", "httpd", "-f", "-p", "8080", "-h", www.toString());
        assertThat(fetch(hostNs, "http://" + ip + ":8080/token")).isEqualTo("hello-" + id);

        // a second pod while the first holds its address: another address, and it reaches the first over the bridge
        Map<String, String> args2 = CniNetwork.kubernetesArgs("default", "web2", "uid-2", "sandbox2-" + id);
        String ip2 = cni.add("sandbox2-" + id, "/var/run/netns/" + pod2Ns, args2);
        assertThat(ip2).startsWith("10.213.1.").isNotEqualTo(ip).isNotEqualTo("10.213.1.1");
        assertThat(fetch(pod2Ns, "http://" + ip + ":8080/token")).isEqualTo("hello-" + id);
        assertThat(vethsInHost()).isEqualTo(2);

        assertThatCode(() -> cni.check("sandbox1-" + id, podNetns.toString(), args)).doesNotThrowAnyException();

        cni.del("sandbox1-" + id, podNetns.toString(), args);

        assertThat(leases.resolve(ip)).doesNotExist();
        assertThat(leases.resolve(ip2)).exists();
        assertThat(vethsInHost()).isEqualTo(1);
        assertThat(Netns.run("ip", "-n", podNs, "link", "show", "dev", "eth0").exitCode()).isNotZero();
        assertThat(run("ip", "netns", "exec", hostNs, "iptables", "-t", "nat", "-S", "POSTROUTING")).doesNotContain("-s " + ip + "/32");
        assertThat(cni.podIp("sandbox1-" + id)).isEmpty();
        // DEL again, and DEL of a sandbox whose namespace is gone: nothing left, no error (the spec's rule)
        assertThatCode(() -> cni.del("sandbox1-" + id, podNetns.toString(), args)).doesNotThrowAnyException();
        assertThatCode(() -> cni.del("sandbox2-" + id, "", args2)).doesNotThrowAnyException();
        assertThat(leases.resolve(ip2)).doesNotExist();
    }

    @Test
    void aFailedAddCarriesThePluginsMessageAndLeavesNothingBehind() throws Exception {
        // host-local cannot use this range: the bridge plugin (which made the veth before asking IPAM) fails
        CniNetwork broken = new CniNetwork(tmp.resolve("net.d"), CniNetwork.searchPath("/usr/lib/cni:/opt/cni/bin"), () -> "10.213.1.0/33",
                tmp.resolve("results"), List.of("ip", "netns", "exec", hostNs), Duration.ofSeconds(30), network, CniNetwork.DEFAULT_BRIDGE);
        Map<String, String> args = CniNetwork.kubernetesArgs("default", "web", "uid-1", "sandbox3-" + id);

        CniException e = org.junit.jupiter.api.Assertions.assertThrows(CniException.class,
                () -> broken.add("sandbox3-" + id, "/var/run/netns/" + podNs, args));

        assertThat(e.getMessage()).startsWith("plugin type=\"bridge\" failed (add): ").contains("10.213.1.0/33");
        assertThat(Netns.run("ip", "-n", podNs, "link", "show", "dev", "eth0").exitCode()).isNotZero();
        assertThat(vethsInHost()).isZero();
        assertThat(broken.podIp("sandbox3-" + id)).isEmpty();
    }

    private int vethsInHost() throws Exception {
        return (int) run("ip", "-n", hostNs, "-o", "link", "show", "type", "veth").lines().count();
    }

    /** curl from inside {@code ns}, retried while the server starts. */
    private String fetch(String ns, String url) throws Exception {
        Netns.Result last = null;
        for (int i = 0; i < 50; i++) {
            last = Netns.run("ip", "netns", "exec", ns, "curl", "-sf", "--max-time", "2", url);
            if (last.exitCode() == 0) {
                return last.output();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no answer from " + url + " in " + ns + ": " + last);
    }

    private void waitForNamespaceOf(Process p, String ns) throws Exception {
        String nsInode = run("stat", "-L", "-c", "%i", "/var/run/netns/" + ns).strip();
        for (int i = 0; i < 50; i++) {
            Netns.Result e = Netns.run("stat", "-L", "-c", "%i", "/proc/" + p.pid() + "/ns/net");
            if (e.exitCode() == 0 && e.output().strip().equals(nsInode)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("process " + p.pid() + " did not enter " + ns);
    }

    private Process start(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(p);
        return p;
    }



    /** The command's output; an {@link IllegalStateException} with it when it fails. */
    private static String run(String... cmd) {
        return Netns.run(cmd).orThrow(String.join(" ", cmd));
    }
}
