package io.kube4j.kubelet.logs;

import io.kube4j.api.Container;
import io.kube4j.api.EphemeralContainer;
import io.kube4j.api.Pod;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The kubelet's container-name check for logs, over all containers as pkg/registry/core/pod/strategy.go's podHasContainerWithName. */
class ContainerLogsTest {
    @Test
    void initRegularAndEphemeralContainersAreValidOthersNot() {
        Pod pod = new Pod();
        Container setup = new Container();
        setup.name = "setup";
        Container web = new Container();
        web.name = "web";
        EphemeralContainer dbg = new EphemeralContainer();
        dbg.name = "dbg2";
        pod.spec.initContainers.add(setup);
        pod.spec.containers.add(web);
        pod.spec.ephemeralContainers.add(dbg);
        assertThat(ContainerLogs.hasContainerWithName(pod, "setup")).isTrue();
        assertThat(ContainerLogs.hasContainerWithName(pod, "web")).isTrue();
        assertThat(ContainerLogs.hasContainerWithName(pod, "dbg2")).isTrue();
        assertThat(ContainerLogs.hasContainerWithName(pod, "nope")).isFalse();
    }
}
