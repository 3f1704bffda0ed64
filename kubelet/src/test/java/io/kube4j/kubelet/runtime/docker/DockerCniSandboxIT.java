package io.kube4j.kubelet.runtime.docker;

import io.kube4j.testing.netns.Netns;
import io.kube4j.kubelet.KubeletProperties;
import io.kube4j.kubelet.network.CniNetwork;
import io.kube4j.kubelet.runtime.ExecResult;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.runtime.Sandbox;
import io.kube4j.kubelet.runtime.SandboxConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The docker runtime with {@code network-plugin=cni} against the real Docker Engine and the real CNI plugins: the
 * sandbox container starts with {@code NetworkMode: none}, CNI ADD attaches its namespace
 * ({@code /proc/<pid>/ns/net}) to a bridge, and the runtime reports the address CNI gave. The plugins run in a
 * network namespace of this test ({@code k4jcni-d-*}, the node's namespace as far as they know), so the bridge, the
 * host veth and the masquerade rules are made there and never in the root namespace; the kubelet itself is not
 * needed for this (the full kubelet on a namespace host is the e2e's).
 */
class DockerCniSandboxIT {
    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String hostNs = "k4jcni-d-" + id;
    private final String network = "k4jcni-d-" + id;
    private final String node = "k4jcni-node-" + id;
    private final Path leases = Path.of("/var/lib/cni/networks", network);

    @TempDir
    Path tmp;

    private DockerRuntime runtime;

    @BeforeEach
    void setUp() throws Exception {
        run("ip", "netns", "add", hostNs);
        CniNetwork cni = new CniNetwork(Files.createDirectories(tmp.resolve("net.d")), CniNetwork.searchPath("/usr/lib/cni:/opt/cni/bin"),
                () -> "10.213.2.0/24", tmp.resolve("results"), List.of("ip", "netns", "exec", hostNs), Duration.ofSeconds(30),
                network, CniNetwork.DEFAULT_BRIDGE);
        runtime = new DockerRuntime(new DockerClient(Path.of("/var/run/docker.sock")), node, "", "local/busybox:latest",
                new KubeletProperties.PodNetwork("", "cluster.local", "", ""), cni);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (runtime != null) {
            for (Sandbox s : runtime.listPodSandboxes()) {
                runtime.removeContainer(s.id());
            }
        }
        Netns.run("ip", "netns", "del", hostNs);
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
    void theSandboxGetsItsAddressFromCniAnswersOnItAndGivesItBackWhenStopped() throws Exception {
        PodRef pod = new PodRef("uid-" + id, "default", "web");

        String sandboxId = runtime.runPodSandbox(new SandboxConfig(pod, 0, "web-" + id));

        Sandbox sandbox = runtime.listPodSandboxes(pod.uid()).getFirst();
        String ip = sandbox.ip();
        assertThat(ip).startsWith("10.213.2.").isNotEqualTo("10.213.2.1");
        assertThat(leases.resolve(ip)).exists();
        // inside the sandbox: eth0 with that address, lo up, the default route via the bridge
        ExecResult addr = runtime.exec(sandboxId, List.of("ip", "-4", "-o", "addr"), Duration.ofSeconds(10));
        assertThat(addr.output()).contains("eth0").contains("inet " + ip + "/24").contains("lo");
        assertThat(runtime.exec(sandboxId, List.of("ip", "route"), Duration.ofSeconds(10)).output()).contains("default via 10.213.2.1 dev eth0");
        assertThat(run("ip", "-n", hostNs, "-4", "-o", "addr", "show", "dev", "cni0")).contains("inet 10.213.2.1/24");

        // a server in the pod answers the node on the pod IP
        ExecResult httpd = runtime.exec(sandboxId, List.of("httpd", "-p", "8080", "-h", "/etc"), Duration.ofSeconds(10));
        assertThat(httpd.exitCode()).isZero();
        assertThat(fetch("http://" + ip + ":8080/hostname").strip()).isEqualTo("web-" + id);

        runtime.stopPodSandbox(sandboxId);

        assertThat(leases.resolve(ip)).doesNotExist();
        assertThat(run("ip", "-n", hostNs, "-o", "link", "show", "type", "veth")).isBlank();
        runtime.removePodSandbox(sandboxId);
        assertThat(runtime.listPodSandboxes(pod.uid())).isEmpty();
    }

    private String fetch(String url) throws Exception {
        Netns.Result last = null;
        for (int i = 0; i < 50; i++) {
            last = Netns.run("ip", "netns", "exec", hostNs, "curl", "-sf", "--max-time", "2", url);
            if (last.exitCode() == 0) {
                return last.output();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no answer from " + url + ": " + last);
    }



    /** The command's output; an {@link IllegalStateException} with it when it fails. */
    private static String run(String... cmd) {
        return Netns.run(cmd).orThrow(String.join(" ", cmd));
    }
}
