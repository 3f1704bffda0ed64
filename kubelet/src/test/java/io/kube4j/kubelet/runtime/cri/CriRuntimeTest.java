package io.kube4j.kubelet.runtime.cri;

import io.kube4j.kubelet.KubeletProperties;
import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.LinuxContainerSecurity;
import io.kube4j.kubelet.runtime.Mount;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.runtime.cri.v1.KeyValue;
import io.kube4j.kubelet.runtime.cri.v1.NamespaceMode;
import io.kube4j.kubelet.runtime.cri.v1.PodSandboxConfig;
import io.kube4j.kubelet.runtime.cri.v1.SecurityProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How {@link CriRuntime} maps the kubelet's configs onto CRI messages (no runtime needed: the channel connects lazily). */
class CriRuntimeTest {
    @TempDir
    Path dir;
    private CriRuntime runtime;
    private final PodRef pod = new PodRef("uid-1", "ns", "web");

    private CriRuntime runtime(KubeletProperties.PodNetwork network) {
        runtime = new CriRuntime("unix://" + dir.resolve("none.sock"), "node-a", "local/pause:k4j", dir.resolve("logs"), dir.resolve("pods"), network);
        return runtime;
    }

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private ContainerConfig container(Long cpuMillis, Long memory, LinuxContainerSecurity security) {
        return new ContainerConfig(pod, "app", 2, "local/busybox:latest", List.of("sh"), List.of("-c", "true"), "/work",
                Map.of("A", "1"), List.of(new Mount("cache", "/cache", false, null), new Mount(null, "/host", true, "/srv/data")),
                cpuMillis, memory).withSecurity(security);
    }

    @Test
    void endpointsAreUnixSocketPaths() {
        assertThat(CriRuntime.socketPath("unix:///run/containerd/containerd.sock")).isEqualTo(Path.of("/run/containerd/containerd.sock"));
        assertThat(CriRuntime.socketPath("/run/crio/crio.sock")).isEqualTo(Path.of("/run/crio/crio.sock"));
        assertThatThrownBy(() -> CriRuntime.socketPath("tcp://127.0.0.1:1234")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sandboxConfigCarriesMetadataLabelsLogDirectoryAndClusterDns() {
        PodSandboxConfig c = runtime(new KubeletProperties.PodNetwork("10.96.0.10", "cluster.local", "", "")).sandboxConfig(pod, 1, "web", true);
        assertThat(c.getMetadata().getName()).isEqualTo("web");
        assertThat(c.getMetadata().getNamespace()).isEqualTo("ns");
        assertThat(c.getMetadata().getUid()).isEqualTo("uid-1");
        assertThat(c.getMetadata().getAttempt()).isEqualTo(1);
        assertThat(c.getHostname()).isEqualTo("web");
        assertThat(c.getLogDirectory()).isEqualTo(dir.resolve("logs").resolve("ns_web_uid-1").toString());
        assertThat(c.getLabelsMap()).containsEntry("io.kubernetes.pod.name", "web").containsEntry("io.kubernetes.pod.namespace", "ns")
                .containsEntry("io.kubernetes.pod.uid", "uid-1").containsEntry("io.kube4j.node", "node-a");
        assertThat(c.getDnsConfig().getServersList()).containsExactly("10.96.0.10");
        assertThat(c.getDnsConfig().getSearchesList()).containsExactly("ns.svc.cluster.local", "svc.cluster.local", "cluster.local");
        assertThat(c.getDnsConfig().getOptionsList()).containsExactly("ndots:5");
        assertThat(c.getLinux().getSecurityContext().getPrivileged()).isTrue();
        var ns = c.getLinux().getSecurityContext().getNamespaceOptions();
        assertThat(ns.getNetwork()).isEqualTo(NamespaceMode.POD);
        assertThat(ns.getPid()).isEqualTo(NamespaceMode.CONTAINER);

        runtime.close();
        // without a cluster DNS: the runtime's default resolv.conf
        assertThat(runtime(null).sandboxConfig(pod, 0, "web", false).hasDnsConfig()).isFalse();
    }

    @Test
    void containerConfigAsKuberuntimeBuildsIt() {
        var c = runtime(null).containerConfig(container(null, null, LinuxContainerSecurity.NONE));
        assertThat(c.getMetadata().getName()).isEqualTo("app");
        assertThat(c.getMetadata().getAttempt()).isEqualTo(2);
        assertThat(c.getImage().getImage()).isEqualTo("local/busybox:latest");
        assertThat(c.getCommandList()).containsExactly("sh");
        assertThat(c.getArgsList()).containsExactly("-c", "true");
        assertThat(c.getWorkingDir()).isEqualTo("/work");
        assertThat(c.getEnvsList()).extracting(KeyValue::getKey, KeyValue::getValue).containsExactly(org.assertj.core.groups.Tuple.tuple("A", "1"));
        assertThat(c.getLogPath()).isEqualTo("app/2.log");
        assertThat(c.getLabelsMap()).containsEntry("io.kubernetes.container.name", "app").containsEntry("io.kubernetes.pod.uid", "uid-1");
        assertThat(c.getAnnotationsMap()).containsEntry("io.kubernetes.container.restartCount", "2");
        assertThat(c.getMounts(0).getContainerPath()).isEqualTo("/cache");
        assertThat(c.getMounts(0).getHostPath()).isEqualTo(dir.resolve("pods/uid-1/volumes/kubernetes.io~empty-dir/cache").toString());
        assertThat(dir.resolve("pods/uid-1/volumes/kubernetes.io~empty-dir/cache")).isDirectory();
        assertThat(c.getMounts(1).getHostPath()).isEqualTo("/srv/data");
        assertThat(c.getMounts(1).getReadonly()).isTrue();
        // no limits: the minimum CPU shares, no quota, no memory limit
        assertThat(c.getLinux().getResources().getCpuShares()).isEqualTo(2);
        assertThat(c.getLinux().getResources().getCpuQuota()).isZero();
        assertThat(c.getLinux().getResources().getMemoryLimitInBytes()).isZero();
        assertThat(c.getLinux().getSecurityContext().getSeccomp().getProfileType()).isEqualTo(SecurityProfile.ProfileType.Unconfined);
    }

    @Test
    void limitsBecomeCfsQuotaSharesAndMemoryLimit() {
        var r = CriRuntime.resources(container(250L, 128L << 20, LinuxContainerSecurity.NONE));
        assertThat(r.getCpuPeriod()).isEqualTo(100_000);
        assertThat(r.getCpuQuota()).isEqualTo(25_000);
        assertThat(r.getCpuShares()).isEqualTo(256);
        assertThat(r.getMemoryLimitInBytes()).isEqualTo(128L << 20);
        // kubelet's minimum quota is 1 ms per period
        assertThat(CriRuntime.resources(container(1L, null, LinuxContainerSecurity.NONE)).getCpuQuota()).isEqualTo(1000);
    }

    @Test
    void securityContextMapsOntoLinuxContainerSecurityContext() {
        var sc = CriRuntime.security(container(null, null, new LinuxContainerSecurity(1000L, null, 3000L, List.of(2000L, 5L),
                List.of("NET_ADMIN"), List.of("ALL"), false, true, true, "localhost/profiles/audit.json")));
        assertThat(sc.getRunAsUser().getValue()).isEqualTo(1000);
        assertThat(sc.getRunAsGroup().getValue()).isEqualTo(3000);
        assertThat(sc.getSupplementalGroupsList()).containsExactly(2000L, 5L);
        assertThat(sc.getCapabilities().getAddCapabilitiesList()).containsExactly("NET_ADMIN");
        assertThat(sc.getCapabilities().getDropCapabilitiesList()).containsExactly("ALL");
        assertThat(sc.getReadonlyRootfs()).isTrue();
        assertThat(sc.getNoNewPrivs()).isTrue();
        assertThat(sc.getPrivileged()).isFalse();
        assertThat(sc.getSeccomp().getProfileType()).isEqualTo(SecurityProfile.ProfileType.Localhost);
        assertThat(sc.getSeccomp().getLocalhostRef()).isEqualTo("profiles/audit.json");

        var named = CriRuntime.security(container(null, null, new LinuxContainerSecurity(null, "nobody", null, List.of(), List.of(), List.of(),
                true, false, false, LinuxContainerSecurity.SECCOMP_RUNTIME_DEFAULT)));
        assertThat(named.hasRunAsUser()).isFalse();
        assertThat(named.getRunAsUsername()).isEqualTo("nobody");
        assertThat(named.getPrivileged()).isTrue();
        assertThat(named.getSeccomp().getProfileType()).isEqualTo(SecurityProfile.ProfileType.RuntimeDefault);
    }

    @Test
    void anEphemeralContainerWithATargetJoinsItsPidNamespace() {
        var sc = CriRuntime.security(container(null, null, LinuxContainerSecurity.NONE).withTargetContainerId("abc"));
        assertThat(sc.getNamespaceOptions().getPid()).isEqualTo(NamespaceMode.TARGET);
        assertThat(sc.getNamespaceOptions().getTargetId()).isEqualTo("abc");
        assertThat(CriRuntime.security(container(null, null, LinuxContainerSecurity.NONE)).getNamespaceOptions().getPid())
                .isEqualTo(NamespaceMode.CONTAINER);
    }

    /** containerd names the sandbox a failed RunPodSandbox made: that one is stopped and removed at once. */
    @Test
    void failedSandboxIdIsReadFromContainerdsError() {
        String id = "4f1c6b0e9a7d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b";
        assertThat(CriRuntime.failedSandboxId("failed to setup network for sandbox \"" + id + "\": cni plugin not initialized")).isEqualTo(id);
        assertThat(CriRuntime.failedSandboxId("failed to get sandbox image \"registry.k8s.io/pause:3.10\": not found")).isNull();
        assertThat(CriRuntime.failedSandboxId(null)).isNull();
    }

    /** Kubernetes' FailedCreatePodSandBox carries the CRI error as grpc-go prints it. */
    @Test
    void grpcErrorsReadAsGrpcGoPrintsThem() {
        assertThat(CriRuntime.grpcError(io.grpc.Status.UNKNOWN.withDescription("failed to setup network for sandbox \"x\": cni plugin not initialized")
                .asRuntimeException())).isEqualTo("rpc error: code = Unknown desc = failed to setup network for sandbox \"x\": cni plugin not initialized");
        assertThat(CriRuntime.grpcError(io.grpc.Status.DEADLINE_EXCEEDED.withDescription("context deadline exceeded").asRuntimeException()))
                .isEqualTo("rpc error: code = DeadlineExceeded desc = context deadline exceeded");
    }
}
