package io.kube4j.apiserver.admission;

import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Admission.Attributes;
import io.kube4j.apiserver.registry.Admission.Operation;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The PodSecurity plugin on namespaces, pods and workload resources, with Kubernetes' messages. */
class PodSecurityAdmissionTest {
    final Map<String, ObjectNode> namespaces = new HashMap<>();
    final Map<String, List<ObjectNode>> pods = new HashMap<>();
    final List<String> warnings = new ArrayList<>();
    final PodSecurityAdmission plugin = new PodSecurityAdmission(namespaces::get, ns -> pods.getOrDefault(ns, List.of()), warnings::add);

    static ObjectNode yaml(String yaml) {
        return (ObjectNode) Json.toTree(Json.readYaml(yaml, Object.class));
    }

    void namespace(String name, String labels) {
        namespaces.put(name, yaml("metadata: {name: " + name + ", labels: " + labels + "}"));
    }

    static final String PRIVILEGED_POD = "metadata: {name: x, namespace: team}\nspec: {containers: [{name: c, image: busybox, securityContext: {privileged: true}}]}";
    static final String PLAIN_POD = "metadata: {name: x, namespace: team}\nspec: {containers: [{name: c, image: busybox}]}";

    Attributes createPod(String yaml) {
        return new Attributes(Operation.CREATE, ResourceTypes.PODS, "team", "x", yaml(yaml), null);
    }

    @Test
    void enforceRestrictedDeniesWithKubernetesMessage() {
        namespace("team", "{pod-security.kubernetes.io/enforce: restricted}");
        assertThatThrownBy(() -> plugin.validate(createPod(PRIVILEGED_POD)))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status().code).isEqualTo(403);
                    assertThat(e.status().reason).isEqualTo("Forbidden");
                    assertThat(e.status().message).isEqualTo("pods \"x\" is forbidden: violates PodSecurity \"restricted:latest\": "
                            + "privileged (container \"c\" must not set securityContext.privileged=true), "
                            + "allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false), "
                            + "unrestricted capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]), "
                            + "runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true), "
                            + "seccompProfile (pod or container \"c\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
                });
        assertThat(warnings).isEmpty();
    }

    @Test
    void aPrivilegedEphemeralContainerIsDeniedThroughTheSubresource() {
        namespace("team", "{pod-security.kubernetes.io/enforce: baseline}");
        ObjectNode old = yaml(PLAIN_POD);
        ObjectNode debugged = yaml("metadata: {name: x, namespace: team}\nspec: {containers: [{name: c, image: busybox}], "
                + "ephemeralContainers: [{name: debugger-abc, image: busybox, securityContext: {privileged: true}}]}");
        Attributes a = new Attributes(Operation.UPDATE, ResourceTypes.PODS, "team", "x", debugged, old, "ephemeralcontainers");
        assertThatThrownBy(() -> plugin.validateSubresourceOrDelete(a))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status().message).isEqualTo(
                        "pods \"x\" is forbidden: violates PodSecurity \"baseline:latest\": privileged (container \"debugger-abc\" must not set securityContext.privileged=true)"));
        // status writes and other subresources are not PodSecurity's
        plugin.validateSubresourceOrDelete(new Attributes(Operation.UPDATE, ResourceTypes.PODS, "team", "x", debugged, old, "status"));
    }

    @Test
    void enforceVersionIsPartOfTheMessage() {
        namespace("team", "{pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/enforce-version: v1.29}");
        assertThatThrownBy(() -> plugin.validate(createPod(PRIVILEGED_POD)))
                .hasMessage("pods \"x\" is forbidden: violates PodSecurity \"baseline:v1.29\": privileged (container \"c\" must not set securityContext.privileged=true)");
    }

    @Test
    void warnAddsAWarningAndAdmits() {
        namespace("team", "{pod-security.kubernetes.io/warn: baseline}");
        plugin.validate(createPod(PRIVILEGED_POD));
        assertThat(warnings).containsExactly("would violate PodSecurity \"baseline:latest\": privileged (container \"c\" must not set securityContext.privileged=true)");
    }

    @Test
    void enforceAloneAlsoWarnsAtItsLevelOnWorkloads() {
        // warn defaults to the enforce level; Deployments are never denied, only warned
        namespace("team", "{pod-security.kubernetes.io/enforce: restricted}");
        ObjectNode deployment = yaml("""
                metadata: {name: web, namespace: team}
                spec: {template: {metadata: {labels: {a: b}}, spec: {hostNetwork: true, securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}},
                  containers: [{name: c, image: nginx, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}]}}}
                """);
        plugin.validate(new Attributes(Operation.CREATE, ResourceTypes.DEPLOYMENTS, "team", "web", deployment, null));
        assertThat(warnings).containsExactly("would violate PodSecurity \"restricted:latest\": host namespaces (hostNetwork=true)");
    }

    @Test
    void cronJobTemplatesAreEvaluated() {
        namespace("team", "{pod-security.kubernetes.io/warn: baseline}");
        ObjectNode cj = yaml("""
                metadata: {name: cj, namespace: team}
                spec: {schedule: '* * * * *', jobTemplate: {spec: {template: {spec: {hostPID: true, containers: [{name: c, image: busybox}]}}}}}
                """);
        plugin.validate(new Attributes(Operation.CREATE, ResourceTypes.CRONJOBS, "team", "cj", cj, null));
        assertThat(warnings).containsExactly("would violate PodSecurity \"baseline:latest\": host namespaces (hostPID=true)");
    }

    @Test
    void unlabeledNamespacesAreNotChecked() {
        namespace("team", "{}");
        plugin.validate(createPod(PRIVILEGED_POD));
        assertThat(warnings).isEmpty();
    }

    @Test
    void podUpdatesAreCheckedOnlyWhenAnImageChanges() {
        namespace("team", "{pod-security.kubernetes.io/enforce: baseline}");
        ObjectNode old = yaml(PRIVILEGED_POD);
        ObjectNode relabeled = yaml(PRIVILEGED_POD);
        ((ObjectNode) relabeled.path("metadata")).putObject("labels").put("a", "b");
        plugin.validate(new Attributes(Operation.UPDATE, ResourceTypes.PODS, "team", "x", relabeled, old));
        ObjectNode newImage = yaml(PRIVILEGED_POD.replace("busybox", "busybox:2"));
        assertThatThrownBy(() -> plugin.validate(new Attributes(Operation.UPDATE, ResourceTypes.PODS, "team", "x", newImage, old)))
                .isInstanceOf(ApiError.class).hasMessageContaining("violates PodSecurity \"baseline:latest\"");
    }

    @Test
    void invalidLabelValuesAreRefusedOnNamespaceCreate() {
        ObjectNode ns = yaml("metadata: {name: team, labels: {pod-security.kubernetes.io/enforce: strict, pod-security.kubernetes.io/warn-version: '1.30'}}");
        assertThatThrownBy(() -> plugin.validate(new Attributes(Operation.CREATE, ResourceTypes.NAMESPACES, null, "team", ns, null)))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status().code).isEqualTo(422);
                    assertThat(e.status().message).isEqualTo("Namespace \"team\" is invalid: ["
                            + "metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted, "
                            + "metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: \"1.30\": must be \"latest\" or \"v1.x\"]");
                });
    }

    @Test
    void anUnchangedInvalidLabelDoesNotBlockOtherNamespaceUpdates() {
        ObjectNode old = yaml("metadata: {name: team, labels: {pod-security.kubernetes.io/audit: bogus}}");
        ObjectNode next = yaml("metadata: {name: team, labels: {pod-security.kubernetes.io/audit: bogus, other: x}}");
        plugin.validate(new Attributes(Operation.UPDATE, ResourceTypes.NAMESPACES, null, "team", next, old));
        ObjectNode worse = yaml("metadata: {name: team, labels: {pod-security.kubernetes.io/audit: bogus2}}");
        assertThatThrownBy(() -> plugin.validate(new Attributes(Operation.UPDATE, ResourceTypes.NAMESPACES, null, "team", worse, old)))
                .hasMessage("Namespace \"team\" is invalid: metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: \"bogus2\": must be one of privileged, baseline, restricted");
    }

    static ObjectNode runningPod(String name, String owner, String spec) {
        String refs = owner == null ? "" : ", ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, uid: " + owner + ", controller: true}]";
        return yaml("metadata: {name: " + name + ", namespace: team" + refs + "}\nspec: " + spec);
    }

    @Test
    void raisingEnforceWarnsAboutExistingPods() {
        String privileged = "{containers: [{name: c, securityContext: {privileged: true}}]}";
        String hostNet = "{hostNetwork: true, containers: [{name: c}]}";
        pods.put("team", List.of(
                runningPod("web-2", "u1", privileged), runningPod("web-1", "u1", privileged), runningPod("web-3", "u1", privileged),
                runningPod("db", null, hostNet), runningPod("db-copy", null, hostNet),
                runningPod("fine", null, "{containers: [{name: c}]}")));
        ObjectNode old = yaml("metadata: {name: team}");
        ObjectNode next = yaml("metadata: {name: team, labels: {pod-security.kubernetes.io/enforce: baseline}}");
        plugin.validate(new Attributes(Operation.UPDATE, ResourceTypes.NAMESPACES, null, "team", next, old));
        assertThat(warnings).containsExactly(
                "existing pods in namespace \"team\" violate the new PodSecurity enforce level \"baseline:latest\"",
                "db (and 1 other pod): host namespaces",
                "web-1 (and 2 other pods): privileged");
    }

    @Test
    void loweringOrKeepingEnforceDoesNotCheckPods() {
        pods.put("team", List.of(runningPod("p", null, "{hostNetwork: true, containers: [{name: c}]}")));
        ObjectNode restricted = yaml("metadata: {name: team, labels: {pod-security.kubernetes.io/enforce: restricted}}");
        ObjectNode baseline = yaml("metadata: {name: team, labels: {pod-security.kubernetes.io/enforce: baseline}}");
        plugin.validate(new Attributes(Operation.UPDATE, ResourceTypes.NAMESPACES, null, "team", baseline, restricted));
        plugin.validate(new Attributes(Operation.UPDATE, ResourceTypes.NAMESPACES, null, "team", baseline, baseline));
        assertThat(warnings).isEmpty();
    }
}
