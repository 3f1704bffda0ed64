package io.kube4j.controllermanager.runtime;

import io.kube4j.api.DaemonSet;
import io.kube4j.controllermanager.testing.RecordingClient;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class StatusUpdatesTest {
    static DaemonSet daemonSet(String resourceVersion) {
        DaemonSet ds = new DaemonSet();
        ds.metadata.namespace = "default";
        ds.metadata.name = "agent";
        ds.metadata.resourceVersion = resourceVersion;
        return ds;
    }

    @Test
    void aKindServedWithoutStatusSubresourceGetsItsStatusThroughTheMainResource() {
        RecordingClient client = new RecordingClient().failWhen(a -> a.verb().equals("updateStatus"), 404);

        StatusUpdates.updateStatus(client, daemonSet("5"));

        assertThat(client.summaries()).containsExactly("update DaemonSet default/agent");
    }

    @Test
    void aConflictIsRetriedOnceOnTheLiveObjectWithTheSameStatus() {
        AtomicInteger attempts = new AtomicInteger();
        RecordingClient client = new RecordingClient().failWhen(a -> a.verb().equals("updateStatus") && attempts.incrementAndGet() == 1, 409);
        client.live(daemonSet("8"));

        StatusUpdates.updateStatus(client, daemonSet("5"), DaemonSet.class, ds -> ds.status.desiredNumberScheduled = 3);

        assertThat(client.actions("updateStatus", "DaemonSet")).singleElement().satisfies(a -> {
            DaemonSet written = (DaemonSet) a.object();
            // the live object's version (the fake client bumps it after recording)
            assertThat(written.metadata.resourceVersion).startsWith("8");
            assertThat(written.status.desiredNumberScheduled).isEqualTo(3);
        });
    }
}
