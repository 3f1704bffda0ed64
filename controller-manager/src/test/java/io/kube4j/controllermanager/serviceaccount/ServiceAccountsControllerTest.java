package io.kube4j.controllermanager.serviceaccount;

import io.kube4j.api.Namespace;
import io.kube4j.api.ServiceAccount;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.RecordingClient;
import org.junit.jupiter.api.Test;

import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class ServiceAccountsControllerTest {
    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final ServiceAccountsController controller = new ServiceAccountsController(informers, client);

    static Namespace namespace(String name, boolean terminating) {
        Namespace ns = new Namespace();
        ns.metadata.name = name;
        ns.status.phase = terminating ? "Terminating" : "Active";
        return ns;
    }

    @Test
    void createsTheDefaultServiceAccountInANewNamespace() {
        preload(informers.informer(Namespace.class), namespace("team", false));
        controller.reconcile("team");
        assertThat(client.summaries()).containsExactly("create ServiceAccount team/default");
    }

    @Test
    void doesNothingWhenItExistsOrTheNamespaceIsTerminating() {
        ServiceAccount sa = new ServiceAccount();
        sa.metadata.namespace = "team";
        sa.metadata.name = "default";
        preload(informers.informer(Namespace.class), namespace("team", false), namespace("old", true));
        preload(informers.informer(ServiceAccount.class), sa);
        controller.reconcile("team");
        controller.reconcile("old");
        assertThat(client.actions()).isEmpty();
    }
}
