package io.kube4j.kubelet.pod;

import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.runtime.Sandbox;
import io.kube4j.kubelet.runtime.fake.FakeRuntime;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kubernetes' containerGC.evictSandboxes (kuberuntime_gc.go): per pod, sandboxes newest first; inactive ones (not
 * ready, no containers) are removed except the newest of a pod that still exists; each through StopPodSandbox then
 * RemovePodSandbox.
 */
class ContainerGcTest {
    private static final PodRef WEB = new PodRef("uid-web", "default", "web");
    private static final PodRef GONE = new PodRef("uid-gone", "default", "gone");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final List<String> calls = new ArrayList<>();
    /** A runtime that only records the sandbox calls the collection makes (any other call fails the test). */
    private final io.kube4j.kubelet.runtime.ContainerRuntime recording = (io.kube4j.kubelet.runtime.ContainerRuntime) Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[]{io.kube4j.kubelet.runtime.ContainerRuntime.class}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "stopPodSandbox", "removePodSandbox" -> {
                        if ("dead-stuck".equals(args[0]) && method.getName().equals("stopPodSandbox")) {
                            throw new ContainerRuntimeException("failed to destroy network for sandbox \"dead-stuck\": cni plugin not initialized", null);
                        }
                        calls.add(method.getName() + " " + args[0]);
                        return null;
                    }
                    default -> throw new AssertionError("unexpected call " + method.getName());
                }
            });

    private static Sandbox sandbox(String id, PodRef pod, int attempt, boolean ready, int second) {
        return new Sandbox(id, pod, attempt, ready, ready ? "10.244.0.5" : null, T0.plusSeconds(second));
    }

    private static ContainerInfo container(PodRef pod, String name, int createdSecond) {
        return new ContainerInfo("c-" + name, pod, name, 0, "busybox", "sha256:1", ContainerInfo.State.EXITED, T0.plusSeconds(createdSecond),
                T0.plusSeconds(createdSecond), T0.plusSeconds(createdSecond + 1), 0, "Completed", null);
    }

    @Test
    void removesDeadSandboxesButTheNewestOfAnExistingPodStopFirst() {
        List<Sandbox> sandboxes = List.of(
                sandbox("dead-1", WEB, 0, false, 1),
                sandbox("dead-2", WEB, 1, false, 2),
                sandbox("dead-3", WEB, 2, false, 3)); // the newest: kept, dead or not

        List<String> removed = ContainerGc.evictSandboxes(recording, sandboxes, List.of(), uid -> false);

        assertThat(removed).containsExactly("dead-1", "dead-2");
        // oldest first, each stopped (so the runtime releases its netns) before it is removed
        assertThat(calls).containsExactly("stopPodSandbox dead-1", "removePodSandbox dead-1", "stopPodSandbox dead-2", "removePodSandbox dead-2");
    }

    @Test
    void keepsReadySandboxesAndThoseWithContainers() {
        List<Sandbox> sandboxes = List.of(
                sandbox("old-with-logs", WEB, 0, false, 1), // its exited container (created at 5 s) is kept for logs
                sandbox("failed", WEB, 1, false, 10),
                sandbox("ready", WEB, 2, true, 20));

        List<String> removed = ContainerGc.evictSandboxes(recording, sandboxes, List.of(container(WEB, "app", 5)), uid -> false);

        assertThat(removed).containsExactly("failed");
        assertThat(calls).containsExactly("stopPodSandbox failed", "removePodSandbox failed");
    }

    @Test
    void removesEveryDeadSandboxOfAPodThatIsGone() {
        List<Sandbox> sandboxes = List.of(sandbox("gone-1", GONE, 0, false, 1), sandbox("gone-2", GONE, 1, false, 2),
                sandbox("web", WEB, 0, false, 1));

        List<String> removed = ContainerGc.evictSandboxes(recording, sandboxes, List.of(), Set.of("uid-gone")::contains);

        assertThat(removed).containsExactly("gone-1", "gone-2");
    }

    /** removeSandbox: a sandbox that cannot be stopped is not removed (the next collection tries again); the rest go on. */
    @Test
    void aSandboxThatCannotBeStoppedIsLeftForTheNextCollection() {
        List<Sandbox> sandboxes = List.of(sandbox("dead-stuck", WEB, 0, false, 1), sandbox("dead-2", WEB, 1, false, 2),
                sandbox("newest", WEB, 2, false, 3));

        List<String> removed = ContainerGc.evictSandboxes(recording, sandboxes, List.of(), uid -> false);

        assertThat(removed).containsExactly("dead-2");
        assertThat(calls).containsExactly("stopPodSandbox dead-2", "removePodSandbox dead-2");
    }

    /** The pod workers' housekeeping runs the collection on the runtime: failed sandboxes containerd left go. */
    @Test
    void failedRunPodSandboxLeftoversAreCollectedOnTheFakeRuntime() {
        FakeRuntime runtime = new FakeRuntime(java.time.Clock.fixed(T0, java.time.ZoneOffset.UTC), java.time.Duration.ZERO, "127.0.0.1");
        runtime.failRunPodSandbox("cni plugin not initialized", true);
        for (int attempt = 0; attempt < 3; attempt++) {
            int a = attempt;
            try {
                runtime.runPodSandbox(new io.kube4j.kubelet.runtime.SandboxConfig(WEB, a, "web", false));
            } catch (ContainerRuntimeException expected) {
                // left behind, not ready
            }
        }
        assertThat(runtime.listPodSandboxes()).hasSize(3).noneMatch(Sandbox::ready);

        List<String> removed = ContainerGc.evictSandboxes(runtime, runtime.listPodSandboxes(), runtime.listContainers(), uid -> false);

        assertThat(removed).hasSize(2);
        assertThat(runtime.listPodSandboxes()).singleElement().satisfies(s -> assertThat(s.attempt()).isEqualTo(2));
    }
}
