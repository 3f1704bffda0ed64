package io.kube4j.controllermanager;

import io.kube4j.api.Secret;
import io.kube4j.api.ServiceAccount;
import io.kube4j.client.ApiClient;
import io.kube4j.client.Kubeconfig;
import io.kube4j.json.Json;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Kubernetes docs' "Manually create a long-lived API token for a ServiceAccount" against a secure apiserver
 * (HTTPS, RBAC) and the controller-manager (as system:kube-controller-manager) with
 * {@code service-account-private-key-file}: the Secret of type {@code kubernetes.io/service-account-token}
 * is filled within seconds, its token authenticates as the ServiceAccount (kubectl {@code --token} too), the
 * Secret is labelled last-used, and deleting the Secret, or the ServiceAccount, makes the token 401.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceAccountTokensIT {
    static final String SSR = "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}";
    EtcdContainer etcd;
    ApiServerProcess apiServer;
    ApiClient admin;
    HttpClient anonymous;
    Path pki;
    ConfigurableApplicationContext manager;

    @BeforeAll
    void startCluster(@TempDir Path dir) throws Exception {
        ControllerManagerIT.useCopyOfApiServerJar();
        pki = dir.resolve("pki");
        etcd = new EtcdContainer();
        etcd.start();
        apiServer = new ApiServerProcess(etcd.endpoint(), "--kube4j.security.pki-dir=" + pki).https().start();
        admin = new ApiClient(apiServer.url(), "it/tokens", Kubeconfig.load(pki.resolve("admin.kubeconfig")));
        anonymous = HttpClient.newBuilder().sslContext(trusting(pki.resolve("ca.crt"))).build();
        manager = new SpringApplicationBuilder(ControllerManagerApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=" + apiServer.url(),
                "--kube4j.apiserver.kubeconfig=" + pki.resolve("kube-controller-manager.kubeconfig"),
                "--kube4j.controller-manager.leader-elect=false",
                "--kube4j.security.root-ca-file=" + pki.resolve("ca.crt"),
                "--kube4j.controller-manager.service-account-private-key-file=" + pki.resolve("sa.key"));
    }

    @AfterAll
    void stopCluster() {
        if (manager != null) {
            manager.close();
        }
        if (apiServer != null) {
            apiServer.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    /** An HTTPS client trusting the cluster CA and presenting no certificate: only the bearer token identifies. */
    static SSLContext trusting(Path caFile) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** POST a SelfSubjectReview with the token ({@code kubectl auth whoami}). */
    HttpResponse<String> whoami(String token) throws Exception {
        return anonymous.send(HttpRequest.newBuilder(URI.create(apiServer.url() + "/apis/authentication.k8s.io/v1/selfsubjectreviews"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(SSR)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    ServiceAccount serviceAccount(String name) {
        ServiceAccount sa = new ServiceAccount();
        sa.metadata.namespace = "default";
        sa.metadata.name = name;
        return admin.create(sa);
    }

    /** The docs' secret/serviceaccount-token-secret.yaml. */
    Secret tokenSecret(String name, String serviceAccount) {
        Secret s = new Secret();
        s.metadata.namespace = "default";
        s.metadata.name = name;
        s.metadata.annotations.put("kubernetes.io/service-account.name", serviceAccount);
        s.type = "kubernetes.io/service-account-token";
        return admin.create(s);
    }

    String awaitToken(String secret) {
        await().atMost(Duration.ofSeconds(20)).until(() -> admin.find(Secret.class, "default", secret).map(s -> s.data.containsKey("token")).orElse(false));
        return new String(admin.get(Secret.class, "default", secret).decoded("token"), StandardCharsets.UTF_8);
    }

    @Test
    void theDocsLongLivedTokenAuthenticatesAsTheServiceAccountUntilItsSecretIsDeleted() throws Exception {
        ServiceAccount sa = serviceAccount("sa-name");
        tokenSecret("secret-sa-sample", "sa-name");
        String token = awaitToken("secret-sa-sample");

        Secret filled = admin.get(Secret.class, "default", "secret-sa-sample");
        assertThat(filled.decoded("ca.crt")).isEqualTo(Files.readAllBytes(pki.resolve("ca.crt")));
        assertThat(new String(filled.decoded("namespace"), StandardCharsets.UTF_8)).isEqualTo("default");
        assertThat(filled.metadata.annotations).containsEntry("kubernetes.io/service-account.uid", sa.metadata.uid);

        HttpResponse<String> who = whoami(token);
        assertThat(who.statusCode()).as(who.body()).isEqualTo(201);
        JsonNode user = Json.mapper().readTree(who.body()).path("status").path("userInfo");
        assertThat(user.path("username").asString()).isEqualTo("system:serviceaccount:default:sa-name");
        assertThat(user.path("uid").asString()).isEqualTo(sa.metadata.uid);
        assertThat(user.path("groups").toString()).contains("system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated");
        kubectlWhoamiSays(token, "system:serviceaccount:default:sa-name");

        // LegacyServiceAccountTokenTracking: the Secret says when it was last used (UTC date)
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.get(Secret.class, "default", "secret-sa-sample").metadata.labels
                .getOrDefault("kubernetes.io/legacy-token-last-used", "").compareTo(today) >= 0);

        admin.delete(Secret.class, "default", "secret-sa-sample");
        await().atMost(Duration.ofSeconds(10)).until(() -> whoami(token).statusCode() == 401);
    }

    @Test
    void deletingTheServiceAccountDeletesItsTokenSecret() throws Exception {
        serviceAccount("short-lived");
        tokenSecret("short-lived-token", "short-lived");
        String token = awaitToken("short-lived-token");
        assertThat(whoami(token).statusCode()).isEqualTo(201);

        admin.delete(ServiceAccount.class, "default", "short-lived");
        await().atMost(Duration.ofSeconds(20)).until(() -> admin.find(Secret.class, "default", "short-lived-token").isEmpty());
        assertThat(whoami(token).statusCode()).isEqualTo(401);
    }

    @Test
    void aSecretNamingNoServiceAccountIsDeleted() {
        tokenSecret("nobodys-token", "nobody");
        await().atMost(Duration.ofSeconds(20)).until(() -> admin.find(Secret.class, "default", "nobodys-token").isEmpty());
    }

    /** {@code kubectl --token=<t> auth whoami}, with the real kubectl when this machine has one. */
    void kubectlWhoamiSays(String token, String username) throws Exception {
        Path kubectl = Path.of(System.getenv().getOrDefault("KUBECTL", "/usr/bin/kubectl"));
        if (!Files.isExecutable(kubectl)) {
            return;
        }
        Process p = new ProcessBuilder(List.of(kubectl.toString(), "--server=" + apiServer.url(),
                "--certificate-authority=" + pki.resolve("ca.crt"), "--token=" + token, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"))
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out.trim()).isEqualTo(username);
    }
}
