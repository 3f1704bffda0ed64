package io.kube4j.apiserver.admission.podsecurity;

import io.kube4j.apiserver.admission.podsecurity.PodSecurityApi.Level;
import io.kube4j.apiserver.admission.podsecurity.PodSecurityApi.LevelVersion;
import io.kube4j.apiserver.admission.podsecurity.PodSecurityApi.Version;
import io.kube4j.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The baseline and restricted checks against pods, with the messages of Kubernetes' check tests
 * ({@code pod-security-admission/policy/check_*_test.go}, 1.32) and the aggregate text the admission
 * plugin puts after {@code violates PodSecurity "<level>:<version>": }.
 */
class PodSecurityChecksTest {
    static final LevelVersion BASELINE = new LevelVersion(Level.BASELINE, Version.LATEST);
    static final LevelVersion RESTRICTED = new LevelVersion(Level.RESTRICTED, Version.LATEST);

    static JsonNode pod(String yaml) {
        return Json.toTree(Json.readYaml(yaml, Object.class));
    }

    static String detail(LevelVersion lv, String podYaml) {
        JsonNode p = pod(podYaml);
        return PodSecurityChecks.aggregate(lv, p.path("metadata"), p.path("spec")).forbiddenDetail();
    }

    /** A container that meets restricted, so each case shows only the field it is about. */
    static final String OK = "securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}";

    static Stream<Arguments> baselineCases() {
        return Stream.of(
                Arguments.of("privileged", """
                        spec: {containers: [{name: a, securityContext: {privileged: true}}, {name: b, securityContext: {privileged: false}}, {name: c}]}
                        """, "privileged (container \"a\" must not set securityContext.privileged=true)"),
                Arguments.of("host namespaces", """
                        spec: {hostNetwork: true, hostPID: true, hostIPC: true, containers: [{name: a}]}
                        """, "host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)"),
                Arguments.of("hostPath volumes", """
                        spec: {containers: [{name: a}], volumes: [{name: a, hostPath: {path: /}}, {name: b, emptyDir: {}}, {name: c, hostPath: {path: /x}}]}
                        """, "hostPath volumes (volumes \"a\", \"c\")"),
                Arguments.of("host ports, one container", """
                        spec: {containers: [{name: a, ports: [{containerPort: 80}]}, {name: b, ports: [{containerPort: 20, hostPort: 20}]}]}
                        """, "hostPort (container \"b\" uses hostPort 20)"),
                Arguments.of("host ports, several", """
                        spec: {containers: [{name: b, ports: [{containerPort: 10, hostPort: 10}, {containerPort: 20, hostPort: 20}]}, {name: c, ports: [{containerPort: 30, hostPort: 30}]}]}
                        """, "hostPort (containers \"b\", \"c\" use hostPorts 10, 20, 30)"),
                Arguments.of("capabilities beyond the default set", """
                        spec: {containers: [{name: a, securityContext: {capabilities: {add: [CHOWN, NET_RAW]}}}, {name: b, securityContext: {capabilities: {add: [SYS_ADMIN]}}}]}
                        """, "non-default capabilities (containers \"a\", \"b\" must not include \"NET_RAW\", \"SYS_ADMIN\" in securityContext.capabilities.add)"),
                Arguments.of("SELinux options", """
                        spec:
                          securityContext: {seLinuxOptions: {type: foo, user: bar, role: baz}}
                          containers:
                          - {name: a, securityContext: {seLinuxOptions: {type: container_t}}}
                          - {name: d, securityContext: {seLinuxOptions: {type: container_engine_t}}}
                          - {name: e, securityContext: {seLinuxOptions: {type: bar}}}
                          - {name: f, securityContext: {seLinuxOptions: {user: bar}}}
                          - {name: g, securityContext: {seLinuxOptions: {role: baz}}}
                        """, "seLinuxOptions (pod and containers \"e\", \"f\", \"g\" set forbidden securityContext.seLinuxOptions: types \"bar\", \"foo\"; user may not be set; role may not be set)"),
                Arguments.of("procMount", """
                        spec: {containers: [{name: a, securityContext: {procMount: Default}}, {name: b, securityContext: {procMount: Unmasked}}]}
                        """, "procMount (container \"b\" must not set securityContext.procMount to \"Unmasked\")"),
                Arguments.of("seccomp Unconfined", """
                        spec: {securityContext: {seccompProfile: {type: Unconfined}}, containers: [{name: a, securityContext: {seccompProfile: {type: Unconfined}}}, {name: b}]}
                        """, "seccompProfile (pod and container \"a\" must not set securityContext.seccompProfile.type to \"Unconfined\")"),
                Arguments.of("sysctls", """
                        spec: {securityContext: {sysctls: [{name: net.ipv4.tcp_rmem, value: x}, {name: kernel.msgmax, value: x}, {name: a, value: b}]}, containers: [{name: a}]}
                        """, "forbidden sysctls (kernel.msgmax, a)"),
                Arguments.of("AppArmor", """
                        metadata: {annotations: {container.apparmor.security.beta.kubernetes.io/a: unconfined, container.apparmor.security.beta.kubernetes.io/b: runtime/default}}
                        spec: {securityContext: {appArmorProfile: {type: Unconfined}}, containers: [{name: a, securityContext: {appArmorProfile: {type: Localhost, localhostProfile: x}}}]}
                        """, "forbidden AppArmor profiles (pod and annotation must not set AppArmor profile type to \"Unconfined\", \"container.apparmor.security.beta.kubernetes.io/a=\"unconfined\"\")"),
                Arguments.of("Windows hostProcess", """
                        spec: {securityContext: {windowsOptions: {hostProcess: true}}, containers: [{name: a, securityContext: {windowsOptions: {hostProcess: true}}}]}
                        """, "hostProcess (pod and container \"a\" must not set securityContext.windowsOptions.hostProcess=true)"),
                Arguments.of("ephemeral and init containers are checked too, init first", """
                        spec: {initContainers: [{name: i, securityContext: {privileged: true}}], containers: [{name: a}], ephemeralContainers: [{name: e, securityContext: {privileged: true}}]}
                        """, "privileged (containers \"i\", \"e\" must not set securityContext.privileged=true)"),
                Arguments.of("several checks, in Kubernetes' order", """
                        spec: {hostNetwork: true, containers: [{name: a, securityContext: {privileged: true, capabilities: {add: [NET_ADMIN]}}}]}
                        """, "non-default capabilities (container \"a\" must not include \"NET_ADMIN\" in securityContext.capabilities.add), host namespaces (hostNetwork=true), privileged (container \"a\" must not set securityContext.privileged=true)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("baselineCases")
    void baselineViolationsAreWordedAsKubernetesWordsThem(String name, String pod, String expected) {
        assertThat(detail(BASELINE, pod)).isEqualTo(expected);
    }

    @Test
    void aDefaultPodViolatesRestrictedWithKubernetesMessage() {
        assertThat(detail(RESTRICTED, "spec: {containers: [{name: c, image: busybox}]}")).isEqualTo(
                "allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false), "
                        + "unrestricted capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]), "
                        + "runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true), "
                        + "seccompProfile (pod or container \"c\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
        assertThat(detail(BASELINE, "spec: {containers: [{name: c, image: busybox}]}")).isEmpty();
    }

    @Test
    void aPodMeetingRestrictedPasses() {
        assertThat(PodSecurityChecks.aggregate(RESTRICTED, pod("{}").path("metadata"),
                pod("spec: {containers: [{name: c, " + OK + "}], volumes: [{name: v, projected: {sources: []}}]}").path("spec")).allowed()).isTrue();
    }

    static Stream<Arguments> restrictedCases() {
        return Stream.of(
                Arguments.of("capabilities: missing drop ALL and forbidden adds", """
                        spec: {securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}, containers:
                          [{name: a, securityContext: {allowPrivilegeEscalation: false, capabilities: {add: [NET_BIND_SERVICE]}}},
                           {name: b, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [CHOWN, SYS_TIME]}}}]}
                        """, "unrestricted capabilities (container \"a\" must set securityContext.capabilities.drop=[\"ALL\"]; container \"b\" must not include \"CHOWN\", \"SYS_TIME\" in securityContext.capabilities.add)"),
                Arguments.of("runAsNonRoot explicitly false beats implicit", """
                        spec: {securityContext: {runAsNonRoot: false, seccompProfile: {type: RuntimeDefault}}, containers:
                          [{name: a, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, runAsNonRoot: false}}]}
                        """, "runAsNonRoot != true (pod and container \"a\" must not set securityContext.runAsNonRoot=false)"),
                Arguments.of("runAsUser 0", """
                        spec: {securityContext: {runAsUser: 0}, containers: [{name: a, %s}, {name: b, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}, runAsUser: 0}}]}
                        """.formatted(OK), "runAsUser=0 (pod and container \"b\" must not set runAsUser=0)"),
                Arguments.of("restricted volume types, the hostPath baseline check replaced", """
                        spec: {containers: [{name: a, %s}], volumes: [{name: a1, emptyDir: {}}, {name: a2, secret: {secretName: s}}, {name: a3, csi: {driver: d}},
                          {name: b1, hostPath: {path: /}}, {name: b5, nfs: {server: s, path: /}}, {name: b4, gitRepo: {repository: r}}, {name: c1, image: {reference: x}}]}
                        """.formatted(OK), "restricted volume types (volumes \"b1\", \"b5\", \"b4\", \"c1\" use restricted volume types \"gitRepo\", \"hostPath\", \"nfs\", \"unknown\")"),
                Arguments.of("Windows pods are exempt from the Linux-only restricted checks", """
                        spec: {os: {name: windows}, securityContext: {runAsNonRoot: true}, containers: [{name: a}]}
                        """, ""),
                Arguments.of("seccomp set on the pod covers containers", """
                        spec: {securityContext: {seccompProfile: {type: Localhost, localhostProfile: p}, runAsNonRoot: true}, containers:
                          [{name: a, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}]}
                        """, ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("restrictedCases")
    void restrictedViolationsAreWordedAsKubernetesWordsThem(String name, String pod, String expected) {
        assertThat(detail(RESTRICTED, pod)).isEqualTo(expected);
    }

    @Test
    void versionsPickTheChecksOfThatRelease() {
        // capabilities_restricted starts at v1.22: before it the baseline capability check applies
        String pod = "spec: {securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}, containers: [{name: a, securityContext: {allowPrivilegeEscalation: false}}]}";
        assertThat(detail(new LevelVersion(Level.RESTRICTED, Version.of(21)), pod)).isEmpty();
        assertThat(detail(new LevelVersion(Level.RESTRICTED, Version.of(22)), pod))
                .isEqualTo("unrestricted capabilities (container \"a\" must set securityContext.capabilities.drop=[\"ALL\"])");
        // container_engine_t is allowed from v1.31; net.ipv4.tcp_rmem from v1.32; v1.40 reads as the newest
        String selinux = "spec: {containers: [{name: a, securityContext: {seLinuxOptions: {type: container_engine_t}}}]}";
        assertThat(detail(new LevelVersion(Level.BASELINE, Version.of(30)), selinux))
                .isEqualTo("seLinuxOptions (container \"a\" set forbidden securityContext.seLinuxOptions: type \"container_engine_t\")");
        assertThat(detail(new LevelVersion(Level.BASELINE, Version.of(31)), selinux)).isEmpty();
        String sysctl = "spec: {securityContext: {sysctls: [{name: net.ipv4.tcp_rmem, value: x}]}, containers: [{name: a}]}";
        assertThat(detail(new LevelVersion(Level.BASELINE, Version.of(31)), sysctl)).isEqualTo("forbidden sysctls (net.ipv4.tcp_rmem)");
        assertThat(detail(new LevelVersion(Level.BASELINE, Version.of(40)), sysctl)).isEmpty();
        // before v1.19 seccomp was annotations only
        String annotated = "metadata: {annotations: {seccomp.security.alpha.kubernetes.io/pod: unconfined}}\nspec: {containers: [{name: a}]}";
        assertThat(detail(new LevelVersion(Level.BASELINE, Version.of(18)), annotated))
                .isEqualTo("seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod=\"unconfined\")");
        assertThat(detail(new LevelVersion(Level.BASELINE, Version.of(19)), annotated)).isEmpty();
    }

    @Test
    void privilegedChecksNothing() {
        assertThat(PodSecurityChecks.evaluate(new LevelVersion(Level.PRIVILEGED, Version.LATEST), pod("{}"),
                pod("{hostNetwork: true, containers: [{name: a, securityContext: {privileged: true}}]}"))).isEmpty();
    }
}
