package io.kube4j.api;

import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every example manifest of the Kubernetes website (a copy under {@code shared/corpus/k8s-website-examples})
 * whose kind kube4j models converts to its Java type and back without losing a field, and without any
 * field of a modelled structure ending up in an {@code unknownFields} map.
 */
class CorpusTypesTest {
    /** apiVersion/kind to the Java type: the kinds this branch models, plus the ones kube4j already served. */
    static final Map<String, Class<? extends KubeObject>> KINDS = Map.ofEntries(
            entry("v1/Pod", Pod.class),
            entry("v1/Service", Service.class),
            entry("apps/v1/Deployment", Deployment.class),
            entry("apps/v1/ReplicaSet", ReplicaSet.class),
            entry("v1/ConfigMap", ConfigMap.class),
            entry("v1/Secret", Secret.class),
            entry("v1/ServiceAccount", ServiceAccount.class),
            entry("v1/PersistentVolume", PersistentVolume.class),
            entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
            entry("v1/ReplicationController", ReplicationController.class),
            entry("v1/LimitRange", LimitRange.class),
            entry("v1/ResourceQuota", ResourceQuota.class),
            entry("v1/PodTemplate", PodTemplate.class),
            entry("batch/v1/Job", Job.class),
            entry("batch/v1/CronJob", CronJob.class),
            entry("apps/v1/DaemonSet", DaemonSet.class),
            entry("apps/v1/StatefulSet", StatefulSet.class),
            entry("apps/v1/ControllerRevision", ControllerRevision.class),
            entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            entry("scheduling.k8s.io/v1/PriorityClass", PriorityClass.class),
            entry("discovery.k8s.io/v1/EndpointSlice", EndpointSlice.class),
            entry("storage.k8s.io/v1/StorageClass", StorageClass.class),
            entry("networking.k8s.io/v1/Ingress", Ingress.class),
            entry("networking.k8s.io/v1/IngressClass", IngressClass.class),
            entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            entry("rbac.authorization.k8s.io/v1/Role", Role.class),
            entry("rbac.authorization.k8s.io/v1/ClusterRole", ClusterRole.class),
            entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class),
            entry("rbac.authorization.k8s.io/v1/ClusterRoleBinding", ClusterRoleBinding.class),
            entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            entry("admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy", ValidatingAdmissionPolicy.class),
            entry("admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding", ValidatingAdmissionPolicyBinding.class));

    /**
     * Pod-level fields that are deliberately not modelled yet and so may sit in an unknownFields map. Anything
     * else in any unknownFields map (of a KubeObject, ObjectMeta, PersistentVolumeSpec, ...) is a failure.
     */
    static final Map<Class<?>, Set<String>> UNMODELLED = Map.of(
            PodSpec.class, Set.of("hostPID", "hostIPC", "shareProcessNamespace", "dnsConfig",
                    "hostAliases", "imagePullSecrets", "schedulingGates", "resourceClaims", "resources"),
            // restartPolicyRules is newer than 1.32 (the website documents the current release)
            Container.class, Set.of("stdin", "tty", "restartPolicy", "resizePolicy",
                    "restartPolicyRules"),
            Volume.class, Set.of("image"));

    /**
     * Problems the corpus must show because it uses fields Kubernetes 1.32 does not have (the website
     * documents newer releases). Each must still be reported, so that this list cannot go stale.
     */
    static final Set<String> NOT_IN_1_32 = Set.of(
            "pods/emptydir-volume-mode.yaml (v1/Pod): /spec/volumes/0/emptyDir/mode lost (was \"01777\")",
            "pods/security/security-context-7.yaml (v1/Pod): /spec/containers/0/securityContext/cgroupOptions lost (was {\"mountMode\":\"ReadWrite\"})");

    /** Genuinely open-ended fields (raw JSON objects), not walked for unknownFields. */
    static final Set<String> OPEN_ENDED = Set.of(
            "ControllerRevision.data",
            "ObjectMeta.managedFields",
            "Container.EnvVar.valueFrom",
            "Probe.Handler.sleep",
            "Service.ServiceStatus.loadBalancer");

    /** The corpus directory, found by walking up from the working directory; fails when there is none. */
    static Path corpus() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("corpus").resolve("k8s-website-examples");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return fail("no shared/corpus/k8s-website-examples above " + Path.of("").toAbsolutePath());
    }

    @Test
    void everyCorpusDocumentOfAModelledKindRoundTripsWithoutLosingOrHidingAField() throws IOException {
        Path root = corpus();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        List<String> failures = new ArrayList<>();
        Map<String, Integer> checked = new TreeMap<>();
        for (Path file : files) {
            String name = root.relativize(file).toString();
            List<JsonNode> docs = new ArrayList<>();
            try (MappingIterator<JsonNode> it = Json.yaml().readerFor(JsonNode.class).readValues(Files.readString(file))) {
                while (it.hasNextValue()) {
                    docs.add(it.nextValue());
                }
            } catch (RuntimeException e) {
                failures.add(name + ": not parsable YAML: " + e.getMessage());
                continue;
            }
            for (int i = 0; i < docs.size(); i++) {
                JsonNode doc = docs.get(i);
                if (doc == null || !doc.isObject()) {
                    continue;
                }
                String gvk = doc.path("apiVersion").asString("") + "/" + doc.path("kind").asString("");
                Class<? extends KubeObject> type = KINDS.get(gvk);
                if (type == null) {
                    continue;
                }
                String where = name + (docs.size() > 1 ? "#" + i : "") + " (" + gvk + ")";
                checked.merge(gvk, 1, Integer::sum);
                failures.addAll(check(where, doc, type));
            }
        }
        // guard against a vacuous pass on an empty or moved corpus
        assertThat(checked.values().stream().mapToInt(Integer::intValue).sum()).as("documents checked: %s", checked).isGreaterThan(100);
        List<String> unexpected = failures.stream().filter(f -> !NOT_IN_1_32.contains(f)).toList();
        List<String> stale = NOT_IN_1_32.stream().filter(f -> !failures.contains(f)).sorted().toList();
        assertTrue(unexpected.isEmpty() && stale.isEmpty(), unexpected.size() + " problems in " + checked + ":\n"
                + String.join("\n", unexpected) + (stale.isEmpty() ? "" : "\nexpected but not reported:\n" + String.join("\n", stale)));
    }

    /** Converts {@code doc} to {@code type} and back; returns every lost, changed or hidden field. */
    static List<String> check(String where, JsonNode doc, Class<? extends KubeObject> type) {
        List<String> problems = new ArrayList<>();
        KubeObject object;
        try {
            object = Json.convert(doc, type);
        } catch (RuntimeException e) {
            problems.add(where + ": does not convert to " + type.getSimpleName() + ": " + e.getMessage());
            return problems;
        }
        ObjectNode out = Json.toTree(object);
        compare(where, "", doc, out, problems);
        List<String> hidden = new ArrayList<>();
        unknownFields(object, "", hidden, new java.util.IdentityHashMap<>());
        for (String path : hidden) {
            problems.add(where + ": " + path + " is not modelled (it is only kept in an unknownFields map)");
        }
        return problems;
    }

    /** Every field path of {@code in} must be in {@code out} with an equal (or Kubernetes-equivalent) value. */
    static void compare(String where, String path, JsonNode in, JsonNode out, List<String> problems) {
        if (in.isObject()) {
            if (out == null || !out.isObject()) {
                problems.add(where + ": " + path + " is " + describe(out) + ", was an object");
                return;
            }
            for (Map.Entry<String, JsonNode> field : in.properties()) {
                JsonNode value = field.getValue();
                String sub = path + "/" + field.getKey();
                JsonNode o = out.get(field.getKey());
                if (o == null || o.isNull()) {
                    // null and [] are omitted on the wire, exactly as Kubernetes' omitempty does
                    if (!value.isNull() && !(value.isArray() && value.isEmpty())) {
                        problems.add(where + ": " + sub + " lost (was " + abbreviate(value) + ")");
                    }
                    continue;
                }
                compare(where, sub, value, o, problems);
            }
        } else if (in.isArray()) {
            if (out == null || !out.isArray() || out.size() != in.size()) {
                problems.add(where + ": " + path + " is " + describe(out) + ", was an array of " + in.size());
                return;
            }
            for (int i = 0; i < in.size(); i++) {
                compare(where, path + "/" + i, in.get(i), out.get(i), problems);
            }
        } else if (!equivalentScalars(in, out)) {
            problems.add(where + ": " + path + " is " + describe(out) + ", was " + abbreviate(in));
        }
    }

    /**
     * Equal scalars, or Kubernetes-equivalent ones: a number and a string of the same number (a quantity
     * written {@code 1} reads back {@code "1"}), and numbers of different widths.
     */
    static boolean equivalentScalars(JsonNode in, JsonNode out) {
        if (out == null) {
            return false;
        }
        if (in.equals(out)) {
            return true;
        }
        BigDecimal a = number(in);
        BigDecimal b = number(out);
        return a != null && b != null && a.compareTo(b) == 0 && (in.isNumber() || out.isNumber());
    }

    private static BigDecimal number(JsonNode node) {
        if (node.isNumber()) {
            return node.decimalValue();
        }
        if (node.isString()) {
            try {
                return new BigDecimal(node.asString());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static String describe(JsonNode node) {
        return node == null ? "missing" : abbreviate(node);
    }

    private static String abbreviate(JsonNode node) {
        String s = node.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** Collects {@code path/key} of every unknownFields entry reachable from {@code value}, except the allowed ones. */
    static void unknownFields(Object value, String path, List<String> found, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                unknownFields(e.getValue(), path + "/" + e.getKey(), found, seen);
            }
            return;
        }
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownFields(list.get(i), path + "/" + i, found, seen);
            }
            return;
        }
        Class<?> type = value.getClass();
        if (!type.getName().startsWith("io.kube4j.api.")) {
            return;
        }
        for (Field f : type.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            Object fieldValue;
            try {
                fieldValue = f.get(value);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            if (f.getName().equals("unknownFields")) {
                Set<String> allowed = UNMODELLED.getOrDefault(type, Set.of());
                for (Object key : ((Map<?, ?>) fieldValue).keySet()) {
                    if (!allowed.contains(String.valueOf(key))) {
                        found.add(path + "/" + key);
                    }
                }
            } else if (!OPEN_ENDED.contains(ownerName(f) + "." + f.getName())) {
                com.fasterxml.jackson.annotation.JsonProperty renamed = f.getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
                unknownFields(fieldValue, path + "/" + (renamed != null ? renamed.value() : f.getName()), found, seen);
            }
        }
    }

    /** {@code Outer.Inner} for a nested class, {@code Type} for a top-level one. */
    private static String ownerName(Field f) {
        return f.getDeclaringClass().getName().substring("io.kube4j.api.".length()).replace('$', '.');
    }

    // ---- the checker itself must be able to fail ----

    @Test
    void checkerReportsLostChangedAndHiddenFields() {
        // a field no class models lands in KubeObject.unknownFields: round-trips, but is reported as hidden
        JsonNode cm = Json.tree("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"b\"},\"futureField\":1}");
        assertThat(check("cm", cm, ConfigMap.class)).containsExactly("cm: /futureField is not modelled (it is only kept in an unknownFields map)");

        // Service.ServiceSpec has no any-setter: an unmodelled field there is dropped, and reported as lost
        JsonNode svc = Json.tree("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s\"},\"spec\":{\"ports\":[{\"port\":80}],\"futureField\":true}}");
        assertThat(check("svc", svc, Service.class)).containsExactly("svc: /spec/futureField lost (was true)");

        // a pod-level field outside the allow-list is reported even where the pod types keep unknown fields
        JsonNode pod = Json.tree("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"futureField\":1}],\"securityContext\":{\"runAsUser\":1}}}");
        assertThat(check("pod", pod, Pod.class)).containsExactly("pod: /spec/containers/0/futureField is not modelled (it is only kept in an unknownFields map)");

        // a changed value is reported; an int and the same number as a string are equivalent
        List<String> problems = new ArrayList<>();
        compare("x", "", Json.tree("{\"a\":1,\"b\":\"x\",\"c\":[1,2],\"d\":2}"), Json.tree("{\"a\":\"1\",\"b\":\"y\",\"c\":[1],\"d\":\"2.0\"}"), problems);
        assertThat(problems).containsExactly("x: /b is \"y\", was \"x\"", "x: /c is [1], was an array of 2");
    }

    /** Kinds and fields the website examples do not use, written from the 1.32 types.go, each field set once. */
    static final List<String> FULL_OBJECTS = List.of("""
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-abc, namespace: default, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            endpoints:
            - addresses: [10.1.2.3]
              conditions: {ready: true, serving: true, terminating: false}
              hostname: web-0
              targetRef: {kind: Pod, namespace: default, name: web-0, uid: u1}
              deprecatedTopology: {topology.kubernetes.io/zone: a}
              nodeName: node-1
              zone: a
              hints: {forZones: [{name: a}]}
            ports:
            - {name: http, protocol: TCP, port: 80, appProtocol: http}
            """, """
            apiVersion: apps/v1
            kind: ControllerRevision
            metadata: {name: ds-1234}
            data: {spec: {template: {$patch: replace, spec: {containers: [{name: c, image: i}]}}}}
            revision: 3
            """, """
            apiVersion: v1
            kind: PodTemplate
            metadata: {name: t}
            template:
              metadata: {labels: {app: t}}
              spec:
                containers:
                - name: c
                  image: i
                  envFrom:
                  - {prefix: CM_, configMapRef: {name: cm, optional: true}}
                  - secretRef: {name: s, optional: false}
                  env:
                  - name: A
                    valueFrom: {configMapKeyRef: {name: cm, key: a, optional: true}}
                  - name: B
                    valueFrom: {secretKeyRef: {name: s, key: b}}
                  - name: C
                    valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.name}}
                  - name: D
                    valueFrom: {resourceFieldRef: {containerName: c, resource: limits.memory, divisor: 1Mi}}
                  resources:
                    claims: [{name: gpu, request: one}]
                  readinessProbe:
                    grpc: {port: 9090, service: health}
                volumes:
                - name: cm
                  configMap: {name: cm, items: [{key: a, path: a.txt, mode: 256}], defaultMode: 420, optional: true}
                - name: s
                  secret: {secretName: s, items: [{key: b, path: b}], defaultMode: 256, optional: false}
                - name: claim
                  persistentVolumeClaim: {claimName: data, readOnly: true}
                - name: info
                  downwardAPI:
                    items:
                    - {path: labels, fieldRef: {fieldPath: metadata.labels}, mode: 420}
                    - {path: cpu, resourceFieldRef: {containerName: c, resource: requests.cpu, divisor: 1m}}
                    defaultMode: 420
                - name: all
                  projected:
                    defaultMode: 420
                    sources:
                    - configMap: {name: cm, items: [{key: a, path: a}], optional: true}
                    - secret: {name: s, optional: true}
                    - downwardAPI: {items: [{path: name, fieldRef: {fieldPath: metadata.name}}]}
                    - serviceAccountToken: {audience: vault, expirationSeconds: 3600, path: token}
                    - clusterTrustBundle: {signerName: example.com/signer, labelSelector: {matchLabels: {a: b}}, optional: true, path: ca.pem}
                    - clusterTrustBundle: {name: bundle, path: bundle.pem}
                - name: scratch
                  ephemeral:
                    volumeClaimTemplate:
                      metadata: {labels: {type: scratch}}
                      spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 1Gi}}}
            """, """
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly}
            spec:
              schedule: "0 3 * * *"
              timeZone: Etc/UTC
              startingDeadlineSeconds: 200
              concurrencyPolicy: Forbid
              suspend: false
              jobTemplate:
                metadata: {labels: {app: nightly}}
                spec:
                  template:
                    spec:
                      restartPolicy: OnFailure
                      containers: [{name: c, image: i}]
              successfulJobsHistoryLimit: 3
              failedJobsHistoryLimit: 1
            status:
              active: [{kind: Job, namespace: default, name: nightly-1, uid: u, apiVersion: batch/v1, resourceVersion: "5"}]
              lastScheduleTime: "2025-01-01T03:00:00Z"
              lastSuccessfulTime: "2024-12-31T03:00:10Z"
            """, """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: j}
            spec:
              parallelism: 2
              completions: 4
              activeDeadlineSeconds: 600
              podFailurePolicy:
                rules:
                - action: FailJob
                  onExitCodes: {containerName: main, operator: In, values: [1, 2]}
                - action: Ignore
                  onPodConditions: [{type: DisruptionTarget, status: "True"}]
              successPolicy:
                rules: [{succeededIndexes: "0,2-3", succeededCount: 2}]
              backoffLimit: 6
              backoffLimitPerIndex: 1
              maxFailedIndexes: 2
              selector: {matchLabels: {batch.kubernetes.io/controller-uid: u}}
              manualSelector: true
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: main, image: i}]
              ttlSecondsAfterFinished: 100
              completionMode: Indexed
              suspend: false
              podReplacementPolicy: Failed
              managedBy: kueue.x-k8s.io/multikueue
            status:
              conditions:
              - {type: Complete, status: "True", lastProbeTime: "2025-01-01T00:00:00Z", lastTransitionTime: "2025-01-01T00:00:00Z", reason: CompletionsReached, message: done}
              startTime: "2025-01-01T00:00:00Z"
              completionTime: "2025-01-01T00:01:00Z"
              active: 1
              succeeded: 3
              failed: 1
              terminating: 0
              completedIndexes: "0-2"
              failedIndexes: "3"
              uncountedTerminatedPods: {succeeded: [a], failed: [b]}
              ready: 1
            """, """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: d}
            spec:
              selector: {matchLabels: {app: d}}
              template:
                metadata: {labels: {app: d}}
                spec: {containers: [{name: c, image: i}]}
              updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: "10%"}}
              minReadySeconds: 5
              revisionHistoryLimit: 4
            status:
              currentNumberScheduled: 3
              numberMisscheduled: 0
              desiredNumberScheduled: 3
              numberReady: 2
              observedGeneration: 7
              updatedNumberScheduled: 3
              numberAvailable: 2
              numberUnavailable: 1
              collisionCount: 1
              conditions: [{type: Progressing, status: "True", lastTransitionTime: "2025-01-01T00:00:00Z", reason: r, message: m}]
            """, """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: s}
            spec:
              replicas: 3
              selector: {matchLabels: {app: s}}
              template:
                metadata: {labels: {app: s}}
                spec: {containers: [{name: c, image: i}]}
              volumeClaimTemplates:
              - apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: data}
                spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
              serviceName: s
              podManagementPolicy: Parallel
              updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1, maxUnavailable: 2}}
              revisionHistoryLimit: 10
              minReadySeconds: 3
              persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Retain}
              ordinals: {start: 5}
            status:
              observedGeneration: 2
              replicas: 3
              readyReplicas: 3
              currentReplicas: 3
              updatedReplicas: 3
              currentRevision: s-1
              updateRevision: s-2
              collisionCount: 0
              conditions: [{type: T, status: "False", lastTransitionTime: "2025-01-01T00:00:00Z", reason: r, message: m}]
              availableReplicas: 3
            """, """
            apiVersion: v1
            kind: PersistentVolume
            metadata: {name: pv}
            spec:
              capacity: {storage: 10Gi}
              csi:
                driver: ebs.csi.aws.com
                volumeHandle: vol-1
                readOnly: false
                fsType: ext4
                volumeAttributes: {a: b}
                controllerPublishSecretRef: {name: s1, namespace: kube-system}
                nodeStageSecretRef: {name: s2, namespace: kube-system}
                nodePublishSecretRef: {name: s3, namespace: kube-system}
                controllerExpandSecretRef: {name: s4, namespace: kube-system}
                nodeExpandSecretRef: {name: s5, namespace: kube-system}
              accessModes: [ReadWriteOnce, ReadWriteOncePod]
              claimRef: {kind: PersistentVolumeClaim, namespace: default, name: c, uid: u}
              persistentVolumeReclaimPolicy: Retain
              storageClassName: fast
              mountOptions: [hard]
              volumeMode: Filesystem
              nodeAffinity:
                required:
                  nodeSelectorTerms: [{matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [a]}]}]
              volumeAttributesClassName: gold
            status: {phase: Bound, message: m, reason: r, lastPhaseTransitionTime: "2025-01-01T00:00:00Z"}
            """, """
            apiVersion: v1
            kind: PersistentVolume
            metadata: {name: pv2}
            spec:
              capacity: {storage: 1Gi}
              nfs: {server: nfs.example.com, path: /exports, readOnly: true}
            """, """
            apiVersion: v1
            kind: PersistentVolume
            metadata: {name: pv3}
            spec:
              capacity: {storage: 1Gi}
              local: {path: /mnt/disks/ssd1, fsType: xfs}
            """, """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: c}
            spec:
              accessModes: [ReadWriteOnce]
              selector: {matchLabels: {tier: gold}}
              resources: {requests: {storage: 8Gi}, limits: {storage: 16Gi}}
              volumeName: pv
              storageClassName: fast
              volumeMode: Block
              dataSource: {apiGroup: snapshot.storage.k8s.io, kind: VolumeSnapshot, name: snap}
              dataSourceRef: {apiGroup: snapshot.storage.k8s.io, kind: VolumeSnapshot, name: snap, namespace: other}
              volumeAttributesClassName: gold
            status:
              phase: Bound
              accessModes: [ReadWriteOnce]
              capacity: {storage: 8Gi}
              conditions: [{type: Resizing, status: "True", lastProbeTime: "2025-01-01T00:00:00Z", lastTransitionTime: "2025-01-01T00:00:00Z", reason: r, message: m}]
              allocatedResources: {storage: 16Gi}
              allocatedResourceStatuses: {storage: ControllerResizeInProgress}
              currentVolumeAttributesClassName: silver
              modifyVolumeStatus: {targetVolumeAttributesClassName: gold, status: InProgress}
            """, """
            apiVersion: v1
            kind: ReplicationController
            metadata: {name: rc}
            spec:
              replicas: 2
              minReadySeconds: 1
              selector: {app: rc}
              template:
                metadata: {labels: {app: rc}}
                spec: {containers: [{name: c, image: i}]}
            status:
              replicas: 2
              fullyLabeledReplicas: 2
              readyReplicas: 1
              availableReplicas: 1
              observedGeneration: 1
              conditions: [{type: ReplicaFailure, status: "True", lastTransitionTime: "2025-01-01T00:00:00Z", reason: r, message: m}]
            """, """
            apiVersion: v1
            kind: ResourceQuota
            metadata: {name: q}
            spec:
              hard: {pods: "10", requests.cpu: "4"}
              scopes: [NotTerminating]
              scopeSelector:
                matchExpressions: [{scopeName: PriorityClass, operator: In, values: [high]}]
            status:
              hard: {pods: "10"}
              used: {pods: "3"}
            """, """
            apiVersion: v1
            kind: LimitRange
            metadata: {name: l}
            spec:
              limits:
              - type: Container
                max: {cpu: "2"}
                min: {cpu: 100m}
                default: {cpu: 500m}
                defaultRequest: {cpu: 250m}
                maxLimitRequestRatio: {cpu: "4"}
            """, """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: sa}
            secrets: [{name: sa-token}]
            imagePullSecrets: [{name: regcred}]
            automountServiceAccountToken: false
            """, """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cm}
            immutable: true
            data: {a: b}
            binaryData: {blob: AAEC}
            """, """
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: p}
            spec:
              minAvailable: 50%
              selector: {matchLabels: {app: a}}
              unhealthyPodEvictionPolicy: AlwaysAllow
            status:
              observedGeneration: 1
              disruptedPods: {a-1: "2025-01-01T00:00:00Z"}
              disruptionsAllowed: 1
              currentHealthy: 3
              desiredHealthy: 2
              expectedPods: 3
              conditions: [{type: DisruptionAllowed, status: "True", observedGeneration: 1, lastTransitionTime: "2025-01-01T00:00:00Z", reason: SufficientPods, message: ""}]
            """, """
            apiVersion: scheduling.k8s.io/v1
            kind: PriorityClass
            metadata: {name: high}
            value: 1000000
            globalDefault: false
            description: high priority
            preemptionPolicy: Never
            """, """
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: fast}
            provisioner: ebs.csi.aws.com
            parameters: {type: gp3}
            reclaimPolicy: Retain
            mountOptions: [debug]
            allowVolumeExpansion: true
            volumeBindingMode: WaitForFirstConsumer
            allowedTopologies:
            - matchLabelExpressions: [{key: topology.kubernetes.io/zone, values: [a, b]}]
            """, """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: i}
            spec:
              ingressClassName: nginx
              defaultBackend: {service: {name: def, port: {name: http}}}
              tls: [{hosts: [a.example.com], secretName: tls}]
              rules:
              - host: a.example.com
                http:
                  paths:
                  - {path: /, pathType: Prefix, backend: {service: {name: a, port: {number: 80}}}}
                  - {path: /static, pathType: Exact, backend: {resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: assets}}}
            status:
              loadBalancer:
                ingress: [{ip: 1.2.3.4, hostname: lb.example.com, ports: [{port: 443, protocol: TCP, error: none}]}]
            """, """
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata: {name: nginx}
            spec:
              controller: k8s.io/ingress-nginx
              parameters: {apiGroup: k8s.example.com, kind: IngressParameters, name: p, scope: Namespace, namespace: ns}
            """, """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: n}
            spec:
              podSelector: {matchLabels: {role: db}}
              ingress:
              - from:
                - ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}
                - namespaceSelector: {matchLabels: {project: p}}
                  podSelector: {matchLabels: {role: fe}}
                ports: [{protocol: TCP, port: 6379}, {port: http}]
              egress:
              - to: [{ipBlock: {cidr: 10.0.0.0/24}}]
                ports: [{protocol: TCP, port: 32000, endPort: 32768}]
              policyTypes: [Ingress, Egress]
            """, """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: agg}
            aggregationRule:
              clusterRoleSelectors: [{matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}}]
            rules:
            - {verbs: [get], nonResourceURLs: [/healthz]}
            - {verbs: [get], apiGroups: [""], resources: [configmaps], resourceNames: [c]}
            """, """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: rb, namespace: ns}
            subjects:
            - {kind: ServiceAccount, name: sa, namespace: ns}
            - {kind: User, apiGroup: rbac.authorization.k8s.io, name: jane}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
            """, """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: h}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              minReplicas: 1
              maxReplicas: 10
              metrics:
              - type: Resource
                resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
              - type: ContainerResource
                containerResource: {name: memory, container: app, target: {type: AverageValue, averageValue: 500Mi}}
              - type: Pods
                pods: {metric: {name: packets-per-second}, target: {type: AverageValue, averageValue: 1k}}
              - type: Object
                object:
                  metric: {name: requests-per-second}
                  describedObject: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: main-route}
                  target: {type: Value, value: 10k}
              - type: External
                external:
                  metric: {name: queue_messages_ready, selector: {matchLabels: {queue: worker_tasks}}}
                  target: {type: AverageValue, averageValue: "30"}
              behavior:
                scaleDown:
                  stabilizationWindowSeconds: 300
                  policies: [{type: Percent, value: 100, periodSeconds: 15}]
                scaleUp:
                  stabilizationWindowSeconds: 0
                  selectPolicy: Max
                  policies: [{type: Percent, value: 100, periodSeconds: 15}, {type: Pods, value: 4, periodSeconds: 15}]
            status:
              observedGeneration: 1
              lastScaleTime: "2025-01-01T00:00:00Z"
              currentReplicas: 2
              desiredReplicas: 3
              currentMetrics:
              - type: Resource
                resource: {name: cpu, current: {averageValue: 250m, averageUtilization: 60}}
              - type: ContainerResource
                containerResource: {name: memory, container: app, current: {averageValue: 400Mi}}
              - type: Pods
                pods: {metric: {name: packets-per-second}, current: {averageValue: 900}}
              - type: Object
                object: {metric: {name: requests-per-second}, describedObject: {kind: Ingress, name: main-route}, current: {value: 9k}}
              - type: External
                external: {metric: {name: queue_messages_ready}, current: {value: "20", averageValue: "10"}}
              conditions: [{type: AbleToScale, status: "True", lastTransitionTime: "2025-01-01T00:00:00Z", reason: ReadyForNewScale, message: m}]
            """, """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicy
            metadata: {name: v}
            spec:
              paramKind: {apiVersion: v1, kind: ConfigMap}
              matchConstraints:
                namespaceSelector: {matchLabels: {env: test}}
                objectSelector: {matchLabels: {app: a}}
                resourceRules: [{resourceNames: [x], operations: [CREATE, UPDATE], apiGroups: [apps], apiVersions: [v1], resources: [deployments], scope: Namespaced}]
                excludeResourceRules: [{operations: [DELETE], apiGroups: ["*"], apiVersions: ["*"], resources: ["*"]}]
                matchPolicy: Equivalent
              validations:
              - {expression: "object.spec.replicas <= 5", message: too many, reason: Invalid, messageExpression: "'replicas: ' + string(object.spec.replicas)"}
              failurePolicy: Fail
              auditAnnotations: [{key: high-replica-count, valueExpression: "'high: ' + string(object.spec.replicas)"}]
              matchConditions: [{name: not-kube-system, expression: "request.namespace != 'kube-system'"}]
              variables: [{name: replicas, expression: object.spec.replicas}]
            status:
              observedGeneration: 1
              typeChecking: {expressionWarnings: [{fieldRef: "spec.validations[0].expression", warning: w}]}
              conditions: [{type: Ready, status: "True", observedGeneration: 1, lastTransitionTime: "2025-01-01T00:00:00Z", reason: r, message: m}]
            """, """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicyBinding
            metadata: {name: b}
            spec:
              policyName: v
              paramRef: {name: p, namespace: ns, selector: {matchLabels: {a: b}}, parameterNotFoundAction: Deny}
              matchResources: {namespaceSelector: {matchLabels: {env: test}}}
              validationActions: [Deny, Audit]
            """);

    @Test
    void kindsAndFieldsTheCorpusLacksRoundTripToo() {
        List<String> failures = new ArrayList<>();
        for (String yaml : FULL_OBJECTS) {
            JsonNode doc = Json.yaml().readTree(yaml);
            String gvk = doc.path("apiVersion").asString() + "/" + doc.path("kind").asString();
            Class<? extends KubeObject> type = KINDS.get(gvk);
            if (type == null) {
                failures.add(gvk + ": not a modelled kind");
                continue;
            }
            failures.addAll(check(gvk + " " + doc.at("/metadata/name").asString(), doc, type));
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    // ---- specific round trips ----

    @Test
    void secretKeepsBase64DataAndStringData() {
        String yaml = """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: creds
                type: kubernetes.io/basic-auth
                immutable: true
                data:
                  username: YWRtaW4=
                stringData:
                  password: t0p-Secret
                """;
        Secret secret = Json.readYaml(yaml, Secret.class);

        assertThat(secret.type).isEqualTo("kubernetes.io/basic-auth");
        assertThat(secret.immutable).isTrue();
        assertThat(new String(secret.decoded("username"), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("admin");
        assertThat(secret.stringData).containsEntry("password", "t0p-Secret");
        assertThat(secret.unknownFields).isEmpty();

        secret.put("token", "abc");
        JsonNode out = Json.tree(Json.write(secret));
        assertThat(out.at("/data/username").asString()).isEqualTo("YWRtaW4=");
        assertThat(out.at("/data/token").asString()).isEqualTo("YWJj");
        assertThat(out.at("/stringData/password").asString()).isEqualTo("t0p-Secret");
        assertThat(out.at("/type").asString()).isEqualTo("kubernetes.io/basic-auth");
        assertThat(Json.write(secret)).startsWith("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"creds\"},\"immutable\":true,\"data\":");
    }

    @Test
    void intOrStringFieldsKeepTheirForm() {
        PodDisruptionBudget pdb = Json.readYaml("""
                apiVersion: policy/v1
                kind: PodDisruptionBudget
                metadata: {name: p}
                spec:
                  maxUnavailable: 1
                """, PodDisruptionBudget.class);
        assertThat(pdb.spec.maxUnavailable.isInt()).isTrue();
        assertThat(pdb.spec.maxUnavailable.intValue()).isEqualTo(1);
        assertThat(Json.write(pdb)).contains("\"spec\":{\"maxUnavailable\":1}");

        StatefulSet sts = Json.readYaml("""
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: s}
                spec:
                  updateStrategy:
                    type: RollingUpdate
                    rollingUpdate: {partition: 2, maxUnavailable: "25%"}
                """, StatefulSet.class);
        IntOrString max = sts.spec.updateStrategy.rollingUpdate.maxUnavailable;
        assertThat(max.isInt()).isFalse();
        assertThat(max.scaledValue(10, false)).isEqualTo(2);
        assertThat(Json.write(sts)).contains("\"rollingUpdate\":{\"partition\":2,\"maxUnavailable\":\"25%\"}");
        assertThat(Json.read(Json.write(sts), StatefulSet.class).spec.updateStrategy.rollingUpdate.maxUnavailable).isEqualTo(IntOrString.of("25%"));
    }

    @Test
    void emptyStorageClassNameOfAClaimIsKept() {
        PersistentVolumeClaim pvc = Json.readYaml("""
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: c}
                spec:
                  storageClassName: ""
                  resources: {requests: {storage: 1Gi}}
                """, PersistentVolumeClaim.class);
        assertThat(pvc.spec.storageClassName).isEmpty();
        assertThat(Json.write(pvc)).contains("\"storageClassName\":\"\"");
    }

    @Test
    void limitRangeDefaultIsWrittenAsDefault() {
        LimitRange lr = Json.readYaml("""
                apiVersion: v1
                kind: LimitRange
                metadata: {name: l}
                spec:
                  limits:
                  - type: Container
                    default: {cpu: 500m}
                    defaultRequest: {cpu: 250m}
                """, LimitRange.class);
        assertThat(lr.spec.limits.get(0).defaultLimits.get("cpu").milliValue()).isEqualTo(500);
        assertThat(Json.write(lr)).contains("{\"type\":\"Container\",\"default\":{\"cpu\":\"500m\"},\"defaultRequest\":{\"cpu\":\"250m\"}}");
    }

    @Test
    void envValueFromHasATypedView() {
        Container.EnvVar var = Json.read("{\"name\":\"U\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"creds\",\"key\":\"username\"}}}", Container.EnvVar.class);
        assertThat(var.source().secretKeyRef.name).isEqualTo("creds");
        assertThat(var.source().secretKeyRef.key).isEqualTo("username");
        assertThat(new Container.EnvVar("A", "b").source()).isNull();
        assertThat(Json.write(var)).isEqualTo("{\"name\":\"U\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"creds\",\"key\":\"username\"}}}");
    }
}
