package io.kube4j.testcontainers;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Network;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The container's cluster is secure as Kubernetes: HTTPS with a certificate of the cluster's own CA, a
 * request without credentials is {@code system:anonymous} and forbidden to list pods (Kubernetes' 403
 * message), a bad bearer token is 401, while the admin kubeconfig {@link Kube4jContainer#getKubeConfigYaml()}
 * hands out works with fabric8 as it is. On a network, the serving certificate names the container's aliases,
 * so {@link Kube4jContainer#generateInternalKubeConfigYaml} is usable from other containers.
 */
class Kube4jContainerSecurityIT {
    static final String IMAGE = System.getProperty("kube4j.all-in-one.image", "kube4j/all-in-one:latest");
    static final Network network = Network.newNetwork();
    static final Kube4jContainer kube4j = new Kube4jContainer(IMAGE).withNetwork(network).withNetworkAliases("kube4j-api");

    /** Trusts the cluster CA only: TLS works, but no client certificate is presented. */
    static HttpClient anonymous;

    @BeforeAll
    static void start() throws Exception {
        kube4j.start();
        anonymous = HttpClient.newBuilder().sslContext(trustingOnly(kube4j.getKubeConfigYaml())).build();
    }

    @AfterAll
    static void stop() {
        kube4j.stop();
        network.close();
    }

    @Test
    void theApiServerServesHttpsOnly() {
        assertThat(kube4j.getApiServerUrl()).startsWith("https://");
        HttpClient plain = HttpClient.newHttpClient();
        // a TLS port answers plain HTTP with a 400 at most, never with the API
        assertThatThrownByOrNot400(plain, kube4j.getApiServerUrl().replace("https://", "http://") + "/api/v1/namespaces/default/pods");
    }

    @Test
    void anAnonymousRequestMayNotListPods() throws Exception {
        HttpResponse<String> r = anonymous.send(HttpRequest.newBuilder(URI.create(kube4j.getApiServerUrl() + "/api/v1/namespaces/default/pods"))
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(403);
        Map<String, Object> status = json(r.body());
        assertThat(status).containsEntry("kind", "Status").containsEntry("reason", "Forbidden").containsEntry("code", 403)
                .containsEntry("message", "pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"");
    }

    @Test
    void anAnonymousRequestMayReadTheVersion() throws Exception {
        // system:public-info-viewer: /version, /healthz, /livez, /readyz for everyone
        HttpResponse<String> r = anonymous.send(HttpRequest.newBuilder(URI.create(kube4j.getApiServerUrl() + "/version")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r.body())).containsKey("gitVersion");
    }

    @Test
    void anUnknownBearerTokenIsUnauthorized() throws Exception {
        HttpResponse<String> r = anonymous.send(HttpRequest.newBuilder(URI.create(kube4j.getApiServerUrl() + "/api/v1/namespaces/default/pods"))
                .header("Authorization", "Bearer not-a-token").header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(json(r.body())).containsEntry("reason", "Unauthorized").containsEntry("message", "Unauthorized");
    }

    @Test
    void theAdminKubeconfigWorksWithFabric8() {
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kube4j.getKubeConfigYaml())).build()) {
            assertThat(client.getMasterUrl().toString()).startsWith(kube4j.getApiServerUrl());
            assertThat(client.nodes().list().getItems()).extracting(n -> n.getMetadata().getName()).containsExactly("node-0");
            assertThat(client.pods().inNamespace("default").list().getItems()).isEmpty();
            // and writes: cluster-admin through system:masters
            client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("written").endMetadata().build()).create();
            assertThat(client.namespaces().withName("written").get()).isNotNull();
        }
    }

    @Test
    void theAdminKubeconfigCarriesTheClusterCaAndAClientCertificateInSystemMasters() throws Exception {
        Map<String, Object> config = new Yaml(new SafeConstructor(new LoaderOptions())).load(kube4j.getKubeConfigYaml());
        Map<?, ?> user = (Map<?, ?>) ((Map<?, ?>) ((List<?>) config.get("users")).getFirst()).get("user");
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(Base64.getDecoder().decode((String) user.get("client-certificate-data"))));

        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=kubernetes-admin").contains("O=system:masters");
        assertThat(KubeconfigTls.server(kube4j.getKubeConfigYaml())).isEqualTo(kube4j.getApiServerUrl());
    }

    @Test
    void theServingCertificateNamesTheNetworkAliasOfTheInternalKubeconfig() throws Exception {
        HttpResponse<String> r = anonymous.send(HttpRequest.newBuilder(URI.create(kube4j.getApiServerUrl() + "/version")).build(),
                HttpResponse.BodyHandlers.ofString());
        X509Certificate serving = (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
        List<String> names = new ArrayList<>();
        for (List<?> san : serving.getSubjectAlternativeNames()) {
            names.add((String) san.get(1));
        }

        assertThat(names).contains("kube4j-api", "localhost", "127.0.0.1", kube4j.getHost());
        assertThat(KubeconfigTls.server(kube4j.generateInternalKubeConfigYaml("kube4j-api"))).isEqualTo("https://kube4j-api:6443");
        assertThatThrownBy(() -> kube4j.generateInternalKubeConfigYaml("elsewhere")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a network alias");
    }

    private static void assertThatThrownByOrNot400(HttpClient plain, String url) {
        try {
            HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).doesNotContain("PodList");
        } catch (java.io.IOException e) {
            // the TLS connector closed the connection on a plain request: as good
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String body) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(body);
    }

    @SuppressWarnings("unchecked")
    private static SSLContext trustingOnly(String kubeconfig) throws Exception {
        Map<String, Object> config = new Yaml(new SafeConstructor(new LoaderOptions())).load(kubeconfig);
        Map<String, Object> cluster = (Map<String, Object>) ((Map<String, Object>) ((List<Object>) config.get("clusters")).getFirst()).get("cluster");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(
                new ByteArrayInputStream(Base64.getDecoder().decode((String) cluster.get("certificate-authority-data"))))) {
            trust.setCertificateEntry("ca-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
