package io.kube4j.client;

import com.sun.net.httpserver.HttpServer;
import io.kube4j.api.Pod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Failover between apiserver URLs never sends a write twice: a request whose connection broke after it was sent
 * may have been done by the first apiserver (a pod created from {@code generateName} then made again on the second
 * is a second pod), so only a GET goes on to the next apiserver, as client-go retries only GETs after "connection
 * reset", EOF or a lost HTTP/2 connection ({@code rest/request.go}); a write goes on only when it never got there
 * (connection refused).
 */
class ApiClientFailoverTest {
    /** Reads each request in full (headers and Content-Length body), records "METHOD path", then drops the connection unanswered. */
    static final class DroppingServer implements AutoCloseable {
        final ServerSocket socket;
        final List<String> received = new CopyOnWriteArrayList<>();

        DroppingServer() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.startVirtualThread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        String request = readRequest(s.getInputStream());
                        if (request != null) {
                            received.add(request);
                        }
                    } catch (IOException e) {
                        // closed at the end of the test
                    }
                }
            });
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        private static String readRequest(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                head.write(b);
                byte[] h = head.toByteArray();
                int n = h.length;
                if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                    break;
                }
            }
            String headers = head.toString(StandardCharsets.ISO_8859_1);
            if (headers.isEmpty()) {
                return null;
            }
            int length = 0;
            for (String line : headers.split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            in.readNBytes(length);
            String[] requestLine = headers.substring(0, headers.indexOf("\r\n")).split(" ");
            return requestLine[0] + " " + requestLine[1];
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    final List<String> secondReceived = new CopyOnWriteArrayList<>();
    HttpServer second;

    /** The second apiserver: answers every request with a pod. */
    String startSecond() throws IOException {
        second = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        second.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            secondReceived.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            byte[] body = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-abcde\",\"namespace\":\"default\",\"uid\":\"u2\"}}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(exchange.getRequestMethod().equals("POST") ? 201 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        second.start();
        return "http://127.0.0.1:" + second.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (second != null) {
            second.stop(0);
        }
    }

    static Pod pod() {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.generateName = "web-";
        p.metadata.name = null;
        return p;
    }

    static Pod named() {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = "web-abcde";
        p.metadata.resourceVersion = "7";
        return p;
    }

    @Test
    void aCreateWhoseConnectionBrokeAfterItWasSentIsNotSentToTheNextApiserver() throws Exception {
        try (DroppingServer first = new DroppingServer()) {
            ApiClient client = new ApiClient(first.url() + "," + startSecond());

            assertThatThrownBy(() -> client.create(pod()))
                    .isInstanceOf(ApiException.class)
                    .hasMessageContaining("POST /api/v1/namespaces/default/pods")
                    .hasMessageContaining("not sent again");

            assertThat(first.received).containsExactly("POST /api/v1/namespaces/default/pods");
            assertThat(secondReceived).as("the create the first apiserver may have done is not made again").isEmpty();
            // the next request starts at the second apiserver
            assertThat(client.baseUrl()).isEqualTo("http://127.0.0.1:" + second.getAddress().getPort());
        }
    }

    /** Every write: an update (PUT), a patch, a delete; none is repeated after its connection broke. */
    @ParameterizedTest
    @ValueSource(strings = {"PUT", "PATCH", "DELETE"})
    void noWriteIsSentAgainAfterItsConnectionBroke(String method) throws Exception {
        try (DroppingServer first = new DroppingServer()) {
            ApiClient client = new ApiClient(first.url() + "," + startSecond());

            assertThatThrownBy(() -> {
                switch (method) {
                    case "PUT" -> client.update(named());
                    case "PATCH" -> client.patch(Pod.class, "default", "web-abcde", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");
                    default -> client.delete(Pod.class, "default", "web-abcde");
                }
            }).isInstanceOf(ApiException.class).hasMessageContaining("not sent again");

            assertThat(first.received).containsExactly(method + " /api/v1/namespaces/default/pods/web-abcde");
            assertThat(secondReceived).isEmpty();
        }
    }

    /** A read is safe to repeat: it goes on to the next apiserver (client-go retries a GET after such errors). */
    @Test
    void aGetWhoseConnectionBrokeGoesToTheNextApiserver() throws Exception {
        try (DroppingServer first = new DroppingServer()) {
            ApiClient client = new ApiClient(first.url() + "," + startSecond());

            Pod p = client.get(Pod.class, "default", "web-abcde");

            assertThat(p.metadata.uid).isEqualTo("u2");
            assertThat(first.received).isNotEmpty().allSatisfy(r -> assertThat(r).isEqualTo("GET /api/v1/namespaces/default/pods/web-abcde"));
            assertThat(secondReceived).containsExactly("GET /api/v1/namespaces/default/pods/web-abcde");
        }
    }

    /** A create that never reached the first apiserver (connection refused) is made on the next one, once. */
    @Test
    void aCreateRefusedAtConnectGoesToTheNextApiserverOnce() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        ApiClient client = new ApiClient("http://127.0.0.1:" + closedPort + "," + startSecond());

        Pod created = client.create(pod());

        assertThat(created.metadata.name).isEqualTo("web-abcde");
        assertThat(secondReceived).containsExactly("POST /api/v1/namespaces/default/pods");
    }
}
