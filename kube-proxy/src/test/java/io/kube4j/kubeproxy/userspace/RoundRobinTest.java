package io.kube4j.kubeproxy.userspace;

import io.kube4j.kubeproxy.Endpoint;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RoundRobinTest {
    static final Endpoint A = new Endpoint("10.1.0.1", 80);
    static final Endpoint B = new Endpoint("10.1.0.2", 80);
    static final Endpoint C = new Endpoint("10.1.0.3", 80);
    final AtomicLong now = new AtomicLong();
    final RoundRobin rr = new RoundRobin(now::get);

    @Test
    void successiveConnectionsStartAtSuccessiveEndpointsAndListTheRestAsFallbacks() {
        rr.update(List.of(A, B, C), false, Duration.ZERO);
        assertThat(rr.candidates("c")).containsExactly(A, B, C);
        assertThat(rr.candidates("c")).containsExactly(B, C, A);
        assertThat(rr.candidates("c")).containsExactly(C, A, B);
        assertThat(rr.candidates("c")).containsExactly(A, B, C);
    }

    @Test
    void noEndpointsMeansNoCandidates() {
        assertThat(rr.candidates("c")).isEmpty();
    }

    @Test
    void clientIpAffinityKeepsAClientOnItsEndpointUntilTheTimeout() {
        rr.update(List.of(A, B, C), true, Duration.ofSeconds(10));
        Endpoint first = rr.candidates("1.2.3.4").get(0);
        rr.used("1.2.3.4", first);
        for (int i = 0; i < 5; i++) {
            now.addAndGet(Duration.ofSeconds(9).toNanos());
            assertThat(rr.candidates("1.2.3.4").get(0)).isEqualTo(first);
            rr.used("1.2.3.4", first);
        }
        assertThat(rr.candidates("5.6.7.8").get(0)).isNotEqualTo(first);
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        // expired: the client goes through round-robin again, which has moved on to C
        assertThat(rr.candidates("1.2.3.4").get(0)).isNotEqualTo(first);
    }

    @Test
    void aClientStuckToAVanishedEndpointMovesOn() {
        rr.update(List.of(A, B), true, Duration.ofHours(3));
        rr.used("1.2.3.4", A);
        assertThat(rr.candidates("1.2.3.4").get(0)).isEqualTo(A);
        rr.update(List.of(B, C), true, Duration.ofHours(3));
        assertThat(rr.candidates("1.2.3.4")).containsExactlyInAnyOrder(B, C);
    }
}
