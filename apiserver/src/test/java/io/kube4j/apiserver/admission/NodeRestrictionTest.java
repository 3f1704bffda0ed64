package io.kube4j.apiserver.admission;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Admission.Attributes;
import io.kube4j.apiserver.registry.Admission.Operation;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * NodeRestriction against the cases of Kubernetes' plugin/pkg/admission/noderestriction/admission_test.go:
 * each denial's code, reason and exact message, and that the node's own objects pass.
 */
class NodeRestrictionTest {
    static final UserInfo NODE1 = new UserInfo("system:node:node1", "", List.of("system:nodes", "system:authenticated"), Map.of());
    final Map<String, ObjectNode> pods = new HashMap<>();
    final Map<String, ObjectNode> nodes = new HashMap<>();
    UserInfo user = NODE1;
    final NodeRestriction plugin = new NodeRestriction(new NodeRestriction.Lookup() {
        @Override
        public ObjectNode pod(String namespace, String name) {
            return pods.get(namespace + "/" + name);
        }

        @Override
        public ObjectNode node(String name) {
            return nodes.get(name);
        }
    }, () -> user);

    static ObjectNode yaml(String yaml) {
        return (ObjectNode) Json.toTree(Json.readYaml(yaml, Object.class));
    }

    NodeRestrictionTest() {
        pods.put("ns/mypod", yaml("{metadata: {name: mypod, namespace: ns, uid: pod-uid, labels: {app: a}}, spec: {nodeName: node1}}"));
        pods.put("ns/otherpod", yaml("{metadata: {name: otherpod, namespace: ns, uid: other-uid}, spec: {nodeName: node2}}"));
        pods.put("ns/unbound", yaml("{metadata: {name: unbound, namespace: ns, uid: u}, spec: {}}"));
        nodes.put("node1", yaml("{metadata: {name: node1, uid: node1-uid}}"));
    }

    ApiError denied(Operation op, ResourceType rt, String ns, String name, ObjectNode obj, ObjectNode old, String sub) {
        return catchThrowableOfType(ApiError.class, () -> run(op, rt, ns, name, obj, old, sub));
    }

    void run(Operation op, ResourceType rt, String ns, String name, ObjectNode obj, ObjectNode old, String sub) {
        Attributes a = new Attributes(op, rt, ns, name, obj, old, sub);
        if (sub.isEmpty() && op != Operation.DELETE) plugin.admit(a, null);
        else plugin.validateSubresourceOrDelete(a);
    }

    static void assertForbidden(ApiError e, String message) {
        assertThat(e).as("expected a denial").isNotNull();
        assertThat(e.code()).isEqualTo(403);
        assertThat(e.status().reason).isEqualTo("Forbidden");
        assertThat(e.status().message).isEqualTo(message);
    }

    // ---- nodes ----

    @Test
    void aNodeMayWriteOnlyItsOwnNode() {
        ObjectNode node2 = yaml("{metadata: {name: node2}}");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.NODES, null, "node2", node2, null, ""),
                "nodes \"node2\" is forbidden: node \"node1\" is not allowed to modify node \"node2\"");
        assertForbidden(denied(Operation.UPDATE, ResourceTypes.NODES, null, "node2", node2, node2, "status"),
                "nodes \"node2\" is forbidden: node \"node1\" is not allowed to modify node \"node2\"");
        assertForbidden(denied(Operation.DELETE, ResourceTypes.NODES, null, "node2", null, node2, ""),
                "nodes \"node2\" is forbidden: node \"node1\" is not allowed to modify node \"node2\"");
        ObjectNode own = yaml("{metadata: {name: node1, labels: {kubernetes.io/hostname: node1, kubernetes.io/os: linux, "
                + "topology.kubernetes.io/zone: z, foo.node.kubernetes.io/x: y, kubelet.kubernetes.io/k: v, example.com/mine: m}}}");
        run(Operation.CREATE, ResourceTypes.NODES, null, "node1", own, null, "");
        run(Operation.UPDATE, ResourceTypes.NODES, null, "node1", own, own, "status");
        run(Operation.DELETE, ResourceTypes.NODES, null, "node1", null, own, "");
    }

    @Test
    void aNodeCannotSetRestrictedLabels() {
        ObjectNode withLabels = yaml("{metadata: {name: node1, labels: {node-restriction.kubernetes.io/role: db, "
                + "foo.node-restriction.kubernetes.io/x: y, node-role.kubernetes.io/master: '', other.k8s.io/x: y, kubernetes.io/hostname: node1}}}");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.NODES, null, "node1", withLabels, null, ""),
                "nodes \"node1\" is forbidden: node \"node1\" is not allowed to set the following labels: "
                        + "foo.node-restriction.kubernetes.io/x, node-restriction.kubernetes.io/role, node-role.kubernetes.io/master, other.k8s.io/x");
        ObjectNode old = yaml("{metadata: {name: node1, labels: {node-restriction.kubernetes.io/role: db}}}");
        ObjectNode changed = yaml("{metadata: {name: node1, labels: {node-restriction.kubernetes.io/role: web}}}");
        assertForbidden(denied(Operation.UPDATE, ResourceTypes.NODES, null, "node1", changed, old, ""),
                "nodes \"node1\" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/role");
        // keeping a restricted label an administrator set is no modification
        run(Operation.UPDATE, ResourceTypes.NODES, null, "node1", old, old, "");
    }

    @Test
    void aNodeCannotChangeItsTaintsOrConfigSource() {
        ObjectNode old = yaml("{metadata: {name: node1}, spec: {taints: [{key: k, effect: NoSchedule}]}}");
        ObjectNode untainted = yaml("{metadata: {name: node1}, spec: {}}");
        assertForbidden(denied(Operation.UPDATE, ResourceTypes.NODES, null, "node1", untainted, old, ""),
                "nodes \"node1\" is forbidden: node \"node1\" is not allowed to modify taints");
        ObjectNode config = yaml("{metadata: {name: node1}, spec: {configSource: {configMap: {name: c}}}}");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.NODES, null, "node1", config, null, ""),
                "nodes \"node1\" is forbidden: node \"node1\" is not allowed to create pods with a non-nil configSource");
        assertForbidden(denied(Operation.UPDATE, ResourceTypes.NODES, null, "node1", config, untainted, ""),
                "nodes \"node1\" is forbidden: node \"node1\" is not allowed to update configSource to a new non-nil configSource");
    }

    // ---- pods ----

    static final String MIRROR = "{metadata: {name: mirror, namespace: ns, annotations: {kubernetes.io/config.mirror: h}, "
            + "ownerReferences: [{apiVersion: v1, kind: Node, name: node1, uid: node1-uid, controller: true}]}, spec: {nodeName: node1, containers: [{name: c, image: i}]";

    @Test
    void aNodeCreatesOnlyItsOwnMirrorPods() {
        run(Operation.CREATE, ResourceTypes.PODS, "ns", "mirror", yaml(MIRROR + "}}"), null, "");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.PODS, "ns", "p", yaml("{metadata: {name: p}, spec: {nodeName: node1}}"), null, ""),
                "pods \"p\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" annotation, node \"node1\" can only create mirror pods");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.PODS, "ns", "mirror", yaml(MIRROR.replace("nodeName: node1", "nodeName: node2") + "}}"), null, ""),
                "pods \"mirror\" is forbidden: node \"node1\" can only create pods with spec.nodeName set to itself");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.PODS, "ns", "mirror", yaml(MIRROR.replace("name: node1, uid", "name: node2, uid") + "}}"), null, ""),
                "pods \"mirror\" is forbidden: node \"node1\" can only create pods with an owner reference set to itself");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.PODS, "ns", "mirror", yaml(MIRROR.replace("controller: true", "controller: false") + "}}"), null, ""),
                "pods \"mirror\" is forbidden: node \"node1\" can only create pods with a controller owner reference set to itself");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.PODS, "ns", "mirror", yaml(MIRROR.replace("uid: node1-uid", "uid: stale") + "}}"), null, ""),
                "pods \"mirror\" is forbidden: node node1 UID mismatch: expected stale got node1-uid");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.PODS, "ns", "mirror", yaml(MIRROR + ", serviceAccountName: sa}}"), null, ""),
                "pods \"mirror\" is forbidden: node \"node1\" can not create pods that reference a service account");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.PODS, "ns", "mirror", yaml(MIRROR + ", volumes: [{name: v, secret: {secretName: s}}]}}"), null, ""),
                "pods \"mirror\" is forbidden: node \"node1\" can not create pods that reference secrets");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.PODS, "ns", "mirror",
                        yaml(MIRROR.replace("image: i}", "image: i, envFrom: [{configMapRef: {name: c}}]}") + "}}"), null, ""),
                "pods \"mirror\" is forbidden: node \"node1\" can not create pods that reference configmaps");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.PODS, "ns", "mirror", yaml(MIRROR + ", volumes: [{name: v, persistentVolumeClaim: {claimName: c}}]}}"), null, ""),
                "pods \"mirror\" is forbidden: node \"node1\" can not create pods that reference persistentvolumeclaims");
    }

    @Test
    void aNodeUpdatesOnlyTheStatusOfItsOwnPods() {
        ObjectNode mine = pods.get("ns/mypod");
        ObjectNode next = mine.deepCopy();
        ((ObjectNode) next.withObjectProperty("status")).put("phase", "Running");
        run(Operation.UPDATE, ResourceTypes.PODS, "ns", "mypod", next, mine, "status");
        ObjectNode other = pods.get("ns/otherpod");
        assertForbidden(denied(Operation.UPDATE, ResourceTypes.PODS, "ns", "otherpod", other, other, "status"),
                "pods \"otherpod\" is forbidden: node \"node1\" can only update pod status for pods with spec.nodeName set to itself");
        ObjectNode relabeled = mine.deepCopy();
        ((ObjectNode) relabeled.withObjectProperty("metadata").withObjectProperty("labels")).put("app", "b");
        assertForbidden(denied(Operation.UPDATE, ResourceTypes.PODS, "ns", "mypod", relabeled, mine, "status"),
                "pods \"mypod\" is forbidden: node \"node1\" cannot update labels through pod status");
        assertForbidden(denied(Operation.UPDATE, ResourceTypes.PODS, "ns", "mypod", next, mine, ""),
                "pods \"mypod\" is forbidden: unexpected operation \"UPDATE\", node \"node1\" can only create and delete mirror pods");
        assertForbidden(denied(Operation.UPDATE, ResourceTypes.PODS, "ns", "mypod", next, mine, "ephemeralcontainers"),
                "pods \"mypod\" is forbidden: unexpected pod subresource \"ephemeralcontainers\", only 'status' and 'eviction' are allowed");
    }

    @Test
    void aNodeDeletesAndEvictsOnlyItsOwnPods() {
        run(Operation.DELETE, ResourceTypes.PODS, "ns", "mypod", null, pods.get("ns/mypod"), "");
        assertForbidden(denied(Operation.DELETE, ResourceTypes.PODS, "ns", "otherpod", null, pods.get("ns/otherpod"), ""),
                "pods \"otherpod\" is forbidden: node \"node1\" can only delete pods with spec.nodeName set to itself");
        assertForbidden(denied(Operation.DELETE, ResourceTypes.PODS, "ns", "unbound", null, pods.get("ns/unbound"), ""),
                "pods \"unbound\" is forbidden: node \"node1\" can only delete pods with spec.nodeName set to itself");
        ObjectNode eviction = yaml("{apiVersion: policy/v1, kind: Eviction, metadata: {name: x}}");
        run(Operation.CREATE, ResourceTypes.PODS, "ns", "mypod", eviction, null, "eviction");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.PODS, "ns", "otherpod", eviction, null, "eviction"),
                "pods \"otherpod\" is forbidden: node node1 can only evict pods with spec.nodeName set to itself");
        ApiError missing = denied(Operation.CREATE, ResourceTypes.PODS, "ns", "gone", eviction, null, "eviction");
        assertThat(missing.code()).isEqualTo(404);
        assertThat(missing.status().message).isEqualTo("pods \"gone\" not found");
    }

    // ---- tokens, leases, claims ----

    @Test
    void aNodeAsksTokensOnlyForItsOwnPods() {
        String tr = "{apiVersion: authentication.k8s.io/v1, kind: TokenRequest, spec: {audiences: [a], boundObjectRef: %s}}";
        run(Operation.CREATE, ResourceTypes.SERVICEACCOUNTS, "ns", "default",
                yaml(tr.formatted("{apiVersion: v1, kind: Pod, name: mypod, uid: pod-uid}")), null, "token");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.SERVICEACCOUNTS, "ns", "default", yaml(tr.formatted("null")), null, "token"),
                "serviceaccounts \"default\" is forbidden: node requested token not bound to a pod");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.SERVICEACCOUNTS, "ns", "default",
                        yaml(tr.formatted("{apiVersion: v1, kind: Secret, name: s, uid: x}")), null, "token"),
                "serviceaccounts \"default\" is forbidden: node requested token not bound to a pod");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.SERVICEACCOUNTS, "ns", "default",
                        yaml(tr.formatted("{apiVersion: v1, kind: Pod, name: mypod}")), null, "token"),
                "serviceaccounts \"default\" is forbidden: node requested token with a pod binding without a uid");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.SERVICEACCOUNTS, "ns", "default",
                        yaml(tr.formatted("{apiVersion: v1, kind: Pod, name: mypod, uid: old-uid}")), null, "token"),
                "serviceaccounts \"default\" is forbidden: the UID in the bound object reference (old-uid) does not match the UID in record. "
                        + "The object might have been deleted and then recreated");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.SERVICEACCOUNTS, "ns", "default",
                        yaml(tr.formatted("{apiVersion: v1, kind: Pod, name: otherpod, uid: other-uid}")), null, "token"),
                "serviceaccounts \"default\" is forbidden: node requested token bound to a pod scheduled on a different node");
    }

    @Test
    void aNodeTouchesOnlyItsOwnLease() {
        ObjectNode own = yaml("{metadata: {name: node1, namespace: kube-node-lease}}");
        run(Operation.CREATE, ResourceTypes.LEASES, "kube-node-lease", "node1", own, null, "");
        run(Operation.UPDATE, ResourceTypes.LEASES, "kube-node-lease", "node1", own, own, "");
        ObjectNode other = yaml("{metadata: {name: node2, namespace: kube-node-lease}}");
        assertForbidden(denied(Operation.UPDATE, ResourceTypes.LEASES, "kube-node-lease", "node2", other, other, ""),
                "leases.coordination.k8s.io \"node2\" is forbidden: can only access node lease with the same name as the requesting node");
        assertForbidden(denied(Operation.DELETE, ResourceTypes.LEASES, "kube-node-lease", "node2", null, other, ""),
                "leases.coordination.k8s.io \"node2\" is forbidden: can only access node lease with the same name as the requesting node");
        assertForbidden(denied(Operation.CREATE, ResourceTypes.LEASES, "default", "node1", own, null, ""),
                "leases.coordination.k8s.io \"node1\" is forbidden: can only access leases in the \"kube-node-lease\" system namespace");
    }

    @Test
    void aNodeUpdatesOnlyClaimStatusCapacityAndConditions() {
        ObjectNode old = yaml("{metadata: {name: c, namespace: ns, resourceVersion: '1'}, status: {phase: Bound, capacity: {storage: 1Gi}}}");
        ObjectNode resized = yaml("{metadata: {name: c, namespace: ns}, status: {phase: Bound, capacity: {storage: 2Gi}, conditions: [{type: Resizing, status: 'True'}]}}");
        run(Operation.UPDATE, ResourceTypes.PERSISTENTVOLUMECLAIMS, "ns", "c", resized, old, "status");
        ObjectNode relabeled = yaml("{metadata: {name: c, namespace: ns, labels: {a: b}}, status: {phase: Bound}}");
        ApiError e = denied(Operation.UPDATE, ResourceTypes.PERSISTENTVOLUMECLAIMS, "ns", "c", relabeled, old, "status");
        assertThat(e.code()).isEqualTo(403);
        assertThat(e.status().message).startsWith("persistentvolumeclaims \"c\" is forbidden: node \"node1\" is not allowed to update fields other than status.capacity and status.conditions: ")
                .contains("metadata.labels");
        assertForbidden(denied(Operation.UPDATE, ResourceTypes.PERSISTENTVOLUMECLAIMS, "ns", "c", resized, old, ""),
                "persistentvolumeclaims \"c\" is forbidden: may only update PVC status");
    }

    // ---- who is restricted ----

    @Test
    void otherUsersAndUnidentifiableNodesAreTreatedAsKubernetesDoes() {
        ObjectNode other = pods.get("ns/otherpod");
        user = new UserInfo("alice", "", List.of("system:authenticated"), Map.of());
        run(Operation.DELETE, ResourceTypes.PODS, "ns", "otherpod", null, other, "");
        user = null;
        run(Operation.DELETE, ResourceTypes.PODS, "ns", "otherpod", null, other, "");
        // system:node:x without the system:nodes group is no node (NodeIdentity)
        user = new UserInfo("system:node:node1", "", List.of("system:authenticated"), Map.of());
        run(Operation.DELETE, ResourceTypes.PODS, "ns", "otherpod", null, other, "");
        user = new UserInfo("system:node:", "", List.of("system:nodes"), Map.of());
        assertForbidden(denied(Operation.DELETE, ResourceTypes.PODS, "ns", "otherpod", null, other, ""),
                "pods \"otherpod\" is forbidden: could not determine node from user \"system:node:\"");
    }

    @Test
    void labelRulesFollowKubeletApis() {
        assertThat(NodeRestriction.isKubeletLabel("kubernetes.io/hostname")).isTrue();
        assertThat(NodeRestriction.isKubeletLabel("beta.kubernetes.io/arch")).isTrue();
        assertThat(NodeRestriction.isKubeletLabel("a.b.node.kubernetes.io/x")).isTrue();
        assertThat(NodeRestriction.isKubeletLabel("node-role.kubernetes.io/worker")).isFalse();
        assertThat(NodeRestriction.forbiddenLabels(NodeRestriction.modifiedLabels(Map.of("example.com/a", "1", "k8s.io/b", "2"), Map.of("k8s.io/b", "2"))))
                .isEmpty();
    }
}
