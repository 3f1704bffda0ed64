package io.kube4j.kubelet.network;

import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CniNetworkTest {
    @TempDir
    Path tmp;

    // the bridge's result shape: the pod's address is on interface 2 (eth0), after the bridge and the host veth
    private static final String BRIDGE_RESULT = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"cni0\"},{\"name\":\"veth1\"},"
            + "{\"name\":\"eth0\",\"sandbox\":\"/proc/7/ns/net\"}],\"ips\":[{\"interface\":1,\"address\":\"10.9.9.9/24\"},"
            + "{\"interface\":2,\"address\":\"fd00::5/64\"},{\"interface\":2,\"address\":\"10.213.1.5/24\",\"gateway\":\"10.213.1.1\"}]}";
    private static final String PORTMAP_RESULT = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\"}],\"ips\":[{\"interface\":0,\"address\":\"10.213.1.5/24\"}]}";
    private static final String LO_RESULT = "{\"cniVersion\":\"0.3.1\",\"interfaces\":[{\"name\":\"lo\"}],\"ips\":[{\"interface\":0,\"address\":\"127.0.0.1/8\"}]}";
    private static final Map<String, String> ARGS = CniNetwork.kubernetesArgs("ns1", "web", "uid-1", "c1");

    private Path bin() throws Exception {
        return Files.createDirectories(tmp.resolve("bin"));
    }

    private Path conf() throws Exception {
        return Files.createDirectories(tmp.resolve("net.d"));
    }

    private CniNetwork network(String podCidr) throws Exception {
        return new CniNetwork(conf(), List.of(bin()), () -> podCidr, tmp.resolve("results"), List.of(), Duration.ofSeconds(10), "kube4j", "cni0");
    }

    private FakePlugins plugins() throws Exception {
        return new FakePlugins(bin()).ok("loopback", LO_RESULT).ok("bridge", BRIDGE_RESULT).ok("portmap", PORTMAP_RESULT);
    }

    private void writeConflist(String file, String name, String... types) throws Exception {
        StringBuilder p = new StringBuilder();
        for (String t : types) {
            p.append(p.isEmpty() ? "" : ",").append("{\"type\":\"").append(t).append("\"}");
        }
        Files.writeString(conf().resolve(file), "{\"cniVersion\":\"1.0.0\",\"name\":\"" + name + "\",\"plugins\":[" + p + "]}");
    }

    @Test
    void theFirstUsableFileInLexicalOrderIsTheNetwork() throws Exception {
        plugins();
        writeConflist("30-third.conflist", "third", "bridge");
        Files.writeString(conf().resolve("20-second.conf"), "{\"cniVersion\":\"0.4.0\",\"name\":\"second\",\"type\":\"bridge\",\"bridge\":\"br9\"}");
        writeConflist("15-missing-plugin.conflist", "missing", "flannel");
        Files.writeString(conf().resolve("10-broken.conflist"), "{not json");
        writeConflist("05-empty.conflist", "empty");
        writeConflist("00-other.txt", "other", "bridge");

        NetworkConfigList n = network(null).network();

        // a .conf is a list of its one plugin, named and versioned by it
        assertThat(n.name()).isEqualTo("second");
        assertThat(n.cniVersion()).isEqualTo("0.4.0");
        assertThat(n.types()).containsExactly("bridge");
        assertThat(n.plugins().getFirst().path("bridge").asString()).isEqualTo("br9");
        assertThat(n.source()).endsWith("20-second.conf");
    }

    @Test
    void withoutAFileTheKubenetStyleNetworkIsGeneratedFromThePodCidr() throws Exception {
        plugins();
        NetworkConfigList n = network("10.213.1.0/24").network();

        assertThat(n.toJson()).isEqualTo(Json.tree("""
                {"cniVersion":"1.0.0","name":"kube4j","plugins":[
                  {"type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":false,"hairpinMode":true,
                   "ipam":{"type":"host-local","ranges":[[{"subnet":"10.213.1.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}]}},
                  {"type":"portmap","capabilities":{"portMappings":true}}]}"""));
    }

    @Test
    void theGeneratedNetworkSpeaks040WhenTheBridgeDoesNotKnow100() throws Exception {
        new FakePlugins(bin()).crashing("bridge", "unknown command");
        assertThat(network("10.213.1.0/24").network().cniVersion()).isEqualTo("0.4.0");
    }

    @Test
    void neitherAFileNorAPodCidrIsNotReady() throws Exception {
        plugins();
        assertThatThrownBy(() -> network(null).add("c1", "/proc/7/ns/net", ARGS))
                .isInstanceOf(CniException.class).hasMessageContaining("cni config uninitialized");
    }

    @Test
    void addRunsLoopbackThenThePluginsInOrderEachGivenThePreviousResult() throws Exception {
        FakePlugins fake = plugins();
        writeConflist("10-net.conflist", "net1", "bridge", "portmap");

        String ip = network(null).add("c1", "/proc/7/ns/net", ARGS);

        // the first IPv4 on eth0 (not the one on interface 1, not the IPv6 one), of the last plugin's... chain result
        assertThat(ip).isEqualTo("10.213.1.5");
        assertThat(fake.order()).containsExactly("ADD loopback lo", "ADD bridge eth0", "ADD portmap eth0");
        assertThat(fake.calls().get(1)).startsWith("ADD bridge c1 eth0 /proc/7/ns/net|IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;"
                + "K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=c1;K8S_POD_UID=uid-1|");
        JsonNode loConf = Json.tree(fake.stdin(0));
        assertThat(loConf.path("name").asString()).isEqualTo("cni-loopback");
        JsonNode bridgeConf = Json.tree(fake.stdin(1));
        assertThat(bridgeConf.path("name").asString()).isEqualTo("net1");
        assertThat(bridgeConf.path("cniVersion").asString()).isEqualTo("1.0.0");
        assertThat(bridgeConf.has("prevResult")).isFalse();
        JsonNode portmapConf = Json.tree(fake.stdin(2));
        assertThat(portmapConf.path("prevResult")).isEqualTo(Json.tree(BRIDGE_RESULT));
        assertThat(portmapConf.path("name").asString()).isEqualTo("net1");
    }

    @Test
    void delRunsThePluginsInReverseOrderWithTheCachedResultThenLoopback() throws Exception {
        FakePlugins fake = plugins();
        writeConflist("10-net.conflist", "net1", "bridge", "portmap");
        CniNetwork net = network(null);
        net.add("c1", "/proc/7/ns/net", ARGS);
        assertThat(tmp.resolve("results/net1-c1-eth0")).exists();

        net.del("c1", "/proc/7/ns/net", ARGS);

        assertThat(fake.order().subList(3, 6)).containsExactly("DEL portmap eth0", "DEL bridge eth0", "DEL loopback lo");
        // libcni gives DEL the cached ADD result (the final one: portmap's)
        assertThat(Json.tree(fake.stdin(3)).path("prevResult")).isEqualTo(Json.tree(PORTMAP_RESULT));
        assertThat(Json.tree(fake.stdin(4)).path("prevResult")).isEqualTo(Json.tree(PORTMAP_RESULT));
        assertThat(tmp.resolve("results/net1-c1-eth0")).doesNotExist();
        assertThat(net.podIp("c1")).isEmpty();
    }

    @Test
    void delWithNothingCachedStillAsksThePluginsAndToleratesAGoneNamespace() throws Exception {
        FakePlugins fake = plugins();
        writeConflist("10-net.conflist", "net1", "bridge", "portmap");

        network(null).del("c9", "", ARGS);

        assertThat(fake.order()).containsExactly("DEL portmap eth0", "DEL bridge eth0");
        assertThat(Json.tree(fake.stdin(0)).has("prevResult")).isFalse();
    }

    @Test
    void delOfANodeThatNeverHadANetworkDoesNothing() throws Exception {
        FakePlugins fake = plugins();
        network(null).del("c1", "", ARGS);
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void delUsesTheNetworkAddUsedEvenWhenTheConfigurationChanged() throws Exception {
        FakePlugins fake = plugins();
        AtomicReference<String> cidr = new AtomicReference<>("10.213.1.0/24");
        CniNetwork net = new CniNetwork(conf(), List.of(bin()), cidr::get, tmp.resolve("results"), List.of(), Duration.ofSeconds(10), "kube4j", "cni0");
        net.add("c1", "/proc/7/ns/net", ARGS);
        writeConflist("10-net.conflist", "net1", "bridge");

        net.del("c1", "/proc/7/ns/net", ARGS);

        // the generated network's version was asked of the bridge first: VERSION, then ADD lo, bridge, portmap
        assertThat(fake.order()).containsExactly("VERSION bridge ", "ADD loopback lo", "ADD bridge eth0", "ADD portmap eth0",
                "DEL portmap eth0", "DEL bridge eth0", "DEL loopback lo");
        assertThat(Json.tree(fake.stdin(5)).path("name").asString()).isEqualTo("kube4j");
    }

    @Test
    void aFailedAddSaysWhichPluginFailedWithItsMessageAndDeletesWhatWasMade() throws Exception {
        FakePlugins fake = plugins().failing("portmap", 5, "failed to open iptables", "");
        writeConflist("10-net.conflist", "net1", "bridge", "portmap");

        assertThatThrownBy(() -> network(null).add("c1", "/proc/7/ns/net", ARGS))
                .isInstanceOfSatisfying(CniException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("plugin type=\"portmap\" failed (add): failed to open iptables");
                    assertThat(e.code()).isEqualTo(CniException.IO_FAILURE);
                });
        assertThat(fake.order()).containsExactly("ADD loopback lo", "ADD bridge eth0", "ADD portmap eth0", "DEL portmap eth0", "DEL bridge eth0");
        assertThat(tmp.resolve("results/net1-c1-eth0")).doesNotExist();
    }

    @Test
    void thePodIpOutlivesTheKubeletInTheResultCache() throws Exception {
        plugins();
        network("10.213.1.0/24").add("c1", "/proc/7/ns/net", ARGS);
        assertThat(network("10.213.1.0/24").podIp("c1")).contains("10.213.1.5");
        assertThat(network("10.213.1.0/24").podIp("c2")).isEmpty();
    }

    @Test
    void checkRunsEveryPluginWithTheCachedResult() throws Exception {
        FakePlugins fake = plugins();
        writeConflist("10-net.conflist", "net1", "bridge", "portmap");
        CniNetwork net = network(null);
        net.add("c1", "/proc/7/ns/net", ARGS);

        net.check("c1", "/proc/7/ns/net", ARGS);

        assertThat(fake.order().subList(3, 5)).containsExactly("CHECK bridge eth0", "CHECK portmap eth0");
        assertThat(Json.tree(fake.stdin(3)).path("prevResult")).isEqualTo(Json.tree(PORTMAP_RESULT));
        assertThatThrownBy(() -> net.check("c2", "/proc/8/ns/net", ARGS)).isInstanceOf(CniException.class);
    }

    @Test
    void before040DelGetsNoCachedResultAndCheckIsRefused() throws Exception {
        FakePlugins fake = plugins();
        Files.writeString(conf().resolve("10-old.conflist"), "{\"cniVersion\":\"0.3.1\",\"name\":\"old\",\"plugins\":[{\"type\":\"bridge\"}]}");
        CniNetwork net = network(null);
        net.add("c1", "/proc/7/ns/net", ARGS);

        assertThatThrownBy(() -> net.check("c1", "/proc/7/ns/net", ARGS)).isInstanceOf(CniException.class)
                .hasMessage("configuration version \"0.3.1\" does not support the CHECK command");
        net.del("c1", "/proc/7/ns/net", ARGS);

        assertThat(fake.order().get(2)).isEqualTo("DEL bridge eth0");
        assertThat(Json.tree(fake.stdin(2)).has("prevResult")).isFalse();
    }

    @Test
    void disableCheckSkipsTheCheck() throws Exception {
        FakePlugins fake = plugins();
        Files.writeString(conf().resolve("10-net.conflist"),
                "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"disableCheck\":true,\"plugins\":[{\"type\":\"bridge\"}]}");
        CniNetwork net = network(null);
        net.add("c1", "/proc/7/ns/net", ARGS);
        net.check("c1", "/proc/7/ns/net", ARGS);
        assertThat(fake.order()).containsExactly("ADD loopback lo", "ADD bridge eth0");
    }

    @Test
    void podIpReadsEveryResultVersion() {
        assertThat(CniNetwork.podIp(Json.tree(BRIDGE_RESULT), "eth0")).contains("10.213.1.5");
        assertThat(CniNetwork.podIp(Json.tree("{\"ips\":[{\"address\":\"fd00::1/64\"},{\"address\":\"10.0.0.2/24\"}]}"), "eth0")).contains("10.0.0.2");
        assertThat(CniNetwork.podIp(Json.tree("{\"ips\":[{\"address\":\"fd00::1/64\"}]}"), "eth0")).contains("fd00::1");
        assertThat(CniNetwork.podIp(Json.tree("{\"ip4\":{\"ip\":\"10.1.0.7/16\"}}"), "eth0")).contains("10.1.0.7");
        assertThat(CniNetwork.podIp(Json.tree("{}"), "eth0")).isEmpty();
    }
}
