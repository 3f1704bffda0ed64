package io.kube4j.apiserver.auth.node;

import io.kube4j.apiserver.auth.Authorizer;
import io.kube4j.apiserver.auth.Forbidden;
import io.kube4j.apiserver.auth.RequestAttributes;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.auth.rbac.BootstrapPolicy;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Node authorizer's decisions and reasons, as Kubernetes' node_authorizer_test.go. */
class NodeAuthorizerTest {
    static final UserInfo NODE1 = new UserInfo("system:node:node1", "", List.of("system:nodes", "system:authenticated"), Map.of());

    static ObjectNode pod(String ns, String name, String node, String spec) {
        ObjectNode p = (ObjectNode) Json.tree("{\"metadata\":{\"namespace\":\"" + ns + "\",\"name\":\"" + name + "\"},\"spec\":" + spec + "}");
        ((ObjectNode) p.path("spec")).put("nodeName", node);
        return p;
    }

    final List<ObjectNode> pods = List.of(
            pod("ns", "web", "node1", """
                    {"serviceAccountName":"web-sa","imagePullSecrets":[{"name":"pull"}],
                     "volumes":[{"name":"v","secret":{"secretName":"tls"}},{"name":"c","configMap":{"name":"conf"}},
                                {"name":"d","persistentVolumeClaim":{"claimName":"data"}},
                                {"name":"p","projected":{"sources":[{"secret":{"name":"proj"}},{"configMap":{"name":"projcm"}}]}}],
                     "containers":[{"name":"c","env":[{"name":"K","valueFrom":{"secretKeyRef":{"name":"envsecret","key":"k"}}}],
                                    "envFrom":[{"configMapRef":{"name":"envcm"}}]}]}"""),
            pod("ns", "other", "node2", "{\"volumes\":[{\"name\":\"v\",\"secret\":{\"secretName\":\"node2-only\"}}]}"));

    final NodeAuthorizer authorizer = new NodeAuthorizer(new NodeAuthorizer.Objects() {
        @Override
        public List<ObjectNode> podsOnNode(String namespace, String node) {
            return pods.stream().filter(p -> (namespace == null || namespace.equals(p.path("metadata").path("namespace").asString()))
                    && node.equals(p.path("spec").path("nodeName").asString())).toList();
        }

        @Override
        public List<ObjectNode> podsOnNode(String node) {
            return podsOnNode(null, node);
        }

        @Override
        public ObjectNode claim(String namespace, String name) {
            return name.equals("data") ? (ObjectNode) Json.tree("{\"spec\":{\"volumeName\":\"pv-data\"}}") : null;
        }
    }, BootstrapPolicy.nodeRules());

    Authorizer.Decision ask(UserInfo u, String verb, String group, String resource, String sub, String ns, String name) {
        return authorizer.authorize(RequestAttributes.resource(u, verb, group, resource, sub, ns, name));
    }

    @Test
    void aNodeReadsOnlyWhatItsPodsUse() {
        for (String s : List.of("tls", "pull", "proj", "envsecret")) {
            assertThat(ask(NODE1, "get", "", "secrets", "", "ns", s).allowed()).as(s).isTrue();
        }
        for (String c : List.of("conf", "projcm", "envcm")) {
            assertThat(ask(NODE1, "get", "", "configmaps", "", "ns", c).allowed()).as(c).isTrue();
        }
        assertThat(ask(NODE1, "watch", "", "secrets", "", "ns", "tls").allowed()).isTrue();
        assertThat(ask(NODE1, "get", "", "persistentvolumeclaims", "", "ns", "data").allowed()).isTrue();
        assertThat(ask(NODE1, "get", "", "persistentvolumes", "", "", "pv-data").allowed()).isTrue();
        assertThat(ask(NODE1, "create", "", "serviceaccounts", "token", "ns", "web-sa").allowed()).isTrue();

        Authorizer.Decision other = ask(NODE1, "get", "", "secrets", "", "ns", "node2-only");
        assertThat(other.allowed()).isFalse();
        assertThat(other.reason()).isEqualTo("no relationship found between node 'node1' and this object");
        assertThat(Forbidden.error(RequestAttributes.resource(NODE1, "get", "", "secrets", "", "ns", "node2-only"), other.reason()).getMessage())
                .isEqualTo("secrets \"node2-only\" is forbidden: User \"system:node:node1\" cannot get resource \"secrets\" in API group \"\" in the namespace \"ns\": no relationship found between node 'node1' and this object");
        assertThat(ask(NODE1, "list", "", "secrets", "", "ns", "").reason()).isEqualTo("No Object name found");
        assertThat(ask(NODE1, "update", "", "secrets", "", "ns", "tls").reason()).isEqualTo("can only read resources of this type");
        assertThat(ask(NODE1, "get", "", "secrets", "", "other-ns", "tls").allowed()).isFalse();
        assertThat(ask(NODE1, "list", "", "persistentvolumes", "", "", "").reason()).isEqualTo("can only get individual resources of this type");
    }

    @Test
    void aNodeTouchesOnlyItsOwnLease() {
        assertThat(ask(NODE1, "update", "coordination.k8s.io", "leases", "", "kube-node-lease", "node1").allowed()).isTrue();
        assertThat(ask(NODE1, "create", "coordination.k8s.io", "leases", "", "kube-node-lease", "").allowed()).isTrue();
        assertThat(ask(NODE1, "update", "coordination.k8s.io", "leases", "", "kube-node-lease", "node2").reason())
                .isEqualTo("can only access node lease with the same name as the requesting node");
        assertThat(ask(NODE1, "get", "coordination.k8s.io", "leases", "", "default", "node1").reason())
                .isEqualTo("can only access leases in the \"kube-node-lease\" system namespace");
    }

    @Test
    void everythingElseIsTheFixedNodeRulesAndOtherUsersGetNoOpinion() {
        assertThat(ask(NODE1, "list", "", "pods", "", "", "").allowed()).isTrue();
        assertThat(ask(NODE1, "patch", "", "nodes", "status", "", "node1").allowed()).isTrue();
        assertThat(ask(NODE1, "delete", "", "nodes", "", "", "node1").allowed()).isFalse();
        assertThat(ask(NODE1, "create", "apps", "deployments", "", "ns", "").allowed()).isFalse();
        UserInfo notInGroup = new UserInfo("system:node:node1", "", List.of("system:authenticated"), Map.of());
        assertThat(ask(notInGroup, "list", "", "pods", "", "", "").kind()).isEqualTo(Authorizer.Decision.Kind.NO_OPINION);
        assertThat(NodeAuthorizer.nodeName(notInGroup)).isNull();
        assertThat(NodeAuthorizer.nodeName(NODE1)).isEqualTo("node1");
    }
}
