package io.kube4j.scheduler.it;

import io.kube4j.api.Lease;
import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.ComponentProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two scheduler processes on one Lease: one schedules; SIGKILL it and the standby takes over within 15 s. */
class LeaderFailoverIT {
    private EtcdContainer etcd;
    private ApiServerProcess apiserver;
    private ComponentProcess a;
    private ComponentProcess b;

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {b, a, apiserver}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    private ComponentProcess scheduler(String identity) {
        return new ComponentProcess("scheduler", identity, ApiServerProcess.freePort(), "/actuator/health",
                List.of("--kube4j.apiserver.url=" + apiserver.url(), "--kube4j.scheduler.identity=" + identity)).start();
    }

    private String holder(ApiClient client) {
        return client.find(Lease.class, "kube-system", "kube-scheduler").map(l -> l.spec.holderIdentity).orElse(null);
    }

    private String nodeOf(ApiClient client, String pod) {
        return client.get(Pod.class, "default", pod).spec.nodeName;
    }

    @Test
    void theStandbyTakesOverWhenTheLeaderDiesAndBindsNewPods() {
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint()).start();
        ApiClient client = new ApiClient(apiserver.url());
        client.create(ClusterFixture.node("node-1", "4", "8Gi", 110));

        a = scheduler("scheduler-a");
        await().atMost(Duration.ofSeconds(30)).until(() -> "scheduler-a".equals(holder(client)));
        b = scheduler("scheduler-b");

        client.create(ClusterFixture.pod("default", "before", "100m", "64Mi"));
        await().atMost(Duration.ofSeconds(20)).until(() -> "node-1".equals(nodeOf(client, "before")));
        assertThat(holder(client)).as("the standby waits").isEqualTo("scheduler-a");

        a.kill();
        long killed = System.nanoTime();
        client.create(ClusterFixture.pod("default", "after", "100m", "64Mi"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> "scheduler-b".equals(holder(client)));
        Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
        System.out.printf("standby took over %d ms after the leader was killed%n", takeover.toMillis());
        assertThat(takeover).as("takeover time").isLessThan(Duration.ofSeconds(15));
        await().atMost(Duration.ofSeconds(15)).until(() -> "node-1".equals(nodeOf(client, "after")));
    }
}
