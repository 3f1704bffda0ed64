package io.kube4j.e2e;

import io.kube4j.testing.netns.Netns;
import io.kube4j.testing.netns.NetnsHost;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue #19's "Done when" with the docker runtime using CNI ({@link AbstractMultiHostNetworkIT}'s steps): each
 * host's kubelet runs its pods on the root namespace's dockerd (over its unix socket, a filesystem path reachable from
 * any network namespace) with network-plugin cni: sandboxes with {@code NetworkMode: none} plugged by the kubelet's
 * own CNI ADD into the host's {@code cni0} bridge, from the kubenet-style network the kubelet generates from its
 * Node's podCIDR (the conf dir is empty). Only containers and volumes labelled with the run's node names are removed.
 */
class MultiHostNetworkIT extends AbstractMultiHostNetworkIT {
    private static final String DOCKER_SOCKET = "/var/run/docker.sock";

    @Override
    void assumeRuntime() {
        assumeTrue(Files.exists(Path.of(DOCKER_SOCKET)) && Netns.run("docker", "image", "inspect", IMAGE).ok(),
                "needs dockerd and " + IMAGE);
    }

    @Override
    String lanSubnet() {
        return "10.131.0";
    }

    @Override
    List<String> startRuntime(NetnsHost host) throws Exception {
        // an empty conf dir: every kubelet generates its kubenet-style network from its Node's podCIDR
        Path confDir = Files.createDirectories(workDir.resolve("net.d"));
        return List.of(
                "--kube4j.kubelet.runtime=docker",
                "--kube4j.kubelet.docker.socket=" + DOCKER_SOCKET,
                "--kube4j.kubelet.sandbox-image=" + IMAGE,
                "--kube4j.kubelet.cni.conf-dir=" + confDir);
    }

    @Override
    String containerIdType() {
        return "docker";
    }

    @Override
    Netns.Result exec(PodFacts pod, String... command) {
        List<String> cmd = new ArrayList<>(List.of("docker", "exec", pod.container()));
        cmd.addAll(List.of(command));
        return Netns.run(cmd, null);
    }

    /** Ids of the containers (sandboxes included) the kubelet of {@code host} created, running or not. */
    @Override
    List<String> leftovers(NetnsHost host) {
        Netns.Result r = Netns.run("docker", "ps", "-aq", "--filter", "label=io.kube4j.node=" + host.namespace());
        return r.ok() ? r.output().lines().map(String::strip).filter(s -> !s.isEmpty()).toList() : List.of();
    }

    @Override
    void stopRuntimes() {
        for (NetnsHost host : kubelets.keySet()) {
            List<String> left = leftovers(host);
            if (!left.isEmpty()) {
                List<String> rm = new ArrayList<>(List.of("docker", "rm", "-f", "-v"));
                rm.addAll(left);
                Netns.run(rm, null);
            }
            String volumes = Netns.run("docker", "volume", "ls", "-q", "--filter", "label=io.kube4j.node=" + host.namespace()).output();
            for (String v : volumes.split("\\s+")) {
                if (!v.isBlank()) {
                    Netns.run("docker", "volume", "rm", "-f", v.strip());
                }
            }
        }
    }
}
