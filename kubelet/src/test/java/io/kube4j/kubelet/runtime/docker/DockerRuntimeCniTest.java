package io.kube4j.kubelet.runtime.docker;

import io.kube4j.kubelet.network.CniNetwork;
import io.kube4j.kubelet.network.FakePlugins;
import io.kube4j.kubelet.KubeletProperties;
import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.runtime.Sandbox;
import io.kube4j.kubelet.runtime.SandboxConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link DockerRuntime} with {@code network-plugin=cni}: a canned Docker Engine on a unix socket and shell-script CNI
 * plugins stand in for the daemon and the real plugins (CniNetworkNamespaceIT runs those on a real kernel).
 */
class DockerRuntimeCniTest {
    private static final PodRef POD = new PodRef("uid-1", "ns1", "web");
    private static final String BRIDGE_RESULT = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"cni0\"},{\"name\":\"veth1\"},"
            + "{\"name\":\"eth0\",\"sandbox\":\"/proc/4242/ns/net\"}],\"ips\":[{\"interface\":2,\"address\":\"10.213.1.5/24\",\"gateway\":\"10.213.1.1\"}]}";
    private static final String LABELS = "{\"io.kube4j.node\":\"node-a\",\"io.kube4j.type\":\"podsandbox\",\"io.kube4j.attempt\":\"0\","
            + "\"io.kubernetes.pod.uid\":\"uid-1\",\"io.kubernetes.pod.namespace\":\"ns1\",\"io.kubernetes.pod.name\":\"web\"}";

    @TempDir
    Path dir;
    private ServerSocketChannel server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    // "METHOD /path-prefix" -> body answered with 200 (204 when empty)
    private final Map<String, String> routes = new ConcurrentHashMap<>();

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private DockerClient engine() throws IOException {
        routes.put("GET /v1.41/images/", "{}");
        routes.put("POST /v1.41/containers/create", "{\"Id\":\"sb1\"}");
        routes.put("POST /v1.41/containers/sb1/start", "");
        routes.put("POST /v1.41/containers/sb1/stop", "");
        routes.put("DELETE /v1.41/containers/sb1", "");
        routes.put("GET /v1.41/volumes", "{\"Volumes\":[]}");
        routes.put("GET /v1.41/containers/sb1/json", "{\"Id\":\"sb1\",\"State\":{\"Pid\":4242,\"Running\":true},\"Config\":{\"Labels\":" + LABELS + "}}");
        routes.put("GET /v1.41/containers/json", "[{\"Id\":\"sb1\",\"Labels\":" + LABELS + ",\"State\":\"running\",\"Created\":1,"
                + "\"NetworkSettings\":{\"Networks\":{\"none\":{\"IPAddress\":\"\"}}}}]");
        Path socket = dir.resolve("docker.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    InputStream in = Channels.newInputStream(c);
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        int b = in.read();
                        if (b < 0) {
                            break;
                        }
                        head.append((char) b);
                    }
                    int length = 0;
                    for (String line : head.toString().split("\r\n")) {
                        if (line.toLowerCase().startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    String requestLine = head.substring(0, head.indexOf(" HTTP/1.1"));
                    requests.add(requestLine + " " + new String(in.readNBytes(length), StandardCharsets.UTF_8));
                    String body = routes.entrySet().stream().filter(e -> requestLine.startsWith(e.getKey()))
                            .max(Map.Entry.comparingByKey((a, b) -> Integer.compare(a.length(), b.length()))).map(Map.Entry::getValue).orElse(null);
                    String response = body == null ? "HTTP/1.1 404 Not Found\r\nContent-Length: 22\r\n\r\n{\"message\":\"no route\"}"
                            : body.isEmpty() ? "HTTP/1.1 204 No Content\r\n\r\n"
                            : "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
                    c.write(ByteBuffer.wrap(response.getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return new DockerClient(socket);
    }

    private FakePlugins plugins() throws IOException {
        return new FakePlugins(Files.createDirectories(dir.resolve("bin"))).ok("loopback", "{\"cniVersion\":\"0.3.1\"}")
                .ok("bridge", BRIDGE_RESULT).ok("portmap", BRIDGE_RESULT);
    }

    private CniNetwork cni() throws IOException {
        Path conf = Files.createDirectories(dir.resolve("net.d"));
        Files.writeString(conf.resolve("10-net.conflist"),
                "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"plugins\":[{\"type\":\"bridge\"},{\"type\":\"portmap\"}]}");
        return new CniNetwork(conf, List.of(dir.resolve("bin")), () -> null, dir.resolve("results"));
    }

    private DockerRuntime runtime(CniNetwork cni) throws IOException {
        return new DockerRuntime(engine(), "node-a", "", "local/busybox:latest",
                new KubeletProperties.PodNetwork("", "cluster.local", "", ""), cni);
    }

    private List<String> requestLines() {
        return requests.stream().map(r -> r.substring(0, r.indexOf(' ', r.indexOf(' ') + 1))).toList();
    }

    @Test
    void withoutCniTheSandboxJoinsDockersNetworkAsBefore() throws IOException {
        DockerRuntime runtime = new DockerRuntime(new DockerClient(dir.resolve("none.sock")), "node-a", "", "busybox");
        assertThat(runtime.sandboxBody(new SandboxConfig(POD, 0, "web")).path("HostConfig").path("NetworkMode").asString()).isEqualTo("bridge");
    }

    @Test
    void theSandboxHasNoDockerNetworkAndCniAttachesItsNamespaceAndGivesThePodIp() throws IOException {
        FakePlugins fake = plugins();
        DockerRuntime runtime = runtime(cni());

        String id = runtime.runPodSandbox(new SandboxConfig(POD, 0, "web"));

        assertThat(id).isEqualTo("sb1");
        String create = requests.stream().filter(r -> r.startsWith("POST /v1.41/containers/create")).findFirst().orElseThrow();
        assertThat(create).contains("\"NetworkMode\":\"none\"");
        assertThat(requestLines()).containsSubsequence("POST /v1.41/containers/sb1/start", "GET /v1.41/containers/sb1/json");
        assertThat(fake.order()).containsExactly("ADD loopback lo", "ADD bridge eth0", "ADD portmap eth0");
        assertThat(fake.calls().get(1)).startsWith("ADD bridge sb1 eth0 /proc/4242/ns/net|IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=web;"
                + "K8S_POD_INFRA_CONTAINER_ID=sb1;K8S_POD_UID=uid-1|");
        List<Sandbox> sandboxes = runtime.listPodSandboxes("uid-1");
        assertThat(sandboxes).singleElement().satisfies(s -> {
            assertThat(s.ready()).isTrue();
            assertThat(s.ip()).isEqualTo("10.213.1.5");
        });
    }

    @Test
    void aFailedAddFailsTheSandboxWithThePluginsMessageAndRemovesIt() throws IOException {
        FakePlugins fake = plugins().failing("bridge", 11, "no IP addresses available in range set", "");
        DockerRuntime runtime = runtime(cni());

        assertThatThrownBy(() -> runtime.runPodSandbox(new SandboxConfig(POD, 0, "web")))
                .isInstanceOf(ContainerRuntimeException.class)
                // containerd's wording, which the kubelet's FailedCreatePodSandBox event carries
                .hasMessage("failed to setup network for sandbox \"sb1\": plugin type=\"bridge\" failed (add): no IP addresses available in range set");
        assertThat(requestLines()).contains("DELETE /v1.41/containers/sb1?force=1&v=1");
        // the half-made attachment was deleted again
        assertThat(fake.order()).containsExactly("ADD loopback lo", "ADD bridge eth0", "DEL portmap eth0", "DEL bridge eth0");
    }

    @Test
    void stoppingDeletesTheNetworkWhileTheNamespaceExistsThenStopsAndRemovalDoesNotRepeatIt() throws IOException {
        FakePlugins fake = plugins();
        DockerRuntime runtime = runtime(cni());
        runtime.runPodSandbox(new SandboxConfig(POD, 0, "web"));
        requests.clear();

        runtime.stopPodSandbox("sb1");
        runtime.removePodSandbox("sb1");

        assertThat(fake.order().subList(3, fake.order().size())).containsExactly("DEL portmap eth0", "DEL bridge eth0", "DEL loopback lo");
        assertThat(fake.calls().get(3)).contains(" sb1 eth0 /proc/4242/ns/net|");
        assertThat(requestLines()).containsSubsequence("GET /v1.41/containers/sb1/json", "POST /v1.41/containers/sb1/stop?t=0",
                "DELETE /v1.41/containers/sb1?force=1&v=1");
        assertThat(runtime.listPodSandboxes("uid-1")).singleElement().satisfies(s -> assertThat(s.ip()).isNull());
    }

    @Test
    void aFailedDelStillStopsTheSandboxAndRemovalDeletesAgain() throws IOException {
        FakePlugins fake = plugins();
        DockerRuntime runtime = runtime(cni());
        runtime.runPodSandbox(new SandboxConfig(POD, 0, "web"));
        new FakePlugins(dir.resolve("bin")).crashing("portmap", "iptables: resource busy");

        assertThatThrownBy(() -> runtime.stopPodSandbox("sb1")).isInstanceOf(ContainerRuntimeException.class)
                .hasMessage("failed to destroy network for sandbox \"sb1\": plugin type=\"portmap\" failed (delete): netplugin failed: \"iptables: resource busy\"");
        assertThat(requestLines()).contains("POST /v1.41/containers/sb1/stop?t=0");

        new FakePlugins(dir.resolve("bin")).ok("portmap", BRIDGE_RESULT);
        runtime.removePodSandbox("sb1");

        assertThat(fake.order().subList(4, fake.order().size())).containsExactly("DEL portmap eth0", "DEL bridge eth0", "DEL loopback lo");
    }
}
