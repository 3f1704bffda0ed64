package io.kube4j.apiserver.admission;

import io.kube4j.api.Pod;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Admission.Attributes;
import io.kube4j.apiserver.registry.Admission.Operation;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ServiceAccount plugin: defaulting, the missing-account denial, the token volume and mirror pods. */
class ServiceAccountAdmissionTest {
    final Map<String, ObjectNode> accounts = new HashMap<>();
    final AtomicInteger lookups = new AtomicInteger();
    final ServiceAccountAdmission plugin = new ServiceAccountAdmission((ns, name) -> {
        lookups.incrementAndGet();
        return accounts.get(ns + "/" + name);
    }, new Random(7), 0);

    static ObjectNode yaml(String yaml) {
        return (ObjectNode) Json.toTree(Json.readYaml(yaml, Object.class));
    }

    void account(String name, String extra) {
        accounts.put("team/" + name, yaml("{metadata: {name: " + name + ", namespace: team}" + extra + "}"));
    }

    /** Runs admit then validate as the registry does; returns the typed pod overlaid on the tree, as stored. */
    JsonNode create(String podYaml) {
        ObjectNode tree = yaml(podYaml);
        Pod pod = Json.convert(tree, Pod.class);
        Attributes a = new Attributes(Operation.CREATE, ResourceTypes.PODS, "team", pod.metadata.name, tree, null);
        plugin.admit(a, pod);
        ObjectNode stored = io.kube4j.apiserver.registry.RegistryOverlay.overlay(tree.deepCopy(), Json.toTree(pod));
        plugin.validate(new Attributes(Operation.CREATE, ResourceTypes.PODS, "team", pod.metadata.name, stored, null));
        return stored;
    }

    static final String POD = """
            metadata: {name: p, namespace: team}
            spec:
              initContainers: [{name: init, image: busybox}]
              containers:
              - {name: c, image: busybox, volumeMounts: [{name: data, mountPath: /data, mountPropagation: HostToContainer}]}
              volumes: [{name: data, emptyDir: {}}]
            """;

    @Test
    void defaultsTheAccountAndMountsTheTokenVolumeEverywhere() {
        account("default", "");
        JsonNode pod = create(POD);
        JsonNode spec = pod.path("spec");
        assertThat(spec.path("serviceAccountName").asString()).isEqualTo("default");
        JsonNode volume = spec.path("volumes").get(1);
        String name = volume.path("name").asString();
        assertThat(name).matches("kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}");
        assertThat(volume.path("projected")).isEqualTo(Json.tree("""
                {"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
                 {"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},
                 {"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],
                 "defaultMode":420}
                """));
        JsonNode mount = Json.tree("{\"name\":\"" + name + "\",\"readOnly\":true,\"mountPath\":\"/var/run/secrets/kubernetes.io/serviceaccount\"}");
        assertThat(spec.path("initContainers").get(0).path("volumeMounts")).containsExactly(mount);
        assertThat(spec.path("containers").get(0).path("volumeMounts").get(1)).isEqualTo(mount);
        // the existing mount keeps the field kube4j does not model
        assertThat(spec.path("containers").get(0).path("volumeMounts").get(0).path("mountPropagation").asString()).isEqualTo("HostToContainer");
    }

    @Test
    void aMissingServiceAccountIsForbiddenWithKubernetesMessage() {
        assertThatThrownBy(() -> create(POD.replace("spec:\n", "spec:\n  serviceAccountName: robot\n")))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status().code).isEqualTo(403);
                    assertThat(e.status().message).isEqualTo("pods \"p\" is forbidden: error looking up service account team/robot: serviceaccount \"robot\" not found");
                });
        assertThat(lookups.get()).isEqualTo(1);
    }

    @Test
    void theDefaultServiceAccountIsLookedUpTenTimes() {
        assertThatThrownBy(() -> create(POD)).hasMessage("pods \"p\" is forbidden: error looking up service account team/default: serviceaccount \"default\" not found");
        assertThat(lookups.get()).isEqualTo(10);
    }

    @Test
    void automountFalseOnThePodOrTheAccountMountsNothingAndThePodWins() {
        account("default", ", automountServiceAccountToken: false");
        JsonNode pod = create(POD);
        assertThat(pod.path("spec").path("volumes")).hasSize(1);
        assertThat(pod.path("spec").path("initContainers").get(0).has("volumeMounts")
                && !pod.path("spec").path("initContainers").get(0).path("volumeMounts").isEmpty()).isFalse();
        JsonNode podWins = create(POD.replace("spec:\n", "spec:\n  automountServiceAccountToken: true\n"));
        assertThat(podWins.path("spec").path("volumes")).hasSize(2);
        account("default", "");
        JsonNode podSaysNo = create(POD.replace("spec:\n", "spec:\n  automountServiceAccountToken: false\n"));
        assertThat(podSaysNo.path("spec").path("volumes")).hasSize(1);
    }

    @Test
    void containersAlreadyMountingThePathAreLeftAloneAndAnExistingVolumeIsReused() {
        account("default", "");
        JsonNode pod = create("""
                metadata: {name: p, namespace: team}
                spec:
                  containers:
                  - {name: mine, image: busybox, volumeMounts: [{name: own, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}]}
                  - {name: other, image: busybox}
                  volumes: [{name: own, emptyDir: {}}, {name: kube-api-access-abcde, emptyDir: {}}]
                """);
        JsonNode spec = pod.path("spec");
        assertThat(spec.path("containers").get(0).path("volumeMounts")).hasSize(1);
        assertThat(spec.path("containers").get(1).path("volumeMounts").get(0).path("name").asString()).isEqualTo("kube-api-access-abcde");
        assertThat(spec.path("volumes")).hasSize(2);
    }

    @Test
    void noVolumeWhenEveryContainerMountsThePathItself() {
        account("default", "");
        JsonNode pod = create("""
                metadata: {name: p, namespace: team}
                spec:
                  containers: [{name: mine, image: busybox, volumeMounts: [{name: own, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}]}]
                  volumes: [{name: own, emptyDir: {}}]
                """);
        assertThat(pod.path("spec").path("volumes")).hasSize(1);
    }

    @Test
    void imagePullSecretsComeFromTheAccountWhenThePodHasNone() {
        account("default", ", imagePullSecrets: [{name: registry}]");
        assertThat(create(POD).path("spec").path("imagePullSecrets")).isEqualTo(Json.tree("[{\"name\":\"registry\"}]"));
        assertThat(create(POD.replace("spec:\n", "spec:\n  imagePullSecrets: [{name: mine}]\n")).path("spec").path("imagePullSecrets"))
                .isEqualTo(Json.tree("[{\"name\":\"mine\"}]"));
    }

    @Test
    void mirrorPodsAreNotChangedAndMayNotReferenceAccountsSecretsOrTokens() {
        String mirror = "metadata: {name: p, namespace: team, annotations: {kubernetes.io/config.mirror: abc}}\nspec: {containers: [{name: c, image: busybox}]%s}";
        JsonNode pod = create(mirror.formatted(""));
        assertThat(pod.path("spec").has("serviceAccountName")).isFalse();
        assertThat(pod.path("spec").path("volumes").isEmpty()).isTrue();
        assertThat(lookups.get()).isZero();
        assertThatThrownBy(() -> create(mirror.formatted(", serviceAccountName: default")))
                .hasMessage("pods \"p\" is forbidden: a mirror pod may not reference service accounts");
        assertThatThrownBy(() -> create(mirror.formatted(", volumes: [{name: s, secret: {secretName: x}}]")))
                .hasMessage("pods \"p\" is forbidden: a mirror pod may not reference secrets");
        assertThatThrownBy(() -> create(mirror.formatted(", volumes: [{name: t, projected: {sources: [{serviceAccountToken: {path: token}}]}}]")))
                .hasMessage("pods \"p\" is forbidden: a mirror pod may not use ServiceAccountToken volume projections");
    }

    @Test
    void onlyPodCreatesAreAdmitted() {
        ObjectNode tree = yaml(POD);
        Pod pod = Json.convert(tree, Pod.class);
        plugin.admit(new Attributes(Operation.UPDATE, ResourceTypes.PODS, "team", "p", tree, tree), pod);
        assertThat(pod.spec.serviceAccountName).isNull();
        assertThat(List.of(lookups.get())).containsExactly(0);
    }
}
