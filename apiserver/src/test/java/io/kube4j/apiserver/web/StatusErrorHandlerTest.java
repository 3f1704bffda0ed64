package io.kube4j.apiserver.web;

import io.kube4j.api.Status;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/** The one place errors become Status answers: responsewriters.ErrorNegotiated's Retry-After. */
class StatusErrorHandlerTest {

    @Test
    void aStatusAskingForARetryCarriesRetryAfterInSeconds() {
        Status s = Status.failure(504, "Timeout", "Too large resource version: 12, current: 10");
        s.details = new Status.Details();
        s.details.retryAfterSeconds = 1;

        ResponseEntity<byte[]> r = StatusErrorHandler.respond(s);

        assertThat(r.getStatusCode().value()).isEqualTo(504);
        assertThat(r.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
    }

    @Test
    void otherwiseNoRetryAfter() {
        Status zero = Status.failure(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.");
        zero.details = new Status.Details();
        zero.details.retryAfterSeconds = 0;

        assertThat(StatusErrorHandler.respond(zero).getHeaders().containsHeader(HttpHeaders.RETRY_AFTER)).isFalse();
        assertThat(StatusErrorHandler.respond(Status.failure(404, "NotFound", "pods \"x\" not found"))
                .getHeaders().containsHeader(HttpHeaders.RETRY_AFTER)).isFalse();
    }
}
