package io.kube4j.controllermanager;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Namespace;
import io.kube4j.api.ServiceAccount;
import io.kube4j.client.ApiClient;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ServiceAccount controller and the root CA publisher in the controller-manager against a real apiserver
 * on a real etcd: a new namespace gets its {@code default} ServiceAccount and its {@code kube-root-ca.crt}
 * ConfigMap, and both come back after being deleted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceAccountsIT {
    static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHHIG\n-----END CERTIFICATE-----\n";
    EtcdContainer etcd;
    ApiServerProcess apiServer;
    ApiClient client;
    ConfigurableApplicationContext manager;

    @BeforeAll
    void startCluster(@TempDir Path dir) throws Exception {
        ControllerManagerIT.useCopyOfApiServerJar();
        Path ca = dir.resolve("ca.crt");
        Files.writeString(ca, PEM);
        etcd = new EtcdContainer();
        etcd.start();
        apiServer = new ApiServerProcess(etcd.endpoint()).start();
        client = new ApiClient(apiServer.url());
        manager = new SpringApplicationBuilder(ControllerManagerApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=" + apiServer.url(),
                "--kube4j.controller-manager.leader-elect=false",
                "--kube4j.security.root-ca-file=" + ca);
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

    @Test
    void aNewNamespaceGetsTheDefaultServiceAccountBackAfterDeletion() {
        Namespace ns = new Namespace();
        ns.metadata.name = "team-sa";
        client.create(ns);
        await().atMost(Duration.ofSeconds(20)).until(() -> client.find(ServiceAccount.class, "team-sa", "default").isPresent());
        String firstUid = client.get(ServiceAccount.class, "team-sa", "default").metadata.uid;

        client.delete(ServiceAccount.class, "team-sa", "default");
        await().atMost(Duration.ofSeconds(20)).until(() -> client.find(ServiceAccount.class, "team-sa", "default")
                .map(sa -> !sa.metadata.uid.equals(firstUid)).orElse(false));
    }

    @Test
    void theRootCaIsPublishedInEveryNamespaceAndPutBack() {
        Namespace ns = new Namespace();
        ns.metadata.name = "team-ca";
        client.create(ns);
        await().atMost(Duration.ofSeconds(20)).until(() -> client.find(ConfigMap.class, "team-ca", "kube-root-ca.crt").isPresent());
        ConfigMap cm = client.get(ConfigMap.class, "team-ca", "kube-root-ca.crt");
        assertThat(cm.data).containsEntry("ca.crt", PEM);
        assertThat(cm.metadata.annotations).containsKey("kubernetes.io/description");
        // existing namespaces too
        await().atMost(Duration.ofSeconds(20)).until(() -> client.find(ConfigMap.class, "default", "kube-root-ca.crt").isPresent());

        cm.data.put("ca.crt", "tampered");
        client.update(cm);
        await().atMost(Duration.ofSeconds(20)).until(() -> PEM.equals(client.get(ConfigMap.class, "team-ca", "kube-root-ca.crt").data.get("ca.crt")));
        client.delete(ConfigMap.class, "team-ca", "kube-root-ca.crt");
        await().atMost(Duration.ofSeconds(20)).until(() -> client.find(ConfigMap.class, "team-ca", "kube-root-ca.crt").isPresent());
    }
}
