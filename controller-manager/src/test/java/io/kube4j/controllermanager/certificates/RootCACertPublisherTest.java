package io.kube4j.controllermanager.certificates;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Namespace;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.RecordingClient;
import org.junit.jupiter.api.Test;

import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class RootCACertPublisherTest {
    static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final RootCACertPublisher controller = new RootCACertPublisher(informers, client, PEM);

    static Namespace namespace(String name) {
        Namespace ns = new Namespace();
        ns.metadata.name = name;
        ns.status.phase = "Active";
        return ns;
    }

    static ConfigMap published(String namespace, String pem, boolean annotated) {
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = namespace;
        cm.metadata.name = "kube-root-ca.crt";
        cm.metadata.resourceVersion = "5";
        if (annotated) {
            cm.metadata.annotations.put("kubernetes.io/description", RootCACertPublisher.DESCRIPTION);
        }
        cm.data.put("ca.crt", pem);
        return cm;
    }

    @Test
    void createsTheConfigMapWithTheBundleAndKubernetesDescription() {
        preload(informers.informer(Namespace.class), namespace("team"));
        controller.reconcile("team");
        assertThat(client.summaries()).containsExactly("create ConfigMap team/kube-root-ca.crt");
        ConfigMap cm = (ConfigMap) client.actions().getFirst().object();
        assertThat(cm.data).containsExactly(java.util.Map.entry("ca.crt", PEM));
        assertThat(cm.metadata.annotations).containsEntry("kubernetes.io/description",
                "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP"
                        + " or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.");
    }

    @Test
    void doesNothingWhenThePublishedMapIsRight() {
        preload(informers.informer(ConfigMap.class), published("team", PEM, true));
        controller.reconcile("team");
        assertThat(client.actions()).isEmpty();
    }

    @Test
    void putsBackChangedDataOrAMissingDescriptionWithoutTouchingTheCache() {
        ConfigMap tampered = published("team", "other", true);
        ConfigMap undescribed = published("ops", PEM, false);
        preload(informers.informer(ConfigMap.class), tampered, undescribed);
        controller.reconcile("team");
        controller.reconcile("ops");
        assertThat(client.summaries()).containsExactly("update ConfigMap team/kube-root-ca.crt", "update ConfigMap ops/kube-root-ca.crt");
        assertThat(((ConfigMap) client.actions().getFirst().object()).data).containsEntry("ca.crt", PEM);
        assertThat(tampered.data).containsEntry("ca.crt", "other");
    }

    @Test
    void aTerminatingNamespaceRefusingTheCreateIsDone() {
        client.failWhen(a -> a.verb().equals("create"), 403);
        controller.reconcile("gone");
        assertThat(client.actions()).isEmpty();
    }

    @Test
    void onlyItsOwnConfigMapAndActiveNamespacesAreQueued() {
        ConfigMap other = published("team", PEM, true);
        other.metadata.name = "settings";
        controller.configMapChanged(other);
        Namespace terminating = namespace("old");
        terminating.status.phase = "Terminating";
        controller.namespaceUpdated(terminating);
        assertThat(controller.queue().length()).isZero();
        controller.configMapChanged(published("team", PEM, true));
        assertThat(controller.queue().isQueued("team")).isTrue();
    }
}
