package io.kube4j.kubelet.services;

import io.kube4j.api.Pod;
import io.kube4j.api.Service;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which Services a pod's containers get variables for (Kubernetes' kubelet getServiceEnvVarMap). */
class ServiceEnvironmentProviderTest {

    static Service service(String namespace, String name, String ip) {
        Service s = new Service();
        s.metadata.namespace = namespace;
        s.metadata.name = name;
        s.spec.clusterIP = ip;
        return s;
    }

    static Pod pod(String namespace, Boolean links) {
        Pod p = new Pod();
        p.metadata.namespace = namespace;
        p.metadata.name = "p";
        p.spec.enableServiceLinks = links;
        return p;
    }

    @Test
    void aPodInAnyNamespaceSeesTheMasterServiceAndItsOwnNamespacesServices() {
        Service master = service("default", "kubernetes", "10.96.0.1");
        List<Service> visible = ServiceEnvironmentProvider.visible(pod("team-a", null), master, List.of(service("team-a", "web", "10.96.0.20")));
        assertThat(visible).extracting(s -> s.metadata.namespace + "/" + s.metadata.name).containsExactly("default/kubernetes", "team-a/web");
    }

    @Test
    void withServiceLinksOffOnlyTheMasterServiceRemains() {
        Service master = service("default", "kubernetes", "10.96.0.1");
        List<Service> visible = ServiceEnvironmentProvider.visible(pod("team-a", false), master, List.of(service("team-a", "web", "10.96.0.20")));
        assertThat(visible).extracting(s -> s.metadata.name).containsExactly("kubernetes");
    }

    @Test
    void aServiceNamedKubernetesInThePodsNamespaceWins() {
        Service master = service("default", "kubernetes", "10.96.0.1");
        List<Service> visible = ServiceEnvironmentProvider.visible(pod("team-a", null), master, List.of(service("team-a", "kubernetes", "10.96.0.99")));
        assertThat(visible).singleElement().satisfies(s -> assertThat(s.spec.clusterIP).isEqualTo("10.96.0.99"));
    }

    @Test
    void withoutAMasterServiceOnlyTheNamespacesServicesCount() {
        List<Service> visible = ServiceEnvironmentProvider.visible(pod("default", null), null, List.of(service("default", "web", "10.96.0.20")));
        assertThat(visible).extracting(s -> s.metadata.name).containsExactly("web");
    }
}
