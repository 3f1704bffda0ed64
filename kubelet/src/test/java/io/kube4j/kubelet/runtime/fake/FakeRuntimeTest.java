package io.kube4j.kubelet.runtime.fake;

import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.runtime.Sandbox;
import io.kube4j.kubelet.runtime.SandboxConfig;
import io.kube4j.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The hollow runtime's programs and timings: the documentation's example pods behave as on a real node. */
class FakeRuntimeTest {
    private static final PodRef POD = new PodRef("uid-1", "default", "web");
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));

    private static ContainerConfig config(ContainerConfig.Kind kind, String... command) {
        return new ContainerConfig(POD, "c", 0, "busybox", List.of(command), List.of(), null, Map.of(), List.of(), null, null, kind);
    }

    @Test
    void programsAreReadFromTheCommand() {
        Duration init = Duration.ofSeconds(1);
        assertThat(FakeProgram.of(config(ContainerConfig.Kind.CONTAINER, "sh", "-c", "echo hi; sleep 5; exit 3"), init))
                .isEqualTo(new FakeProgram(Duration.ofSeconds(5), 3, List.of("hi")));
        assertThat(FakeProgram.of(config(ContainerConfig.Kind.CONTAINER, "sleep", "120"), init).runTime()).isEqualTo(Duration.ofSeconds(120));
        assertThat(FakeProgram.of(config(ContainerConfig.Kind.CONTAINER, "sh", "-c", "date && false"), init).exitCode()).isEqualTo(1);
        assertThat(FakeProgram.of(config(ContainerConfig.Kind.SIDECAR, "sh", "-c", "tail -F /opt/logs.txt"), init).runTime()).isNull();
        assertThat(FakeProgram.of(config(ContainerConfig.Kind.CONTAINER, "sh", "-c", "while true; do sleep 1; done"), init).runTime()).isNull();
        assertThat(FakeProgram.of(config(ContainerConfig.Kind.CONTAINER, "sleep", "infinity"), init).runTime()).isNull();
        assertThat(FakeProgram.of(config(ContainerConfig.Kind.CONTAINER), init).runTime()).isNull();
        assertThat(FakeProgram.of(config(ContainerConfig.Kind.INIT), init)).isEqualTo(new FakeProgram(init, 0, List.of()));
    }

    @Test
    void aContainerExitsWhenItsProgramEndsOnTheRuntimesClockAndTellsTheListeners() {
        FakeRuntime rt = new FakeRuntime(clock, FakeRuntime.Timings.INSTANT, null);
        AtomicInteger events = new AtomicInteger();
        rt.addContainerEventListener(events::incrementAndGet);
        String sb = rt.runPodSandbox(new SandboxConfig(POD, 0, "web"));
        Sandbox sandbox = rt.listPodSandboxes().get(0);
        assertThat(sandbox.id()).isEqualTo(sb);
        String id = rt.createContainer(sandbox, config(ContainerConfig.Kind.INIT, "sh", "-c", "echo init; sleep 2"));
        rt.startContainer(id);
        assertThat(events.get()).isEqualTo(1);
        assertThat(rt.containerStatus(id).state()).isEqualTo(ContainerInfo.State.RUNNING);

        clock.advance(Duration.ofSeconds(2));
        ContainerInfo done = rt.containerStatus(id);
        assertThat(done.state()).isEqualTo(ContainerInfo.State.EXITED);
        assertThat(done.exitCode()).isZero();
        assertThat(done.finishedAt()).isEqualTo(done.startedAt().plusSeconds(2));
        assertThat(rt.podNetworkReachable()).isFalse();
    }

    @Test
    void aContainerSlowerThanItsGracePeriodIsKilled() {
        FakeRuntime rt = new FakeRuntime(clock, new FakeRuntime.Timings(Duration.ZERO, Duration.ZERO, Duration.ofMillis(300), Duration.ZERO), "127.0.0.1");
        rt.runPodSandbox(new SandboxConfig(POD, 0, "web"));
        Sandbox sandbox = rt.listPodSandboxes().get(0);
        String polite = rt.createContainer(sandbox, config(ContainerConfig.Kind.CONTAINER, "nginx"));
        String stubborn = rt.createContainer(sandbox, config(ContainerConfig.Kind.CONTAINER, "nginx"));
        rt.startContainer(polite);
        rt.startContainer(stubborn);

        rt.stopContainer(polite, Duration.ofSeconds(1));
        rt.stopContainer(stubborn, Duration.ofMillis(100));

        assertThat(rt.containerStatus(polite).exitCode()).isEqualTo(143);
        assertThat(rt.containerStatus(stubborn).exitCode()).isEqualTo(137);
        assertThat(rt.podNetworkReachable()).isTrue();
    }

    @Test
    void ephemeralContainersAreRefusedWithAClearMessage() {
        FakeRuntime rt = new FakeRuntime(clock, FakeRuntime.Timings.INSTANT, null);
        rt.runPodSandbox(new SandboxConfig(POD, 0, "web"));
        Sandbox sandbox = rt.listPodSandboxes().get(0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> rt.createContainer(sandbox, config(ContainerConfig.Kind.EPHEMERAL, "sh")))
                .isInstanceOf(io.kube4j.kubelet.runtime.ContainerRuntimeException.class)
                .hasMessage("the fake runtime does not run ephemeral containers (c): use the docker or process runtime to debug a pod");
        assertThat(rt.listContainers()).isEmpty();
    }
}
