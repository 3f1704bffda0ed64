package io.kube4j.scheduler;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The wired process without an apiserver: configuration binds, health answers, metrics are exposed. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "kube4j.apiserver.url=http://127.0.0.1:1",
        "kube4j.scheduler.leader-elect=false",
        "kube4j.scheduler.weights.TaintToleration=5"})
class SchedulerApplicationTest {
    @LocalServerPort
    int port;

    @Autowired
    SchedulerProperties props;

    private String get(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    @Test
    void bindsConfigurationWithKubernetesDefaults() {
        assertThat(props.name()).isEqualTo("default-scheduler");
        assertThat(props.leaderElect()).isFalse();
        assertThat(props.weights()).containsEntry("TaintToleration", 5);
        assertThat(props.leaseNamespace()).isEqualTo("kube-system");
        // KubeSchedulerConfiguration clientConnection defaults (SetDefaults_KubeSchedulerConfiguration)
        assertThat(props.clientConnection().qps()).isEqualTo(50f);
        assertThat(props.clientConnection().burst()).isEqualTo(100);
    }

    @Autowired
    io.kube4j.scheduler.core.EventWriteQueue eventWriteQueue;

    @Test
    void eventsGoThroughClientGosQueueOfAThousandWithOneWriter() {
        assertThat(eventWriteQueue.getQueue().remainingCapacity()).isEqualTo(1000);
        assertThat(eventWriteQueue.getMaximumPoolSize()).isEqualTo(1);
    }

    @Test
    void exposesHealthAndTheSchedulerMetrics() throws Exception {
        assertThat(get("/actuator/health")).contains("UP");
        String metrics = get("/actuator/prometheus");
        assertThat(metrics).contains("scheduler_pending_pods{queue=\"active\"}", "scheduler_pending_pods{queue=\"unschedulable\"}",
                "scheduler_pending_pods{queue=\"gated\"}",
                "scheduler_schedule_attempts_total{result=\"scheduled\"}", "scheduler_scheduling_attempt_duration_seconds_bucket");
    }
}
