package io.kube4j.apiserver.auth.rbac;

import io.kube4j.api.ClusterRole;
import io.kube4j.api.ClusterRoleBinding;
import io.kube4j.api.KubeObject;
import io.kube4j.api.Role;
import io.kube4j.api.RoleBinding;
import io.kube4j.apiserver.auth.AuthorizerChain;
import io.kube4j.apiserver.auth.PrivilegedGroupAuthorizer;
import io.kube4j.apiserver.auth.RequestAttributes;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Admission;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rule matching and binding resolution, as Kubernetes' rbac_test.go and evaluation_helpers. */
class RbacAuthorizerTest {
    static final UserInfo ALICE = new UserInfo("alice", "", List.of("devs", "system:authenticated"), Map.of());
    static final UserInfo SA = new UserInfo("system:serviceaccount:team:builder", "", List.of("system:serviceaccounts"), Map.of());

    static Role.PolicyRule rule(List<String> verbs, List<String> groups, List<String> resources, List<String> names) {
        return RuleCoverage.rule(groups, resources, verbs, names, List.of());
    }

    static Role.PolicyRule urls(List<String> verbs, List<String> urls) {
        return RuleCoverage.rule(List.of(), List.of(), verbs, List.of(), urls);
    }

    static ClusterRole clusterRole(String name, Role.PolicyRule... rules) {
        ClusterRole r = new ClusterRole();
        r.metadata.name = name;
        r.rules = new ArrayList<>(List.of(rules));
        return r;
    }

    static Role role(String ns, String name, Role.PolicyRule... rules) {
        Role r = new Role();
        r.metadata.namespace = ns;
        r.metadata.name = name;
        r.rules = new ArrayList<>(List.of(rules));
        return r;
    }

    static RoleBinding.Subject subject(String kind, String name, String ns) {
        RoleBinding.Subject s = new RoleBinding.Subject();
        s.kind = kind;
        s.name = name;
        s.namespace = ns;
        return s;
    }

    static RoleBinding.RoleRef ref(String kind, String name) {
        RoleBinding.RoleRef r = new RoleBinding.RoleRef();
        r.apiGroup = "rbac.authorization.k8s.io";
        r.kind = kind;
        r.name = name;
        return r;
    }

    static ClusterRoleBinding crb(String name, String role, RoleBinding.Subject... subjects) {
        ClusterRoleBinding b = new ClusterRoleBinding();
        b.metadata.name = name;
        b.roleRef = ref("ClusterRole", role);
        b.subjects = new ArrayList<>(List.of(subjects));
        return b;
    }

    static RoleBinding rb(String ns, String name, String kind, String role, RoleBinding.Subject... subjects) {
        RoleBinding b = new RoleBinding();
        b.metadata.namespace = ns;
        b.metadata.name = name;
        b.roleRef = ref(kind, role);
        b.subjects = new ArrayList<>(List.of(subjects));
        return b;
    }

    static RbacAuthorizer authorizer(KubeObject... objects) {
        return new RbacAuthorizer(RbacState.of(List.of(objects)));
    }

    static boolean allowed(RbacAuthorizer a, UserInfo u, String verb, String group, String resource, String sub, String ns, String name) {
        return a.authorize(RequestAttributes.resource(u, verb, group, resource, sub, ns, name)).allowed();
    }

    @Test
    void ruleMatchingFollowsEvaluationHelpers() {
        Role.PolicyRule r = rule(List.of("get", "list"), List.of(""), List.of("pods", "*/status"), List.of());
        assertThat(RbacRules.allows(RequestAttributes.resource(ALICE, "get", "", "pods", "", "ns", "p"), r)).isTrue();
        assertThat(RbacRules.allows(RequestAttributes.resource(ALICE, "watch", "", "pods", "", "ns", ""), r)).isFalse();
        assertThat(RbacRules.allows(RequestAttributes.resource(ALICE, "get", "apps", "pods", "", "ns", ""), r)).isFalse();
        // pods does not grant pods/log; */status grants any status
        assertThat(RbacRules.allows(RequestAttributes.resource(ALICE, "get", "", "pods", "log", "ns", "p"), r)).isFalse();
        assertThat(RbacRules.allows(RequestAttributes.resource(ALICE, "get", "", "services", "status", "ns", "s"), r)).isTrue();
        Role.PolicyRule named = rule(List.of("get"), List.of("*"), List.of("configmaps"), List.of("cm1"));
        assertThat(RbacRules.allows(RequestAttributes.resource(ALICE, "get", "", "configmaps", "", "ns", "cm1"), named)).isTrue();
        assertThat(RbacRules.allows(RequestAttributes.resource(ALICE, "get", "", "configmaps", "", "ns", "cm2"), named)).isFalse();
        assertThat(RbacRules.allows(RequestAttributes.resource(ALICE, "list", "", "configmaps", "", "ns", ""), rule(List.of("list"), List.of(""), List.of("configmaps"), List.of("cm1")))).isFalse();
        Role.PolicyRule u = urls(List.of("get"), List.of("/healthz/*", "/version"));
        assertThat(RbacRules.allows(RequestAttributes.nonResource(ALICE, "get", "/healthz/etcd"), u)).isTrue();
        assertThat(RbacRules.allows(RequestAttributes.nonResource(ALICE, "get", "/version"), u)).isTrue();
        assertThat(RbacRules.allows(RequestAttributes.nonResource(ALICE, "get", "/version/x"), u)).isFalse();
        assertThat(RbacRules.allows(RequestAttributes.nonResource(ALICE, "post", "/version"), u)).isFalse();
        // a resource rule never matches a path, and a path rule never a resource
        assertThat(RbacRules.allows(RequestAttributes.nonResource(ALICE, "get", "/api"), rule(List.of("*"), List.of("*"), List.of("*"), List.of()))).isFalse();
    }

    @Test
    void clusterRoleBindingsGrantEverywhereRoleBindingsOnlyInTheirNamespace() {
        RbacAuthorizer a = authorizer(
                clusterRole("reader", rule(List.of("get", "list"), List.of(""), List.of("pods"), List.of())),
                crb("devs-read", "reader", subject("Group", "devs", null)),
                role("team", "deployer", rule(List.of("create"), List.of("apps"), List.of("deployments"), List.of())),
                rb("team", "alice-deploys", "Role", "deployer", subject("User", "alice", null)),
                rb("team", "builder-reads-secrets", "ClusterRole", "secret-reader", subject("ServiceAccount", "builder", null)),
                clusterRole("secret-reader", rule(List.of("get"), List.of(""), List.of("secrets"), List.of())));
        assertThat(allowed(a, ALICE, "list", "", "pods", "", "", "")).isTrue();
        assertThat(allowed(a, ALICE, "get", "", "pods", "", "elsewhere", "p")).isTrue();
        assertThat(allowed(a, ALICE, "create", "apps", "deployments", "", "team", "")).isTrue();
        assertThat(allowed(a, ALICE, "create", "apps", "deployments", "", "other", "")).isFalse();
        assertThat(allowed(a, ALICE, "create", "apps", "deployments", "", "", "")).isFalse();
        // the ServiceAccount subject's namespace defaults to the binding's
        assertThat(allowed(a, SA, "get", "", "secrets", "", "team", "s")).isTrue();
        assertThat(allowed(a, SA, "get", "", "secrets", "", "other", "s")).isFalse();
        assertThat(a.authorize(RequestAttributes.resource(ALICE, "list", "", "pods", "", "", "")).reason())
                .isEqualTo("RBAC: allowed by ClusterRoleBinding \"devs-read\" of ClusterRole \"reader\" to Group \"devs\"");
    }

    @Test
    void aBindingToAMissingRoleIsTheReason() {
        RbacAuthorizer a = authorizer(crb("b", "gone", subject("User", "alice", null)));
        var d = a.authorize(RequestAttributes.resource(ALICE, "get", "", "pods", "", "default", "p"));
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo("RBAC: clusterrole.rbac.authorization.k8s.io \"gone\" not found");
    }

    @Test
    void systemMastersIsAlwaysAllowed() {
        AuthorizerChain chain = new AuthorizerChain(List.of(new PrivilegedGroupAuthorizer(), authorizer()));
        UserInfo admin = new UserInfo("admin", "", List.of("system:masters"), Map.of());
        assertThat(chain.authorize(RequestAttributes.resource(admin, "delete", "", "nodes", "", "", "n")).allowed()).isTrue();
        assertThat(chain.authorize(RequestAttributes.resource(ALICE, "delete", "", "nodes", "", "", "n")).allowed()).isFalse();
    }

    @Test
    void bootstrapPolicyLetsAnonymousReadHealthAndVersionOnly() {
        List<KubeObject> objs = new ArrayList<>(BootstrapPolicy.clusterRoles());
        objs.addAll(BootstrapPolicy.clusterRoleBindings());
        RbacAuthorizer a = new RbacAuthorizer(RbacState.of(objs));
        UserInfo anon = UserInfo.anonymous();
        for (String p : List.of("/healthz", "/livez", "/readyz", "/version")) {
            assertThat(a.authorize(RequestAttributes.nonResource(anon, "get", p)).allowed()).as(p).isTrue();
        }
        assertThat(a.authorize(RequestAttributes.nonResource(anon, "get", "/api")).allowed()).isFalse();
        assertThat(allowed(a, anon, "list", "", "pods", "", "", "")).isFalse();
        // an authenticated user may discover and ask what it may do, nothing more
        assertThat(a.authorize(RequestAttributes.nonResource(ALICE, "get", "/apis/apps")).allowed()).isTrue();
        assertThat(allowed(a, ALICE, "create", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", "")).isTrue();
        assertThat(allowed(a, ALICE, "list", "", "pods", "", "default", "")).isFalse();
        UserInfo scheduler = new UserInfo("system:kube-scheduler", "", List.of("system:authenticated"), Map.of());
        assertThat(allowed(a, scheduler, "create", "", "pods", "binding", "default", "p")).isTrue();
        assertThat(allowed(a, scheduler, "delete", "", "nodes", "", "", "n")).isFalse();
        UserInfo cm = new UserInfo("system:kube-controller-manager", "", List.of("system:authenticated"), Map.of());
        assertThat(allowed(a, cm, "create", "apps", "replicasets", "", "default", "")).isTrue();
        assertThat(allowed(a, cm, "impersonate", "", "users", "", "", "admin")).isFalse();
    }

    @Test
    void escalationIsForbiddenWithKubernetesMessage() {
        RbacState state = RbacState.of(List.of(
                role("team", "pod-reader", rule(List.of("get", "list"), List.of(""), List.of("pods"), List.of())),
                rb("team", "alice-reads", "Role", "pod-reader", subject("User", "alice", null)),
                clusterRole("cluster-admin", rule(List.of("*"), List.of("*"), List.of("*"), List.of()))));
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean("authorizer", new AuthorizerChain(List.of(new PrivilegedGroupAuthorizer(), new RbacAuthorizer(state))));
        EscalationCheck check = new EscalationCheck(state, beans.getBeanProvider(io.kube4j.apiserver.auth.Authorizer.class));
        Role same = role("team", "mine", rule(List.of("get"), List.of(""), List.of("pods"), List.of()));
        check.check(ALICE, attrs(io.kube4j.api.ResourceTypes.ROLES, "team", same));
        Role more = role("team", "more", rule(List.of("get", "delete"), List.of(""), List.of("pods", "secrets"), List.of()));
        assertThatThrownBy(() -> check.check(ALICE, attrs(io.kube4j.api.ResourceTypes.ROLES, "team", more)))
                .isInstanceOf(ApiError.class)
                .hasMessage("roles.rbac.authorization.k8s.io \"more\" is forbidden: user \"alice\" (groups=[\"devs\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n"
                        + "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}\n"
                        + "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"delete\"]}");
        RoleBinding toAdmin = rb("team", "me-admin", "ClusterRole", "cluster-admin", subject("User", "alice", null));
        assertThatThrownBy(() -> check.check(ALICE, attrs(io.kube4j.api.ResourceTypes.ROLEBINDINGS, "team", toAdmin)))
                .hasMessageStartingWith("rolebindings.rbac.authorization.k8s.io \"me-admin\" is forbidden: user \"alice\" (groups=[\"devs\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}");
        RoleBinding toReader = rb("team", "bob-reads", "Role", "pod-reader", subject("User", "bob", null));
        check.check(ALICE, attrs(io.kube4j.api.ResourceTypes.ROLEBINDINGS, "team", toReader));
        UserInfo admin = new UserInfo("root", "", List.of("system:masters"), Map.of());
        check.check(admin, attrs(io.kube4j.api.ResourceTypes.ROLEBINDINGS, "team", toAdmin));
    }

    private static Admission.Attributes attrs(io.kube4j.api.ResourceType rt, String ns, KubeObject o) {
        return new Admission.Attributes(Admission.Operation.CREATE, rt, ns, o.metadata.name, Json.toTree(o), null);
    }
}
