package io.kube4j.scheduler.it;

import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.api.PodSchedulingGate;
import io.kube4j.client.ApiClient;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code spec.schedulingGates} against a real apiserver and etcd: a gated pod stays Pending with
 * PodScheduled=False/SchedulingGated while the scheduler places other pods; removing its gates (an update
 * of the pod) gets it bound.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulingGatesIT {
    private static final String NS = "default";

    private EtcdContainer etcd;
    private ApiServerProcess apiserver;
    private ApiClient client;
    private ConfigurableApplicationContext scheduler;

    @BeforeAll
    void startCluster() {
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint()).start();
        client = new ApiClient(apiserver.url());
        client.create(ClusterFixture.node("node-a", "4", "8Gi", 110));
        scheduler = ClusterFixture.startScheduler(apiserver.url(), "--kube4j.scheduler.leader-elect=false");
    }

    @AfterAll
    void stopCluster() {
        if (scheduler != null) {
            scheduler.close();
        }
        if (apiserver != null) {
            apiserver.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    private Pod pod(String name) {
        return client.get(Pod.class, NS, name);
    }

    @Test
    @Order(1)
    void aGatedPodStaysPendingWithTheSchedulingGatedConditionWhileOthersAreScheduled() {
        Pod gated = ClusterFixture.pod(NS, "gated", "100m", "64Mi");
        gated.spec.schedulingGates.add(new PodSchedulingGate("example.com/quota"));
        gated.spec.schedulingGates.add(new PodSchedulingGate("example.com/approval"));
        client.create(gated);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            PodCondition c = pod("gated").status.condition("PodScheduled");
            assertThat(c).isNotNull();
            assertThat(c.status).isEqualTo("False");
            assertThat(c.reason).isEqualTo("SchedulingGated");
            assertThat(c.message).isEqualTo("Scheduling is blocked due to non-empty scheduling gates");
        });

        // a pod created after it is bound: the scheduler is at work, and still leaves the gated one alone
        client.create(ClusterFixture.pod(NS, "free", "100m", "64Mi"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> "node-a".equals(pod("free").spec.nodeName));
        Pod stillGated = pod("gated");
        assertThat(stillGated.spec.nodeName).isNull();
        assertThat(stillGated.status.phase).isEqualTo("Pending");
        assertThat(stillGated.status.condition("PodScheduled").reason).isEqualTo("SchedulingGated");
        assertThat(stillGated.spec.schedulingGates).extracting(g -> g.name).containsExactly("example.com/quota", "example.com/approval");
        MeterRegistry metrics = scheduler.getBean(MeterRegistry.class);
        assertThat(metrics.get("scheduler.pending.pods").tag("queue", "gated").gauge().value()).isEqualTo(1.0);
    }

    @Test
    @Order(2)
    void removingTheGatesGetsThePodBound() {
        // Kubernetes allows deleting scheduling gates from a pod (validateOnlyDeletedSchedulingGates)
        client.patch(Pod.class, NS, "gated", "application/json-patch+json", "[{\"op\":\"remove\",\"path\":\"/spec/schedulingGates\"}]");

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> "node-a".equals(pod("gated").spec.nodeName));
        assertThat(pod("gated").status.condition("PodScheduled").status).isEqualTo("True");
        MeterRegistry metrics = scheduler.getBean(MeterRegistry.class);
        assertThat(metrics.get("scheduler.pending.pods").tag("queue", "gated").gauge().value()).isZero();
    }
}
