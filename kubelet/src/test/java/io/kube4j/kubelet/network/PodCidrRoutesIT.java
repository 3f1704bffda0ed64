package io.kube4j.kubelet.network;

import io.kube4j.api.Node;
import io.kube4j.client.ApiClient;
import io.kube4j.informer.Informer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static io.kube4j.informer.TestStores.preload;
import static io.kube4j.informer.TestStores.remove;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PodCidrRoutes} against the real kernel, never in the root namespace: two network namespaces of this test
 * ({@code k4jrt-<random>-a} and {@code -b}, a veth pair between them on 192.168.241.0/24) stand for two hosts; the
 * routes are programmed inside host a (the test's runner prefixes {@code ip netns exec}), checked with
 * {@code ip -n ... route}, and a packet to a pod address of host b's block (on b's loopback) is answered. Needs
 * root and iproute2 (busybox for ping). Both namespaces, and with them the veth, are deleted after each test.
 */
class PodCidrRoutesIT {
    final String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    final String nsA = "k4jrt-" + id + "-a";
    final String nsB = "k4jrt-" + id + "-b";
    final List<String> created = new ArrayList<>();
    final Informer<Node> nodes = new Informer<>(new ApiClient("http://127.0.0.1:1"), Node.class);
    final PodCidrRoutes routes = new PodCidrRoutes(nodes, "host-a", command -> {
        List<String> inA = new ArrayList<>(List.of("ip", "netns", "exec", nsA));
        inA.addAll(command);
        return PodCidrRoutes.CommandRunner.PROCESS.run(inA);
    });

    static String sh(String... command) {
        PodCidrRoutes.CommandRunner.Result r = PodCidrRoutes.CommandRunner.PROCESS.run(List.of(command));
        assertThat(r.ok()).as(String.join(" ", command) + ": " + r.output()).isTrue();
        return r.output();
    }

    @BeforeEach
    void twoHosts() {
        sh("ip", "netns", "add", nsA);
        created.add(nsA);
        sh("ip", "netns", "add", nsB);
        created.add(nsB);
        // created inside a, so it never appears in the root namespace; deleting a namespace deletes its veth end
        sh("ip", "-n", nsA, "link", "add", "k4jrt" + id + "a", "type", "veth", "peer", "name", "k4jrt" + id + "b", "netns", nsB);
        sh("ip", "-n", nsA, "addr", "add", "192.168.241.1/24", "dev", "k4jrt" + id + "a");
        sh("ip", "-n", nsB, "addr", "add", "192.168.241.2/24", "dev", "k4jrt" + id + "b");
        // a "pod" of host b: an address of its block
        sh("ip", "-n", nsB, "addr", "add", "10.250.1.10/32", "dev", "lo");
        for (String[] link : List.of(new String[]{nsA, "k4jrt" + id + "a"}, new String[]{nsB, "k4jrt" + id + "b"},
                new String[]{nsA, "lo"}, new String[]{nsB, "lo"})) {
            sh("ip", "-n", link[0], "link", "set", link[1], "up");
        }
    }

    @AfterEach
    void deleteNamespaces() {
        for (String ns : created) {
            PodCidrRoutes.CommandRunner.PROCESS.run(List.of("ip", "netns", "del", ns));
        }
        assertThat(sh("ip", "netns", "list")).doesNotContain("k4jrt-" + id);
    }

    static Node node(String name, String podCidr, String internalIp) {
        Node n = new Node();
        n.metadata.name = name;
        n.spec.podCIDR = podCidr;
        n.spec.podCIDRs.add(podCidr);
        n.status.addresses.add(new Node.NodeAddress("InternalIP", internalIp));
        return n;
    }

    String routesOfA() {
        return sh("ip", "-n", nsA, "route");
    }

    boolean ping(String ip) {
        return PodCidrRoutes.CommandRunner.PROCESS.run(List.of("ip", "netns", "exec", nsA, "busybox", "ping", "-c", "1", "-W", "2", ip)).ok();
    }

    @Test
    void routesToOtherHostsPodCidrsAppearCarryPacketsAndGoWithTheirNodes() {
        Node b = node("host-b", "10.250.1.0/24", "192.168.241.2");
        preload(nodes, node("host-a", "10.250.0.0/24", "192.168.241.1"), b, node("host-c", "10.250.2.0/24", "192.168.241.3"));
        assertThat(ping("10.250.1.10")).as("no route yet").isFalse();

        assertThat(routes.sync(false)).isTrue();

        String table = routesOfA();
        assertThat(table).contains("10.250.1.0/24 via 192.168.241.2 dev k4jrt" + id + "a");
        assertThat(table).contains("10.250.2.0/24 via 192.168.241.3 dev k4jrt" + id + "a");
        assertThat(table).doesNotContain("10.250.0.0/24");
        assertThat(ping("10.250.1.10")).as("a pod address of host b answers through the route").isTrue();

        // host c moves; host b goes away
        preload(nodes, node("host-c", "10.250.2.0/24", "192.168.241.4"));
        remove(nodes, b);
        assertThat(routes.sync(false)).isTrue();

        table = routesOfA();
        assertThat(table).doesNotContain("10.250.1.0/24");
        assertThat(table).contains("10.250.2.0/24 via 192.168.241.4 dev k4jrt" + id + "a");
        assertThat(table).doesNotContain("192.168.241.3");
        assertThat(ping("10.250.1.10")).isFalse();
    }
}
