package io.kube4j.kubelet.runtime.docker;

import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import io.kube4j.kubelet.runtime.LinuxContainerSecurity;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.runtime.Sandbox;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The container create body {@link DockerRuntime} sends for a security context, as cri-dockerd's modifyContainerConfig,
 * modifyHostConfig and getSeccompSecurityOpts write it.
 */
class DockerRuntimeSecurityContextTest {
    private static final PodRef POD = new PodRef("uid-1", "ns", "web");
    private static final Sandbox SANDBOX = new Sandbox("sandbox-id", POD, 0, true, "10.0.0.2", Instant.EPOCH);
    // the body is built without talking to Docker
    private final DockerRuntime runtime = new DockerRuntime(new DockerClient(Path.of("/nonexistent/docker.sock")), "node-a", "", "busybox");

    private ObjectNode body(LinuxContainerSecurity s) {
        ContainerConfig c = new ContainerConfig(POD, "app", 0, "busybox", List.of("sh"), List.of(), null, Map.of(), List.of(), null, null);
        return runtime.createBody(SANDBOX, c.withSecurity(s));
    }

    private static List<String> strings(JsonNode array) {
        return array.valueStream().map(JsonNode::asString).toList();
    }

    @Test
    void restrictedContextSetsUserCapabilitiesReadOnlyRootAndNoNewPrivileges() {
        ObjectNode b = body(new LinuxContainerSecurity(1000L, null, 2000L, List.of(3000L, 4000L), List.of("NET_BIND_SERVICE"), List.of("ALL"),
                false, true, true, LinuxContainerSecurity.SECCOMP_RUNTIME_DEFAULT));

        JsonNode host = b.path("HostConfig");
        assertThat(b.path("User").asString()).isEqualTo("1000:2000");
        assertThat(strings(host.path("GroupAdd"))).containsExactly("3000", "4000");
        assertThat(strings(host.path("CapAdd"))).containsExactly("NET_BIND_SERVICE");
        assertThat(strings(host.path("CapDrop"))).containsExactly("ALL");
        assertThat(host.path("ReadonlyRootfs").asBoolean()).isTrue();
        assertThat(host.path("Privileged").asBoolean()).isFalse();
        // RuntimeDefault is Docker's own default profile: no seccomp option
        assertThat(strings(host.path("SecurityOpt"))).containsExactly("no-new-privileges");
    }

    @Test
    void noSecurityContextLeavesTheImageUserAndRunsSeccompUnconfinedAsKubernetesDoes() {
        ObjectNode b = body(LinuxContainerSecurity.NONE);

        JsonNode host = b.path("HostConfig");
        assertThat(b.has("User")).isFalse();
        assertThat(host.has("CapAdd")).isFalse();
        assertThat(host.has("CapDrop")).isFalse();
        assertThat(host.has("GroupAdd")).isFalse();
        assertThat(host.path("ReadonlyRootfs").asBoolean()).isFalse();
        assertThat(host.path("Privileged").asBoolean()).isFalse();
        assertThat(strings(host.path("SecurityOpt"))).containsExactly("seccomp=unconfined");
    }

    @Test
    void privilegedContainer() {
        ObjectNode b = body(new LinuxContainerSecurity(null, null, null, List.of(), List.of(), List.of(), true, false, false,
                LinuxContainerSecurity.SECCOMP_UNCONFINED));

        assertThat(b.path("HostConfig").path("Privileged").asBoolean()).isTrue();
    }

    @Test
    void userWithoutGroupAndANamedImageUserWithAGroup() {
        assertThat(body(new LinuxContainerSecurity(1000L, null, null, List.of(), List.of(), List.of(), false, false, false,
                LinuxContainerSecurity.SECCOMP_RUNTIME_DEFAULT)).path("User").asString()).isEqualTo("1000");
        assertThat(body(new LinuxContainerSecurity(null, "www", 33L, List.of(), List.of(), List.of(), false, false, false,
                LinuxContainerSecurity.SECCOMP_RUNTIME_DEFAULT)).path("User").asString()).isEqualTo("www:33");
    }

    @Test
    void runAsGroupWithoutAnyUserIsRefusedAsCriDockerdDoes() {
        assertThatThrownBy(() -> body(new LinuxContainerSecurity(null, null, 33L, List.of(), List.of(), List.of(), false, false, false,
                LinuxContainerSecurity.SECCOMP_RUNTIME_DEFAULT)))
                .isInstanceOf(ContainerRuntimeException.class).hasMessage("runAsGroup is specified without a runAsUser");
    }

    @Test
    void localhostSeccompIsNotPassedOn() {
        ObjectNode b = body(new LinuxContainerSecurity(null, null, null, List.of(), List.of(), List.of(), false, false, false,
                "localhost/profiles/audit.json"));

        assertThat(b.path("HostConfig").has("SecurityOpt")).isFalse();
    }
}
