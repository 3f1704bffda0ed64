package io.kube4j.kubelet.runtime.docker;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The HTTP/1.1 client against a canned server on a unix socket. */
class DockerClientTest {
    @TempDir
    Path dir;
    private ServerSocketChannel server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    /** Answers each connection with {@code response} after reading the request head (and body). */
    private DockerClient serve(byte[] response) throws IOException {
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
                    requests.add(head + new String(in.readNBytes(length), StandardCharsets.UTF_8));
                    c.write(ByteBuffer.wrap(response));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return new DockerClient(socket);
    }

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static byte[] http(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void sendsVersionedPathAndJsonBodyAndReadsContentLengthAnswer() throws Exception {
        DockerClient client = serve(http("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"Id\":\"abc\"}\n"));

        var answer = client.call("POST", "/containers/create?name=x", java.util.Map.of("Image", "busybox"), Duration.ofSeconds(5));

        assertThat(answer.path("Id").asString()).isEqualTo("abc");
        assertThat(requests.get(0)).startsWith("POST /v1.41/containers/create?name=x HTTP/1.1\r\n").endsWith("{\"Image\":\"busybox\"}");
    }

    @Test
    void containerUsageReadsTheOneShotStatsLikeCadvisor() throws Exception {
        // an Engine stats answer (cgroup v2): working set = usage - inactive_file
        String stats = "{\"read\":\"2026-01-01T00:00:05.5Z\",\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":123456789}},"
                + "\"memory_stats\":{\"usage\":10485760,\"stats\":{\"inactive_file\":2097152}}}";
        DockerClient client = serve(http("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + stats.length() + "\r\n\r\n" + stats));
        DockerRuntime runtime = new DockerRuntime(client, "node-a", "", "local/busybox:latest");

        io.kube4j.kubelet.runtime.ContainerUsage u = runtime.containerUsage("abc");

        assertThat(requests.get(0)).startsWith("GET /v1.41/containers/abc/stats?stream=false&one-shot=true HTTP/1.1\r\n");
        assertThat(u.usageCoreNanoSeconds()).isEqualTo(123456789L);
        assertThat(u.workingSetBytes()).isEqualTo(8L << 20);
        assertThat(u.time()).isEqualTo(java.time.Instant.parse("2026-01-01T00:00:05.5Z"));
    }

    @Test
    void decodesChunkedBodies() throws Exception {
        DockerClient client = serve(http("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n[{\"a\"\r\n6;ext=1\r\n:1},{}\r\n1\r\n]\r\n0\r\n\r\n"));

        var answer = client.call("GET", "/containers/json", null, Duration.ofSeconds(5));

        assertThat(answer.size()).isEqualTo(2);
        assertThat(answer.get(0).path("a").asInt()).isEqualTo(1);
    }

    @Test
    void errorAnswerCarriesDockersMessage() throws Exception {
        DockerClient client = serve(http("HTTP/1.1 404 Not Found\r\nContent-Length: 40\r\n\r\n{\"message\":\"No such container: nope12\"}\n"));

        assertThatThrownBy(() -> client.call("GET", "/containers/nope/json", null, Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(DockerClient.DockerException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.getMessage()).isEqualTo("No such container: nope12");
                });
    }

    @Test
    void bodyWithoutLengthEndsWhenTheDaemonCloses() throws Exception {
        DockerClient client = serve(http("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nraw bytes"));
        try (DockerClient.Response r = client.request("POST", "/exec/1/start", null, Duration.ofSeconds(5))) {
            assertThat(new String(r.readAll(), StandardCharsets.UTF_8)).isEqualTo("raw bytes");
        }
    }

    @Test
    void unreachableDaemonIsAnErrorNotAHang() {
        DockerClient client = new DockerClient(dir.resolve("absent.sock"));
        assertThatThrownBy(() -> client.call("GET", "/version", null, Duration.ofSeconds(1)))
                .isInstanceOf(DockerClient.DockerException.class).hasMessageContaining("cannot talk to docker");
    }

    @Test
    void multiplexedStreamConcatenatesStdoutAndStderrFrames() throws Exception {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        frame(frames, 1, "hello\n");
        frame(frames, 2, "warn\n");
        frame(frames, 1, "bye\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        MultiplexedStream.copy(new java.io.ByteArrayInputStream(frames.toByteArray()), out);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello\nwarn\nbye\n");
    }

    @Test
    void truncatedFrameIsAnError() {
        byte[] bad = {1, 0, 0, 0, 0, 0, 0, 10, 'a'};
        assertThatThrownBy(() -> MultiplexedStream.copy(new java.io.ByteArrayInputStream(bad), new ByteArrayOutputStream()))
                .isInstanceOf(java.io.EOFException.class);
    }

    private static void frame(ByteArrayOutputStream out, int stream, String payload) {
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(new byte[]{(byte) stream, 0, 0, 0, (byte) (p.length >>> 24), (byte) (p.length >>> 16), (byte) (p.length >>> 8), (byte) p.length});
        out.writeBytes(p);
    }
}
