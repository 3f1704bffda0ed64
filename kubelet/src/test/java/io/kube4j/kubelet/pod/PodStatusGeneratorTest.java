package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.PodCondition;
import io.kube4j.api.PodSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** getPhase and the conditions of status/generate.go, row by row, with Kubernetes' values. */
class PodStatusGeneratorTest {

    record Row(String name, String restartPolicy, List<String> inits, List<String> sidecars, List<ContainerStatus> statuses, boolean terminal,
               String phase) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Row> phases() {
        return Stream.of(
                new Row("nothing started yet", "Always", List.of(), List.of(), List.of(waiting("app")), false, "Pending"),
                new Row("running", "Always", List.of(), List.of(), List.of(running("app", true)), false, "Running"),
                new Row("init container running", "Always", List.of("i"), List.of(), List.of(running("i", false), waiting("app")), false, "Pending"),
                new Row("init container failed, Never", "Never", List.of("i"), List.of(), List.of(terminated("i", 1), waiting("app")), false, "Failed"),
                new Row("init container failed, OnFailure: restarting", "OnFailure", List.of("i"), List.of(), List.of(terminated("i", 1), waiting("app")), false, "Pending"),
                new Row("sidecar running, not started yet", "Never", List.of(), List.of("s"), List.of(running("s", false), waiting("app")), false, "Pending"),
                new Row("sidecar and app running", "Never", List.of(), List.of("s"), List.of(running("s", true), running("app", true)), false, "Running"),
                new Row("app done, sidecar still running", "Never", List.of(), List.of("s"), List.of(running("s", true), terminated("app", 0)), false, "Running"),
                new Row("app done, sidecar stopped: terminated sidecars do not count", "Never", List.of(), List.of("s"),
                        List.of(terminated("s", 143), terminated("app", 0)), false, "Succeeded"),
                new Row("Always: all exited is still Running (restarting)", "Always", List.of(), List.of(), List.of(terminated("app", 1)), false, "Running"),
                new Row("OnFailure: one failed is Running (restarting)", "OnFailure", List.of(), List.of(), List.of(terminated("app", 1)), false, "Running"),
                new Row("OnFailure: all succeeded", "OnFailure", List.of(), List.of(), List.of(terminated("app", 0)), false, "Succeeded"),
                new Row("Never: one failed", "Never", List.of(), List.of(), List.of(terminated("a", 0), terminated("b", 1)), false, "Failed"),
                new Row("terminal pod, Always: by exit codes", "Always", List.of(), List.of(), List.of(terminated("app", 137)), true, "Failed"),
                new Row("waiting after a crash counts as stopped", "Always", List.of(), List.of(), List.of(crashLoop("app")), false, "Running"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("phases")
    void phaseIsKubernetesGetPhase(Row r) {
        PodSpec spec = spec(r);
        assertThat(PodStatusGenerator.phase(spec, r.statuses(), r.terminal())).isEqualTo(r.phase());
    }

    @Test
    void conditionsCarryKubernetesReasonsAndMessages() {
        PodSpec spec = spec(new Row("", "Always", List.of("i1", "i2"), List.of(), List.of(), false, ""));
        List<ContainerStatus> statuses = List.of(running("i1", false), waiting("i2"), waiting("app"), waiting("web"));
        PodCondition init = PodStatusGenerator.initialized(spec, statuses, "Pending");
        assertThat(init.status).isEqualTo("False");
        assertThat(init.reason).isEqualTo("ContainersNotInitialized");
        assertThat(init.message).isEqualTo("containers with incomplete status: [i1 i2]");

        PodCondition ready = PodStatusGenerator.containersReady(spec, statuses, "Pending");
        assertThat(ready.reason).isEqualTo("ContainersNotReady");
        assertThat(ready.message).isEqualTo("containers with unready status: [app web]");
        assertThat(PodStatusGenerator.containersReady(spec, statuses, "Succeeded").reason).isEqualTo("PodCompleted");
        assertThat(PodStatusGenerator.containersReady(spec, statuses, "Failed").reason).isEqualTo("PodFailed");
        assertThat(PodStatusGenerator.initialized(spec, statuses, "Succeeded").reason).isEqualTo("PodCompleted");
    }

    private static PodSpec spec(Row r) {
        PodSpec spec = new PodSpec();
        spec.restartPolicy = r.restartPolicy();
        for (String i : r.inits()) {
            spec.initContainers.add(c(i));
        }
        for (String s : r.sidecars()) {
            Container c = c(s);
            c.restartPolicy = "Always";
            spec.initContainers.add(c);
        }
        List<String> taken = new ArrayList<>(r.inits());
        taken.addAll(r.sidecars());
        for (ContainerStatus st : r.statuses()) {
            if (!taken.contains(st.name)) {
                spec.containers.add(c(st.name));
            }
        }
        if (spec.containers.isEmpty()) {
            spec.containers.add(c("app"));
            spec.containers.add(c("web"));
        }
        return spec;
    }

    private static Container c(String name) {
        Container c = new Container();
        c.name = name;
        return c;
    }

    private static ContainerStatus base(String name) {
        ContainerStatus s = new ContainerStatus();
        s.name = name;
        s.state = new ContainerStatus.ContainerState();
        s.lastState = new ContainerStatus.ContainerState();
        return s;
    }

    private static ContainerStatus waiting(String name) {
        ContainerStatus s = base(name);
        s.state.waiting = new ContainerStatus.Waiting();
        return s;
    }

    private static ContainerStatus running(String name, boolean started) {
        ContainerStatus s = base(name);
        s.state.running = new ContainerStatus.Running();
        s.started = started;
        s.ready = started;
        return s;
    }

    private static ContainerStatus terminated(String name, int code) {
        ContainerStatus s = base(name);
        s.state.terminated = new ContainerStatus.Terminated();
        s.state.terminated.exitCode = code;
        s.ready = code == 0;
        return s;
    }

    private static ContainerStatus crashLoop(String name) {
        ContainerStatus s = waiting(name);
        s.lastState.terminated = new ContainerStatus.Terminated();
        s.lastState.terminated.exitCode = 1;
        return s;
    }
}
