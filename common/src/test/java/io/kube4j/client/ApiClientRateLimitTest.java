package io.kube4j.client;

import com.sun.net.httpserver.HttpServer;
import io.kube4j.api.Pod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The rate limiter in front of a real HTTP exchange (a tiny local server answering every request). */
class ApiClientRateLimitTest {
    HttpServer server;
    final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            String body = exchange.getRequestURI().getQuery() != null && exchange.getRequestURI().getQuery().contains("watch=poll")
                    ? "{\"kind\":\"WatchEventList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[]}"
                    : "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"p\",\"namespace\":\"default\"}}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void requestsBeyondTheBurstWaitForTokensButLongPollWatchesDoNot() {
        AtomicLong fakeNow = new AtomicLong();
        TokenBucketRateLimiter limiter = new TokenBucketRateLimiter(1, 2, fakeNow::get);
        ApiClient base = new ApiClient(url());
        ApiClient limited = base.withRateLimiter(limiter);

        limited.get(Pod.class, "default", "p");
        limited.get(Pod.class, "default", "p");
        for (int i = 0; i < 5; i++) {
            limited.poll(Pod.class, "default", null, "1", 0);
        }
        base.get(Pod.class, "default", "p");

        assertThat(requests).hasValue(8);
        assertThat(limiter.reserve()).as("only the two GETs of the limited client took tokens: the next is 1 s away, not 6")
                .isEqualTo(java.time.Duration.ofSeconds(1));
        assertThat(base.rateLimiter()).isNull();
        assertThat(limited.rateLimiter()).isSameAs(limiter);
    }

    @Test
    void theThirdRequestOfABurstOfTwoWaitsForTheNextToken() {
        ApiClient limited = new ApiClient(url()).withRateLimiter(new TokenBucketRateLimiter(5, 2));
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            limited.get(Pod.class, "default", "p");
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).as("one token every 200 ms after the burst").isGreaterThanOrEqualTo(150);
        assertThat(requests).hasValue(3);
    }
}
