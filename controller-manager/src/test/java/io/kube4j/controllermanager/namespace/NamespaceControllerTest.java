package io.kube4j.controllermanager.namespace;

import io.kube4j.api.Deployment;
import io.kube4j.api.Namespace;
import io.kube4j.api.Pod;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.Action;
import io.kube4j.controllermanager.testing.RecordingClient;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.deployment;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.controllermanager.testing.Fixtures.pod;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class NamespaceControllerTest {
    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final NamespaceController controller = new NamespaceController(informers, client);

    static Namespace terminating() {
        Namespace ns = new Namespace();
        ns.metadata.name = "default";
        ns.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
        ns.spec.finalizers.add("kubernetes");
        ns.status.phase = "Terminating";
        return ns;
    }

    @Test
    void aTerminatingNamespaceHasItsContentsDeletedOwnersFirstAndWaits() {
        preload(informers.informer(Namespace.class), terminating());
        client.live(terminating());
        Deployment d = deployment("web", 1, Map.of("app", "web"), "nginx:1");
        Pod p = pod("p", Map.of("app", "web"), null);
        Pod leaving = pod("leaving", Map.of(), null);
        leaving.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
        client.live(d, p, leaving);

        Result result = controller.reconcile("default");

        assertThat(client.actions()).extracting(Action::summary).containsExactly("delete Deployment default/web", "delete Pod default/p",
                "updateStatus Namespace default");
        assertThat(result.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
        // Kubernetes' deletion conditions, with its wording ("pods." for the core group)
        Namespace status = (Namespace) client.actions().getLast().object();
        assertThat(status.status.conditions).extracting(c -> c.type + "=" + c.status + " " + c.reason).containsExactly(
                "NamespaceDeletionDiscoveryFailure=False ResourcesDiscovered",
                "NamespaceDeletionGroupVersionParsingFailure=False ParsedGroupVersions",
                "NamespaceDeletionContentFailure=False ContentDeleted",
                "NamespaceContentRemaining=True SomeResourcesRemain",
                "NamespaceFinalizersRemaining=False ContentHasNoFinalizers");
        assertThat(status.status.conditions.get(3).message).isEqualTo("Some resources are remaining: deployments.apps has 1 resource instances, pods. has 2 resource instances");
    }

    @Test
    void aNamespaceCreatedAgainUnderTheSameNameKeepsItsContentsWhileTheCacheLags() {
        // the cache still has the old, terminating namespace; the server already has a new one
        preload(informers.informer(Namespace.class), terminating());
        Namespace recreated = terminating();
        recreated.metadata.uid = "uid-new";
        recreated.metadata.deletionTimestamp = null;
        recreated.status.phase = "Active";
        client.live(recreated, pod("p", Map.of("app", "web"), null));

        Result result = controller.reconcile("default");

        assertThat(client.actions()).isEmpty();
        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
    }

    @Test
    void anEmptyTerminatingNamespaceIsFinalized() {
        preload(informers.informer(Namespace.class), terminating());
        client.live(terminating());

        controller.reconcile("default");

        assertThat(client.actions()).extracting(Action::summary).containsExactly("updateStatus Namespace default", "finalize Namespace default");
        assertThat(client.actions().getLast()).satisfies(a -> {
            assertThat(a.summary()).isEqualTo("finalize Namespace default");
            assertThat(((Namespace) a.object()).spec.finalizers).doesNotContain("kubernetes");
        });
    }

    @Test
    void anActiveNamespaceIsLeftAlone() {
        Namespace ns = terminating();
        ns.metadata.deletionTimestamp = null;
        preload(informers.informer(Namespace.class), ns);
        client.live(pod("p", Map.of(), null));

        controller.reconcile("default");

        assertThat(client.actions()).isEmpty();
    }

    static final io.kube4j.controllermanager.runtime.ApiResource WIDGETS = new io.kube4j.controllermanager.runtime.ApiResource(
            "example.com", "v1", "widgets", "Widget", true, java.util.List.of("delete", "get", "list"));

    static io.kube4j.controllermanager.runtime.CustomObject widget(String name, String... finalizers) {
        io.kube4j.controllermanager.runtime.CustomObject w = new io.kube4j.controllermanager.runtime.CustomObject();
        w.apiVersion = "example.com/v1";
        w.kind = "Widget";
        w.metadata.namespace = "default";
        w.metadata.name = name;
        w.metadata.finalizers.addAll(java.util.List.of(finalizers));
        w.resource = WIDGETS;
        return w;
    }

    @Test
    void customResourcesFoundByDiscoveryAreDeletedAndHoldTheNamespaceWithTheirFinalizers() {
        io.kube4j.controllermanager.runtime.CustomResources custom = new io.kube4j.controllermanager.runtime.CustomResources(null, java.time.Duration.ZERO);
        custom.setResources(java.util.List.of(WIDGETS));
        NamespaceController withCustom = new NamespaceController(informers, client, custom, 0);
        preload(informers.informer(Namespace.class), terminating());
        // the controller reads the namespace live before deleting its contents (as Kubernetes' deleter does)
        client.live(terminating());
        io.kube4j.controllermanager.runtime.CustomObject held = widget("held", "example.com/hold");
        held.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
        client.live(widget("plain"), held);

        Result result = withCustom.reconcile("default");

        assertThat(client.actions()).extracting(Action::summary).containsExactly("delete Widget default/plain", "updateStatus Namespace default");
        assertThat(result.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
        Namespace status = (Namespace) client.actions().getLast().object();
        assertThat(status.status.conditions).extracting(c -> c.type + "=" + c.status + " " + c.reason + ": " + c.message).contains(
                "NamespaceContentRemaining=True SomeResourcesRemain: Some resources are remaining: widgets.example.com has 2 resource instances",
                "NamespaceFinalizersRemaining=True SomeFinalizersRemain: Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances");
    }

    @Test
    void aNamespaceWhoseCustomResourcesAreGoneIsFinalized() {
        io.kube4j.controllermanager.runtime.CustomResources custom = new io.kube4j.controllermanager.runtime.CustomResources(null, java.time.Duration.ZERO);
        custom.setResources(java.util.List.of(WIDGETS));
        NamespaceController withCustom = new NamespaceController(informers, client, custom, 0);
        preload(informers.informer(Namespace.class), terminating());
        // the controller reads the namespace live before deleting its contents (as Kubernetes' deleter does)
        client.live(terminating());
        io.kube4j.controllermanager.runtime.CustomObject elsewhere = widget("elsewhere");
        elsewhere.metadata.namespace = "other";
        client.live(elsewhere);

        withCustom.reconcile("default");

        assertThat(client.summaries()).containsExactly("updateStatus Namespace default", "finalize Namespace default");
    }

    @Test
    void aFailedDiscoveryIsReportedAndKeepsTheNamespaceFromBeingFinalized() {
        // nothing listens on port 1: discovery fails as a whole
        io.kube4j.controllermanager.runtime.CustomResources custom = new io.kube4j.controllermanager.runtime.CustomResources(
                new io.kube4j.client.ApiClient("http://127.0.0.1:1"), java.time.Duration.ofSeconds(30));
        NamespaceController withCustom = new NamespaceController(informers, client, custom, 0);
        preload(informers.informer(Namespace.class), terminating());
        // the controller reads the namespace live before deleting its contents (as Kubernetes' deleter does)
        client.live(terminating());

        Result result = withCustom.reconcile("default");

        assertThat(client.summaries()).containsExactly("updateStatus Namespace default");
        assertThat(result.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
        Namespace status = (Namespace) client.actions().getLast().object();
        assertThat(status.status.conditions.getFirst()).satisfies(c -> {
            assertThat(c.type + "=" + c.status + " " + c.reason).isEqualTo("NamespaceDeletionDiscoveryFailure=True DiscoveryFailed");
            assertThat(c.message).contains("no apiserver reachable");
        });
    }
}
