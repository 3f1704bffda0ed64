package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Pod;
import io.kube4j.api.Probe;
import io.kube4j.events.EventRecorder;
import io.kube4j.kubelet.manager.ObjectManager;
import io.kube4j.kubelet.pleg.Pleg;
import io.kube4j.kubelet.probe.ProbeRunner;
import io.kube4j.kubelet.runtime.process.ProcessRuntime;
import io.kube4j.kubelet.testing.GrpcHealthServer;
import io.kube4j.kubelet.testing.RecordingApiClient;
import io.kube4j.kubelet.volume.VolumeManager;
import io.kube4j.kubelet.volume.VolumePayloads;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The documentation's gRPC liveness example on the process runtime, with a live worker loop: the container
 * is a gRPC server (grpc-java's health service) that stops SERVING after 4 s; the kubelet's gRPC probe
 * sees NOT_SERVING and restarts it. (The same through the real apiserver is KubeletLifecycleIT, which
 * needs the apiserver to accept grpc probes.)
 */
class GrpcLivenessOnProcessRuntimeTest {
    @TempDir
    Path root;

    @Test
    void grpcLivenessProbeRestartsTheContainerWhenItsHealthServiceStopsServing() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RecordingApiClient api = new RecordingApiClient();
        ProcessRuntime runtime = new ProcessRuntime(root, "127.0.0.1");
        Pleg pleg = new Pleg(runtime, Duration.ofSeconds(1));
        KubeletContext ctx = new KubeletContext("node-1", "127.0.0.1", runtime, "process", api, new EventRecorder(api, "kubelet", "node-1"),
                new ProbeRunner(runtime), new ContainerConfigFactory(EnvironmentProvider.NONE), Backoff.kubelet(), Backoff.kubelet(), Clock.systemUTC(),
                Duration.ofSeconds(1), new KubeletMetrics(new SimpleMeterRegistry()), pleg, new StatusManager(api).start("node-1"),
                ObjectManager.none("configMap"), ObjectManager.none("secret"), new VolumeManager(root.resolve("pods"), api,
                new VolumePayloads(ObjectManager.none("configMap"), ObjectManager.none("secret"), Map::of), new EventRecorder(api, "kubelet", "node-1"), Clock.systemUTC()));
        Container c = new Container();
        c.name = "etcd";
        c.image = "local/etcd:3.4";
        c.command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                GrpcHealthServer.class.getName(), String.valueOf(port), "4"));
        c.livenessProbe = new Probe();
        c.livenessProbe.grpc = new Probe.GRPCAction();
        c.livenessProbe.grpc.port = port;
        c.livenessProbe.periodSeconds = 1;
        c.livenessProbe.failureThreshold = 1;
        // a JVM takes a moment to listen: the startup probe holds the liveness probe back until it does
        c.startupProbe = new Probe();
        c.startupProbe.grpc = new Probe.GRPCAction();
        c.startupProbe.grpc.port = port;
        c.startupProbe.periodSeconds = 1;
        c.startupProbe.failureThreshold = 60;
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = "grpc";
        p.metadata.uid = "uid-grpc";
        p.spec.restartPolicy = "Always";
        p.spec.terminationGracePeriodSeconds = 2L;
        p.spec.containers.add(c);
        api.put(p);
        PodWorker w = new PodWorker("uid-grpc", () -> api.stored(Pod.class, "default", "grpc"), ctx, () -> { });
        pleg.addListener(uid -> w.signal());
        pleg.start();
        w.start();
        try {
            await().atMost(Duration.ofSeconds(40)).ignoreExceptions().untilAsserted(() -> {
                Pod s = api.stored(Pod.class, "default", "grpc");
                // an assertion, not an exception, while the first status is not written yet: await retries it
                assertThat(s.status.containerStatuses).isNotEmpty();
                ContainerStatus st = s.status.containerStatuses.get(0);
                assertThat(st.restartCount).isGreaterThanOrEqualTo(1);
                assertThat(st.lastState.terminated).isNotNull();
            });
            assertThat(api.events()).anySatisfy(e -> {
                assertThat(e.reason).isEqualTo("Unhealthy");
                assertThat(e.message).isEqualTo("Liveness probe failed: service unhealthy (responded with \"NOT_SERVING\")");
            });
            assertThat(api.events()).anySatisfy(e -> assertThat(e.message).isEqualTo("Container etcd failed liveness probe, will be restarted"));
        } finally {
            w.stop();
            pleg.stop();
            runtime.close();
        }
    }
}
