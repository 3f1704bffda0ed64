package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.PodSecurityContext;
import io.kube4j.api.SecurityContext;
import io.kube4j.kubelet.runtime.LinuxContainerSecurity;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SecurityContexts}: Kubernetes' effective security context, AddNoNewPrivileges, seccomp and verifyRunAsNonRoot. */
class SecurityContextsTest {
    private static final Function<String, String> NO_LOOKUP = image -> {
        throw new AssertionError("image user looked up for " + image);
    };

    private static Pod pod() {
        Pod p = new Pod();
        p.metadata.namespace = "ns";
        p.metadata.name = "web";
        p.metadata.uid = "uid-1";
        Container c = new Container();
        c.name = "app";
        c.image = "img:1";
        p.spec.containers.add(c);
        return p;
    }

    private static Container app(Pod p) {
        return p.spec.containers.get(0);
    }

    private static SecurityContext.SeccompProfile seccomp(String type) {
        SecurityContext.SeccompProfile s = new SecurityContext.SeccompProfile();
        s.type = type;
        return s;
    }

    @Test
    void withoutAnySecurityContextTheRuntimeDefaultsApplyAndSeccompIsUnconfined() {
        Pod p = pod();

        LinuxContainerSecurity s = SecurityContexts.forContainer(p, app(p), NO_LOOKUP);

        assertThat(s).isEqualTo(LinuxContainerSecurity.NONE);
        assertThat(s.seccompProfile()).isEqualTo("unconfined");
        assertThat(s.runAsUser()).isNull();
        assertThat(s.noNewPrivs()).isFalse();
    }

    @Test
    void containerFieldsWinOverThePodsAndTheRestComeFromThePod() {
        Pod p = pod();
        p.spec.securityContext = new PodSecurityContext();
        p.spec.securityContext.runAsUser = 1000L;
        p.spec.securityContext.runAsGroup = 2000L;
        p.spec.securityContext.runAsNonRoot = true;
        p.spec.securityContext.seccompProfile = seccomp("RuntimeDefault");
        p.spec.securityContext.fsGroup = 3000L;
        p.spec.securityContext.supplementalGroups = new ArrayList<>(List.of(4000L, 4001L));
        SecurityContext c = new SecurityContext();
        c.runAsUser = 1500L;
        c.seccompProfile = seccomp("Unconfined");
        app(p).securityContext = c;

        SecurityContext e = SecurityContexts.effective(p, app(p));
        LinuxContainerSecurity s = SecurityContexts.forContainer(p, app(p), NO_LOOKUP);

        assertThat(e.runAsUser).isEqualTo(1500L);
        assertThat(e.runAsGroup).isEqualTo(2000L);
        assertThat(e.runAsNonRoot).isTrue();
        assertThat(e.seccompProfile.type).isEqualTo("Unconfined");
        assertThat(s.runAsUser()).isEqualTo(1500L);
        assertThat(s.runAsGroup()).isEqualTo(2000L);
        // fsGroup first, then supplementalGroups (determineEffectiveSecurityContext's order)
        assertThat(s.supplementalGroups()).containsExactly(3000L, 4000L, 4001L);
        assertThat(s.seccompProfile()).isEqualTo("unconfined");
        // the pod's own context is untouched
        assertThat(p.spec.securityContext.runAsUser).isEqualTo(1000L);
    }

    @Test
    void restrictedContainerContextMapsEveryField() {
        Pod p = pod();
        SecurityContext c = new SecurityContext();
        c.runAsUser = 1000L;
        c.runAsNonRoot = true;
        c.allowPrivilegeEscalation = false;
        c.readOnlyRootFilesystem = true;
        c.capabilities = new SecurityContext.Capabilities();
        c.capabilities.drop.add("ALL");
        c.capabilities.add.add("NET_BIND_SERVICE");
        c.seccompProfile = seccomp("RuntimeDefault");
        app(p).securityContext = c;

        LinuxContainerSecurity s = SecurityContexts.forContainer(p, app(p), NO_LOOKUP);

        assertThat(s).isEqualTo(new LinuxContainerSecurity(1000L, null, null, List.of(), List.of("NET_BIND_SERVICE"), List.of("ALL"),
                false, true, true, "runtime/default"));
    }

    @Test
    void noNewPrivilegesOnlyWhenAllowPrivilegeEscalationIsExplicitlyFalse() {
        SecurityContext sc = new SecurityContext();
        assertThat(SecurityContexts.addNoNewPrivileges(null)).isFalse();
        assertThat(SecurityContexts.addNoNewPrivileges(sc)).isFalse();
        sc.allowPrivilegeEscalation = true;
        assertThat(SecurityContexts.addNoNewPrivileges(sc)).isFalse();
        sc.allowPrivilegeEscalation = false;
        assertThat(SecurityContexts.addNoNewPrivileges(sc)).isTrue();
    }

    @Test
    void privilegedAndLocalhostSeccomp() {
        Pod p = pod();
        SecurityContext c = new SecurityContext();
        c.privileged = true;
        c.seccompProfile = seccomp("Localhost");
        c.seccompProfile.localhostProfile = "profiles/audit.json";
        app(p).securityContext = c;

        LinuxContainerSecurity s = SecurityContexts.forContainer(p, app(p), NO_LOOKUP);

        assertThat(s.privileged()).isTrue();
        assertThat(s.seccompProfile()).isEqualTo("localhost/profiles/audit.json");
    }

    @Test
    void runAsNonRootWithAnImageWithoutUserIsRefusedWithKubernetesMessage() {
        Pod p = pod();
        p.spec.securityContext = new PodSecurityContext();
        p.spec.securityContext.runAsNonRoot = true;

        assertThatThrownBy(() -> SecurityContexts.forContainer(p, app(p), image -> ""))
                .isInstanceOf(ContainerConfigException.class)
                .hasMessage("container has runAsNonRoot and image will run as root (pod: \"web_ns(uid-1)\", container: app)");
        assertThatThrownBy(() -> SecurityContexts.forContainer(p, app(p), image -> "0:0"))
                .hasMessage("container has runAsNonRoot and image will run as root (pod: \"web_ns(uid-1)\", container: app)");
    }

    @Test
    void runAsNonRootWithANonNumericImageUserIsRefused() {
        Pod p = pod();
        p.spec.securityContext = new PodSecurityContext();
        p.spec.securityContext.runAsNonRoot = true;

        assertThatThrownBy(() -> SecurityContexts.forContainer(p, app(p), image -> "nobody:nogroup"))
                .isInstanceOf(ContainerConfigException.class)
                .hasMessage("container has runAsNonRoot and image has non-numeric user (nobody), cannot verify user is non-root "
                        + "(pod: \"web_ns(uid-1)\", container: app)");
    }

    @Test
    void runAsNonRootWithANumericNonRootImageUserRunsAsThatUid() {
        Pod p = pod();
        p.spec.securityContext = new PodSecurityContext();
        p.spec.securityContext.runAsNonRoot = true;
        List<String> asked = new ArrayList<>();

        LinuxContainerSecurity s = SecurityContexts.forContainer(p, app(p), image -> {
            asked.add(image);
            return "65532:65532";
        });

        assertThat(asked).containsExactly("img:1");
        assertThat(s.runAsUser()).isEqualTo(65532L);
    }

    @Test
    void runAsUserZeroWithRunAsNonRootBreaksTheNonRootPolicy() {
        Pod p = pod();
        p.spec.securityContext = new PodSecurityContext();
        p.spec.securityContext.runAsNonRoot = true;
        SecurityContext c = new SecurityContext();
        c.runAsUser = 0L;
        app(p).securityContext = c;

        assertThatThrownBy(() -> SecurityContexts.forContainer(p, app(p), NO_LOOKUP))
                .isInstanceOf(ContainerConfigException.class)
                .hasMessage("container's runAsUser breaks non-root policy (pod: \"web_ns(uid-1)\", container: app)");
    }

    @Test
    void containerRunAsNonRootFalseOverridesThePodsTrue() {
        Pod p = pod();
        p.spec.securityContext = new PodSecurityContext();
        p.spec.securityContext.runAsNonRoot = true;
        SecurityContext c = new SecurityContext();
        c.runAsNonRoot = false;
        app(p).securityContext = c;

        LinuxContainerSecurity s = SecurityContexts.forContainer(p, app(p), NO_LOOKUP);

        assertThat(s.runAsUser()).isNull();
    }

    @Test
    void aRuntimeThatCannotTellTheImageUserSkipsTheCheck() {
        Pod p = pod();
        p.spec.securityContext = new PodSecurityContext();
        p.spec.securityContext.runAsNonRoot = true;

        LinuxContainerSecurity s = SecurityContexts.forContainer(p, app(p), image -> null);

        assertThat(s.runAsUser()).isNull();
        assertThat(s.runAsUsername()).isNull();
    }

    @Test
    void runAsGroupAloneTakesTheImagesUser() {
        Pod p = pod();
        p.spec.securityContext = new PodSecurityContext();
        p.spec.securityContext.runAsGroup = 3000L;

        assertThat(SecurityContexts.forContainer(p, app(p), image -> "")).extracting(LinuxContainerSecurity::runAsUser, LinuxContainerSecurity::runAsGroup)
                .containsExactly(0L, 3000L);
        assertThat(SecurityContexts.forContainer(p, app(p), image -> "www")).extracting(LinuxContainerSecurity::runAsUsername)
                .isEqualTo("www");
    }
}
