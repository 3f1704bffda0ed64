package io.kube4j.apiserver;

import io.kube4j.json.Json;
import io.kube4j.testing.ApiServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Authorization end to end with security on (the default) and a static token file: an admin
 * in system:masters, a user without roles, a user with a namespaced Role, anonymous, escalation
 * attempts, impersonation, the real kubectl's {@code auth can-i}, and the bootstrap policy surviving a
 * restart. Every denial is checked against Kubernetes' exact Status message.
 */
class AuthorizationIT {
    static final String ADMIN = "admin-token";
    static final String ALICE = "alice-token";
    static final String BOB = "bob-token";
    static final String NODE1 = "node1-token";
    static ApiServerFixture fx;
    static String[] args;
    /** An HTTPS client trusting the cluster CA the apiserver creates in {@code dir/pki}. */
    static HttpClient http;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws IOException {
        Path tokens = dir.resolve("tokens.csv");
        Files.writeString(tokens, """
                admin-token,admin,uid-admin,"system:masters"
                alice-token,alice,uid-alice
                bob-token,bob,uid-bob,"devs"
                node1-token,system:node:node1,uid-node1,"system:nodes"
                """);
        args = new String[]{"--kube4j.security.token-auth-file=" + tokens,
                "--kube4j.security.pki-dir=" + dir.resolve("pki")};
        fx = new ApiServerFixture().startHttps(args);
        http = trustingClusterCa(dir.resolve("pki/ca.crt"));
        // no controller-manager runs here: the admin creates the default ServiceAccount its controller would,
        // which ServiceAccount admission requires of every pod
        assertThat(call(ADMIN, "POST", "/api/v1/namespaces/default/serviceaccounts", "{\"metadata\":{\"name\":\"default\"}}").statusCode()).isEqualTo(201);
        // the admin sets the scene: namespace team, alice may read pods there and manage roles there
        assertThat(call(ADMIN, "POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"team\"}}").statusCode()).isEqualTo(201);
        assertThat(call(ADMIN, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles", """
                {"metadata":{"name":"pod-reader"},"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get","list","watch"]},
                 {"apiGroups":["rbac.authorization.k8s.io"],"resources":["roles","rolebindings"],"verbs":["create","get","list"]}]}""").statusCode()).isEqualTo(201);
        assertThat(call(ADMIN, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings", """
                {"metadata":{"name":"alice-reads"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"pod-reader"},
                 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"alice"}]}""").statusCode()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> call(ALICE, "GET", "/api/v1/namespaces/team/pods", null).statusCode() == 200);
    }

    static HttpClient trustingClusterCa(Path caFile) {
        try {
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", io.kube4j.apiserver.auth.Pki.readCertificate(caFile));
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(10)).build();
        } catch (Exception e) {
            throw new IllegalStateException("cannot trust the cluster CA " + caFile, e);
        }
    }

    @AfterAll
    static void stop() {
        if (fx != null) fx.close();
    }

    static HttpResponse<String> call(String token, String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fx.apiserver.url() + path));
        if (token != null) b.header("Authorization", "Bearer " + token);
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
            typed |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (body != null && !typed) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void assertForbidden(HttpResponse<String> r, String message) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        JsonNode s = Json.tree(r.body());
        assertThat(s.path("kind").asString()).isEqualTo("Status");
        assertThat(s.path("reason").asString()).isEqualTo("Forbidden");
        assertThat(s.path("code").asInt()).isEqualTo(403);
        assertThat(s.path("message").asString()).isEqualTo(message);
    }

    @Test
    void anAdminInSystemMastersMayDoAnything() {
        assertThat(call(ADMIN, "GET", "/api/v1/pods", null).statusCode()).isEqualTo(200);
        assertThat(call(ADMIN, "GET", "/api/v1/nodes", null).statusCode()).isEqualTo(200);
        assertThat(call(ADMIN, "GET", "/metrics", null).statusCode()).isNotEqualTo(403);
    }

    @Test
    void aUserWithoutRolesIsForbiddenWithKubernetesMessages() {
        assertForbidden(call(BOB, "GET", "/api/v1/namespaces/default/pods", null),
                "pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"");
        HttpResponse<String> get = call(BOB, "GET", "/api/v1/namespaces/default/pods/p", null);
        assertForbidden(get, "pods \"p\" is forbidden: User \"bob\" cannot get resource \"pods\" in API group \"\" in the namespace \"default\"");
        JsonNode details = Json.tree(get.body()).path("details");
        assertThat(details.path("name").asString()).isEqualTo("p");
        assertThat(details.path("kind").asString()).isEqualTo("pods");
        assertForbidden(call(BOB, "POST", "/api/v1/namespaces/default/pods/p/exec?command=ls", null),
                "pods \"p\" is forbidden: User \"bob\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"default\"");
        assertForbidden(call(BOB, "GET", "/apis/apps/v1/deployments?watch=true", null),
                "deployments.apps is forbidden: User \"bob\" cannot watch resource \"deployments\" in API group \"apps\" at the cluster scope");
        assertForbidden(call(BOB, "GET", "/foo", null), "forbidden: User \"bob\" cannot get path \"/foo\"");
        assertForbidden(call(BOB, "GET", "/metrics", null), "forbidden: User \"bob\" cannot get path \"/metrics\"");
        // system:discovery and system:basic-user: an authenticated user may discover the API
        assertThat(call(BOB, "GET", "/api", null).statusCode()).isEqualTo(200);
        assertThat(call(BOB, "GET", "/apis/apps/v1", null).statusCode()).isEqualTo(200);
        // nothing was read or written
        assertThat(call(BOB, "POST", "/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"x\"}}").statusCode()).isEqualTo(403);
        assertThat(call(ADMIN, "GET", "/api/v1/namespaces/default/configmaps/x", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aBadTokenIsUnauthorizedNotAnonymous() {
        HttpResponse<String> r = call("nope", "GET", "/version", null);
        assertThat(r.statusCode()).isEqualTo(401);
    }

    @Test
    void aNamespacedRoleAllowsOnlyInItsNamespace() {
        assertThat(call(ALICE, "GET", "/api/v1/namespaces/team/pods", null).statusCode()).isEqualTo(200);
        assertThat(call(ALICE, "GET", "/api/v1/namespaces/team/pods?watch=1&timeoutSeconds=1", null).statusCode()).isEqualTo(200);
        assertForbidden(call(ALICE, "GET", "/api/v1/namespaces/default/pods", null),
                "pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"");
        assertForbidden(call(ALICE, "GET", "/api/v1/pods", null),
                "pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" at the cluster scope");
        assertForbidden(call(ALICE, "DELETE", "/api/v1/namespaces/team/pods/p", null),
                "pods \"p\" is forbidden: User \"alice\" cannot delete resource \"pods\" in API group \"\" in the namespace \"team\"");
    }

    @Test
    void anonymousMayReadHealthAndVersionOnly() {
        for (String p : new String[]{"/version", "/version/", "/healthz", "/livez", "/readyz"}) {
            assertThat(call(null, "GET", p, null).statusCode()).as(p).isEqualTo(200);
        }
        // the named checks are not in system:public-info-viewer (it lists /livez, not /livez/*), but served to who may
        for (String p : new String[]{"/livez/ping", "/readyz/etcd", "/healthz/etcd"}) {
            HttpResponse<String> r = call(ADMIN, "GET", p, null);
            assertThat(r.statusCode()).as(p).isEqualTo(200);
            assertThat(r.body()).as(p).isEqualTo("ok");
        }
        assertThat(call(ADMIN, "GET", "/readyz?verbose", null).body()).startsWith("[+]ping ok\n[+]log ok\n[+]etcd ok\n").endsWith("readyz check passed\n");
        assertForbidden(call(null, "GET", "/api/v1/pods", null),
                "pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" at the cluster scope");
        assertForbidden(call(null, "GET", "/api", null), "forbidden: User \"system:anonymous\" cannot get path \"/api\"");
    }

    @Test
    void escalationIsForbidden() {
        HttpResponse<String> role = call(ALICE, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles", """
                {"metadata":{"name":"secret-reader"},"rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["get","list"]}]}""");
        assertForbidden(role, "roles.rbac.authorization.k8s.io \"secret-reader\" is forbidden: user \"alice\" (groups=[\"system:authenticated\"]) "
                + "is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"list\"]}");
        HttpResponse<String> binding = call(ALICE, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings", """
                {"metadata":{"name":"alice-admin"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},
                 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"alice"}]}""");
        assertThat(binding.statusCode()).isEqualTo(403);
        assertThat(Json.tree(binding.body()).path("message").asString()).startsWith(
                "rolebindings.rbac.authorization.k8s.io \"alice-admin\" is forbidden: user \"alice\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n");
        // what she holds she may pass on
        assertThat(call(ALICE, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles", """
                {"metadata":{"name":"pod-lister"},"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["list"]}]}""").statusCode()).isEqualTo(201);
        assertThat(call(ALICE, "GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings/alice-admin", null).statusCode()).isEqualTo(404);
        assertThat(call(ADMIN, "GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles/secret-reader", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aLabelOnARoleWhoseRulesTheUserLacksIsAnEscalationToo() {
        // bob may edit ClusterRoles but holds no secrets rights: a label would pull secret-reading into view
        assertThat(call(ADMIN, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", """
                {"metadata":{"name":"secrets-everywhere"},"rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["get","list"]}]}""").statusCode()).isEqualTo(201);
        assertThat(call(ADMIN, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", """
                {"metadata":{"name":"role-editor"},"rules":[{"apiGroups":["rbac.authorization.k8s.io"],"resources":["clusterroles"],"verbs":["get","list","update","patch"]}]}""").statusCode()).isEqualTo(201);
        assertThat(call(ADMIN, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", """
                {"metadata":{"name":"bob-edits-roles"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"role-editor"},
                 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"bob"}]}""").statusCode()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> call(BOB, "GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/role-editor", null).statusCode() == 200);

        HttpResponse<String> label = call(BOB, "PATCH", "/apis/rbac.authorization.k8s.io/v1/clusterroles/secrets-everywhere",
                "{\"metadata\":{\"labels\":{\"rbac.authorization.k8s.io/aggregate-to-view\":\"true\"}}}", "Content-Type", "application/merge-patch+json");
        assertForbidden(label, "clusterroles.rbac.authorization.k8s.io \"secrets-everywhere\" is forbidden: user \"bob\" (groups=[\"devs\" \"system:authenticated\"]) "
                + "is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"list\"]}");
        assertThat(call(ADMIN, "GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/secrets-everywhere", null).body()).doesNotContain("aggregate-to-view");
        // a role whose rules he holds he may label
        assertThat(call(BOB, "PATCH", "/apis/rbac.authorization.k8s.io/v1/clusterroles/role-editor",
                "{\"metadata\":{\"labels\":{\"team\":\"devs\"}}}", "Content-Type", "application/merge-patch+json").statusCode()).isEqualTo(200);
    }

    @Test
    void impersonationNeedsTheImpersonateVerb() {
        assertForbidden(call(BOB, "GET", "/api/v1/namespaces/team/pods", null, "Impersonate-User", "alice"),
                "users \"alice\" is forbidden: User \"bob\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope");
        // the admin may impersonate, and is then only alice
        assertThat(call(ADMIN, "GET", "/api/v1/namespaces/team/pods", null, "Impersonate-User", "alice").statusCode()).isEqualTo(200);
        assertForbidden(call(ADMIN, "GET", "/api/v1/namespaces/default/pods", null, "Impersonate-User", "alice"),
                "pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"");
        assertThat(call(ADMIN, "GET", "/api/v1/namespaces/default/pods", null, "Impersonate-User", "alice", "Impersonate-Group", "system:masters").statusCode()).isEqualTo(200);
    }

    @Test
    void accessReviewsAnswerForTheCallerAndForOthers() {
        HttpResponse<String> self = call(ALICE, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", """
                {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"namespace":"team","verb":"list","resource":"pods"}}}""");
        assertThat(self.statusCode()).as(self.body()).isEqualTo(201);
        assertThat(Json.tree(self.body()).path("status").path("allowed").asBoolean()).isTrue();
        assertThat(Json.tree(self.body()).path("status").path("reason").asString())
                .isEqualTo("RBAC: allowed by RoleBinding \"alice-reads/team\" of Role \"pod-reader\" to User \"alice\"");
        // a SubjectAccessReview needs create on subjectaccessreviews: alice has none
        assertForbidden(call(ALICE, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", "{\"spec\":{\"user\":\"bob\",\"nonResourceAttributes\":{\"path\":\"/api\",\"verb\":\"get\"}}}"),
                "subjectaccessreviews.authorization.k8s.io is forbidden: User \"alice\" cannot create resource \"subjectaccessreviews\" in API group \"authorization.k8s.io\" at the cluster scope");
        HttpResponse<String> sar = call(ADMIN, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                "{\"spec\":{\"user\":\"bob\",\"groups\":[\"system:authenticated\"],\"resourceAttributes\":{\"namespace\":\"team\",\"verb\":\"list\",\"resource\":\"pods\"}}}");
        assertThat(sar.statusCode()).isEqualTo(201);
        assertThat(Json.tree(sar.body()).path("status").path("allowed").asBoolean()).isFalse();
    }

    @Test
    void kubectlAuthCanIAndAs() throws Exception {
        // client-go sends tokens and Impersonate-* headers to https servers only, which the apiserver is with security on
        kubectlThrough(fx.apiserver.url());
    }

    private void kubectlThrough(String server) {
        Kubectl alice = Kubectl.forServer(server, dir.resolve("kubectl-alice"));
        Kubectl.Result yes = alice.run("--insecure-skip-tls-verify", "--token=" + ALICE, "auth", "can-i", "list", "pods", "-n", "team");
        assertThat(yes.out().strip()).as(yes.toString()).isEqualTo("yes");
        assertThat(yes.exitCode()).isZero();
        Kubectl.Result no = alice.run("--insecure-skip-tls-verify", "--token=" + ALICE, "auth", "can-i", "create", "pods", "-n", "team");
        assertThat(no.out().strip()).as(no.toString()).isEqualTo("no");
        assertThat(no.exitCode()).isEqualTo(1);
        Kubectl.Result list = alice.run("--insecure-skip-tls-verify", "--token=" + ALICE, "auth", "can-i", "--list", "-n", "team");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).contains("pods", "[get list watch]", "selfsubjectaccessreviews.authorization.k8s.io");
        Kubectl.Result denied = alice.run("--insecure-skip-tls-verify", "--token=" + ALICE, "get", "pods", "-n", "default");
        assertThat(denied.exitCode()).isNotZero();
        assertThat(denied.err()).contains("Error from server (Forbidden): pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"");
        Kubectl admin = Kubectl.forServer(server, dir.resolve("kubectl-admin"));
        Kubectl.Result reviews = admin.run("--insecure-skip-tls-verify", "--token=" + ADMIN, "api-resources", "--api-group=authorization.k8s.io");
        assertThat(reviews.out()).as(reviews.toString()).containsPattern("selfsubjectaccessreviews\\s+authorization.k8s.io/v1\\s+false\\s+SelfSubjectAccessReview")
                .containsPattern("localsubjectaccessreviews\\s+authorization.k8s.io/v1\\s+true\\s+LocalSubjectAccessReview");
        // system:masters holds cluster-admin's rules through RBAC alone (the privileged-group authorizer resolves no
        // rules in kube-apiserver), so kubectl prints them once: "*.* [] [] [*]", not "[* *]", and one "[*] [] [*]"
        Kubectl.Result adminList = admin.run("--insecure-skip-tls-verify", "--token=" + ADMIN, "auth", "can-i", "--list");
        assertThat(adminList.exitCode()).as(adminList.toString()).isZero();
        assertThat(adminList.out().lines().map(String::strip).filter(l -> l.matches("\\*\\.\\*\\s+\\[]\\s+\\[]\\s+\\[\\*]")))
                .as(adminList.out()).hasSize(1);
        assertThat(adminList.out().lines().map(String::strip).filter(l -> l.matches("\\[\\*]\\s+\\[]\\s+\\[\\*]")))
                .as(adminList.out()).hasSize(1);
        assertThat(adminList.out()).doesNotContain("[* *]");
        Kubectl.Result as = admin.run("--insecure-skip-tls-verify", "--token=" + ADMIN, "auth", "can-i", "list", "pods", "-n", "team", "--as=alice");
        assertThat(as.out().strip()).as(as.toString()).isEqualTo("yes");
        Kubectl.Result asDefault = admin.run("--insecure-skip-tls-verify", "--token=" + ADMIN, "get", "pods", "-n", "default", "--as=alice");
        assertThat(asDefault.err()).contains("pods is forbidden: User \"alice\" cannot list resource \"pods\"");
        Kubectl.Result bobAs = Kubectl.forServer(server, dir.resolve("kubectl-bob")).run("--insecure-skip-tls-verify", "--token=" + BOB, "get", "pods", "-n", "team", "--as=alice");
        // kubectl 1.32 shows a denied impersonation during discovery as "unknown", as against a real apiserver
        // (its discovery client does not decode the Status; the body is checked in impersonationNeedsTheImpersonateVerb)
        assertThat(bobAs.exitCode()).isNotZero();
        assertThat(bobAs.err()).contains("Error from server (Forbidden): unknown");
    }

    @Test
    void aNodesRulesReviewIsIncompleteAsTheNodeAuthorizerListsNoRules() {
        // unionAuthzRulesHandler.RulesFor over Node,RBAC: NodeAuthorizer.RulesFor answers incomplete with an error for a node
        HttpResponse<String> node = call(NODE1, "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\",\"spec\":{\"namespace\":\"default\"}}");
        assertThat(node.statusCode()).as(node.body()).isEqualTo(201);
        JsonNode status = Json.tree(node.body()).path("status");
        assertThat(status.path("incomplete").asBoolean()).as(node.body()).isTrue();
        assertThat(status.path("evaluationError").asString()).isEqualTo("node authorizer does not support user rule resolution");
        // RBAC's rules are still listed (system:basic-user's self reviews, bound to system:authenticated)
        assertThat(status.path("resourceRules").toString()).contains("selfsubjectrulesreviews");
        // anyone else: complete
        HttpResponse<String> alice = call(ALICE, "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\",\"spec\":{\"namespace\":\"team\"}}");
        assertThat(Json.tree(alice.body()).path("status").path("incomplete").asBoolean()).as(alice.body()).isFalse();
        assertThat(Json.tree(alice.body()).path("status").has("evaluationError")).isFalse();
    }

    @Test
    void aKubeletReadsOnlySecretsOfPodsOnItsNodeAndOnlyItsOwnLease() {
        for (String[] p : new String[][]{{"on-node1", "node1", "s1"}, {"on-node2", "node2", "s2"}}) {
            assertThat(call(ADMIN, "POST", "/api/v1/namespaces/default/secrets", "{\"metadata\":{\"name\":\"" + p[2] + "\"}}").statusCode()).isEqualTo(201);
            assertThat(call(ADMIN, "POST", "/api/v1/namespaces/default/pods", "{\"metadata\":{\"name\":\"" + p[0] + "\"},\"spec\":{\"nodeName\":\"" + p[1]
                    + "\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}],\"volumes\":[{\"name\":\"v\",\"secret\":{\"secretName\":\"" + p[2] + "\"}}]}}").statusCode()).isEqualTo(201);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> call(NODE1, "GET", "/api/v1/namespaces/default/secrets/s1", null).statusCode() == 200);
        assertForbidden(call(NODE1, "GET", "/api/v1/namespaces/default/secrets/s2", null),
                "secrets \"s2\" is forbidden: User \"system:node:node1\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\": no relationship found between node 'node1' and this object");
        assertForbidden(call(NODE1, "GET", "/api/v1/namespaces/default/secrets", null),
                "secrets is forbidden: User \"system:node:node1\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\": No Object name found");
        assertThat(call(NODE1, "GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode1", null).statusCode()).isEqualTo(200);
        assertForbidden(call(NODE1, "PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node2", "{\"metadata\":{\"name\":\"node2\"}}"),
                "leases.coordination.k8s.io \"node2\" is forbidden: User \"system:node:node1\" cannot update resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"kube-node-lease\": can only access node lease with the same name as the requesting node");
        assertThat(call(NODE1, "POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", "{\"metadata\":{\"name\":\"node1\"}}").statusCode()).isEqualTo(201);
    }

    @Test
    void bootstrapRolesExistAndComeBackAfterARestart() {
        HttpResponse<String> admin = call(ADMIN, "GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/cluster-admin", null);
        assertThat(admin.statusCode()).isEqualTo(200);
        JsonNode meta = Json.tree(admin.body()).path("metadata");
        assertThat(meta.path("annotations").path("rbac.authorization.kubernetes.io/autoupdate").asString()).isEqualTo("true");
        assertThat(meta.path("labels").path("kubernetes.io/bootstrapping").asString()).isEqualTo("rbac-defaults");
        for (String name : new String[]{"admin", "edit", "view", "system:basic-user", "system:discovery", "system:public-info-viewer",
                "system:kube-scheduler", "system:kube-controller-manager", "system:node-proxier", "system:node", "system:monitoring", "system:auth-delegator"}) {
            assertThat(call(ADMIN, "GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/" + name, null).statusCode()).as(name).isEqualTo(200);
        }
        assertThat(call(ADMIN, "GET", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system:public-info-viewer", null).statusCode()).isEqualTo(200);
        assertThat(call(ADMIN, "GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/roles/system::leader-locking-kube-scheduler", null).statusCode()).isEqualTo(200);
        assertThat(call(ADMIN, "GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/kube-public/rolebindings/system:controller:bootstrap-signer", null).statusCode()).isEqualTo(200);
        // an admin deletes a bootstrap role and strips a binding; the next start puts both back
        assertThat(call(ADMIN, "DELETE", "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:monitoring", null).statusCode()).isEqualTo(200);
        assertThat(call(ADMIN, "PATCH", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system:discovery", "{\"subjects\":null}",
                "Content-Type", "application/merge-patch+json").statusCode()).isEqualTo(200);
        fx.apiserver.close();
        fx.apiserver = new ApiServerProcess(fx.etcd.endpoint(), args).https().start();
        await().atMost(Duration.ofSeconds(20)).until(() -> call(ADMIN, "GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:monitoring", null).statusCode() == 200);
        await().atMost(Duration.ofSeconds(20)).until(() -> call(BOB, "GET", "/api", null).statusCode() == 200);
        JsonNode discovery = Json.tree(call(ADMIN, "GET", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system:discovery", null).body());
        assertThat(discovery.path("subjects").get(0).path("name").asString()).isEqualTo("system:authenticated");
    }
}
