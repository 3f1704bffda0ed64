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
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The apiserver with security on (the default) on a fresh PKI directory: HTTPS, the generated
 * admin.kubeconfig with the real kubectl, client certificates (the cluster's and a foreign CA's), bearer
 * tokens, and ServiceAccount tokens through their whole life (issued by TokenRequest, bound to a pod,
 * expired, their ServiceAccount or pod deleted). No authorizer exists yet, so every authenticated or
 * anonymous request is allowed; only authentication answers are checked here.
 */
class AuthenticationIT {
    /** Kubernetes' exact body for any failed authentication (responsewriters.Unauthorized). */
    static final String UNAUTHORIZED = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}";
    static final String SSR = "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}";

    @TempDir
    static Path work;
    static EtcdContainer etcd;
    static ApiServerProcess apiserver;
    static Path pki;
    static X509Certificate ca;
    static HttpClient anonymous;
    static HttpClient admin;

    @BeforeAll
    static void start() throws Exception {
        pki = work.resolve("pki");
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = apiserver(ApiServerProcess.freePort());
        ca = Pki.readCertificate(pki.resolve("ca.crt"));
        anonymous = client(null, null);
        admin = client(Pki.readPrivateKey(pki.resolve("admin.key")), Pki.readCertificate(pki.resolve("admin.crt")));
    }

    static ApiServerProcess apiserver(int port) throws Exception {
        Path tokens = work.resolve("tokens.csv");
        java.nio.file.Files.writeString(tokens, "static-s3cret,alice,alice-uid,\"dev,ops\"\n");
        if (healthzPort == 0) {
            healthzPort = ApiServerProcess.freePort();
        }
        return new ApiServerProcess(port, etcd.endpoint(), "--kube4j.security.pki-dir=" + pki,
                "--kube4j.security.nodes=node-1", "--kube4j.security.token-auth-file=" + tokens,
                "--kube4j.healthz-port=" + healthzPort).https().start();
    }

    static int healthzPort;

    @Test
    void theLoopbackHealthzPortAnswersOnlyHealthChecksInPlainHttp() throws Exception {
        HttpClient plain = HttpClient.newHttpClient();
        HttpResponse<String> readyz = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthzPort + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(readyz.statusCode()).isEqualTo(200);
        assertThat(readyz.body()).isEqualTo("ok");
        assertThat(plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthzPort + "/livez")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        // nothing else is served there, not even what anonymous may read over HTTPS
        for (String path : new String[]{"/api/v1/namespaces/default/pods", "/version", "/api"}) {
            assertThat(plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthzPort + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as(path).isEqualTo(404);
        }
        assertThat(plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthzPort + "/readyz"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        // and the apiserver's own port stays HTTPS only
        assertThat(send(admin, "GET", "/readyz", null, null).statusCode()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        if (apiserver != null) {
            apiserver.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    /** An HTTPS client trusting only the cluster CA, presenting {@code cert} ({@link TlsClients#client}). */
    static HttpClient client(PrivateKey key, X509Certificate cert) throws Exception {
        return TlsClients.client(ca, key, cert);
    }

    static HttpResponse<String> send(HttpClient client, String method, String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(apiserver.url() + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode whoami(HttpClient client, String token) {
        HttpResponse<String> r = send(client, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", token, SSR);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return Json.mapper().readTree(r.body()).path("status").path("userInfo");
    }

    static JsonNode create(String path, String json) {
        HttpResponse<String> r = send(admin, "POST", path, null, json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return Json.mapper().readTree(r.body());
    }

    static String token(String namespace, String serviceAccount, String spec) {
        JsonNode tr = create("/api/v1/namespaces/" + namespace + "/serviceaccounts/" + serviceAccount + "/token",
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":" + spec + "}");
        return tr.path("status").path("token").asString();
    }

    @Test
    void kubectlWithTheGeneratedAdminKubeconfig() {
        Kubectl kubectl = Kubectl.forServer(apiserver.url(), work.resolve("kubectl"));
        String kubeconfig = pki.resolve("admin.kubeconfig").toString();
        Kubectl.Result ns = kubectl.run("--kubeconfig", kubeconfig, "get", "ns");
        assertThat(ns.exitCode()).as(ns.toString()).isZero();
        assertThat(ns.out()).contains("default", "kube-system");
        Kubectl.Result who = kubectl.run("--kubeconfig", kubeconfig, "auth", "whoami");
        assertThat(who.exitCode()).as(who.toString()).isZero();
        assertThat(who.out()).containsPattern("Username\\s+kubernetes-admin").containsPattern("Groups\\s+\\[system:masters system:authenticated\\]");
    }

    @Test
    void noCredentialIsAnonymous() {
        // RBAC lets system:anonymous create no SelfSubjectReview (system:basic-user is bound to
        // system:authenticated), so the identity shows in the Forbidden message, as on Kubernetes
        HttpResponse<String> r = send(anonymous, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", null,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(Json.tree(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8)).path("message").asString())
                .isEqualTo("selfsubjectreviews.authentication.k8s.io is forbidden: User \"system:anonymous\" cannot create resource "
                        + "\"selfsubjectreviews\" in API group \"authentication.k8s.io\" at the cluster scope");
        // and what anonymous may do (system:public-info-viewer) works without a credential
        assertThat(send(anonymous, "GET", "/version", null, null).statusCode()).isEqualTo(200);
    }

    /**
     * filters.WithAuditInit (audit_init.go) and filters.WithCacheControl (cachecontrol.go) wrap authentication in
     * DefaultBuildHandlerChain (server/config.go): every answer of the chain, 401 and 403 included, has an
     * {@code Audit-Id} (the request's {@code Audit-ID} echoed, else a new UUID) and {@code Cache-Control: no-cache, private}.
     */
    @Test
    void everyAnswerCarriesAnAuditIdAndCacheControlAsKubeApiserversChainSetsThem() throws Exception {
        java.util.regex.Pattern uuid = java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        HttpResponse<String> ok = send(admin, "GET", "/api/v1/namespaces/default", null, null);
        HttpResponse<String> missing = send(admin, "GET", "/api/v1/namespaces/default/configmaps/no-such-thing", null, null);
        HttpResponse<String> unauthorized = send(anonymous, "GET", "/api/v1/namespaces", "not-a-token", null);
        HttpResponse<String> forbidden = send(anonymous, "GET", "/api/v1/namespaces", null, null);
        HttpResponse<String> version = send(anonymous, "GET", "/version", null, null);
        assertThat(List.of(ok.statusCode(), missing.statusCode(), unauthorized.statusCode(), forbidden.statusCode(), version.statusCode()))
                .containsExactly(200, 404, 401, 403, 200);
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (HttpResponse<String> r : List.of(ok, missing, unauthorized, forbidden, version)) {
            assertThat(r.headers().allValues("Audit-Id")).as("%s %s", r.statusCode(), r.uri()).hasSize(1);
            assertThat(r.headers().firstValue("Audit-Id").orElseThrow()).matches(uuid);
            assertThat(r.headers().allValues("Cache-Control")).as("%s %s", r.statusCode(), r.uri()).containsExactly("no-cache, private");
            ids.add(r.headers().firstValue("Audit-Id").orElseThrow());
        }
        assertThat(ids).as("one Audit-Id per request").hasSize(5);

        // the caller's Audit-ID is echoed as is (no truncation, any text), on errors too
        HttpRequest.Builder echo = HttpRequest.newBuilder(URI.create(apiserver.url() + "/api/v1/namespaces/default/configmaps/nope"))
                .header("Audit-ID", "my trace id/42").timeout(Duration.ofSeconds(30));
        HttpResponse<String> echoed = admin.send(echo.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(echoed.statusCode()).isEqualTo(404);
        assertThat(echoed.headers().allValues("Audit-Id")).containsExactly("my trace id/42");
        HttpResponse<String> echoed401 = anonymous.send(echo.header("Authorization", "Bearer not-a-token").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(echoed401.statusCode()).isEqualTo(401);
        assertThat(echoed401.headers().allValues("Audit-Id")).containsExactly("my trace id/42");
        // HTTP/1.1 as well as HTTP/2 (the JDK client's default here)
        HttpResponse<String> h1 = admin.send(HttpRequest.newBuilder(URI.create(apiserver.url() + "/api")).version(HttpClient.Version.HTTP_1_1)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(h1.headers().firstValue("Audit-Id").orElse("")).matches(uuid);
        assertThat(h1.headers().firstValue("Cache-Control")).contains("no-cache, private");
    }

    @Test
    void anUnknownBearerTokenIs401WithKubernetesStatus() {
        HttpResponse<String> r = send(anonymous, "GET", "/api/v1/namespaces", "not-a-token", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).isEqualTo(UNAUTHORIZED);
    }

    @Test
    void aTokenFromTheTokenFileIsItsUserAndTokenReviewKeepsItToTheApiAudiences() {
        JsonNode user = whoami(anonymous, "static-s3cret");
        assertThat(user.path("username").asString()).isEqualTo("alice");
        assertThat(user.path("uid").asString()).isEqualTo("alice-uid");
        assertThat(user.path("groups").toString()).isEqualTo("[\"dev\",\"ops\",\"system:authenticated\"]");

        JsonNode review = create("/apis/authentication.k8s.io/v1/tokenreviews",
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"static-s3cret\"}}");
        assertThat(review.path("status").path("authenticated").asBoolean()).isTrue();
        assertThat(review.path("status").path("user").path("username").asString()).isEqualTo("alice");
        JsonNode elsewhere = create("/apis/authentication.k8s.io/v1/tokenreviews",
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"static-s3cret\",\"audiences\":[\"vault\"]}}");
        assertThat(elsewhere.path("status").path("authenticated").asBoolean(false)).isFalse();
        assertThat(elsewhere.path("status").path("error").asString()).isEqualTo("invalid bearer token");
        HttpResponse<String> noToken = send(admin, "POST", "/apis/authentication.k8s.io/v1/tokenreviews", null,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{}}");
        assertThat(noToken.statusCode()).isEqualTo(400);
        assertThat(Json.mapper().readTree(noToken.body()).path("message").asString()).isEqualTo("token is required for TokenReview in authentication");
    }

    @Test
    void aClientCertificateFromAnotherCaIs401NotATlsError() throws Exception {
        Pki foreign = Pki.ensure(work.resolve("foreign-pki"), List.of(), List.of(), "https://127.0.0.1:1");
        assertThat(foreign.ca()).isNotEqualTo(ca);
        KeyPair mine = generate();
        X509Certificate cert = foreign.issueClientCertificate(mine.getPublic(), "mallory", List.of("system:masters"),
                Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600));
        HttpResponse<String> r = send(client(mine.getPrivate(), cert), "GET", "/api/v1/namespaces", null, null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).isEqualTo(UNAUTHORIZED);
        // union.New tries the next authenticator after the x509 error: a valid bearer token still wins
        HttpResponse<String> withToken = send(client(mine.getPrivate(), cert), "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                "static-s3cret", SSR);
        assertThat(withToken.statusCode()).as(withToken.body()).isEqualTo(201);
        assertThat(Json.mapper().readTree(withToken.body()).path("status").path("userInfo").path("username").asString()).isEqualTo("alice");
    }

    @Test
    void extraSpaceBeforeTheBearerTokenIsNoCredentialWithAWarning() throws Exception {
        HttpResponse<String> r = anonymous.send(HttpRequest.newBuilder(URI.create(apiserver.url() + "/api/v1/namespaces"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer  static-s3cret").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(Json.mapper().readTree(r.body()).path("message").asString()).contains("User \"system:anonymous\"");
        assertThat(r.headers().allValues("Warning"))
                .contains("299 - \"the provided Authorization header contains extra space before the bearer token, and is ignored\"");
    }

    @Test
    void aNodeCertificateIsThatNode() throws Exception {
        HttpClient node = client(Pki.readPrivateKey(pki.resolve("kubelet-node-1.key")), Pki.readCertificate(pki.resolve("kubelet-node-1.crt")));
        JsonNode user = whoami(node, null);
        assertThat(user.path("username").asString()).isEqualTo("system:node:node-1");
        assertThat(user.path("groups").toString()).isEqualTo("[\"system:nodes\",\"system:authenticated\"]");
    }

    /** ServiceAccountTokenNodeBinding and its validation (beta, on in 1.32): the token lives as long as the Node. */
    @Test
    void aNodeBoundTokenCarriesTheNodeAndDiesWithIt() {
        create("/api/v1/namespaces/default/serviceaccounts", "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"nb\"}}");
        JsonNode node = create("/api/v1/nodes", "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"bound-node\"}}");
        String nodeUid = node.path("metadata").path("uid").asString();
        String token = token("default", "nb", "{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"bound-node\",\"uid\":\"" + nodeUid + "\"}}");
        JsonNode user = whoami(anonymous, token);
        assertThat(user.path("extra").path("authentication.kubernetes.io/node-name").toString()).isEqualTo("[\"bound-node\"]");
        assertThat(user.path("extra").path("authentication.kubernetes.io/node-uid").toString()).isEqualTo("[\"" + nodeUid + "\"]");
        assertThat(user.path("extra").has("authentication.kubernetes.io/pod-name")).isFalse();

        HttpResponse<String> del = send(admin, "DELETE", "/api/v1/nodes/bound-node", null, null);
        assertThat(del.statusCode()).as(del.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> r = send(anonymous, "GET", "/api/v1/namespaces", token, null);
            assertThat(r.statusCode()).isEqualTo(401);
        });
    }

    @Test
    void aServiceAccountTokenIsTheServiceAccountUntilItIsDeleted() {
        JsonNode sa = create("/api/v1/namespaces/default/serviceaccounts", "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"robot\"}}");
        HttpResponse<String> issued = send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts/robot/token", null,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{}}");
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
        JsonNode tr = Json.mapper().readTree(issued.body());
        assertThat(tr.path("kind").asString()).isEqualTo("TokenRequest");
        assertThat(tr.path("spec").path("expirationSeconds").asLong()).isEqualTo(3600);
        assertThat(tr.path("spec").path("audiences").toString()).isEqualTo("[\"https://kubernetes.default.svc.cluster.local\"]");
        String token = tr.path("status").path("token").asString();

        JsonNode user = whoami(anonymous, token);
        assertThat(user.path("username").asString()).isEqualTo("system:serviceaccount:default:robot");
        assertThat(user.path("uid").asString()).isEqualTo(sa.path("metadata").path("uid").asString());
        assertThat(user.path("groups").toString()).isEqualTo("[\"system:serviceaccounts\",\"system:serviceaccounts:default\",\"system:authenticated\"]");
        assertThat(user.path("extra").path("authentication.kubernetes.io/credential-id").get(0).asString()).startsWith("JTI=");

        HttpResponse<String> deleted = send(admin, "DELETE", "/api/v1/namespaces/default/serviceaccounts/robot", null, null);
        assertThat(deleted.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> r = send(anonymous, "GET", "/api/v1/namespaces", token, null);
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).isEqualTo(UNAUTHORIZED);
        });
        // a new ServiceAccount of the same name has another uid: the old token stays invalid
        create("/api/v1/namespaces/default/serviceaccounts", "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"robot\"}}");
        assertThat(send(anonymous, "GET", "/api/v1/namespaces", token, null).statusCode()).isEqualTo(401);
    }

    @Test
    void aPodBoundTokenCarriesThePodAndDiesWithIt() throws Exception {
        create("/api/v1/namespaces/default/serviceaccounts", "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"web\"}}");
        JsonNode pod = create("/api/v1/namespaces/default/pods", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0"},
                 "spec":{"serviceAccountName":"web","containers":[{"name":"c","image":"busybox"}]}}""");
        String uid = pod.path("metadata").path("uid").asString();
        String token = token("default", "web", "{\"expirationSeconds\":3607,\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"web-0\",\"uid\":\"" + uid + "\"}}");
        JsonNode claims = Json.mapper().readTree(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        // the kubelet's 3607 s is extended to a year with a warning time (--service-account-extend-token-expiration)
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(ServiceAccountTokens.EXPIRATION_EXTENSION_SECONDS);
        assertThat(claims.path("kubernetes.io").path("warnafter").asLong() - claims.path("iat").asLong()).isEqualTo(3607);
        assertThat(claims.path("kubernetes.io").path("pod").path("uid").asString()).isEqualTo(uid);

        JsonNode user = whoami(anonymous, token);
        assertThat(user.path("extra").path("authentication.kubernetes.io/pod-name").toString()).isEqualTo("[\"web-0\"]");
        assertThat(user.path("extra").path("authentication.kubernetes.io/pod-uid").toString()).isEqualTo("[\"" + uid + "\"]");
        // the same review answered as protobuf: UserInfo.extra's ExtraValue is a message {repeated string items = 1}
        HttpResponse<byte[]> pb = anonymous.send(HttpRequest.newBuilder(URI.create(apiserver.url() + "/apis/authentication.k8s.io/v1/selfsubjectreviews"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", "application/vnd.kubernetes.protobuf").POST(HttpRequest.BodyPublishers.ofString(SSR)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(pb.statusCode()).isEqualTo(201);
        assertThat(pb.headers().firstValue("Content-Type").orElse("")).startsWith("application/vnd.kubernetes.protobuf");
        JsonNode pbUser = io.kube4j.apiserver.protobuf.ProtobufCodec.toJson(io.kube4j.apiserver.protobuf.ProtobufCodec.envelope(pb.body()), null, null)
                .path("status").path("userInfo");
        assertThat(pbUser.path("extra").path("authentication.kubernetes.io/pod-name").toString()).isEqualTo("[\"web-0\"]");

        HttpResponse<String> wrongUid = send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts/web/token", null,
                "{\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"web-0\",\"uid\":\"not-it\"}}}");
        assertThat(wrongUid.statusCode()).isEqualTo(409);
        assertThat(Json.mapper().readTree(wrongUid.body()).path("message").asString())
                .isEqualTo("Operation cannot be fulfilled on Pod \"web-0\": the UID in the bound object reference (not-it) does not match the UID in record."
                        + " The object might have been deleted and then recreated");
        // kubectl create token --bound-object-uid sends the same request as protobuf: the uid (field uID = 4) must survive
        byte[] protobuf = io.kube4j.apiserver.protobuf.ProtobufCodec.encode(Json.mapper().readTree(
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"web-0\",\"uid\":\"not-it\"}}}"), true);
        HttpResponse<String> wrongUidProtobuf = admin.send(HttpRequest.newBuilder(URI.create(apiserver.url() + "/api/v1/namespaces/default/serviceaccounts/web/token"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/vnd.kubernetes.protobuf").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(protobuf)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongUidProtobuf.statusCode()).as(wrongUidProtobuf.body()).isEqualTo(409);

        HttpResponse<String> del = send(admin, "DELETE", "/api/v1/namespaces/default/pods/web-0?gracePeriodSeconds=0", null, null);
        assertThat(del.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> r = send(anonymous, "GET", "/api/v1/namespaces", token, null);
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).isEqualTo(UNAUTHORIZED);
        });
    }

    @Test
    void anExpiredTokenSignedWithTheClusterKeyIs401() throws Exception {
        JsonNode sa = create("/api/v1/namespaces/default/serviceaccounts", "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"old\"}}");
        KeyPair keys = new KeyPair(Pki.readPublicKey(pki.resolve("sa.pub")), Pki.readPrivateKey(pki.resolve("sa.key")));
        ServiceAccountTokens signer = new ServiceAccountTokens("https://kubernetes.default.svc.cluster.local", keys);
        Instant issued = Instant.now().minus(Duration.ofHours(2));
        JWTClaimsSet expired = signer.claims(sa, null, null, null, 600, 0, List.of("https://kubernetes.default.svc.cluster.local"), issued);
        String token = signer.sign(expired);
        HttpResponse<String> r = send(anonymous, "GET", "/api/v1/namespaces", token, null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).isEqualTo(UNAUTHORIZED);

        JsonNode review = create("/apis/authentication.k8s.io/v1/tokenreviews",
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token + "\"}}");
        assertThat(review.path("status").path("authenticated").asBoolean(false)).isFalse();
        assertThat(review.path("status").path("error").asString()).isEqualTo("service account token has expired");

        // the same claims, fresh, pass: it is the expiry that failed
        String fresh = signer.sign(signer.claims(sa, null, null, null, 600, 0, List.of("https://kubernetes.default.svc.cluster.local"), Instant.now()));
        JsonNode ok = create("/apis/authentication.k8s.io/v1/tokenreviews",
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + fresh + "\"}}");
        assertThat(ok.path("status").path("authenticated").asBoolean()).isTrue();
        assertThat(ok.path("status").path("user").path("username").asString()).isEqualTo("system:serviceaccount:default:old");
        assertThat(ok.path("status").path("audiences").toString()).isEqualTo("[\"https://kubernetes.default.svc.cluster.local\"]");
    }

    @Test
    void tokenRequestValidationAsKubernetes() {
        create("/api/v1/namespaces/default/serviceaccounts", "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"short\"}}");
        HttpResponse<String> tooShort = send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts/short/token", null,
                "{\"spec\":{\"expirationSeconds\":60}}");
        assertThat(tooShort.statusCode()).isEqualTo(422);
        assertThat(Json.mapper().readTree(tooShort.body()).path("message").asString())
                .isEqualTo("TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes");
        HttpResponse<String> missing = send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts/nobody/token", null, "{\"spec\":{}}");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Json.mapper().readTree(missing.body()).path("message").asString()).isEqualTo("serviceaccounts \"nobody\" not found");
        HttpResponse<String> kind = send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts/short/token", null,
                "{\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"x\"}}}");
        assertThat(kind.statusCode()).isEqualTo(400);
        assertThat(Json.mapper().readTree(kind.body()).path("message").asString()).isEqualTo("cannot bind token to object of type apps/v1, Kind=Deployment");
    }

    @Test
    void discoveryListsTheAuthenticationApisAndTheTokenSubresource() {
        HttpResponse<String> r = send(admin, "GET", "/apis/authentication.k8s.io/v1", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"name\":\"selfsubjectreviews\"", "\"name\":\"tokenreviews\"");
        HttpResponse<String> core = send(admin, "GET", "/api/v1", null, null);
        assertThat(core.body()).contains("{\"name\":\"serviceaccounts/token\",\"singularName\":\"\",\"namespaced\":true,\"group\":\"authentication.k8s.io\",\"version\":\"v1\",\"kind\":\"TokenRequest\",\"verbs\":[\"create\"]}");
    }

    @Test
    void serviceAccountIssuerDiscoveryServesTheVerificationKey() throws Exception {
        // Kubernetes binds system:service-account-issuer-discovery to system:serviceaccounts only
        assertThat(send(anonymous, "GET", "/.well-known/openid-configuration", null, null).statusCode()).isEqualTo(403);
        HttpResponse<String> conf = send(admin, "GET", "/.well-known/openid-configuration", null, null);
        assertThat(conf.statusCode()).isEqualTo(200);
        JsonNode c = Json.mapper().readTree(conf.body());
        assertThat(c.path("issuer").asString()).isEqualTo("https://kubernetes.default.svc.cluster.local");
        assertThat(c.path("jwks_uri").asString()).isEqualTo("https://kubernetes.default.svc.cluster.local/openid/v1/jwks");
        HttpResponse<String> jwks = send(admin, "GET", "/openid/v1/jwks", null, null);
        assertThat(jwks.headers().firstValue("Content-Type")).contains("application/jwk-set+json");
        com.nimbusds.jose.jwk.RSAKey key = com.nimbusds.jose.jwk.JWKSet.parse(jwks.body()).getKeys().getFirst().toRSAKey();
        assertThat(key.toRSAPublicKey()).isEqualTo(Pki.readPublicKey(pki.resolve("sa.pub")));
        // a token issued by TokenRequest verifies with the published key alone
        create("/api/v1/namespaces/default/serviceaccounts", "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"oidc\"}}");
        com.nimbusds.jwt.SignedJWT jwt = com.nimbusds.jwt.SignedJWT.parse(token("default", "oidc", "{}"));
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(key.getKeyID());
        assertThat(jwt.verify(new com.nimbusds.jose.crypto.RSASSAVerifier(key))).isTrue();
    }

    @Test
    void aRestartReusesThePkiSoCredentialsStayValid() throws Exception {
        create("/api/v1/namespaces/default/serviceaccounts", "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"survivor\"}}");
        String token = token("default", "survivor", "{}");
        java.util.Map<String, String> before = new java.util.TreeMap<>();
        for (String f : List.of("ca.crt", "apiserver.crt", "sa.key", "admin.kubeconfig", "kubelet-node-1.kubeconfig")) {
            before.put(f, java.nio.file.Files.readString(pki.resolve(f)));
        }
        int port = apiserver.port();
        apiserver.close();
        apiserver = apiserver(port);
        for (var e : before.entrySet()) {
            assertThat(java.nio.file.Files.readString(pki.resolve(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(whoami(anonymous, token).path("username").asString()).isEqualTo("system:serviceaccount:default:survivor");
        assertThat(whoami(admin, null).path("username").asString()).isEqualTo("kubernetes-admin");
    }

    private static KeyPair generate() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

}
