package io.kube4j.apiserver;

import com.nimbusds.jwt.JWTClaimsSet;
import io.kube4j.apiserver.auth.Pki;
import io.kube4j.apiserver.auth.ServiceAccountTokens;
import io.kube4j.json.Json;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The authentication/authorization/admission matrix of issue 14 on a secure apiserver (the default): every
 * identity (anonymous, a certificate from a foreign CA, an expired token, the token of a deleted
 * ServiceAccount, users bound to cluster-admin, admin, edit and view in a namespace, a user with only
 * system:basic-user, a namespaced Role, a kubelet's certificate, an impersonator) × the requests that
 * matter to it, in one table. Each answer's code, and for a denial its Status reason and exact message, is
 * Kubernetes' (401 {@code Unauthorized}; 403 from RBAC, the Node authorizer, escalation prevention,
 * impersonation or NodeRestriction). The number of requests that should have been refused but succeeded
 * (unauthorized reads or writes) is counted and must be 0; afterwards the admin checks that nothing refused
 * was stored.
 */
class SecurityMatrixIT {
    static final String UNAUTHORIZED = "Unauthorized";
    static final String MERGE = "application/merge-patch+json";
    static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";

    @TempDir
    static Path work;
    static EtcdContainer etcd;
    static ApiServerProcess apiserver;
    static X509Certificate ca;
    /** Who → how it calls: an HTTPS client (with or without a client certificate) and a bearer token or null. */
    static final Map<String, Caller> callers = new LinkedHashMap<>();
    static String p2Uid;

    record Caller(HttpClient client, String token) {
    }

    /**
     * One cell: {@code who} sends {@code method path body} (extra headers as name, value pairs); Kubernetes
     * answers {@code code}, and for a failure {@code reason} and {@code message} (null: not checked).
     */
    record Row(String who, String method, String path, String body, int code, String reason, String message, String... headers) {
        boolean shouldFail() {
            return code >= 400;
        }

        @Override
        public String toString() {
            return who + " " + method + " " + path + (headers.length > 0 ? " " + List.of(headers) : "");
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Path pki = work.resolve("pki");
        Path tokens = work.resolve("tokens.csv");
        Files.writeString(tokens, """
                admin-token,admin,uid-admin,"system:masters"
                root-token,root,uid-root
                ann-token,ann,uid-ann
                ed-token,ed,uid-ed
                vic-token,vic,uid-vic
                bea-token,bea,uid-bea
                ron-token,ron,uid-ron
                imp-token,imp,uid-imp
                """);
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint(), "--kube4j.security.pki-dir=" + pki, "--kube4j.security.nodes=node-1,node-2",
                "--kube4j.security.token-auth-file=" + tokens).https().start();
        ca = Pki.readCertificate(pki.resolve("ca.crt"));
        HttpClient plain = TlsClients.client(ca, null, null);
        for (String user : List.of("admin", "root", "ann", "ed", "vic", "bea", "ron", "imp")) {
            callers.put(user, new Caller(plain, user + "-token"));
        }
        callers.put("anonymous", new Caller(plain, null));
        callers.put("kubelet-node-1", new Caller(TlsClients.client(ca, Pki.readPrivateKey(pki.resolve("kubelet-node-1.key")),
                Pki.readCertificate(pki.resolve("kubelet-node-1.crt"))), null));
        // mallory holds a system:masters certificate from a CA of her own
        Pki foreign = Pki.ensure(work.resolve("foreign-pki"), List.of(), List.of(), "https://127.0.0.1:1");
        KeyPair mine = Pki.rsa();
        X509Certificate forged = foreign.issueClientCertificate(mine.getPublic(), "mallory", List.of("system:masters"),
                Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600));
        callers.put("foreign-ca", new Caller(TlsClients.client(ca, mine.getPrivate(), forged), null));

        // the scene, set by the admin: namespaces, ServiceAccounts, two nodes with a pod each, a secret
        for (String ns : List.of("team", "other")) {
            admin("POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}", 201);
            admin("POST", "/api/v1/namespaces/" + ns + "/serviceaccounts", "{\"metadata\":{\"name\":\"default\"}}", 201);
            admin("POST", "/api/v1/namespaces/" + ns + "/secrets", "{\"metadata\":{\"name\":\"s1\"},\"data\":{\"k\":\"dg==\"}}", 201);
        }
        for (String node : List.of("node-1", "node-2")) {
            admin("POST", "/api/v1/nodes", "{\"metadata\":{\"name\":\"" + node + "\"}}", 201);
        }
        admin("POST", "/api/v1/namespaces/team/pods", pod("p1", "node-1"), 201);
        p2Uid = Json.tree(admin("POST", "/api/v1/namespaces/team/pods", pod("p2", "node-2"), 201)).path("metadata").path("uid").asString();
        // no controller-manager runs here: the admin fills admin/edit/view as its clusterrole-aggregation controller would
        for (String role : List.of("view", "edit", "admin")) {
            aggregate(role);
        }
        // bindings: root is cluster-admin; ann admin, ed edit, vic view in team; ron a namespaced Role; imp may impersonate vic only
        admin("POST", RBAC + "/clusterrolebindings", binding("root-cluster-admin", "ClusterRole", "cluster-admin", "root"), 201);
        admin("POST", RBAC + "/namespaces/team/rolebindings", binding("ann-admin", "ClusterRole", "admin", "ann"), 201);
        admin("POST", RBAC + "/namespaces/team/rolebindings", binding("ed-edit", "ClusterRole", "edit", "ed"), 201);
        admin("POST", RBAC + "/namespaces/team/rolebindings", binding("vic-view", "ClusterRole", "view", "vic"), 201);
        admin("POST", RBAC + "/namespaces/team/roles",
                "{\"metadata\":{\"name\":\"pod-reader\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\",\"list\",\"watch\"]}]}", 201);
        admin("POST", RBAC + "/namespaces/team/rolebindings", binding("ron-reads", "Role", "pod-reader", "ron"), 201);
        admin("POST", RBAC + "/clusterroles",
                "{\"metadata\":{\"name\":\"impersonate-vic\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"users\"],\"verbs\":[\"impersonate\"],\"resourceNames\":[\"vic\"]}]}", 201);
        admin("POST", RBAC + "/clusterrolebindings", binding("imp-vic", "ClusterRole", "impersonate-vic", "imp"), 201);

        // an expired token of a live ServiceAccount, signed with the cluster's own key
        JsonNode old = Json.tree(admin("POST", "/api/v1/namespaces/team/serviceaccounts", "{\"metadata\":{\"name\":\"old\"}}", 201));
        ServiceAccountTokens signer = new ServiceAccountTokens("https://kubernetes.default.svc.cluster.local",
                new KeyPair(Pki.readPublicKey(pki.resolve("sa.pub")), Pki.readPrivateKey(pki.resolve("sa.key"))));
        JWTClaimsSet expired = signer.claims(old, null, null, null, 600, 0, List.of("https://kubernetes.default.svc.cluster.local"),
                Instant.now().minus(Duration.ofHours(2)));
        callers.put("expired-token", new Caller(plain, signer.sign(expired)));
        // a token issued to a ServiceAccount that was then deleted
        admin("POST", "/api/v1/namespaces/team/serviceaccounts", "{\"metadata\":{\"name\":\"gone\"}}", 201);
        String goneToken = Json.tree(admin("POST", "/api/v1/namespaces/team/serviceaccounts/gone/token",
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{}}", 201)).path("status").path("token").asString();
        admin("DELETE", "/api/v1/namespaces/team/serviceaccounts/gone", null, 200);
        callers.put("deleted-sa-token", new Caller(plain, goneToken));

        // RBAC is evaluated from an informer cache: wait until the last binding counts
        await().atMost(Duration.ofSeconds(20)).until(() -> send(new Row("imp", "GET", "/api/v1/namespaces/team/pods", null, 200, null, null,
                "Impersonate-User", "vic")).statusCode() == 200);
        await().atMost(Duration.ofSeconds(20)).until(() -> send(new Row("deleted-sa-token", "GET", "/api", null, 401, null, null)).statusCode() == 401);
    }

    @AfterAll
    static void stop() {
        if (apiserver != null) apiserver.close();
        if (etcd != null) etcd.stop();
    }

    /**
     * What the clusterrole-aggregation controller does for {@code role}: its rules become those of every
     * ClusterRole labelled {@code rbac.authorization.k8s.io/aggregate-to-<role>: "true"}, in name order.
     */
    static void aggregate(String role) {
        JsonNode all = Json.tree(admin("GET", RBAC + "/clusterroles?labelSelector=rbac.authorization.k8s.io/aggregate-to-" + role + "%3Dtrue", null, 200));
        tools.jackson.databind.node.ArrayNode rules = Json.mapper().createArrayNode();
        List<JsonNode> items = new ArrayList<>();
        all.path("items").forEach(items::add);
        items.sort(java.util.Comparator.comparing(i -> i.path("metadata").path("name").asString()));
        for (JsonNode item : items) {
            item.path("rules").forEach(rules::add);
        }
        assertThat(rules.isEmpty()).as("rules to aggregate into " + role).isFalse();
        admin("PATCH", RBAC + "/clusterroles/" + role, "{\"rules\":" + rules + "}", 200);
    }

    static String pod(String name, String node) {
        return "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"nodeName\":\"" + node + "\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";
    }

    static String binding(String name, String kind, String role, String user) {
        return "{\"metadata\":{\"name\":\"" + name + "\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"" + kind + "\",\"name\":\"" + role
                + "\"},\"subjects\":[{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"User\",\"name\":\"" + user + "\"}]}";
    }

    static String admin(String method, String path, String body, int expected) {
        HttpResponse<String> r = send(new Row("admin", method, path, body, expected, null, null));
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(expected);
        return r.body();
    }

    static HttpResponse<String> send(Row row) {
        Caller c = callers.get(row.who());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(apiserver.url() + row.path())).timeout(Duration.ofSeconds(30));
        if (c.token() != null) b.header("Authorization", "Bearer " + c.token());
        for (int i = 0; i < row.headers().length; i += 2) b.header(row.headers()[i], row.headers()[i + 1]);
        if (row.body() != null) b.header("Content-Type", row.method().equals("PATCH") ? MERGE : "application/json");
        b.method(row.method(), row.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(row.body()));
        try {
            return c.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(row + ": " + e, e);
        }
    }

    static Row ok(String who, String method, String path, String body, int code, String... headers) {
        return new Row(who, method, path, body, code, null, null, headers);
    }

    static Row unauthorized(String who, String method, String path, String body) {
        return new Row(who, method, path, body, 401, UNAUTHORIZED, UNAUTHORIZED);
    }

    static Row forbidden(String who, String method, String path, String body, String message, String... headers) {
        return new Row(who, method, path, body, 403, "Forbidden", message, headers);
    }

    /** Kubernetes' RBAC denial text (responsewriters.forbiddenMessage). */
    static String cannot(String user, String verb, String resource, String group, String namespace) {
        return "User \"" + user + "\" cannot " + verb + " resource \"" + resource + "\" in API group \"" + group + "\""
                + (namespace == null ? " at the cluster scope" : " in the namespace \"" + namespace + "\"");
    }

    static List<Row> matrix() {
        String cm = "{\"metadata\":{\"name\":\"%s\"},\"data\":{\"k\":\"v\"}}";
        String escalating = "{\"metadata\":{\"name\":\"ann-escalate\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"nodes\"],\"verbs\":[\"get\"]}]}";
        String held = "{\"metadata\":{\"name\":\"ann-role\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]}";
        String podStatus = "{\"status\":{\"phase\":\"Running\"}}";
        String nodeStatus = "{\"status\":{\"addresses\":[{\"type\":\"Hostname\",\"address\":\"x\"}]}}";
        String ssar = "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"pods\"}}}";
        String team = "/api/v1/namespaces/team";
        List<Row> rows = new ArrayList<>();
        // no or bad credentials
        rows.add(forbidden("anonymous", "GET", team + "/pods", null, "pods is forbidden: " + cannot("system:anonymous", "list", "pods", "", "team")));
        rows.add(forbidden("anonymous", "POST", team + "/configmaps", cm.formatted("anon-cm"),
                "configmaps is forbidden: " + cannot("system:anonymous", "create", "configmaps", "", "team")));
        rows.add(forbidden("anonymous", "GET", "/api", null, "forbidden: User \"system:anonymous\" cannot get path \"/api\""));
        rows.add(ok("anonymous", "GET", "/version", null, 200));
        rows.add(unauthorized("foreign-ca", "GET", team + "/secrets", null));
        rows.add(unauthorized("foreign-ca", "DELETE", team + "/pods/p1", null));
        rows.add(unauthorized("expired-token", "GET", team + "/pods", null));
        rows.add(unauthorized("expired-token", "POST", team + "/configmaps", cm.formatted("expired-cm")));
        rows.add(unauthorized("deleted-sa-token", "GET", team + "/pods", null));
        // cluster-admin
        rows.add(ok("root", "GET", "/api/v1/nodes", null, 200));
        rows.add(ok("root", "GET", "/api/v1/namespaces/other/secrets", null, 200));
        rows.add(ok("root", "POST", RBAC + "/clusterrolebindings", binding("root-made", "ClusterRole", "view", "someone"), 201));
        // admin in team
        rows.add(ok("ann", "GET", team + "/secrets", null, 200));
        rows.add(ok("ann", "POST", RBAC + "/namespaces/team/roles", held, 201));
        rows.add(forbidden("ann", "POST", RBAC + "/namespaces/team/roles", escalating,
                "roles.rbac.authorization.k8s.io \"ann-escalate\" is forbidden: user \"ann\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n"
                        + "{APIGroups:[\"\"], Resources:[\"nodes\"], Verbs:[\"get\"]}"));
        rows.add(forbidden("ann", "POST", RBAC + "/namespaces/team/rolebindings", binding("ann-root", "ClusterRole", "cluster-admin", "ann"),
                "rolebindings.rbac.authorization.k8s.io \"ann-root\" is forbidden: user \"ann\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n"
                        + "{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}\n{NonResourceURLs:[\"*\"], Verbs:[\"*\"]}"));
        rows.add(forbidden("ann", "POST", RBAC + "/clusterrolebindings", binding("ann-cluster", "ClusterRole", "cluster-admin", "ann"),
                "clusterrolebindings.rbac.authorization.k8s.io is forbidden: " + cannot("ann", "create", "clusterrolebindings", "rbac.authorization.k8s.io", null)));
        rows.add(forbidden("ann", "GET", "/api/v1/namespaces/other/pods", null, "pods is forbidden: " + cannot("ann", "list", "pods", "", "other")));
        // edit in team
        rows.add(ok("ed", "POST", team + "/configmaps", cm.formatted("ed-cm"), 201));
        rows.add(ok("ed", "GET", team + "/secrets/s1", null, 200));
        rows.add(forbidden("ed", "POST", RBAC + "/namespaces/team/roles", held.replace("ann-role", "ed-role"),
                "roles.rbac.authorization.k8s.io is forbidden: " + cannot("ed", "create", "roles", "rbac.authorization.k8s.io", "team")));
        rows.add(forbidden("ed", "GET", "/api/v1/namespaces/other/secrets/s1", null,
                "secrets \"s1\" is forbidden: " + cannot("ed", "get", "secrets", "", "other")));
        // view in team
        rows.add(ok("vic", "GET", team + "/pods", null, 200));
        rows.add(forbidden("vic", "GET", team + "/secrets", null, "secrets is forbidden: " + cannot("vic", "list", "secrets", "", "team")));
        rows.add(forbidden("vic", "POST", team + "/configmaps", cm.formatted("vic-cm"), "configmaps is forbidden: " + cannot("vic", "create", "configmaps", "", "team")));
        rows.add(forbidden("vic", "DELETE", team + "/pods/p1", null, "pods \"p1\" is forbidden: " + cannot("vic", "delete", "pods", "", "team")));
        // system:basic-user (every authenticated user) only
        rows.add(ok("bea", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", ssar, 201));
        rows.add(ok("bea", "GET", "/api", null, 200));
        rows.add(forbidden("bea", "GET", team + "/pods", null, "pods is forbidden: " + cannot("bea", "list", "pods", "", "team")));
        rows.add(forbidden("bea", "GET", "/api/v1/nodes", null, "nodes is forbidden: " + cannot("bea", "list", "nodes", "", null)));
        // a namespaced Role
        rows.add(ok("ron", "GET", team + "/pods/p1", null, 200));
        rows.add(forbidden("ron", "GET", "/api/v1/namespaces/other/pods", null, "pods is forbidden: " + cannot("ron", "list", "pods", "", "other")));
        rows.add(forbidden("ron", "GET", team + "/secrets/s1", null, "secrets \"s1\" is forbidden: " + cannot("ron", "get", "secrets", "", "team")));
        rows.add(forbidden("ron", "DELETE", team + "/pods/p1", null, "pods \"p1\" is forbidden: " + cannot("ron", "delete", "pods", "", "team")));
        // a kubelet: its own Node and pods yes, another node's no
        String node1 = "system:node:node-1";
        rows.add(ok("kubelet-node-1", "PATCH", "/api/v1/nodes/node-1/status", nodeStatus, 200));
        rows.add(ok("kubelet-node-1", "PATCH", team + "/pods/p1/status", podStatus, 200));
        rows.add(forbidden("kubelet-node-1", "PATCH", "/api/v1/nodes/node-2/status", nodeStatus,
                "nodes \"node-2\" is forbidden: node \"node-1\" is not allowed to modify node \"node-2\""));
        rows.add(forbidden("kubelet-node-1", "PATCH", "/api/v1/nodes/node-2", "{\"metadata\":{\"labels\":{\"mine\":\"yes\"}}}",
                "nodes \"node-2\" is forbidden: node \"node-1\" is not allowed to modify node \"node-2\""));
        rows.add(forbidden("kubelet-node-1", "PATCH", "/api/v1/nodes/node-1", "{\"metadata\":{\"labels\":{\"node-restriction.kubernetes.io/db\":\"yes\"}}}",
                "nodes \"node-1\" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/db"));
        rows.add(forbidden("kubelet-node-1", "PATCH", team + "/pods/p2/status", podStatus,
                "pods \"p2\" is forbidden: node \"node-1\" can only update pod status for pods with spec.nodeName set to itself"));
        rows.add(forbidden("kubelet-node-1", "DELETE", team + "/pods/p2", null,
                "pods \"p2\" is forbidden: node \"node-1\" can only delete pods with spec.nodeName set to itself"));
        rows.add(forbidden("kubelet-node-1", "POST", team + "/pods/p2/eviction",
                "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p2\",\"namespace\":\"team\"}}",
                "pods \"p2\" is forbidden: node node-1 can only evict pods with spec.nodeName set to itself"));
        rows.add(forbidden("kubelet-node-1", "POST", team + "/pods", pod("node-made", "node-1"),
                "pods \"node-made\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" annotation, node \"node-1\" can only create mirror pods"));
        rows.add(forbidden("kubelet-node-1", "POST", team + "/serviceaccounts/default/token",
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"p2\",\"uid\":\"" + p2Uid + "\"}}}",
                "serviceaccounts \"default\" is forbidden: node requested token bound to a pod scheduled on a different node"));
        rows.add(forbidden("kubelet-node-1", "GET", team + "/secrets/s1", null,
                "secrets \"s1\" is forbidden: " + cannot(node1, "get", "secrets", "", "team") + ": no relationship found between node 'node-1' and this object"));
        rows.add(forbidden("kubelet-node-1", "GET", team + "/secrets", null,
                "secrets is forbidden: " + cannot(node1, "list", "secrets", "", "team") + ": No Object name found"));
        rows.add(forbidden("kubelet-node-1", "PATCH", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-2", "{\"spec\":{\"holderIdentity\":\"node-1\"}}",
                "leases.coordination.k8s.io \"node-2\" is forbidden: " + cannot(node1, "patch", "leases", "coordination.k8s.io", "kube-node-lease")
                        + ": can only access node lease with the same name as the requesting node"));
        // impersonation
        rows.add(ok("imp", "GET", team + "/pods", null, 200, "Impersonate-User", "vic"));
        rows.add(forbidden("imp", "GET", team + "/secrets", null, "secrets is forbidden: " + cannot("vic", "list", "secrets", "", "team"), "Impersonate-User", "vic"));
        rows.add(forbidden("imp", "GET", team + "/pods", null, "users \"ann\" is forbidden: " + cannot("imp", "impersonate", "users", "", null), "Impersonate-User", "ann"));
        rows.add(forbidden("imp", "GET", team + "/pods", null, "groups \"system:masters\" is forbidden: " + cannot("imp", "impersonate", "groups", "", null),
                "Impersonate-User", "vic", "Impersonate-Group", "system:masters"));
        rows.add(forbidden("imp", "GET", team + "/pods", null, "pods is forbidden: " + cannot("imp", "list", "pods", "", "team")));
        return rows;
    }

    @Test
    void everyIdentityGetsKubernetesAnswerAndNothingUnauthorizedSucceeds() {
        List<Row> rows = matrix();
        List<String> mismatches = new ArrayList<>();
        int leaks = 0;
        for (Row row : rows) {
            HttpResponse<String> r = send(row);
            if (row.shouldFail() && r.statusCode() < 300) {
                leaks++;
            }
            if (r.statusCode() != row.code()) {
                mismatches.add(row + ": expected " + row.code() + ", got " + r.statusCode() + " " + r.body());
                continue;
            }
            if (row.shouldFail()) {
                JsonNode s = Json.tree(r.body());
                if (!"Status".equals(s.path("kind").asString()) || s.path("code").asInt() != row.code() || !row.reason().equals(s.path("reason").asString())
                        || !row.message().equals(s.path("message").asString())) {
                    mismatches.add(row + ": expected " + row.reason() + " \"" + row.message() + "\", got " + r.body());
                }
            }
        }
        assertThat(rows).hasSizeGreaterThan(50);
        assertThat(leaks).as("requests that should have been refused but succeeded").isZero();
        assertThat(mismatches).as("answers that differ from Kubernetes'").isEmpty();

        // nothing refused was stored or changed
        for (String path : List.of("/api/v1/namespaces/team/configmaps/anon-cm", "/api/v1/namespaces/team/configmaps/expired-cm",
                "/api/v1/namespaces/team/configmaps/vic-cm", RBAC + "/namespaces/team/roles/ann-escalate", RBAC + "/namespaces/team/rolebindings/ann-root",
                RBAC + "/clusterrolebindings/ann-cluster", RBAC + "/namespaces/team/roles/ed-role", "/api/v1/namespaces/team/pods/node-made")) {
            admin("GET", path, null, 404);
        }
        JsonNode p2 = Json.tree(admin("GET", "/api/v1/namespaces/team/pods/p2", null, 200));
        assertThat(p2.path("metadata").has("deletionTimestamp")).isFalse();
        assertThat(p2.path("status").path("phase").asString("")).isNotEqualTo("Running");
        JsonNode node2 = Json.tree(admin("GET", "/api/v1/nodes/node-2", null, 200));
        assertThat(node2.path("metadata").path("labels").has("mine")).isFalse();
        assertThat(node2.path("status").path("addresses").isEmpty()).isTrue();
        JsonNode node1 = Json.tree(admin("GET", "/api/v1/nodes/node-1", null, 200));
        assertThat(node1.path("metadata").path("labels").has("node-restriction.kubernetes.io/db")).isFalse();
        // and what was allowed was written
        admin("GET", "/api/v1/namespaces/team/configmaps/ed-cm", null, 200);
        admin("GET", RBAC + "/namespaces/team/roles/ann-role", null, 200);
        assertThat(Json.tree(admin("GET", "/api/v1/namespaces/team/pods/p1", null, 200)).path("status").path("phase").asString()).isEqualTo("Running");
    }
}
