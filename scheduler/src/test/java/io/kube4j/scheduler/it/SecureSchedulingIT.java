package io.kube4j.scheduler.it;

import io.kube4j.api.Pod;
import io.kube4j.api.ServiceAccount;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.client.Kubeconfig;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.ComponentProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The scheduler process authenticates with its own kubeconfig against a secure apiserver (HTTPS, x509
 * client certificates, Node+RBAC) whose PKI the apiserver made: with {@code kube-scheduler.kubeconfig}
 * (system:kube-scheduler, bound by the bootstrap policy) it binds a pod; a scheduler without a
 * kubeconfig (the cluster CA is not a JVM root: no TLS) and one with the CA but no user (system:anonymous:
 * 403 under RBAC) bind nothing.
 */
class SecureSchedulingIT {
    @TempDir
    Path pki;

    private EtcdContainer etcd;
    private ApiServerProcess apiserver;
    private final List<ComponentProcess> schedulers = new ArrayList<>();

    @AfterEach
    void stop() {
        schedulers.forEach(ComponentProcess::close);
        if (apiserver != null) {
            apiserver.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    private ComponentProcess scheduler(String identity, String... args) {
        List<String> all = new ArrayList<>(List.of("--kube4j.scheduler.identity=" + identity));
        all.addAll(List.of(args));
        ComponentProcess p = new ComponentProcess("scheduler", identity, ApiServerProcess.freePort(), "/actuator/health", all);
        schedulers.add(p);
        return p.start();
    }

    private static String log(ComponentProcess p, String identity) throws IOException {
        return Files.readString(Path.of("target", identity + "-" + p.port() + ".log"));
    }

    private static String nodeOf(ApiClient client, String pod) {
        return client.get(Pod.class, "default", pod).spec.nodeName;
    }

    @Test
    void theSchedulerBindsWithItsOwnKubeconfigAndNothingWithoutCredentials() throws Exception {
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint(), "--kube4j.security.enabled=true", "--kube4j.security.pki-dir=" + pki,
                "--kube4j.security.nodes=node-a").https().start();
        ApiClient admin = new ApiClient(apiserver.url(), "it", Kubeconfig.load(pki.resolve("admin.kubeconfig")));
        admin.create(ClusterFixture.node("node-a", "4", "8Gi", 110));
        // no controller-manager here to make the namespace's ServiceAccount, which ServiceAccount admission requires
        ServiceAccount sa = new ServiceAccount();
        sa.metadata.namespace = "default";
        sa.metadata.name = "default";
        admin.create(sa);
        admin.create(ClusterFixture.pod("default", "web", "100m", "64Mi"));
        assertThatThrownBy(() -> new ApiClient(apiserver.url(), "it").list(Pod.class, "default"))
                .as("without the cluster CA there is no TLS session").isInstanceOf(ApiException.class);

        // the CA but no user: anonymous, which RBAC lets list nothing (a relative CA path, as client-go resolves it)
        Path anonymous = pki.resolve("anonymous.kubeconfig");
        Files.writeString(anonymous, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: kubernetes
                  cluster: {server: "%s", certificate-authority: ca.crt}
                users:
                - name: anonymous
                  user: {}
                contexts:
                - name: anonymous@kubernetes
                  context: {cluster: kubernetes, user: anonymous}
                current-context: anonymous@kubernetes
                """.formatted(apiserver.url()));
        ComponentProcess noKubeconfig = scheduler("scheduler-no-kubeconfig", "--kube4j.apiserver.url=" + apiserver.url(),
                "--kube4j.scheduler.leader-elect=false");
        ComponentProcess anonymousScheduler = scheduler("scheduler-anonymous", "--kube4j.apiserver.kubeconfig=" + anonymous,
                "--kube4j.scheduler.leader-elect=false");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(log(noKubeconfig, "scheduler-no-kubeconfig")).contains("PKIX path building failed");
            assertThat(log(anonymousScheduler, "scheduler-anonymous")).contains("403 Forbidden")
                    .contains("User \"system:anonymous\" cannot list resource");
        });
        Thread.sleep(3000);
        assertThat(nodeOf(admin, "web")).as("no scheduler without credentials bound the pod").isNull();
        noKubeconfig.close();
        anonymousScheduler.close();

        // its own kubeconfig and no URL: the kubeconfig's server (https://127.0.0.1:<port>), its CA and client certificate
        ComponentProcess real = scheduler("scheduler-secure", "--kube4j.apiserver.kubeconfig=" + pki.resolve("kube-scheduler.kubeconfig"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> "node-a".equals(nodeOf(admin, "web")));
        assertThat(log(real, "scheduler-secure")).doesNotContain("403 Forbidden").doesNotContain("401 Unauthorized");
    }
}
