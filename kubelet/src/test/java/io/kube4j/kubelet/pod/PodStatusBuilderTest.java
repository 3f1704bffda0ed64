package io.kube4j.kubelet.pod;

import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.api.PodSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PodStatusBuilderTest {

    /** A container status from a short code: R running, W waiting, T0/T1 terminated with that code, B1 waiting after exiting 1. */
    private static ContainerStatus status(String code) {
        ContainerStatus s = new ContainerStatus();
        s.name = "c" + code;
        s.state = new ContainerStatus.ContainerState();
        switch (code.charAt(0)) {
            case 'R' -> s.state.running = new ContainerStatus.Running();
            case 'W' -> s.state.waiting = new ContainerStatus.Waiting();
            case 'T' -> {
                s.state.terminated = new ContainerStatus.Terminated();
                s.state.terminated.exitCode = code.charAt(1) - '0';
            }
            case 'B' -> {
                s.state.waiting = new ContainerStatus.Waiting();
                s.lastState = new ContainerStatus.ContainerState();
                s.lastState.terminated = new ContainerStatus.Terminated();
                s.lastState.terminated.exitCode = code.charAt(1) - '0';
            }
            default -> throw new IllegalArgumentException(code);
        }
        return s;
    }

    private static List<ContainerStatus> statuses(String codes) {
        List<ContainerStatus> out = new ArrayList<>();
        if (!codes.isBlank()) {
            for (String c : codes.split(" ")) {
                out.add(status(c));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} init [{1}] containers [{2}] -> {3}")
    @CsvSource({
            "Always,    '',    R,     Running",
            "Always,    '',    W,     Pending",
            "Always,    '',    R W,   Pending",
            "Always,    '',    T0,    Running",
            "Always,    '',    B1,    Running",
            "OnFailure, '',    T0,    Succeeded",
            "OnFailure, '',    T1,    Running",
            "OnFailure, '',    T0 R,  Running",
            "Never,     '',    T0,    Succeeded",
            "Never,     '',    T0 T1, Failed",
            "Never,     '',    T1 R,  Running",
            "Always,    R,     W,     Pending",
            "Always,    T0,    R,     Running",
            "Always,    B1,    W,     Pending",
            "Never,     T1,    W,     Failed",
            "Never,     T0 T1, W,     Failed",
    })
    void phaseFollowsContainersAndRestartPolicy(String policy, String init, String containers, String phase) {
        PodSpec spec = new PodSpec();
        spec.restartPolicy = policy;
        assertThat(PodStatusBuilder.phase(spec, statuses(init), statuses(containers))).isEqualTo(phase);
    }

    @Test
    void conditionsKeepTheirTransitionTimeWhileUnchanged() {
        Pod pod = new Pod();
        ContainerStatus ready = status("R");
        ready.ready = true;
        Instant t1 = Instant.parse("2026-01-01T00:00:00Z");
        pod.status = PodStatusBuilder.build(pod, List.of(), List.of(ready), "10.0.0.5", "192.0.2.1", t1);
        assertThat(pod.status.condition("Ready").lastTransitionTime).isEqualTo("2026-01-01T00:00:00Z");

        Instant t2 = t1.plusSeconds(60);
        pod.status = PodStatusBuilder.build(pod, List.of(), List.of(ready), "10.0.0.5", "192.0.2.1", t2);
        assertThat(pod.status.condition("Ready").lastTransitionTime).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(pod.status.startTime).isEqualTo("2026-01-01T00:00:00Z");

        ContainerStatus unready = status("R");
        pod.status = PodStatusBuilder.build(pod, List.of(), List.of(unready), "10.0.0.5", "192.0.2.1", t2);
        PodCondition c = pod.status.condition("Ready");
        assertThat(c.status).isEqualTo("False");
        assertThat(c.reason).isEqualTo("ContainersNotReady");
        assertThat(c.lastTransitionTime).isEqualTo("2026-01-01T00:01:00Z");
        assertThat(pod.status.podIPs).extracting(ip -> ip.ip).containsExactly("10.0.0.5");
    }

    @Test
    void schedulersPodScheduledConditionIsKept() {
        Pod pod = new Pod();
        pod.status.conditions.add(new PodCondition("PodScheduled", "True", null, null, "2025-01-01T00:00:00Z"));
        var s = PodStatusBuilder.build(pod, List.of(), List.of(status("R")), null, null, Instant.now());
        assertThat(s.condition("PodScheduled").lastTransitionTime).isEqualTo("2025-01-01T00:00:00Z");
    }
}
