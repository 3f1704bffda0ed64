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

    @Test
    void aDeletedDefaultAccountIsRecreated() {
        ServiceAccount sa = new ServiceAccount();
        sa.metadata.namespace = "team";
        sa.metadata.name = "default";
        ServiceAccount other = new ServiceAccount();
        other.metadata.namespace = "team";
        other.metadata.name = "robot";
        preload(informers.informer(Namespace.class), namespace("team", false));
        // another account's deletion is none of this controller's business
        controller.serviceAccountDeleted(other);
        assertThat(controller.queue().length()).isZero();
        controller.serviceAccountDeleted(sa);
        assertThat(controller.queue().isQueued("team")).isTrue();
        // the informer's store no longer has it: reconcile creates it again
        controller.reconcile("team");
        assertThat(client.summaries()).containsExactly("create ServiceAccount team/default");
    }

    @Test
    void aNamespaceChangeQueuesIt() {
        controller.namespaceChanged(namespace("team", false));
        assertThat(controller.queue().isQueued("team")).isTrue();
    }

    @Test
    void anAccountCreatedMeanwhileIsDoneButOtherErrorsAreRetried() {
        preload(informers.informer(Namespace.class), namespace("team", false));
        client.failWhen(a -> a.verb().equals("create"), 409);
        controller.reconcile("team");
        client.failWhen(a -> a.verb().equals("create"), 500);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> controller.reconcile("team"))
                .isInstanceOf(io.kube4j.client.ApiException.class);
    }
}
