package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.EphemeralContainer;
import io.kube4j.api.Pod;
import io.kube4j.api.SecurityContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The sandbox is privileged when any container of the pod is (Kubernetes' {@code HasPrivilegedContainer}). */
class HasPrivilegedContainerTest {

    private static <C extends Container> C container(C c, Boolean privileged) {
        c.name = "c";
        if (privileged != null) {
            c.securityContext = new SecurityContext();
            c.securityContext.privileged = privileged;
        }
        return c;
    }

    @Test
    void anyInitRegularOrEphemeralPrivilegedContainerMakesThePodPrivileged() {
        Pod pod = new Pod();
        pod.spec.containers.add(container(new Container(), null));
        pod.spec.containers.add(container(new Container(), false));
        assertThat(PodWorker.hasPrivilegedContainer(pod)).isFalse();

        Pod init = new Pod();
        init.spec.initContainers.add(container(new Container(), true));
        assertThat(PodWorker.hasPrivilegedContainer(init)).isTrue();

        Pod debug = new Pod();
        debug.spec.containers.add(container(new Container(), null));
        debug.spec.ephemeralContainers.add(container(new EphemeralContainer(), true));
        assertThat(PodWorker.hasPrivilegedContainer(debug)).isTrue();
    }
}
