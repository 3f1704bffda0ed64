package io.kube4j.kubelet.server;

import io.kube4j.client.ApiClient;
import io.kube4j.json.Json;
import io.kube4j.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookAuthorizerTest {
    private final List<String> sent = new ArrayList<>();
    private boolean allow;

    private final ApiClient client = new ApiClient("http://127.0.0.1:1") {
        @Override
        public String sendJson(String method, String pathAndQuery, String contentType, String body) {
            sent.add(method + " " + pathAndQuery + " " + body);
            return """
                    {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","status":{"allowed":%s}}""".formatted(allow);
        }
    };

    private static RequestAttributes attrs(String user, String subresource) {
        return new RequestAttributes(new User(user, List.of("system:masters", "system:authenticated")), "get", subresource, "node-1", "/x");
    }

    @Test
    void asksTheApiserverASubjectAccessReviewWithTheKubeletsAttributes() {
        allow = true;
        WebhookAuthorizer authorizer = new WebhookAuthorizer(client, Duration.ofMinutes(5), Duration.ofSeconds(30), new MutableClock(Instant.EPOCH));
        assertThat(authorizer.authorize(attrs("kube-apiserver-kubelet-client", "proxy"))).isTrue();
        assertThat(sent).singleElement().satisfies(s -> {
            assertThat(s).startsWith("POST /apis/authorization.k8s.io/v1/subjectaccessreviews ");
            assertThat(Json.tree(s.substring(s.indexOf('{')))).isEqualTo(Json.tree("""
                    {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview",
                     "spec":{"resourceAttributes":{"verb":"get","version":"v1","resource":"nodes","subresource":"proxy","name":"node-1"},
                             "user":"kube-apiserver-kubelet-client","groups":["system:masters","system:authenticated"]}}"""));
        });
    }

    @Test
    void allowedAnswersAreKeptFiveMinutesAndDenialsThirtySeconds() {
        MutableClock clock = new MutableClock(Instant.EPOCH);
        WebhookAuthorizer authorizer = new WebhookAuthorizer(client, Duration.ofMinutes(5), Duration.ofSeconds(30), clock);
        allow = true;
        assertThat(authorizer.authorize(attrs("alice", "proxy"))).isTrue();
        allow = false;
        clock.advance(Duration.ofMinutes(4));
        assertThat(authorizer.authorize(attrs("alice", "proxy"))).as("cached").isTrue();
        assertThat(sent).hasSize(1);
        assertThat(authorizer.authorize(attrs("alice", "stats"))).as("other attributes: asked").isFalse();
        assertThat(sent).hasSize(2);
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(authorizer.authorize(attrs("alice", "proxy"))).as("expired: asked again").isFalse();
        assertThat(sent).hasSize(3);

        allow = true;
        clock.advance(Duration.ofSeconds(29));
        assertThat(authorizer.authorize(attrs("alice", "proxy"))).as("denial cached").isFalse();
        assertThat(sent).hasSize(3);
        clock.advance(Duration.ofSeconds(2));
        assertThat(authorizer.authorize(attrs("alice", "proxy"))).as("denial expired").isTrue();
        assertThat(sent).hasSize(4);
    }
}
