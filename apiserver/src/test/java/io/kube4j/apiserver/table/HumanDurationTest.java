package io.kube4j.apiserver.table;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class HumanDurationTest {

    @Test
    void printsAgesAsKubectlDoes() {
        assertThat(HumanDuration.format(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(HumanDuration.format(Duration.ofSeconds(119))).isEqualTo("119s");
        assertThat(HumanDuration.format(Duration.ofSeconds(182))).isEqualTo("3m2s");
        assertThat(HumanDuration.format(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(HumanDuration.format(Duration.ofMinutes(190))).isEqualTo("3h10m");
        assertThat(HumanDuration.format(Duration.ofHours(30))).isEqualTo("30h");
        assertThat(HumanDuration.format(Duration.ofHours(51))).isEqualTo("2d3h");
        assertThat(HumanDuration.format(Duration.ofDays(400))).isEqualTo("400d");
        assertThat(HumanDuration.format(Duration.ofDays(365 * 3 + 12))).isEqualTo("3y12d");
    }

    @Test
    void unknownForMissingOrBadTimestamps() {
        assertThat(HumanDuration.since(null, Instant.now())).isEqualTo("<unknown>");
        assertThat(HumanDuration.since("yesterday", Instant.now())).isEqualTo("<unknown>");
        assertThat(HumanDuration.since("2025-01-01T00:00:00Z", Instant.parse("2025-01-01T00:00:42Z"))).isEqualTo("42s");
    }
}
