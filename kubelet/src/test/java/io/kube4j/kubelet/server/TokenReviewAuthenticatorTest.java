package io.kube4j.kubelet.server;

import io.kube4j.client.ApiClient;
import io.kube4j.json.Json;
import io.kube4j.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenReviewAuthenticatorTest {
    // one fake client for the class (each ApiClient owns a JDK HttpClient and its selector thread)
    static final List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A fake apiserver: token "good" is system:serviceaccount:default:reader, anything else is refused. */
    static final ApiClient client = new ApiClient("http://127.0.0.1:1") {
        @Override
        public String sendJson(String method, String pathAndQuery, String contentType, String body) {
            sent.add(method + " " + pathAndQuery + " " + body);
            String token = Json.tree(body).path("spec").path("token").asString();
            return token.equals("good")
                    ? """
                    {"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","status":{"authenticated":true,
                     "user":{"username":"system:serviceaccount:default:reader","uid":"u1",
                             "groups":["system:serviceaccounts","system:serviceaccounts:default","system:authenticated"]}}}"""
                    : """
                    {"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","status":{"user":{}}}""";
        }
    };

    @org.junit.jupiter.api.BeforeEach
    void clear() {
        sent.clear();
    }

    @Test
    void aBearerTokenIsReviewedByTheApiserver() throws Exception {
        TokenReviewAuthenticator tokens = new TokenReviewAuthenticator(client, Duration.ofMinutes(2), new MutableClock(Instant.EPOCH));
        assertThat(tokens.authenticate("Bearer good")).contains(new User("system:serviceaccount:default:reader",
                List.of("system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated")));
        assertThat(sent).singleElement().satisfies(s -> {
            assertThat(s).startsWith("POST /apis/authentication.k8s.io/v1/tokenreviews ");
            assertThat(Json.tree(s.substring(s.indexOf('{')))).isEqualTo(Json.tree("""
                    {"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"good"}}"""));
        });
    }

    @Test
    void aRefusedTokenIsAnErrorAndNoBearerHeaderIsNotHandled() throws Exception {
        TokenReviewAuthenticator tokens = new TokenReviewAuthenticator(client, Duration.ofMinutes(2), new MutableClock(Instant.EPOCH));
        assertThatThrownBy(() -> tokens.authenticate("bearer nope")).isInstanceOf(GeneralSecurityException.class).hasMessage("invalid bearer token");
        assertThat(tokens.authenticate(null)).isEqualTo(Optional.empty());
        assertThat(tokens.authenticate("Basic dTpw")).isEqualTo(Optional.empty());
        assertThat(tokens.authenticate("Bearer ")).isEqualTo(Optional.empty());
        assertThat(sent).hasSize(1);
    }

    @Test
    void answersAreKeptForTheCacheTtl() throws Exception {
        MutableClock clock = new MutableClock(Instant.EPOCH);
        TokenReviewAuthenticator tokens = new TokenReviewAuthenticator(client, Duration.ofMinutes(2), clock);
        tokens.authenticate("Bearer good");
        assertThatThrownBy(() -> tokens.authenticate("Bearer bad")).isInstanceOf(GeneralSecurityException.class);
        clock.advance(Duration.ofSeconds(119));
        tokens.authenticate("Bearer good");
        assertThatThrownBy(() -> tokens.authenticate("Bearer bad")).isInstanceOf(GeneralSecurityException.class);
        assertThat(sent).hasSize(2);
        clock.advance(Duration.ofSeconds(2));
        tokens.authenticate("Bearer good");
        assertThat(sent).hasSize(3);
    }
}
