package io.kube4j.client;

import com.sun.net.httpserver.HttpServer;
import io.kube4j.api.Pod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * client-go's Retry-After rule ({@code rest/request.go} checkWait, {@code with_retry.go} IsNextRetry): an answer of
 * 429 or 5xx carrying {@code Retry-After: <seconds>} sends the same request again after that long, whatever the method,
 * at most 10 times; any other error answer is the caller's at once.
 */
class ApiClientRetryAfterTest {
    /** One answer: status, Retry-After header (null: none). */
    record Answer(int code, String retryAfter) {
    }

    final List<String> received = new CopyOnWriteArrayList<>();
    HttpServer server;

    /** A server answering request number n (from 0) with {@code answers.apply(n)}; 2xx answers carry a pod. */
    ApiClient serve(IntFunction<Answer> answers) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            Answer a = answers.apply(received.size());
            received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            byte[] body = (a.code() < 300
                    ? "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-abcde\",\"namespace\":\"default\"}}"
                    : "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"try later\",\"reason\":\"TooManyRequests\",\"code\":" + a.code() + "}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            if (a.retryAfter() != null) {
                exchange.getResponseHeaders().add("Retry-After", a.retryAfter());
            }
            exchange.sendResponseHeaders(a.code(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return new ApiClient("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    static Pod pod() {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.generateName = "web-";
        p.metadata.name = null;
        return p;
    }

    @Test
    void aCreateAnswered429WithRetryAfterIsSentAgainAfterThatLong() throws Exception {
        ApiClient client = serve(n -> n < 2 ? new Answer(429, "1") : new Answer(201, null));
        long started = System.nanoTime();

        Pod created = client.create(pod());

        assertThat(created.metadata.name).isEqualTo("web-abcde");
        assertThat(received).containsExactly("POST /api/v1/namespaces/default/pods", "POST /api/v1/namespaces/default/pods",
                "POST /api/v1/namespaces/default/pods");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void a5xxWithRetryAfterIsRetriedTenTimesThenThrown() throws Exception {
        ApiClient client = serve(n -> new Answer(500, "0"));

        assertThatThrownBy(() -> client.get(Pod.class, "default", "web-abcde"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(500));

        assertThat(received).hasSize(11);
    }

    @Test
    void a503WithoutRetryAfterIsNotRetried() throws Exception {
        ApiClient client = serve(n -> new Answer(503, null));

        assertThatThrownBy(() -> client.create(pod()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(503));

        assertThat(received).hasSize(1);
    }

    /** Only 429 and 5xx ask for a retry; a Retry-After on a 409 is ignored, as a date instead of seconds is. */
    @Test
    void retryAfterOnAnotherCodeOrAsADateIsNotARetry() throws Exception {
        ApiClient client = serve(n -> n == 0 ? new Answer(409, "1") : new Answer(429, "Wed, 21 Oct 2015 07:28:00 GMT"));

        assertThatThrownBy(() -> client.create(pod()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(409));
        assertThatThrownBy(() -> client.create(pod()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(429));

        assertThat(received).hasSize(2);
    }
}
