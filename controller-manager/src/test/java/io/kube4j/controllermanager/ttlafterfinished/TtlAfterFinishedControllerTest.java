package io.kube4j.controllermanager.ttlafterfinished;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Job;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class TtlAfterFinishedControllerTest {
    static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");
    static final String KEY = NS + "/pi";

    final SharedInformers informers = informers();
    final RecordingClient recording = new RecordingClient();
    final TtlAfterFinishedController controller = new TtlAfterFinishedController(informers, recording, Clock.fixed(NOW, ZoneOffset.UTC));

    static Job finished(String type, String at, Integer ttl) {
        Job j = new Job();
        j.metadata.namespace = NS;
        j.metadata.name = "pi";
        j.metadata.uid = "uid-pi";
        j.spec.ttlSecondsAfterFinished = ttl;
        if (type != null) {
            Job.JobCondition c = new Job.JobCondition();
            c.type = type;
            c.status = "True";
            c.lastTransitionTime = at;
            j.status.conditions.add(c);
        }
        return j;
    }

    void given(Job cached, Job live) {
        preload(informers.informer(Job.class), cached);
        if (live != null) {
            recording.live(live);
        }
    }

    @Test
    void deletesACompletedJobOnceItsTtlExpiredInTheForeground() {
        Job j = finished("Complete", "2026-01-01T00:59:00Z", 60);
        given(j, j);

        Result result = controller.reconcile(KEY);

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(recording.summaries()).containsExactly("delete Job default/pi");
        DeleteOptions options = recording.deleteOptions().getLast();
        assertThat(options.propagationPolicy).isEqualTo("Foreground");
        assertThat(options.preconditions.uid).isEqualTo("uid-pi");
    }

    @Test
    void aFailedJobExpiresToo() {
        Job j = finished("Failed", "2026-01-01T00:00:00Z", 0);
        given(j, j);

        controller.reconcile(KEY);

        assertThat(recording.summaries()).containsExactly("delete Job default/pi");
    }

    @Test
    void beforeExpiryTheJobIsLookedAtAgainWhenItExpires() {
        Job j = finished("Complete", "2026-01-01T00:59:00Z", 100);
        given(j, j);

        Result result = controller.reconcile(KEY);

        assertThat(recording.actions()).isEmpty();
        assertThat(result.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
        assertThat(result.after()).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void anUnfinishedJobOrOneWithoutTtlIsKept() {
        given(finished(null, null, 0), null);
        assertThat(controller.reconcile(KEY).kind()).isEqualTo(Result.Kind.DONE);

        given(finished("Complete", "2026-01-01T00:00:00Z", null), null);
        controller.reconcile(KEY);

        assertThat(recording.actions()).isEmpty();
    }

    @Test
    void theLiveJobDecides() {
        Job cached = finished("Complete", "2026-01-01T00:00:00Z", 10);
        Job live = Json.copy(cached);
        // someone raised the TTL meanwhile
        live.spec.ttlSecondsAfterFinished = 7200;
        given(cached, live);

        Result result = controller.reconcile(KEY);

        assertThat(recording.actions()).isEmpty();
        assertThat(result.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
    }
}
