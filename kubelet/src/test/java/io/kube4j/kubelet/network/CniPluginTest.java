package io.kube4j.kubelet.network;

import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CniPluginTest {
    @TempDir
    Path dir;

    private static final String RESULT = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/proc/1/ns/net\"}],"
            + "\"ips\":[{\"interface\":0,\"address\":\"10.1.2.3/24\"}]}";

    private CniPlugin find(String type) {
        return CniPlugin.find(type, List.of(dir.resolve("missing"), dir), List.of(), Duration.ofSeconds(10));
    }

    private static ObjectNode conf(String type) {
        ObjectNode c = Json.mapper().createObjectNode();
        c.put("cniVersion", "1.0.0");
        c.put("name", "net1");
        c.put("type", type);
        return c;
    }

    @Test
    void addPassesTheParametersInTheEnvironmentAndTheConfigurationOnStdinAndReturnsStdout() throws Exception {
        FakePlugins fake = new FakePlugins(dir).ok("p", RESULT);
        Map<String, String> args = new LinkedHashMap<>();
        args.put("IgnoreUnknown", "1");
        args.put("K8S_POD_NAME", "web");
        JsonNode result = find("p").add(conf("p"), new CniPlugin.Invocation("c1", "/proc/42/ns/net", "eth0", args));

        assertThat(result).isEqualTo(Json.tree(RESULT));
        String call = fake.calls().getFirst();
        assertThat(call).startsWith("ADD p c1 eth0 /proc/42/ns/net|IgnoreUnknown=1;K8S_POD_NAME=web|" + dir.resolve("missing") + ":" + dir + "|");
        assertThat(Json.tree(fake.stdin(0))).isEqualTo(conf("p"));
    }

    @Test
    void delAndCheckSendTheirCommand() throws Exception {
        FakePlugins fake = new FakePlugins(dir).ok("p", RESULT);
        CniPlugin.Invocation inv = new CniPlugin.Invocation("c1", "", "eth0", Map.of());
        find("p").del(conf("p"), inv);
        find("p").check(conf("p"), inv);
        assertThat(fake.order()).containsExactly("DEL p eth0", "CHECK p eth0");
    }

    @Test
    void theSpecsErrorObjectBecomesATypedExceptionWithThePluginsMessage() throws Exception {
        new FakePlugins(dir).failing("p", 11, "no IP addresses available in range set", "10.1.2.0/24");
        assertThatThrownBy(() -> find("p").add(conf("p"), new CniPlugin.Invocation("c1", "/x", "eth0", Map.of())))
                .isInstanceOfSatisfying(CniException.class, e -> {
                    assertThat(e.code()).isEqualTo(CniException.TRY_AGAIN_LATER);
                    assertThat(e.msg()).isEqualTo("no IP addresses available in range set");
                    assertThat(e.details()).isEqualTo("10.1.2.0/24");
                    // libcni's types.Error.Error()
                    assertThat(e.getMessage()).isEqualTo("no IP addresses available in range set; 10.1.2.0/24");
                });
    }

    @Test
    void aFailureWithoutTheErrorObjectReportsStderr() throws Exception {
        new FakePlugins(dir).crashing("p", "panic: boom");
        assertThatThrownBy(() -> find("p").del(conf("p"), new CniPlugin.Invocation("c1", "/x", "eth0", Map.of())))
                .isInstanceOf(CniException.class).hasMessage("netplugin failed: \"panic: boom\"");
    }

    @Test
    void pluginErrorMapsStdoutThenStderrThenExitStatus() {
        assertThat(CniPlugin.pluginError("{\"code\":7,\"msg\":\"bad conf\"}".getBytes(), new byte[0], 1))
                .satisfies(e -> assertThat(e.code()).isEqualTo(CniException.INVALID_NETWORK_CONFIG)).hasMessage("bad conf");
        assertThat(CniPlugin.pluginError("garbage".getBytes(), "x".getBytes(), 1))
                .hasMessage("netplugin failed but error parsing its diagnostic message \"garbage\"");
        assertThat(CniPlugin.pluginError(new byte[0], new byte[0], 3)).hasMessage("netplugin failed with exit status 3");
    }

    @Test
    void anAddResultThatIsNotJsonIsADecodingFailure() throws Exception {
        new FakePlugins(dir).ok("p", "not json");
        assertThatThrownBy(() -> find("p").add(conf("p"), new CniPlugin.Invocation("c1", "/x", "eth0", Map.of())))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(CniException.DECODING_FAILURE));
    }

    @Test
    void theBinaryIsTheFirstOfItsNameOnThePathAndAMissingOneSaysWhereItWasLookedFor() throws Exception {
        new FakePlugins(dir).ok("p", RESULT);
        assertThat(find("p").binary()).isEqualTo(dir.resolve("p"));
        assertThatThrownBy(() -> find("nope")).isInstanceOf(CniException.class)
                .hasMessage("failed to find plugin \"nope\" in path [" + dir.resolve("missing") + " " + dir + "]");
    }

    @Test
    void versionAsksThePluginWithTheVersionCommand() throws Exception {
        FakePlugins fake = new FakePlugins(dir).ok("p", RESULT);
        assertThat(find("p").version("1.0.0").path("supportedVersions").toString()).isEqualTo("[\"0.4.0\",\"1.0.0\"]");
        assertThat(fake.order()).containsExactly("VERSION p ");
        assertThat(Json.tree(fake.stdin(0))).isEqualTo(Json.tree("{\"cniVersion\":\"1.0.0\"}"));
    }

    @Test
    void aLauncherPrefixRunsThePluginThroughIt() throws Exception {
        FakePlugins fake = new FakePlugins(dir).ok("p", RESULT);
        // env(1) stands in for "ip netns exec <ns>": the plugin runs as its argument
        CniPlugin p = CniPlugin.find("p", List.of(dir), List.of("env", "LAUNCHED=1"), Duration.ofSeconds(10));
        assertThat(p.add(conf("p"), new CniPlugin.Invocation("c1", "/x", "eth0", Map.of()))).isEqualTo(Json.tree(RESULT));
        assertThat(fake.calls()).hasSize(1);
    }
}
