package io.kube4j.kubelet.services;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.Service;
import io.kube4j.client.ApiClient;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Service environment variables from the Services the apiserver really has (ClusterIPs it allocated). */
class ServiceEnvironmentProviderIT {
    static EtcdContainer etcd;
    static ApiServerProcess apiserver;
    static ApiClient api;
    static ServiceEnvironmentProvider provider;

    @BeforeAll
    static void start() {
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint()).start();
        api = new ApiClient(apiserver.url());
        provider = new ServiceEnvironmentProvider(api);
        provider.start();
    }

    @AfterAll
    static void stop() {
        if (provider != null) {
            provider.stop();
        }
        if (apiserver != null) {
            apiserver.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    static Pod pod(String namespace, Boolean serviceLinks) {
        Pod p = new Pod();
        p.metadata.name = "client";
        p.metadata.namespace = namespace;
        p.spec.enableServiceLinks = serviceLinks;
        return p;
    }

    @Test
    void containersGetTheVariablesOfTheServicesInTheirNamespaceOnly() {
        Service s = new Service();
        s.metadata.name = "web-front";
        s.metadata.namespace = "default";
        Service.ServicePort port = new Service.ServicePort();
        port.name = "http";
        port.port = 80;
        s.spec.ports.add(port);
        Service created = api.create(s);
        Container c = new Container();
        c.name = "main";

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(provider.environment(pod("default", null), c))
                .containsEntry("WEB_FRONT_SERVICE_HOST", created.spec.clusterIP)
                .containsEntry("WEB_FRONT_SERVICE_PORT_HTTP", "80")
                .containsEntry("WEB_FRONT_PORT", "tcp://" + created.spec.clusterIP + ":80"));
        // every namespace gets the apiserver's default/kubernetes Service (Kubernetes' master service), even with
        // enableServiceLinks false; another namespace's Services never
        // (the apiserver creates default/kubernetes within its 10 s reconcile interval of start)
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(provider.environment(pod("kube-system", null), c))
                .doesNotContainKey("WEB_FRONT_SERVICE_HOST")
                .containsEntry("KUBERNETES_SERVICE_HOST", "10.96.0.1").containsEntry("KUBERNETES_SERVICE_PORT", "443"));
        assertThat(provider.environment(pod("default", false), c)).containsOnlyKeys("KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT",
                "KUBERNETES_SERVICE_PORT_HTTPS", "KUBERNETES_PORT", "KUBERNETES_PORT_443_TCP", "KUBERNETES_PORT_443_TCP_PROTO",
                "KUBERNETES_PORT_443_TCP_PORT", "KUBERNETES_PORT_443_TCP_ADDR");
    }
}
