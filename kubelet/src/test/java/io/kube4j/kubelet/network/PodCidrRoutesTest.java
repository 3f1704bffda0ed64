package io.kube4j.kubelet.network;

import io.kube4j.api.Node;
import io.kube4j.client.ApiClient;
import io.kube4j.informer.Informer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static io.kube4j.informer.TestStores.preload;
import static io.kube4j.informer.TestStores.remove;
import static org.assertj.core.api.Assertions.assertThat;

class PodCidrRoutesTest {
    final Informer<Node> nodes = new Informer<>(new ApiClient("http://127.0.0.1:1"), Node.class);
    final List<String> commands = new ArrayList<>();
    Predicate<String> fail = c -> false;
    String failOutput = "RTNETLINK answers: Network is unreachable";
    final PodCidrRoutes routes = new PodCidrRoutes(nodes, "self", command -> {
        String line = String.join(" ", command);
        commands.add(line);
        return fail.test(line) ? new PodCidrRoutes.CommandRunner.Result(2, failOutput) : new PodCidrRoutes.CommandRunner.Result(0, "");
    });

    static Node node(String name, String podCidr, String internalIp) {
        Node n = new Node();
        n.metadata.name = name;
        if (podCidr != null) {
            n.spec.podCIDR = podCidr;
            n.spec.podCIDRs.add(podCidr);
        }
        if (internalIp != null) {
            n.status.addresses.add(new Node.NodeAddress("InternalIP", internalIp));
        }
        n.status.addresses.add(new Node.NodeAddress("Hostname", name));
        return n;
    }

    @Test
    void everyOtherNodesPodCidrIsRoutedViaItsInternalIpButNotTheKubeletsOwn() {
        preload(nodes, node("self", "10.244.0.0/24", "192.168.50.1"), node("b", "10.244.1.0/24", "192.168.50.2"),
                node("c", "10.244.2.0/24", "192.168.50.3"),
                // not yet given a block, or without an address: nothing to route
                node("no-cidr", null, "192.168.50.4"), node("no-address", "10.244.3.0/24", null));

        assertThat(routes.sync(false)).isTrue();

        assertThat(commands).containsExactly(
                "ip route replace 10.244.1.0/24 via 192.168.50.2",
                "ip route replace 10.244.2.0/24 via 192.168.50.3");
    }

    @Test
    void onlyChangesRunAgainUnlessAFullResyncAsksForAll() {
        preload(nodes, node("b", "10.244.1.0/24", "192.168.50.2"), node("c", "10.244.2.0/24", "192.168.50.3"));
        routes.sync(false);
        commands.clear();

        routes.sync(false);
        assertThat(commands).isEmpty();

        routes.sync(true);
        assertThat(commands).hasSize(2);
    }

    @Test
    void theRouteOfADeletedNodeIsRemovedNamingItsGateway() {
        Node b = node("b", "10.244.1.0/24", "192.168.50.2");
        preload(nodes, b, node("c", "10.244.2.0/24", "192.168.50.3"));
        routes.sync(false);
        commands.clear();

        remove(nodes, b);
        assertThat(routes.sync(false)).isTrue();

        assertThat(commands).containsExactly("ip route del 10.244.1.0/24 via 192.168.50.2");
        assertThat(routes.programmed()).containsOnlyKeys("10.244.2.0/24");
    }

    @Test
    void aNodeThatMovesToAnotherAddressHasItsRouteReplacedAndOneThatLosesItsAddressItsRouteRemoved() {
        preload(nodes, node("b", "10.244.1.0/24", "192.168.50.2"), node("c", "10.244.2.0/24", "192.168.50.3"));
        routes.sync(false);
        commands.clear();

        preload(nodes, node("b", "10.244.1.0/24", "192.168.50.22"), node("c", "10.244.2.0/24", null));
        routes.sync(false);

        assertThat(commands).containsExactly(
                "ip route del 10.244.2.0/24 via 192.168.50.3",
                "ip route replace 10.244.1.0/24 via 192.168.50.22");
        assertThat(routes.programmed()).containsExactlyEntriesOf(java.util.Map.of("10.244.1.0/24", "192.168.50.22"));
    }

    @Test
    void aFailedCommandIsReportedAndTriedAgainAtTheNextSync() {
        preload(nodes, node("b", "10.244.1.0/24", "10.9.9.9"));
        fail = c -> c.contains("10.9.9.9");

        assertThat(routes.sync(false)).isFalse();
        assertThat(routes.programmed()).isEmpty();

        fail = c -> false;
        commands.clear();
        assertThat(routes.sync(false)).isTrue();
        assertThat(commands).containsExactly("ip route replace 10.244.1.0/24 via 10.9.9.9");
    }

    @Test
    void aRouteAlreadyGoneCountsAsRemoved() {
        Node b = node("b", "10.244.1.0/24", "192.168.50.2");
        preload(nodes, b);
        routes.sync(false);
        remove(nodes, b);
        fail = c -> c.startsWith("ip route del");
        failOutput = "RTNETLINK answers: No such process";

        assertThat(routes.sync(false)).isTrue();
        assertThat(routes.programmed()).isEmpty();
    }

    @Test
    void anIpv6BlockIsRoutedOnlyViaAnIpv6Address() {
        Node dual = node("b", "10.244.1.0/24", "192.168.50.2");
        dual.spec.podCIDRs.add("fd00:10:244:1::/64");
        preload(nodes, dual);
        routes.sync(false);
        assertThat(commands).containsExactly("ip route replace 10.244.1.0/24 via 192.168.50.2");
    }
}
