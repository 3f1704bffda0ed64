package io.kube4j.e2e;

import io.kube4j.testing.ContainerdFixture;
import io.kube4j.testing.netns.Netns;
import io.kube4j.testing.netns.NetnsHost;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue #19's "Done when" with the CRI runtime ({@link AbstractMultiHostNetworkIT}'s steps): each host runs a
 * containerd of its own ({@link ContainerdFixture#startIn}: Debian's containerd 1.6 with runc, started with
 * {@code nsenter --net} into the host's namespace, its root, state, socket and CNI conf dir under the test's
 * directory) and a kubelet with {@code runtime=cri} talking to it over its socket. containerd's CRI plugin runs the
 * CNI plugins itself, from its {@code conf_template} ({@link #confTemplate}: the kubenet-shaped network, bridge
 * {@code cni0} (isGateway, no ipMasq, hairpin) with host-local addresses from {@code {{.PodCIDR}}}, and portmap): once
 * node IPAM gave the Node its podCIDR, the kubelet passes it on with CRI UpdateRuntimeConfig (Kubernetes'
 * updatePodCIDR) and containerd renders the template into its conf dir, as on a containerd user's node. Until then
 * containerd answers RunPodSandbox with "cni plugin not initialized" and the kubelet retries after its back-off. The kubelet
 * still runs with network-plugin cni for its host-gw routes and kubenet's masquerade rule; its own CNI calls are the
 * docker runtime's only. Pods are exec'ed into with {@code ctr tasks exec}.
 */
class MultiHostCriNetworkIT extends AbstractMultiHostNetworkIT {
    private final Map<NetnsHost, ContainerdFixture> containerds = new LinkedHashMap<>();
    private final AtomicInteger execs = new AtomicInteger();

    @Override
    void assumeRuntime() {
        for (String tool : List.of("/usr/bin/containerd", "/usr/bin/ctr")) {
            assumeTrue(Files.isExecutable(Path.of(tool)), "needs " + tool + " (Debian's containerd)");
        }
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc")), "needs runc");
        assumeTrue(Netns.run("docker", "image", "inspect", IMAGE).ok(), "needs " + IMAGE + " in Docker (imported into each containerd)");
    }

    @Override
    String lanSubnet() {
        return "10.132.0";
    }

    @Override
    List<String> startRuntime(NetnsHost host) {
        if (containerds.isEmpty()) {
            startContainerds();
        }
        ContainerdFixture containerd = containerds.get(host);
        return List.of(
                "--kube4j.kubelet.runtime=cri",
                "--kube4j.kubelet.cri.endpoint=unix://" + containerd.socket,
                "--kube4j.kubelet.sandbox-image=" + ContainerdFixture.SANDBOX_IMAGE,
                "--kube4j.kubelet.cni.conf-dir=" + containerd.cniConfDir());
    }

    /** One containerd per host, started together (each boots and imports the images in a few seconds). */
    private void startContainerds() {
        Map<NetnsHost, CompletableFuture<ContainerdFixture>> starting = new LinkedHashMap<>();
        for (NetnsHost h : hosts) {
            starting.put(h, CompletableFuture.supplyAsync(() -> {
                try {
                    return ContainerdFixture.startIn(h.namespace(), workDir.resolve(h.name()), confTemplate(workDir.resolve(h.name()).resolve("ipam")));
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }));
        }
        RuntimeException failed = null;
        for (var e : starting.entrySet()) {
            try {
                containerds.put(e.getKey(), e.getValue().join());
            } catch (CompletionException ex) {
                if (failed == null) {
                    failed = new IllegalStateException("containerd in " + e.getKey() + ": " + ex.getCause().getMessage(), ex.getCause());
                }
            }
        }
        if (failed != null) {
            // the started ones are closed by stopAll through stopRuntimes
            throw failed;
        }
    }

    /**
     * The kubenet-shaped network as containerd's CRI {@code conf_template} (the kubelet's own generated one for the docker
     * runtime, CniNetwork.kubenet): bridge {@code cni0} (isGateway, no ipMasq, hairpin) with host-local addresses from
     * {@code {{.PodCIDR}}}, and portmap.
     */
    static String confTemplate(Path ipamDir) {
        return """
                {"cniVersion": "0.4.0", "name": "kube4j", "plugins": [
                  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
                   "ipam": {"type": "host-local", "dataDir": "%s", "ranges": [[{"subnet": "{{.PodCIDR}}"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
                  {"type": "portmap", "capabilities": {"portMappings": true}}
                ]}
                """.formatted(ipamDir);
    }

    /**
     * Nothing for the test to write: each kubelet, seeing its Node's podCIDR, sends CRI UpdateRuntimeConfig with it
     * (Kubernetes' updatePodCIDR) and containerd renders its conf_template into the conf dir, as a containerd user's
     * node gets its network. Checked here: the rendered file appears, with the node's podCIDR in it.
     */
    @Override
    void nodesHavePodCidrs(Map<NetnsHost, String> podCidrs) throws Exception {
        for (var e : podCidrs.entrySet()) {
            ContainerdFixture containerd = containerds.get(e.getKey());
            Path rendered = containerd.templateOutput();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMinutes(1)).pollInterval(java.time.Duration.ofSeconds(1))
                    .alias("containerd in " + e.getKey() + " rendered its conf_template for " + e.getValue() + " into " + rendered
                            + " (the kubelet's UpdateRuntimeConfig); containerd log:\n" + containerd.log())
                    .until(() -> Files.exists(rendered) && Files.readString(rendered).contains("\"" + e.getValue() + "\""));
        }
    }

    @Override
    String containerIdType() {
        return "containerd";
    }

    @Override
    Netns.Result exec(PodFacts pod, String... command) {
        ContainerdFixture containerd = containerds.entrySet().stream().filter(e -> e.getKey().namespace().equals(pod.node()))
                .map(Map.Entry::getValue).findFirst().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", containerd.socket.toString(), "-n", ContainerdFixture.CRI_NAMESPACE,
                "tasks", "exec", "--exec-id", "k4j-mh-" + execs.incrementAndGet(), pod.container()));
        cmd.addAll(List.of(command));
        return Netns.run(cmd, null);
    }

    /** The containerd containers (sandboxes included) on the host's containerd. */
    @Override
    List<String> leftovers(NetnsHost host) {
        ContainerdFixture containerd = containerds.get(host);
        if (containerd == null) {
            return List.of();
        }
        Netns.Result r = Netns.run("ctr", "--address", containerd.socket.toString(), "-n", ContainerdFixture.CRI_NAMESPACE, "containers", "ls", "-q");
        return r.ok() ? r.output().lines().map(String::strip).filter(s -> !s.isEmpty()).toList() : List.of();
    }

    @Override
    void stopRuntimes() {
        for (ContainerdFixture containerd : containerds.values()) {
            containerd.close();
        }
        containerds.clear();
    }
}
