package io.kube4j.client;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ApiClient's transport: lanes of connections, the protocol asked for per scheme, the connect timeout's report. */
class ApiClientTransportTest {

    @Test
    void anotherLaneIsOpenedOnlyWhenEveryLaneIsFullAndFreedSlotsAreReused() {
        AtomicInteger made = new AtomicInteger();
        ApiClient.Lanes lanes = new ApiClient.Lanes(() -> {
            made.incrementAndGet();
            return HttpClient.newHttpClient();
        }, 2);

        ApiClient.Lane a1 = lanes.acquire();
        ApiClient.Lane a2 = lanes.acquire();
        assertThat(a2).isSameAs(a1);
        assertThat(made).hasValue(1);

        ApiClient.Lane b1 = lanes.acquire();
        assertThat(b1).isNotSameAs(a1);
        assertThat(lanes.size()).isEqualTo(2);

        a1.release();
        assertThat(lanes.acquire()).isSameAs(a1);
        assertThat(lanes.size()).isEqualTo(2);
        assertThat(made).hasValue(2);
    }

    @Test
    void manyThreadsNeverPutMoreThanTheLimitOnOneLane() throws Exception {
        ApiClient.Lanes lanes = new ApiClient.Lanes(HttpClient::newHttpClient, 10);
        List<ApiClient.Lane> taken = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 95; i++) {
            threads.add(Thread.startVirtualThread(() -> taken.add(lanes.acquire())));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(lanes.size()).isEqualTo(10);
        assertThat(taken.stream().collect(java.util.stream.Collectors.groupingBy(l -> l, java.util.stream.Collectors.counting())).values())
                .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(10L));
    }

    /** Go's HTTP/2 pool dials once per host: one request opens a lane's connection, the others wait for it. */
    @Test
    void oneRequestOpensALanesConnectionWhileTheOthersWaitAndShareItsFailure() throws Exception {
        ApiClient.Lane lane = new ApiClient.Lane(HttpClient.newHttpClient(), 10);
        assertThat(lane.enter()).as("the first request opens").isTrue();
        java.util.concurrent.CompletableFuture<Boolean> waiter = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return lane.enter();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, Thread::startVirtualThread);
        Thread.sleep(200);
        assertThat(waiter).as("waits while the connection is being opened").isNotDone();
        lane.opened(null);
        assertThat(waiter.get(5, java.util.concurrent.TimeUnit.SECONDS)).as("then goes without opening").isFalse();
        assertThat(lane.enter()).as("an open lane with requests in flight is entered at once").isFalse();

        // a lane whose opening fails: the waiters get the same connection failure, the next request opens again
        ApiClient.Lane failing = new ApiClient.Lane(HttpClient.newHttpClient(), 10);
        assertThat(failing.enter()).isTrue();
        java.util.concurrent.CompletableFuture<Boolean> other = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return failing.enter();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, Thread::startVirtualThread);
        Thread.sleep(200);
        failing.opened(new java.net.ConnectException("Connection refused"));
        assertThatThrownBy(() -> other.get(5, java.util.concurrent.TimeUnit.SECONDS)).hasRootCauseInstanceOf(java.net.ConnectException.class);
        assertThat(failing.enter()).as("the next request opens again").isTrue();
    }

    /** Plain http: HTTP/1.1 without the JDK's h2c upgrade offer (Go's transport never makes one). */
    @Test
    void plainHttpAsksForHttp11WithoutAnH2cUpgrade() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            seen.add(exchange.getProtocol() + " upgrade=" + exchange.getRequestHeaders().getFirst("Upgrade"));
            byte[] bytes = "v1.32".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            ApiClient client = new ApiClient("http://127.0.0.1:" + server.getAddress().getPort());
            assertThat(client.getText("/version")).isEqualTo("v1.32");
            assertThat(client.getText("/version")).isEqualTo("v1.32");
            assertThat(seen).containsExactly("HTTP/1.1 upgrade=null", "HTTP/1.1 upgrade=null");
        } finally {
            server.stop(0);
        }
    }

    /**
     * A server that accepts the TCP connection but never answers the TLS handshake: the JDK's connect timeout spans
     * the handshake, and the failure says so (a connection failure: the next apiserver would be tried), not
     * "timed out after 30s" as if the request had been sent and left unanswered.
     */
    @Test
    void aTlsHandshakeThatNeverCompletesIsReportedAsAConnectTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread acceptor = Thread.startVirtualThread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (java.io.IOException e) {
                    // closed at the end of the test
                }
            });
            String url = "https://127.0.0.1:" + silent.getLocalPort();
            ApiClient client = new ApiClient(url);
            long started = System.nanoTime();
            assertThatThrownBy(() -> client.getText("/version"))
                    .isInstanceOf(ApiException.class)
                    .hasMessageContaining("connect to " + url + " timed out after 10s (TCP connect and TLS handshake)")
                    .hasMessageNotContaining("timed out after 30s");
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(took).isBetween(Duration.ofSeconds(9), Duration.ofSeconds(25));
            assertThat(held).isNotEmpty();
            for (Socket s : held) {
                s.close();
            }
            acceptor.interrupt();
        }
    }
}
