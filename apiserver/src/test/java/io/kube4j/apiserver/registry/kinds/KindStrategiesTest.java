package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.admission.NamespaceLifecycle;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.registry.TestStrategies;
import io.kube4j.apiserver.storage.MemoryStorage;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Each kind's strategy through the real registry on in-memory storage: the defaults Kubernetes applies
 * (field path = expected value) and the validation errors it gives (field paths of the 422's causes).
 * Values from Kubernetes 1.32's SetDefaults_* and Validate* functions named in each strategy's Javadoc.
 */
class KindStrategiesTest {
    static MemoryStorage storage;
    static WatchCache cache;
    static Registry registry;

    @BeforeAll
    static void setUp() throws Exception {
        ApiServerProperties props = TestStrategies.defaultProperties();
        storage = new MemoryStorage();
        cache = new WatchCache(storage, props, new SimpleMeterRegistry());
        registry = new Registry(storage, cache, props, TestStrategies.builtIn(null), List.of(new NamespaceLifecycle(cache, storage)));
        cache.start();
        for (int i = 0; i < 200 && !cache.isReady(); i++) {
            Thread.sleep(10);
        }
        new SystemObjects(registry).ensure();
    }

    @AfterAll
    static void tearDown() {
        cache.close();
    }

    static ObjectNode yaml(String y) {
        return (ObjectNode) Json.mapper().valueToTree(Json.readYaml(y, Object.class));
    }

    static final String POD_TEMPLATE = "{metadata: {labels: {app: x}}, spec: {containers: [{name: c, image: busybox}]}}";

    static Stream<Arguments> defaults() {
        return Stream.of(
                arguments(ResourceTypes.SECRETS, "{metadata: {name: s}, stringData: {user: admin}}",
                        Map.of("type", "Opaque", "data.user", "YWRtaW4=", "stringData", "<absent>")),
                arguments(ResourceTypes.JOBS, "{metadata: {name: j}, spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}",
                        Map.of("spec.completions", "1", "spec.parallelism", "1", "spec.backoffLimit", "6", "spec.completionMode", "NonIndexed",
                                "spec.suspend", "false", "spec.podReplacementPolicy", "TerminatingOrFailed", "spec.manualSelector", "false",
                                "spec.template.metadata.labels.job-name", "j", "spec.template.metadata.labels.batch\u2024kubernetes\u2024io/job-name", "j")),
                arguments(ResourceTypes.CRONJOBS, "{metadata: {name: cj}, spec: {schedule: '*/5 * * * *', jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: [{name: c, image: busybox}]}}}}}}",
                        Map.of("spec.concurrencyPolicy", "Allow", "spec.suspend", "false", "spec.successfulJobsHistoryLimit", "3", "spec.failedJobsHistoryLimit", "1")),
                arguments(ResourceTypes.DAEMONSETS, "{metadata: {name: ds}, spec: {selector: {matchLabels: {app: x}}, template: " + POD_TEMPLATE + "}}",
                        Map.of("spec.updateStrategy.type", "RollingUpdate", "spec.updateStrategy.rollingUpdate.maxUnavailable", "1",
                                "spec.updateStrategy.rollingUpdate.maxSurge", "0", "spec.revisionHistoryLimit", "10", "spec.template.spec.restartPolicy", "Always")),
                arguments(ResourceTypes.STATEFULSETS, "{metadata: {name: web}, spec: {serviceName: web, selector: {matchLabels: {app: x}}, template: " + POD_TEMPLATE + "}}",
                        Map.of("spec.replicas", "1", "spec.podManagementPolicy", "OrderedReady", "spec.updateStrategy.type", "RollingUpdate",
                                "spec.updateStrategy.rollingUpdate.partition", "0", "spec.persistentVolumeClaimRetentionPolicy.whenDeleted", "Retain",
                                "spec.persistentVolumeClaimRetentionPolicy.whenScaled", "Retain", "spec.revisionHistoryLimit", "10")),
                arguments(ResourceTypes.REPLICATIONCONTROLLERS, "{metadata: {name: rc}, spec: {template: " + POD_TEMPLATE + "}}",
                        Map.of("spec.replicas", "1", "spec.selector.app", "x", "metadata.labels.app", "x")),
                arguments(ResourceTypes.PERSISTENTVOLUMES, "{metadata: {name: pv}, spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /tmp/x}}}",
                        Map.of("spec.persistentVolumeReclaimPolicy", "Retain", "spec.volumeMode", "Filesystem", "status.phase", "Pending")),
                arguments(ResourceTypes.PERSISTENTVOLUMECLAIMS, "{metadata: {name: pvc}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}",
                        Map.of("spec.volumeMode", "Filesystem", "status.phase", "Pending")),
                arguments(ResourceTypes.STORAGECLASSES, "{metadata: {name: sc}, provisioner: example.com/x}",
                        Map.of("reclaimPolicy", "Delete", "volumeBindingMode", "Immediate")),
                arguments(ResourceTypes.PRIORITYCLASSES, "{metadata: {name: high}, value: 1000}",
                        Map.of("preemptionPolicy", "PreemptLowerPriority")),
                arguments(ResourceTypes.NETWORKPOLICIES, "{metadata: {name: np}, spec: {podSelector: {}, egress: [{ports: [{port: 53}]}]}}",
                        Map.of("spec.policyTypes", "[\"Ingress\",\"Egress\"]", "spec.egress.0.ports.0.protocol", "TCP")),
                arguments(ResourceTypes.HORIZONTALPODAUTOSCALERS, "{metadata: {name: h}, spec: {scaleTargetRef: {kind: Deployment, name: d, apiVersion: apps/v1}, maxReplicas: 3}}",
                        Map.of("spec.minReplicas", "1", "spec.metrics.0.type", "Resource", "spec.metrics.0.resource.name", "cpu",
                                "spec.metrics.0.resource.target.type", "Utilization", "spec.metrics.0.resource.target.averageUtilization", "80",
                                "spec.behavior", "<absent>")),
                // a given behavior is completed (autoscaling/v2 defaults.go GenerateHPAScaleUpRules/ScaleDownRules)
                arguments(ResourceTypes.HORIZONTALPODAUTOSCALERS, "{metadata: {name: hb}, spec: {scaleTargetRef: {kind: Deployment, name: d, apiVersion: apps/v1}, maxReplicas: 3, behavior: {scaleDown: {stabilizationWindowSeconds: 60}}}}",
                        Map.of("spec.behavior.scaleUp.stabilizationWindowSeconds", "0", "spec.behavior.scaleUp.selectPolicy", "Max",
                                "spec.behavior.scaleUp.policies.0.type", "Pods", "spec.behavior.scaleUp.policies.0.value", "4",
                                "spec.behavior.scaleUp.policies.1.type", "Percent", "spec.behavior.scaleUp.policies.1.periodSeconds", "15",
                                "spec.behavior.scaleDown.stabilizationWindowSeconds", "60", "spec.behavior.scaleDown.policies.0.type", "Percent",
                                "spec.behavior.scaleDown.policies.0.value", "100")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void defaults(ResourceType rt, String yaml, Map<String, String> expected) {
        ObjectNode created = registry.create(rt, rt.namespaced() ? "default" : null, yaml(yaml), true);
        expected.forEach((path, value) -> {
            JsonNode node = at(created, path);
            if (value.equals("<absent>")) {
                assertThat(node.isMissingNode() || node.isEmpty()).as(path + " in " + created).isTrue();
            } else {
                assertThat(node.isValueNode() ? node.asString() : node.toString()).as(path + " in " + created).isEqualTo(value);
            }
        });
    }

    /** A dotted path; '\u2024' stands for a literal dot inside a key (label keys). */
    static JsonNode at(JsonNode node, String path) {
        JsonNode cur = node;
        for (String part : path.split("\\.")) {
            part = part.replace('\u2024', '.');
            cur = part.matches("\\d+") && cur.isArray() ? cur.path(Integer.parseInt(part)) : cur.path(part);
        }
        return cur;
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                arguments(ResourceTypes.CONFIGMAPS, "{metadata: {name: c}, data: {'bad key': x}}", List.of("data[bad key]")),
                arguments(ResourceTypes.SECRETS, "{metadata: {name: t}, type: kubernetes.io/tls, data: {tls.crt: eA==}}", List.of("data[tls.key]")),
                arguments(ResourceTypes.SECRETS, "{metadata: {name: b}, data: {a: '!!notbase64'}}", List.of("data[a]")),
                arguments(ResourceTypes.JOBS, "{metadata: {name: j}, spec: {template: {spec: {containers: [{name: c, image: busybox}]}}}}", List.of("spec.template.spec.restartPolicy")),
                // ValidateLabelSelectorRequirement: In without values, Exists with values, an unknown operator
                arguments(ResourceTypes.JOBS, "{metadata: {name: js}, spec: {manualSelector: true, selector: {matchExpressions: [{key: app, operator: In}]}, template: {metadata: {labels: {app: x}}, spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}",
                        List.of("spec.selector.matchExpressions[0].values")),
                arguments(ResourceTypes.DEPLOYMENTS, "{metadata: {name: d}, spec: {selector: {matchExpressions: [{key: app, operator: Exists, values: [x]}, {key: app, operator: Near, values: [x]}]}, template: " + POD_TEMPLATE + "}}",
                        List.of("spec.selector.matchExpressions[0].values", "spec.selector.matchExpressions[1].operator")),
                arguments(ResourceTypes.PODDISRUPTIONBUDGETS, "{metadata: {name: pdb}, spec: {minAvailable: 1, selector: {matchExpressions: [{key: 'BAD KEY', operator: DoesNotExist}]}}}",
                        List.of("spec.selector.matchExpressions[0].key")),
                arguments(ResourceTypes.CRONJOBS, "{metadata: {name: cj}, spec: {schedule: '* * *', jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}}}", List.of("spec.schedule")),
                arguments(ResourceTypes.DAEMONSETS, "{metadata: {name: ds}, spec: {selector: {matchLabels: {app: other}}, template: " + POD_TEMPLATE + "}}", List.of("spec.template.metadata.labels")),
                arguments(ResourceTypes.STATEFULSETS, "{metadata: {name: s}, spec: {podManagementPolicy: Sometimes, selector: {matchLabels: {app: x}}, template: " + POD_TEMPLATE + "}}", List.of("spec.podManagementPolicy")),
                arguments(ResourceTypes.PERSISTENTVOLUMECLAIMS, "{metadata: {name: p}, spec: {resources: {requests: {storage: 1Gi}}}}", List.of("spec.accessModes")),
                arguments(ResourceTypes.PERSISTENTVOLUMES, "{metadata: {name: pv}, spec: {accessModes: [ReadWriteOnce]}}", List.of("spec.capacity")),
                arguments(ResourceTypes.PODDISRUPTIONBUDGETS, "{metadata: {name: pdb}, spec: {minAvailable: 1, maxUnavailable: 1, selector: {matchLabels: {app: x}}}}", List.of("spec")),
                arguments(ResourceTypes.PRIORITYCLASSES, "{metadata: {name: huge}, value: 1000000001}", List.of("value")),
                arguments(ResourceTypes.PRIORITYCLASSES, "{metadata: {name: system-mine}, value: 1}", List.of("metadata.name")),
                arguments(ResourceTypes.ENDPOINTSLICES, "{metadata: {name: es}, addressType: IPv5}", List.of("addressType")),
                arguments(ResourceTypes.INGRESSES, "{metadata: {name: i}, spec: {rules: [{http: {paths: [{path: /, backend: {service: {name: s, port: {number: 80}}}}]}}]}}", List.of("spec.rules[0].http.paths[0].pathType")),
                arguments(ResourceTypes.ROLEBINDINGS, "{metadata: {name: rb}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Pod, name: x}, subjects: [{kind: User, name: u}]}", List.of("roleRef.kind")),
                arguments(ResourceTypes.CLUSTERROLEBINDINGS, "{metadata: {name: crb}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x}}", List.of("roleRef.kind")),
                arguments(ResourceTypes.STORAGECLASSES, "{metadata: {name: sc2}}", List.of("provisioner")),
                arguments(ResourceTypes.HORIZONTALPODAUTOSCALERS, "{metadata: {name: h}, spec: {scaleTargetRef: {kind: Deployment, name: d}, minReplicas: 5, maxReplicas: 3}}", List.of("spec.maxReplicas")),
                // every error at once, with Kubernetes' paths (ValidateHorizontalPodAutoscalerSpec)
                arguments(ResourceTypes.HORIZONTALPODAUTOSCALERS, "{metadata: {name: h2}, spec: {scaleTargetRef: {kind: '', name: ''}, minReplicas: 0, maxReplicas: 3, metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: -1}}}]}}",
                        List.of("spec.scaleTargetRef.kind", "spec.scaleTargetRef.name", "spec.minReplicas", "spec.metrics[0].resource.target.averageUtilization")),
                arguments(ResourceTypes.REPLICATIONCONTROLLERS, "{metadata: {name: rc}, spec: {selector: {app: y}, template: " + POD_TEMPLATE + "}}", List.of("spec.template.metadata.labels")),
                arguments(ResourceTypes.SERVICES, "{metadata: {name: v6}, spec: {ipFamilies: [IPv6], ports: [{port: 80}]}}", List.of("spec.ipFamilies[0]")));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource
    void invalid(ResourceType rt, String yaml, List<String> fields) {
        long before = storage.currentRevision();
        assertThatThrownBy(() -> registry.create(rt, rt.namespaced() ? "default" : null, yaml(yaml), false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.status().reason).isEqualTo("Invalid");
                    assertThat(e.status().details.causes).extracting(c -> c.field).containsExactlyInAnyOrderElementsOf(fields);
                });
        assertThat(storage.currentRevision()).as("nothing stored").isEqualTo(before);
    }

    @Test
    void jobSelectorIsGeneratedFromTheUidAndSelectsTheTemplate() {
        ObjectNode job = registry.create(ResourceTypes.JOBS, "default", yaml("{metadata: {name: gen}, spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}"), false);
        String uid = job.path("metadata").path("uid").asString();
        assertThat(job.path("spec").path("selector").path("matchLabels").path("batch.kubernetes.io/controller-uid").asString()).isEqualTo(uid);
        assertThat(job.path("spec").path("template").path("metadata").path("labels").path("controller-uid").asString()).isEqualTo(uid);
    }

    /** pkg/apis/apps/validation ValidateDeploymentStatus / ValidateStatefulSetStatusUpdate, batch validateJobStatus. */
    @Test
    void workloadStatusCountersAreValidatedInKubernetesOrderAndNothingIsStored() {
        registry.create(ResourceTypes.DEPLOYMENTS, "default", yaml("{metadata: {name: counters}, spec: {selector: {matchLabels: {app: x}}, template: " + POD_TEMPLATE + "}}"), false);
        long before = storage.currentRevision();
        assertThatThrownBy(() -> registry.patch(ResourceTypes.DEPLOYMENTS, "default", "counters", "application/merge-patch+json",
                yaml("{status: {replicas: 2, updatedReplicas: -1, readyReplicas: 3, availableReplicas: 3}}"), Registry.Part.STATUS, false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).isEqualTo("Deployment.apps \"counters\" is invalid: [status.updatedReplicas: Invalid value: -1: must be greater than or equal to 0, "
                            + "status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas, "
                            + "status.availableReplicas: Invalid value: 3: cannot be greater than status.replicas]");
                });
        assertThat(storage.currentRevision()).as("nothing stored").isEqualTo(before);

        registry.create(ResourceTypes.STATEFULSETS, "default", yaml("{metadata: {name: collide}, spec: {serviceName: web, selector: {matchLabels: {app: x}}, template: " + POD_TEMPLATE + "}}"), false);
        registry.patch(ResourceTypes.STATEFULSETS, "default", "collide", "application/merge-patch+json", yaml("{status: {replicas: 1, collisionCount: 2}}"), Registry.Part.STATUS, false);
        assertThatThrownBy(() -> registry.patch(ResourceTypes.STATEFULSETS, "default", "collide", "application/merge-patch+json",
                yaml("{status: {collisionCount: 1}}"), Registry.Part.STATUS, false))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.getMessage())
                        .isEqualTo("StatefulSet.apps \"collide\" is invalid: status.collisionCount: Invalid value: 1: cannot be decremented"));

        registry.create(ResourceTypes.JOBS, "default", yaml("{metadata: {name: negative}, spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}"), false);
        assertThatThrownBy(() -> registry.patch(ResourceTypes.JOBS, "default", "negative", "application/merge-patch+json",
                yaml("{status: {active: -2}}"), Registry.Part.STATUS, false))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.getMessage())
                        .isEqualTo("Job.batch \"negative\" is invalid: status.active: Invalid value: -2: must be greater than or equal to 0"));
    }

    @Test
    void immutableConfigMapRefusesDataChanges() {
        registry.create(ResourceTypes.CONFIGMAPS, "default", yaml("{metadata: {name: frozen}, immutable: true, data: {a: b}}"), false);
        assertThatThrownBy(() -> registry.patch(ResourceTypes.CONFIGMAPS, "default", "frozen", "application/merge-patch+json", yaml("{data: {a: c}}"), Registry.Part.MAIN, false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).isEqualTo("ConfigMap \"frozen\" is invalid: data: Forbidden: field is immutable when `immutable` is set");
                });
    }

    @Test
    void systemPriorityClassesCannotBeDeleted() {
        assertThatThrownBy(() -> registry.delete(ResourceTypes.PRIORITYCLASSES, null, "system-node-critical", new io.kube4j.api.DeleteOptions(), false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(403);
                    assertThat(e.getMessage()).isEqualTo("priorityclasses.scheduling.k8s.io \"system-node-critical\" is forbidden: this is a system priority class and cannot be deleted");
                });
    }

    @Test
    void systemPriorityClassesExistFromTheStart() {
        assertThat(registry.get(ResourceTypes.PRIORITYCLASSES, null, "system-node-critical").path("value").asInt()).isEqualTo(2000001000);
        assertThat(registry.get(ResourceTypes.PRIORITYCLASSES, null, "system-cluster-critical").path("value").asInt()).isEqualTo(2000000000);
    }

    /** PrepareForCreate sets status.qosClass (GetPodQOS on the defaulted pod): limits alone count as requests. */
    @ParameterizedTest(name = "{1}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "{}|BestEffort",
            "{limits: {cpu: 100m, memory: 64Mi}}|Guaranteed",
            "{requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 100m, memory: 64Mi}}|Guaranteed",
            "{requests: {cpu: 100m}}|Burstable",
            "{requests: {cpu: 50m, memory: 64Mi}, limits: {cpu: 100m, memory: 64Mi}}|Burstable"})
    void aCreatedPodGetsItsQosClass(String resources, String qos) {
        String name = "qos-" + Integer.toHexString(resources.hashCode());
        ObjectNode pod = registry.create(ResourceTypes.PODS, "default",
                yaml("{metadata: {name: " + name + "}, spec: {containers: [{name: c, image: busybox, resources: " + resources + "}]}}"), false);
        assertThat(pod.path("status").path("qosClass").asString()).isEqualTo(qos);
    }

    /** ValidatePodStatusUpdate's ValidateContainerStateTransition, through pods/status. */
    @Test
    void aStatusPatchMayNotBringBackAContainerThatRestartPolicyNeverLeftTerminated() {
        registry.create(ResourceTypes.PODS, "default", yaml("{metadata: {name: once}, spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}"), false);
        registry.patch(ResourceTypes.PODS, "default", "once", "application/merge-patch+json",
                yaml("{status: {phase: Failed, containerStatuses: [{name: c, state: {terminated: {exitCode: 1}}}]}}"), Registry.Part.STATUS, false);
        assertThatThrownBy(() -> registry.patch(ResourceTypes.PODS, "default", "once", "application/merge-patch+json",
                yaml("{status: {containerStatuses: [{name: c, state: {running: {}}}]}}"), Registry.Part.STATUS, false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).isEqualTo("Pod \"once\" is invalid: status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state");
                });
    }

    /** podEphemeralContainersStrategy: only spec.ephemeralContainers changes, defaulted; additions only (ValidatePodEphemeralContainersUpdate). */
    @Test
    void theEphemeralContainersSubresourceAddsContainersAndNothingElse() {
        registry.create(ResourceTypes.PODS, "default", yaml("{metadata: {name: dbg}, spec: {containers: [{name: app, image: busybox}]}}"), false);
        ObjectNode patched = registry.patch(ResourceTypes.PODS, "default", "dbg", "application/strategic-merge-patch+json",
                yaml("{metadata: {labels: {sneaky: 'yes'}}, spec: {containers: [{name: app, image: other}], ephemeralContainers: "
                        + "[{name: debugger-1, image: 'busybox:1.36', targetContainerName: app, stdin: true, tty: true}]}}"),
                Registry.Part.EPHEMERAL_CONTAINERS, false);
        JsonNode ec = patched.path("spec").path("ephemeralContainers").path(0);
        assertThat(ec.path("name").asString()).isEqualTo("debugger-1");
        assertThat(ec.path("targetContainerName").asString()).isEqualTo("app");
        assertThat(ec.path("stdin").asBoolean()).isTrue();
        // SetDefaults_EphemeralContainer (the container defaults)
        assertThat(ec.path("terminationMessagePolicy").asString()).isEqualTo("File");
        assertThat(ec.path("imagePullPolicy").asString()).isEqualTo("IfNotPresent");
        // dropNonEphemeralContainerUpdates: everything else stays as it was
        assertThat(patched.path("spec").path("containers").path(0).path("image").asString()).isEqualTo("busybox");
        assertThat(patched.path("metadata").path("labels").has("sneaky")).isFalse();

        // a second one is merged in by name (strategic merge), the first kept
        ObjectNode two = registry.patch(ResourceTypes.PODS, "default", "dbg", "application/strategic-merge-patch+json",
                yaml("{spec: {ephemeralContainers: [{name: debugger-2, image: busybox}]}}"), Registry.Part.EPHEMERAL_CONTAINERS, false);
        assertThat(two.path("spec").path("ephemeralContainers")).extracting(n -> n.path("name").asString()).containsExactly("debugger-1", "debugger-2");

        assertThatThrownBy(() -> registry.patch(ResourceTypes.PODS, "default", "dbg", "application/merge-patch+json",
                yaml("{spec: {ephemeralContainers: [{name: debugger-2, image: busybox}]}}"), Registry.Part.EPHEMERAL_CONTAINERS, false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.status().details.causes).extracting(c -> c.field + ": " + c.message)
                            .containsExactly("spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger-1\" may not be removed\n");
                });
        assertThatThrownBy(() -> registry.patch(ResourceTypes.PODS, "default", "dbg", "application/strategic-merge-patch+json",
                yaml("{spec: {ephemeralContainers: [{name: debugger-2, image: busybox, workingDir: /tmp}]}}"), Registry.Part.EPHEMERAL_CONTAINERS, false))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status().details.causes).extracting(c -> c.field)
                        .containsExactly("spec.ephemeralContainers[debugger-2]"));
    }

    /** validateEphemeralContainers: the fields Kubernetes' allowedEphemeralContainerFields leaves out, names, targets. */
    @Test
    void ephemeralContainersAreValidatedAsKubernetesDoes() {
        registry.create(ResourceTypes.PODS, "default", yaml("{metadata: {name: dbg-invalid}, spec: {containers: [{name: app, image: busybox}], volumes: [{name: v, emptyDir: {}}]}}"), false);
        assertThatThrownBy(() -> registry.patch(ResourceTypes.PODS, "default", "dbg-invalid", "application/strategic-merge-patch+json",
                yaml("{spec: {ephemeralContainers: [{name: app, image: busybox, targetContainerName: nope, ports: [{containerPort: 80}], "
                        + "resources: {limits: {cpu: '1'}}, readinessProbe: {exec: {command: ['true']}}, lifecycle: {preStop: {exec: {command: ['true']}}}, "
                        + "volumeMounts: [{name: v, mountPath: /v, subPath: x}]}]}}"),
                Registry.Part.EPHEMERAL_CONTAINERS, false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.status().details.causes).extracting(c -> c.field + ": " + c.message).contains(
                            "spec.ephemeralContainers[0].name: Duplicate value: \"app\"",
                            "spec.ephemeralContainers[0].targetContainerName: Not found: \"nope\"",
                            "spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container",
                            "spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container",
                            "spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container",
                            "spec.ephemeralContainers[0].lifecycle: Forbidden: cannot be set for an Ephemeral Container",
                            "spec.ephemeralContainers[0].volumeMounts[0].subPath: Forbidden: cannot be set for an Ephemeral Container");
                });
    }
}
