package io.kube4j.apiserver;

import io.kube4j.apiserver.auth.Pki;
import io.kube4j.json.Json;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The apiserver side of joining a kubelet with a bootstrap token (kubeadm join + kubelet TLS bootstrapping), end to
 * end on a secured apiserver: a bootstrap token Secret authenticates as {@code system:bootstrap:<id>} and may create
 * a CertificateSigningRequest (whose requestor the apiserver sets) but not list pods; an expired one is 401; the
 * admin approves with the real {@code kubectl certificate approve} (the approval subresource), {@code kubectl get csr}
 * prints Kubernetes' columns; anonymous reads {@code kube-public/cluster-info} and nothing else there.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BootstrapTokenJoinIT {
    static final String ADMIN = "admin-token";
    static final String BOOTSTRAP = "abcdef.0123456789abcdef";
    static final String EXPIRED = "zyxwvu.0123456789abcdef";
    static ApiServerFixture fx;
    static java.net.http.HttpClient http;
    @TempDir
    static Path dir;
    static String csrName;

    @BeforeAll
    static void start() throws IOException {
        Path tokens = dir.resolve("tokens.csv");
        Files.writeString(tokens, "admin-token,admin,uid-admin,\"system:masters\"\napprover-token,approver,uid-approver\n");
        fx = new ApiServerFixture().startHttps("--kube4j.security.token-auth-file=" + tokens, "--kube4j.security.pki-dir=" + dir.resolve("pki"));
        http = AuthorizationIT.trustingClusterCa(dir.resolve("pki/ca.crt"));
        // kubeadm's objects are written in the background at start
        await().atMost(Duration.ofSeconds(30)).until(() -> call(ADMIN, "GET", "/api/v1/namespaces/kube-public/configmaps/cluster-info", null).statusCode() == 200
                && call(ADMIN, "GET", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/kubeadm:kubelet-bootstrap", null).statusCode() == 200
                && call(ADMIN, "GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/kube-public/rolebindings/kubeadm:bootstrap-signer-clusterinfo", null).statusCode() == 200);
        // what `kubeadm token create` writes
        assertThat(call(ADMIN, "POST", "/api/v1/namespaces/kube-system/secrets", tokenSecret("abcdef", Instant.now().plusSeconds(3600))).statusCode()).isEqualTo(201);
        assertThat(call(ADMIN, "POST", "/api/v1/namespaces/kube-system/secrets", tokenSecret("zyxwvu", Instant.now().minusSeconds(60))).statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (fx != null) fx.close();
    }

    static String tokenSecret(String id, Instant expiration) {
        return """
                {"metadata":{"name":"bootstrap-token-%s"},"type":"bootstrap.kubernetes.io/token",
                 "stringData":{"token-id":"%s","token-secret":"0123456789abcdef","expiration":"%s",
                  "usage-bootstrap-authentication":"true","usage-bootstrap-signing":"true",
                  "auth-extra-groups":"system:bootstrappers:kubeadm:default-node-token"}}""".formatted(id, id, expiration);
    }

    static HttpResponse<String> call(String token, String method, String path, String body) {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(fx.apiserver.url() + path));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody() : java.net.http.HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String csrPem(String cn, String org) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        return Pki.pem(new JcaPKCS10CertificationRequestBuilder(new X500Name("O=" + org + ",CN=" + cn), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
    }

    @Test
    @Order(1)
    void aBootstrapTokenCreatesACsrWhoseRequestorIsTheToken() throws Exception {
        String request = Base64.getEncoder().encodeToString(csrPem("system:node:node-9", "system:nodes").getBytes(StandardCharsets.US_ASCII));
        HttpResponse<String> r = call(BOOTSTRAP, "POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", """
                {"apiVersion":"certificates.k8s.io/v1","kind":"CertificateSigningRequest","metadata":{"generateName":"node-csr-"},
                 "spec":{"request":"%s","signerName":"kubernetes.io/kube-apiserver-client-kubelet","usages":["digital signature","client auth"],
                  "username":"system:admin","groups":["system:masters"]},
                 "status":{"conditions":[{"type":"Approved","status":"True"}]}}""".formatted(request));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode csr = Json.tree(r.body());
        csrName = csr.path("metadata").path("name").asString();
        assertThat(csrName).startsWith("node-csr-");
        assertThat(csr.path("spec").path("username").asString()).isEqualTo("system:bootstrap:abcdef");
        assertThat(csr.path("spec").path("groups").valueStream().map(JsonNode::asString).toList())
                .contains("system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token", "system:authenticated")
                .doesNotContain("system:masters");
        assertThat(csr.path("status").path("conditions").isEmpty()).isTrue();
        // system:node-bootstrapper lets it read its requests back
        assertThat(call(BOOTSTRAP, "GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests/" + csrName, null).statusCode()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void aBootstrapTokenMayNotListPodsNorApprove() {
        HttpResponse<String> pods = call(BOOTSTRAP, "GET", "/api/v1/pods", null);
        AuthorizationIT.assertForbidden(pods, "pods is forbidden: User \"system:bootstrap:abcdef\" cannot list resource \"pods\" in API group \"\" at the cluster scope");
        HttpResponse<String> approve = call(BOOTSTRAP, "PUT", "/apis/certificates.k8s.io/v1/certificatesigningrequests/" + csrName + "/approval",
                "{\"metadata\":{\"name\":\"" + csrName + "\"},\"status\":{\"conditions\":[{\"type\":\"Approved\",\"status\":\"True\"}]}}");
        AuthorizationIT.assertForbidden(approve, "certificatesigningrequests.certificates.k8s.io \"" + csrName + "\" is forbidden: User \"system:bootstrap:abcdef\" "
                + "cannot update resource \"certificatesigningrequests/approval\" in API group \"certificates.k8s.io\" at the cluster scope");
    }

    @Test
    @Order(3)
    void expiredOrUnknownBootstrapTokensAreUnauthorized() {
        assertThat(call(EXPIRED, "GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests", null).statusCode()).isEqualTo(401);
        assertThat(call("abcdef.ffffffffffffffff", "GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests", null).statusCode()).isEqualTo(401);
    }

    @Test
    @Order(4)
    void theAdminApprovesWithKubectlAndGetCsrPrintsKubernetesColumns() {
        Kubectl admin = Kubectl.forServer(fx.apiserver.url(), dir.resolve("kubectl-admin"));
        Kubectl.Result pending = admin.run("--insecure-skip-tls-verify", "--token=" + ADMIN, "get", "csr");
        assertThat(pending.exitCode()).as(pending.toString()).isZero();
        assertThat(pending.out().lines().findFirst().orElse("").split("\\s+"))
                .containsExactly("NAME", "AGE", "SIGNERNAME", "REQUESTOR", "REQUESTEDDURATION", "CONDITION");
        assertThat(pending.out()).containsPattern(csrName + "\\s+\\S+\\s+kubernetes.io/kube-apiserver-client-kubelet\\s+system:bootstrap:abcdef\\s+<none>\\s+Pending");

        Kubectl.Result approve = admin.run("--insecure-skip-tls-verify", "--token=" + ADMIN, "certificate", "approve", csrName);
        assertThat(approve.exitCode()).as(approve.toString()).isZero();
        assertThat(approve.out()).contains("certificatesigningrequest.certificates.k8s.io/" + csrName + " approved");

        JsonNode csr = Json.tree(call(ADMIN, "GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests/" + csrName, null).body());
        JsonNode approved = csr.path("status").path("conditions").get(0);
        assertThat(approved.path("type").asString()).isEqualTo("Approved");
        assertThat(approved.path("status").asString()).isEqualTo("True");
        assertThat(approved.path("reason").asString()).isEqualTo("KubectlApprove");
        assertThat(approved.path("lastUpdateTime").asString()).isNotEmpty();
        assertThat(approved.path("lastTransitionTime").asString()).isNotEmpty();
        // the requestor is what the apiserver recorded, not what the approval sent
        assertThat(csr.path("spec").path("username").asString()).isEqualTo("system:bootstrap:abcdef");

        Kubectl.Result listed = admin.run("--insecure-skip-tls-verify", "--token=" + ADMIN, "get", "csr", csrName);
        assertThat(listed.out()).containsPattern(csrName + "\\s+\\S+\\s+kubernetes.io/kube-apiserver-client-kubelet\\s+system:bootstrap:abcdef\\s+<none>\\s+Approved\\n");
    }

    @Test
    @Order(5)
    void approvalRulesAndTheCertificateThroughStatus() throws Exception {
        String base = "/apis/certificates.k8s.io/v1/certificatesigningrequests/" + csrName;
        JsonNode current = Json.tree(call(ADMIN, "GET", base, null).body());
        // Denied next to Approved: Kubernetes' 422
        tools.jackson.databind.node.ObjectNode deny = (tools.jackson.databind.node.ObjectNode) current.deepCopy();
        ((tools.jackson.databind.node.ArrayNode) deny.path("status").path("conditions")).addObject().put("type", "Denied").put("status", "True");
        HttpResponse<String> denied = call(ADMIN, "PUT", base + "/approval", Json.write(deny));
        assertThat(denied.statusCode()).as(denied.body()).isEqualTo(422);
        assertThat(Json.tree(denied.body()).path("details").path("causes").get(0).path("message").asString())
                .isEqualTo("Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive");
        // the main resource cannot change the spec: the write keeps the stored one
        tools.jackson.databind.node.ObjectNode respec = (tools.jackson.databind.node.ObjectNode) current.deepCopy();
        ((tools.jackson.databind.node.ObjectNode) respec.path("spec")).put("username", "system:admin");
        HttpResponse<String> main = call(ADMIN, "PUT", base, Json.write(respec));
        assertThat(main.statusCode()).as(main.body()).isEqualTo(200);
        assertThat(Json.tree(main.body()).path("spec").path("username").asString()).isEqualTo("system:bootstrap:abcdef");
        // the signer writes the certificate through status
        String cert = Files.readString(dir.resolve("pki/ca.crt"));
        tools.jackson.databind.node.ObjectNode issued = (tools.jackson.databind.node.ObjectNode) Json.tree(main.body()).deepCopy();
        ((tools.jackson.databind.node.ObjectNode) issued.path("status")).put("certificate", Base64.getEncoder().encodeToString(cert.getBytes(StandardCharsets.US_ASCII)));
        HttpResponse<String> status = call(ADMIN, "PUT", base + "/status", Json.write(issued));
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        Kubectl.Result listed = Kubectl.forServer(fx.apiserver.url(), dir.resolve("kubectl-admin")).run("--insecure-skip-tls-verify", "--token=" + ADMIN, "get", "csr", csrName);
        assertThat(listed.out()).contains("Approved,Issued");
    }

    @Test
    @Order(6)
    void anonymousReadsClusterInfoOnly() throws Exception {
        HttpResponse<String> r = call(null, "GET", "/api/v1/namespaces/kube-public/configmaps/cluster-info", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode kubeconfig = Json.yaml().readTree(Json.tree(r.body()).path("data").path("kubeconfig").asString());
        String ca = Files.readString(dir.resolve("pki/ca.crt"));
        JsonNode cluster = kubeconfig.path("clusters").get(0);
        assertThat(cluster.path("name").asString()).isEmpty();
        assertThat(new String(Base64.getDecoder().decode(cluster.path("cluster").path("certificate-authority-data").asString()), StandardCharsets.US_ASCII)).isEqualTo(ca);
        assertThat(cluster.path("cluster").path("server").asString()).startsWith("https://");
        assertThat(kubeconfig.path("users").isNull() || kubeconfig.path("users").isMissingNode()).isTrue();
        AuthorizationIT.assertForbidden(call(null, "GET", "/api/v1/namespaces/kube-public/configmaps", null),
                "configmaps is forbidden: User \"system:anonymous\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"kube-public\"");
    }

    @Test
    @Order(7)
    void discoveryListsTheKindAndItsSubresources() {
        JsonNode list = Json.tree(call(ADMIN, "GET", "/apis/certificates.k8s.io/v1", null).body());
        assertThat(list.path("resources").valueStream().map(n -> n.path("name").asString()).toList())
                .containsExactly("certificatesigningrequests", "certificatesigningrequests/approval", "certificatesigningrequests/status");
        JsonNode csrs = list.path("resources").get(0);
        assertThat(csrs.path("namespaced").asBoolean()).isFalse();
        assertThat(csrs.path("shortNames").get(0).asString()).isEqualTo("csr");
    }

    @Test
    @Order(8)
    void approvingNeedsApproveOnTheSignerBesidesTheApprovalSubresource() throws Exception {
        String request = Base64.getEncoder().encodeToString(csrPem("system:node:node-8", "system:nodes").getBytes(StandardCharsets.US_ASCII));
        HttpResponse<String> created = call(BOOTSTRAP, "POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", """
                {"metadata":{"name":"node-csr-approver"},"spec":{"request":"%s","signerName":"kubernetes.io/kube-apiserver-client-kubelet",
                 "usages":["digital signature","client auth"]}}""".formatted(request));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(call(ADMIN, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", """
                {"metadata":{"name":"csr-approval-writer"},"rules":[{"apiGroups":["certificates.k8s.io"],"resources":["certificatesigningrequests"],"verbs":["get"]},
                 {"apiGroups":["certificates.k8s.io"],"resources":["certificatesigningrequests/approval"],"verbs":["update"]}]}""").statusCode()).isEqualTo(201);
        assertThat(call(ADMIN, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", """
                {"metadata":{"name":"approver-writes-approval"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"csr-approval-writer"},
                 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"approver"}]}""").statusCode()).isEqualTo(201);
        String approval = """
                {"metadata":{"name":"node-csr-approver"},"spec":{"request":"%s","signerName":"kubernetes.io/kube-apiserver-client-kubelet",
                 "usages":["digital signature","client auth"]},"status":{"conditions":[{"type":"Approved","status":"True","reason":"Manual"}]}}""".formatted(request);
        String path = "/apis/certificates.k8s.io/v1/certificatesigningrequests/node-csr-approver/approval";
        // once RBAC lets the write through to admission
        await().atMost(Duration.ofSeconds(10)).until(() -> call("approver-token", "PUT", path, approval).body().contains("user not permitted"));
        // CertificateApproval admission: update on the subresource is not enough
        AuthorizationIT.assertForbidden(call("approver-token", "PUT", path, approval), "certificatesigningrequests.certificates.k8s.io \"node-csr-approver\" is forbidden: "
                + "user not permitted to approve requests with signerName \"kubernetes.io/kube-apiserver-client-kubelet\"");
        // Kubernetes' approver ClusterRole for the kubelet client signer grants approve on signers/<that signer>
        assertThat(call(ADMIN, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", """
                {"metadata":{"name":"approver-approves-kubelets"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole",
                 "name":"system:certificates.k8s.io:kube-apiserver-client-kubelet-approver"},
                 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"approver"}]}""").statusCode()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> call("approver-token", "PUT", path, approval).statusCode() == 200);
        JsonNode csr = Json.tree(call(ADMIN, "GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests/node-csr-approver", null).body());
        assertThat(csr.path("status").path("conditions").get(0).path("reason").asString()).isEqualTo("Manual");
    }

    @Test
    @Order(9)
    void serverSideApplyApprovesThroughTheApprovalSubresource() throws Exception {
        // Kubernetes serves apply on every subresource it can get and update: approval included
        String request = Base64.getEncoder().encodeToString(csrPem("system:node:node-9", "system:nodes").getBytes(StandardCharsets.US_ASCII));
        assertThat(call(BOOTSTRAP, "POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", """
                {"metadata":{"name":"node-csr-applied"},"spec":{"request":"%s","signerName":"kubernetes.io/kube-apiserver-client-kubelet",
                 "usages":["digital signature","client auth"]}}""".formatted(request)).statusCode()).isEqualTo(201);
        String applied = """
                {"apiVersion":"certificates.k8s.io/v1","kind":"CertificateSigningRequest","metadata":{"name":"node-csr-applied"},
                 "spec":{"username":"system:admin"},
                 "status":{"conditions":[{"type":"Approved","status":"True","reason":"Applied","message":"approved by apply"}]}}""";
        HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(fx.apiserver.url()
                        + "/apis/certificates.k8s.io/v1/certificatesigningrequests/node-csr-applied/approval?fieldManager=approver-apply"))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/apply-patch+yaml")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString(applied)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode csr = Json.tree(r.body());
        assertThat(csr.path("status").path("conditions").get(0).path("reason").asString()).isEqualTo("Applied");
        // the approval subresource moves conditions only: the spec stays the requestor's
        assertThat(csr.path("spec").path("username").asString()).isEqualTo("system:bootstrap:abcdef");
        JsonNode entry = null;
        for (JsonNode e : csr.path("metadata").path("managedFields")) {
            if (e.path("manager").asString().equals("approver-apply")) {
                entry = e;
            }
        }
        assertThat(entry).as(csr.path("metadata").path("managedFields").toString()).isNotNull();
        assertThat(entry.path("operation").asString()).isEqualTo("Apply");
        assertThat(entry.path("subresource").asString()).isEqualTo("approval");
        assertThat(entry.path("fieldsV1").path("f:status").has("f:conditions")).as(entry.toString()).isTrue();
        assertThat(entry.path("fieldsV1").has("f:spec")).as(entry.toString()).isFalse();
    }
}
