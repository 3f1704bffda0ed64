package io.kube4j.kubelet.token;

import io.kube4j.api.Pod;
import io.kube4j.api.Status;
import io.kube4j.client.ApiException;
import io.kube4j.json.Json;
import io.kube4j.testing.MutableClock;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The kubelet's token cache against a fake TokenRequest endpoint. */
class TokenManagerTest {
    final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T12:00:00Z"));
    final List<String> requests = new ArrayList<>();
    final List<ObjectNode> bodies = new ArrayList<>();
    // what the fake endpoint does next: null = issue a token
    ApiException failure;
    int issued;
    final TokenManager tokens = new TokenManager((ns, name, body) -> {
        requests.add(ns + "/" + name);
        bodies.add(body);
        if (failure != null) {
            throw failure;
        }
        issued++;
        long seconds = body.path("spec").path("expirationSeconds").asLong(3600);
        return Json.tree("{\"spec\":{\"expirationSeconds\":" + seconds + "},\"status\":{\"token\":\"t" + issued
                + "\",\"expirationTimestamp\":\"" + clock.instant().plusSeconds(seconds) + "\"}}");
    }, clock, () -> 0);

    static Pod pod() {
        Pod p = new Pod();
        p.metadata.namespace = "team";
        p.metadata.name = "web";
        p.metadata.uid = "uid-1";
        p.spec.serviceAccountName = "robot";
        return p;
    }

    static ApiException notFound() {
        Status s = Status.failure(404, "NotFound", "the server could not find the requested resource");
        return new ApiException(404, s, "404 NotFound", null);
    }

    @Test
    void requestsATokenBoundToThePodWithTheVolumesAudienceAndLifetime() {
        assertThat(tokens.serviceAccountToken(pod(), "vault", 3607L)).isEqualTo("t1");
        assertThat(requests).containsExactly("team/robot");
        JsonNode body = bodies.getFirst();
        assertThat(Json.tree(body.toString())).isEqualTo(Json.tree("""
                {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"audiences":["vault"],"expirationSeconds":3607,
                 "boundObjectRef":{"apiVersion":"v1","kind":"Pod","name":"web","uid":"uid-1"}}}
                """));
        // no audience: none asked for, the apiserver's own apply
        tokens.serviceAccountToken(pod(), "", 3607L);
        assertThat(bodies.get(1).path("spec").path("audiences").isEmpty()).isTrue();
    }

    @Test
    void theCachedTokenIsServedUntil80PercentOfItsLifetimeThenRefreshed() {
        assertThat(tokens.serviceAccountToken(pod(), null, 3600L)).isEqualTo("t1");
        clock.advance(Duration.ofSeconds(2880)); // exactly 80%: not after it yet
        assertThat(tokens.serviceAccountToken(pod(), null, 3600L)).isEqualTo("t1");
        assertThat(requests).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(tokens.serviceAccountToken(pod(), null, 3600L)).isEqualTo("t2");
        assertThat(requests).hasSize(2);
    }

    @Test
    void aFailedRefreshKeepsServingTheValidTokenAndAnExpiredOneIsAnError() {
        tokens.serviceAccountToken(pod(), null, 600L);
        clock.advance(Duration.ofSeconds(590));
        failure = notFound();
        assertThat(tokens.serviceAccountToken(pod(), null, 600L)).isEqualTo("t1");
        clock.advance(Duration.ofSeconds(10));
        assertThatThrownBy(() -> tokens.serviceAccountToken(pod(), null, 600L))
                .isInstanceOf(TokenManager.TokenException.class)
                .hasMessageStartingWith("token ").hasMessageEndingWith(" expired and refresh failed: the server could not find the requested resource");
    }

    @Test
    void with404AndNoTokenTheErrorIsKubernetesFailedToFetch() {
        failure = notFound();
        assertThatThrownBy(() -> tokens.serviceAccountToken(pod(), null, 3607L))
                .isInstanceOf(TokenManager.TokenException.class)
                .hasMessage("failed to fetch token: the server could not find the requested resource");
        failure = null;
        clock.advance(Duration.ofMillis(500));
        assertThat(tokens.serviceAccountToken(pod(), null, 3607L)).isEqualTo("t1");
    }

    @Test
    void failuresAreRetriedAfterADoublingBackOffNotAtEverySync() {
        failure = notFound();
        assertThatThrownBy(() -> tokens.serviceAccountToken(pod(), null, 3607L)).hasMessageStartingWith("failed to fetch token");
        clock.advance(Duration.ofMillis(499));
        assertThatThrownBy(() -> tokens.serviceAccountToken(pod(), null, 3607L)).hasMessageStartingWith("failed to fetch token");
        assertThat(requests).hasSize(1);
        clock.advance(Duration.ofMillis(1));
        assertThatThrownBy(() -> tokens.serviceAccountToken(pod(), null, 3607L)).hasMessageStartingWith("failed to fetch token");
        assertThat(requests).hasSize(2);
        // the next wait is 1 s
        clock.advance(Duration.ofMillis(999));
        assertThatThrownBy(() -> tokens.serviceAccountToken(pod(), null, 3607L)).isInstanceOf(TokenManager.TokenException.class);
        assertThat(requests).hasSize(2);
        failure = null;
        clock.advance(Duration.ofMillis(1));
        assertThat(tokens.serviceAccountToken(pod(), null, 3607L)).isEqualTo("t1");
        assertThat(requests).hasSize(3);
    }

    @Test
    void aDeletedPodsTokensAreForgotten() {
        tokens.serviceAccountToken(pod(), null, 3607L);
        tokens.serviceAccountToken(pod(), "vault", 3607L);
        assertThat(tokens.size()).isEqualTo(2);
        tokens.deletePod("uid-1");
        assertThat(tokens.size()).isZero();
    }

    @Test
    void aPodWithoutAccountNameUsesDefault() {
        Pod p = pod();
        p.spec.serviceAccountName = null;
        tokens.serviceAccountToken(p, null, 3607L);
        assertThat(requests).containsExactly("team/default");
    }
}
