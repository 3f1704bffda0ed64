package io.kube4j.controllermanager;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.CronJob;
import io.kube4j.api.Job;
import io.kube4j.api.Namespace;
import io.kube4j.api.Pod;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.client.ListOptions;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Job, CronJob and TTL-after-finished controllers against a real apiserver on a real etcd. No
 * scheduler or kubelet runs: the test plays the kubelet for one namespace, reporting each new pod
 * Running and shortly after Succeeded (exit code 0) through {@code pods/{name}/status}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobsIT {
    EtcdContainer etcd;
    ApiServerProcess apiServer;
    ApiClient client;
    ConfigurableApplicationContext manager;

    @BeforeAll
    void startCluster() throws Exception {
        ControllerManagerIT.useCopyOfApiServerJar();
        etcd = new EtcdContainer();
        etcd.start();
        apiServer = new ApiServerProcess(etcd.endpoint()).start();
        client = new ApiClient(apiServer.url());
        manager = new SpringApplicationBuilder(ControllerManagerApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=" + apiServer.url(),
                "--kube4j.controller-manager.leader-elect=false");
    }

    @AfterAll
    void stopCluster() {
        if (manager != null) {
            manager.close();
        }
        if (apiServer != null) {
            apiServer.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    void namespace(String name) {
        Namespace ns = new Namespace();
        ns.metadata.name = name;
        client.create(ns);
    }

    static Job job(String ns, String name, int completions, int parallelism) {
        Job j = new Job();
        j.metadata.namespace = ns;
        j.metadata.name = name;
        j.spec.completions = completions;
        j.spec.parallelism = parallelism;
        j.spec.template = new PodTemplateSpec();
        Container c = new Container();
        c.name = "pi";
        c.image = "perl:5";
        j.spec.template.spec.containers.add(c);
        j.spec.template.spec.restartPolicy = "Never";
        return j;
    }

    static boolean isActive(Pod p) {
        return p.metadata.deletionTimestamp == null && !"Succeeded".equals(p.status.phase) && !"Failed".equals(p.status.phase);
    }

    /** Writes status through /status, or through the main resource where the apiserver has no status subresource for the kind. */
    <T extends io.kube4j.api.KubeObject> void writeStatus(T obj) {
        try {
            client.updateStatus(obj);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            client.update(obj);
        }
    }

    /**
     * The stand-in kubelet: every pod in {@code ns} goes Running, then after {@code runFor} Succeeded
     * with its container terminated (exit code 0). Records the most pods ever active at once.
     */
    final class FakeKubelet implements AutoCloseable {
        final Informer<Pod> pods;
        final AtomicInteger maxActive = new AtomicInteger();
        final Set<String> finished = ConcurrentHashMap.newKeySet();
        final Thread loop;
        volatile boolean closed;

        FakeKubelet(String ns, Duration runFor) {
            pods = new Informer<>(client, Pod.class, ns, ListOptions.ALL, 2);
            pods.addHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(Pod p) {
                    count();
                }

                @Override
                public void onUpdate(Pod o, Pod p) {
                    count();
                }

                @Override
                public void onDelete(Pod p) {
                    count();
                }
            });
            pods.start();
            loop = Thread.ofVirtual().start(() -> {
                while (!closed) {
                    for (Pod p : pods.store().list()) {
                        try {
                            step(p, runFor);
                        } catch (ApiException e) {
                            // a conflict with the controller's writes: the next round sees the new state
                        }
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        void count() {
            int active = (int) pods.store().list().stream().filter(JobsIT::isActive).count();
            maxActive.accumulateAndGet(active, Math::max);
        }

        void step(Pod pod, Duration runFor) {
            if (!isActive(pod)) {
                return;
            }
            Pod next = Json.copy(pod);
            if (!"Running".equals(pod.status.phase)) {
                next.status.phase = "Running";
                next.status.startTime = Times.now();
                writeStatus(next);
                return;
            }
            Instant started = Times.parse(pod.status.startTime);
            if (started != null && Instant.now().isAfter(started.plus(runFor))) {
                next.status.phase = "Succeeded";
                ContainerStatus cs = new ContainerStatus();
                cs.name = "pi";
                cs.state = new ContainerStatus.ContainerState();
                cs.state.terminated = new ContainerStatus.Terminated();
                cs.state.terminated.exitCode = 0;
                cs.state.terminated.reason = "Completed";
                cs.state.terminated.finishedAt = Times.now();
                next.status.containerStatuses = List.of(cs);
                writeStatus(next);
                finished.add(pod.metadata.name);
            }
        }

        @Override
        public void close() {
            closed = true;
            loop.interrupt();
            pods.stop();
        }
    }

    @Test
    void aJobOfFiveCompletionsRunsAtMostTwoPodsAtOnceAndCompletes() {
        namespace("batch");
        try (FakeKubelet kubelet = new FakeKubelet("batch", Duration.ofMillis(700))) {
            await().atMost(Duration.ofSeconds(10)).until(kubelet.pods::hasSynced);
            client.create(job("batch", "pi", 5, 2));

            await().atMost(Duration.ofSeconds(90)).until(() -> {
                Job j = client.get(Job.class, "batch", "pi");
                return j.status.conditions.stream().anyMatch(c -> c.type.equals("Complete") && c.status.equals("True"));
            });

            Job done = client.get(Job.class, "batch", "pi");
            assertThat(done.status.succeeded).isEqualTo(5);
            assertThat(done.status.failed).isNull();
            assertThat(done.status.active).isNull();
            assertThat(done.status.startTime).isNotNull();
            assertThat(done.status.completionTime).isNotNull();
            assertThat(done.status.uncountedTerminatedPods == null
                    || (done.status.uncountedTerminatedPods.succeeded.isEmpty() && done.status.uncountedTerminatedPods.failed.isEmpty())).isTrue();
            assertThat(done.status.conditions).extracting(c -> c.type).containsExactly("SuccessCriteriaMet", "Complete");
            assertThat(done.status.conditions).allSatisfy(c -> assertThat(c.reason).isEqualTo("CompletionsReached"));

            List<Pod> pods = client.list(Pod.class, "batch").items;
            assertThat(pods).hasSize(5).allSatisfy(p -> {
                assertThat(p.status.phase).isEqualTo("Succeeded");
                // counted, so the tracking finalizer is gone
                assertThat(p.metadata.finalizers).doesNotContain("batch.kubernetes.io/job-tracking");
                assertThat(p.metadata.controllerRef().uid).isEqualTo(done.metadata.uid);
            });
            assertThat(kubelet.maxActive.get()).isEqualTo(2);
        }
    }

    @Test
    void aCronJobEveryMinuteCreatesTheJobOfTheCurrentMinute() {
        namespace("cron");
        CronJob cj = new CronJob();
        cj.metadata.namespace = "cron";
        cj.metadata.name = "tick";
        cj.spec.schedule = "* * * * *";
        cj.spec.jobTemplate = new Job.JobTemplateSpec();
        Job template = job("cron", "unused", 1, 1);
        cj.spec.jobTemplate.spec = template.spec;
        CronJob created = client.create(cj);

        // as if the last run was a minute ago: the current minute is due now, no need to wait for the next one
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        CronJob withLastRun = client.get(CronJob.class, "cron", "tick");
        withLastRun.status.lastScheduleTime = Times.format(minute.minusSeconds(60));
        writeStatus(withLastRun);

        await().atMost(Duration.ofSeconds(30)).until(() -> !client.list(Job.class, "cron").items.isEmpty());

        Job job = client.list(Job.class, "cron").items.getFirst();
        long minutes = Long.parseLong(job.metadata.name.substring("tick-".length()));
        // the current minute, or the next one if the clock turned meanwhile
        assertThat(minutes).isBetween(minute.getEpochSecond() / 60, minute.getEpochSecond() / 60 + 1);
        assertThat(job.metadata.annotations).containsEntry("batch.kubernetes.io/cronjob-scheduled-timestamp",
                Times.format(Instant.ofEpochSecond(minutes * 60)));
        assertThat(job.metadata.controllerRef().uid).isEqualTo(created.metadata.uid);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            CronJob status = client.get(CronJob.class, "cron", "tick");
            assertThat(status.status.active).extracting(r -> r.name).containsExactly(job.metadata.name);
            assertThat(status.status.lastScheduleTime).isEqualTo(Times.format(Instant.ofEpochSecond(minutes * 60)));
        });
        // and the Job controller runs its pod
        await().atMost(Duration.ofSeconds(20)).until(() -> !client.list(Pod.class, "cron").items.isEmpty());
    }

    @Test
    void aFinishedJobWithATtlIsDeletedWithItsPods() {
        namespace("ttl");
        try (FakeKubelet kubelet = new FakeKubelet("ttl", Duration.ofMillis(200))) {
            await().atMost(Duration.ofSeconds(10)).until(kubelet.pods::hasSynced);
            Job j = job("ttl", "once", 1, 1);
            j.spec.ttlSecondsAfterFinished = 1;
            client.create(j);

            await().atMost(Duration.ofSeconds(30)).until(() -> kubelet.finished.size() == 1);
            // foreground: the pods go first (garbage collector), then the Job
            await().atMost(Duration.ofSeconds(60)).until(() -> client.find(Job.class, "ttl", "once").isEmpty()
                    && client.list(Pod.class, "ttl").items.isEmpty());
            assertThat(kubelet.finished).hasSize(1);
        }
    }
}
