package io.kube4j.allinone;

import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.client.Kubeconfig;
import io.kube4j.json.Json;
import io.kube4j.testing.ApiServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The all-in-one in this JVM, secure as it starts by default, with two hollow nodes and the host's etcd
 * ({@code /usr/bin/etcd}, Debian's etcd-server package, as CI installs it; {@code KUBE4J_ETCD_BINARY} names
 * another): every component context authenticates with its own kubeconfig (the nodes get Ready, which an
 * anonymous kubelet could not make them), the written kubeconfig is the admin one, anonymous requests are
 * forbidden as in Kubernetes, and the serving certificate names {@code --tls-san}.
 */
class AllInOneIT {
    @TempDir
    static Path dir;
    static AllInOne aio;
    static int port;

    @BeforeAll
    static void start() {
        port = ApiServerProcess.freePort();
        List<String> args = new ArrayList<>(List.of("--nodes=2", "--port=" + port, "--tls-san=kube4j.test",
                "--kubeconfig=" + dir.resolve("kubeconfig.yaml"), "--data-dir=" + dir.resolve("data")));
        aio = new AllInOne(AllInOneOptions.parse(args.toArray(String[]::new), System.getenv()));
        aio.start(Duration.ofMinutes(3));
        // at once, as a test using the cluster would: Ready means the pod is admitted (its ServiceAccount exists)
        Kubeconfig admin = Kubeconfig.load(dir.resolve("kubeconfig.yaml"));
        ApiClient client = new ApiClient(admin.server(), "all-in-one-it", admin);
        try {
            client.create(Json.readYaml("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: first, namespace: default}
                    spec:
                      containers: [{name: app, image: busybox}]
                    """, Pod.class));
        } catch (RuntimeException e) {
            firstPodRefused = e;
        }
    }

    static RuntimeException firstPodRefused;

    @AfterAll
    static void stop() {
        if (aio != null) {
            aio.close();
        }
    }

    @Test
    void theWrittenKubeconfigIsTheAdminsAndListsTheReadyNodes() throws Exception {
        Path file = dir.resolve("kubeconfig.yaml");
        Kubeconfig admin = Kubeconfig.load(file);
        ApiClient client = new ApiClient(admin.server(), "all-in-one-it", admin);

        assertThat(admin.server()).isEqualTo("https://127.0.0.1:" + port);
        assertThat(admin.hasClientCertificate()).isTrue();
        assertThat(Files.readString(file)).isEqualTo(Files.readString(aio.pkiDir().resolve("admin.kubeconfig")));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(aio.pkiDir()).isEqualTo(dir.resolve("data").resolve("pki"));
        assertThat(client.list(Node.class, null).items).extracting(n -> n.metadata.name).containsExactlyInAnyOrder("node-0", "node-1")
                .allSatisfy(name -> assertThat(client.get(Node.class, null, name).status.condition("Ready").status).isEqualTo("True"));
        String review = client.sendJson("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", "application/json",
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}");
        assertThat(review).contains("\"username\":\"kubernetes-admin\"").contains("system:masters");
    }

    @Test
    void aPodCreatedRightAfterReadyIsAdmittedAndRuns() {
        assertThat(firstPodRefused).isNull();
        Kubeconfig admin = Kubeconfig.load(dir.resolve("kubeconfig.yaml"));
        ApiClient client = new ApiClient(admin.server(), "all-in-one-it", admin);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Pod pod = client.get(Pod.class, "default", "first");
        while (!"Running".equals(pod.status.phase) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            pod = client.get(Pod.class, "default", "first");
        }

        assertThat(pod.status.phase).isEqualTo("Running");
        assertThat(pod.spec.serviceAccountName).isEqualTo("default");
        assertThat(pod.spec.nodeName).isIn("node-0", "node-1");
    }

    @Test
    void anAnonymousRequestIsForbiddenWithKubernetesMessage() throws Exception {
        // trusts the cluster CA, presents nothing
        Path anonymous = dir.resolve("anonymous.kubeconfig");
        Files.writeString(anonymous, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:%d", certificate-authority: "%s"}}]
                users: [{name: anonymous, user: {}}]
                contexts: [{name: x, context: {cluster: c, user: anonymous}}]
                current-context: x
                """.formatted(port, aio.pkiDir().resolve("ca.crt")));
        ApiClient client = new ApiClient("https://127.0.0.1:" + port, "all-in-one-it", Kubeconfig.load(anonymous));

        assertThatThrownBy(() -> client.list(Pod.class, "default")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(403);
            assertThat(e.getMessage()).contains("pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"");
        });
    }

    @Test
    void eachNodesKubeconfigIsThatNodesIdentity() throws Exception {
        for (String node : List.of("node-0", "node-1")) {
            Kubeconfig kubelet = Kubeconfig.load(aio.pkiDir().resolve("kubelet-" + node + ".kubeconfig"));
            String review = new ApiClient("https://127.0.0.1:" + port, "all-in-one-it", kubelet).sendJson("POST",
                    "/apis/authentication.k8s.io/v1/selfsubjectreviews", "application/json",
                    "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}");
            assertThat(review).contains("\"username\":\"system:node:" + node + "\"").contains("system:nodes");
        }
    }

    @Test
    void theServingCertificateNamesTheTlsSans() throws Exception {
        Kubeconfig admin = Kubeconfig.load(dir.resolve("kubeconfig.yaml"));
        List<String> names = new ArrayList<>();
        try (SSLSocket socket = (SSLSocket) admin.sslContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            X509Certificate serving = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            for (List<?> san : serving.getSubjectAlternativeNames()) {
                names.add((String) san.get(1));
            }
        }

        assertThat(names).contains("kube4j.test", "localhost", "127.0.0.1");
    }
}
