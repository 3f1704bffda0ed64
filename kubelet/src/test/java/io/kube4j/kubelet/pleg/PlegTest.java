package io.kube4j.kubelet.pleg;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Pod;
import io.kube4j.events.EventRecorder;
import io.kube4j.kubelet.manager.ObjectManager;
import io.kube4j.kubelet.pod.Backoff;
import io.kube4j.kubelet.pod.ContainerConfigFactory;
import io.kube4j.kubelet.pod.EnvironmentProvider;
import io.kube4j.kubelet.pod.KubeletContext;
import io.kube4j.kubelet.pod.KubeletMetrics;
import io.kube4j.kubelet.pod.PodWorker;
import io.kube4j.kubelet.pod.StatusManager;
import io.kube4j.kubelet.probe.ProbeRunner;
import io.kube4j.kubelet.runtime.InstrumentedRuntime;
import io.kube4j.kubelet.runtime.fake.FakeRuntime;
import io.kube4j.kubelet.testing.RecordingApiClient;
import io.kube4j.kubelet.volume.VolumeManager;
import io.kube4j.kubelet.volume.VolumePayloads;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The node's relist shared by all its pod workers, with live loops on the fake runtime and the wall
 * clock: the runtime is listed once per period whatever the number of pods, and a container's exit
 * reaches the pod's status in well under a second.
 */
class PlegTest {
    private static final Duration PERIOD = Duration.ofMillis(200);

    private final RecordingApiClient api = new RecordingApiClient();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FakeRuntime fake = new FakeRuntime(Clock.systemUTC(), Duration.ZERO, null);
    private final InstrumentedRuntime runtime = new InstrumentedRuntime(fake, registry);
    private final Pleg pleg = new Pleg(runtime, PERIOD);
    private final KubeletContext ctx = new KubeletContext("node-1", "10.0.0.1", runtime, "fake", api, new EventRecorder(api, "kubelet", "node-1"),
            new ProbeRunner(runtime), new ContainerConfigFactory(EnvironmentProvider.NONE), Backoff.kubelet(), Backoff.kubelet(), Clock.systemUTC(),
            Duration.ofSeconds(1), new KubeletMetrics(registry), pleg, new StatusManager(api).start("node-1"),
            ObjectManager.none("configMap"), ObjectManager.none("secret"), new VolumeManager(Path.of("target/pleg-test-pods"), api,
            new VolumePayloads(ObjectManager.none("configMap"), ObjectManager.none("secret"), Map::of), new EventRecorder(api, "kubelet", "node-1"), Clock.systemUTC()));
    private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        workers.values().forEach(PodWorker::stop);
        pleg.stop();
    }

    private void startWorkers(List<Pod> pods) {
        pleg.addListener(uid -> {
            PodWorker w = workers.get(uid);
            if (w != null) {
                w.signal();
            }
        });
        pleg.start();
        for (Pod p : pods) {
            api.put(p);
            PodWorker w = new PodWorker(p.metadata.uid, () -> api.stored(Pod.class, "default", p.metadata.name), ctx, () -> { });
            workers.put(p.metadata.uid, w);
            w.start();
        }
    }

    private static Pod pod(int i, String restartPolicy) {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = "pod-" + i;
        p.metadata.uid = "uid-" + i;
        p.spec.nodeName = "node-1";
        p.spec.restartPolicy = restartPolicy;
        Container c = new Container();
        c.name = "app";
        c.image = "local/busybox:1";
        c.imagePullPolicy = "IfNotPresent";
        c.command.addAll(List.of("nginx"));
        p.spec.containers.add(c);
        return p;
    }

    private ContainerStatus app(String name) {
        Pod p = api.stored(Pod.class, "default", name);
        return p == null || p.status == null || p.status.containerStatuses.isEmpty() ? null : p.status.containerStatuses.get(0);
    }

    private double count(String operation) {
        var t = registry.find("kubelet.runtime.operations").tag("operation", operation).tag("outcome", "success").timer();
        return t == null ? 0 : t.count();
    }

    @Test
    void twentyPodsOnOneNodeAreListedOncePerPeriodNotOncePerPod() throws Exception {
        fake.addImage("local/busybox:1");
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            pods.add(pod(i, "Always"));
        }
        startWorkers(pods);
        await().atMost(Duration.ofSeconds(15)).until(() -> pods.stream().allMatch(p -> {
            ContainerStatus s = app(p.metadata.name);
            return s != null && s.state.running != null;
        }));
        Thread.sleep(PERIOD.toMillis() * 2); // let the last actions' relists settle

        double listsBefore = count("list_containers");
        double sandboxListsBefore = count("list_podsandbox");
        long relistsBefore = pleg.relists();
        long start = System.nanoTime();
        Thread.sleep(3000);
        long relists = pleg.relists() - relistsBefore;
        double lists = count("list_containers") - listsBefore;
        double sandboxLists = count("list_podsandbox") - sandboxListsBefore;
        long periods = Duration.ofNanos(System.nanoTime() - start).toMillis() / PERIOD.toMillis();

        System.out.printf("20 pods, %d periods of %d ms: %d relists, %.0f container lists, %.0f sandbox lists%n",
                periods, PERIOD.toMillis(), relists, lists, sandboxLists);
        // one list per relist, not one per pod (that would be 20 per relist); the counters are read a moment
        // apart, so a relist may land between the two reads
        assertThat(lists).isCloseTo(relists, org.assertj.core.data.Offset.offset(1.0));
        assertThat(sandboxLists).isCloseTo(relists, org.assertj.core.data.Offset.offset(1.0));
        assertThat(relists).isBetween(periods - 2, periods + 1);
    }

    @Test
    void aContainerExitReachesThePodStatusWithinOneSecond() throws Exception {
        fake.addImage("local/busybox:1");
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pods.add(pod(i, "Never"));
        }
        startWorkers(pods);
        await().atMost(Duration.ofSeconds(15)).until(() -> pods.stream().allMatch(p -> {
            ContainerStatus s = app(p.metadata.name);
            return s != null && s.state.running != null;
        }));
        List<Long> millis = new ArrayList<>();
        for (Pod p : pods) {
            long start = System.nanoTime();
            fake.exit(p.metadata.uid, "app", 3);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> {
                ContainerStatus s = app(p.metadata.name);
                return s != null && s.state.terminated != null;
            });
            millis.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
            assertThat(api.stored(Pod.class, "default", p.metadata.name).status.phase).isEqualTo("Failed");
        }
        System.out.println("exit to pod status (ms): " + millis);
        assertThat(millis).allSatisfy(ms -> assertThat(ms).isLessThan(1000));
    }
}
