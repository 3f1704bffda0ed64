package io.kube4j.controllermanager.garbagecollector;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Deployment;
import io.kube4j.api.OwnerReference;
import io.kube4j.controllermanager.runtime.ApiResource;
import io.kube4j.controllermanager.runtime.CustomObject;
import io.kube4j.controllermanager.runtime.CustomResources;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.Action;
import io.kube4j.controllermanager.testing.RecordingClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.deployment;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

/** The garbage collector over custom resources found by discovery, as owners and as dependents. */
class GarbageCollectorCustomResourcesTest {
    static final ApiResource WIDGETS = new ApiResource("example.com", "v1", "widgets", "Widget", true,
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"));

    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final CustomResources customResources = new CustomResources(null, Duration.ZERO);
    final GarbageCollector gc = new GarbageCollector(informers, client, customResources);

    GarbageCollectorCustomResourcesTest() {
        customResources.setResources(List.of(WIDGETS));
    }

    static CustomObject widget(String name) {
        CustomObject w = new CustomObject();
        w.apiVersion = "example.com/v1";
        w.kind = "Widget";
        w.metadata.namespace = NS;
        w.metadata.name = name;
        w.metadata.uid = "uid-" + name;
        w.metadata.resourceVersion = "7";
        w.unknownFields.put("spec", Map.of("size", 3));
        w.resource = WIDGETS;
        return w;
    }

    static ConfigMap configMapOwnedBy(String name, CustomObject owner) {
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = NS;
        cm.metadata.name = name;
        cm.metadata.uid = "uid-" + name;
        cm.metadata.resourceVersion = "3";
        cm.metadata.ownerReferences.add(OwnerReference.controllerOf(owner));
        return cm;
    }

    @Test
    void aConfigMapWhoseCustomResourceOwnerIsGoneIsDeleted() {
        ConfigMap cm = configMapOwnedBy("settings", widget("gone"));
        preload(informers.informer(ConfigMap.class), cm);

        gc.reconcile("ConfigMap|" + NS + "/settings");

        assertThat(client.actions()).singleElement().satisfies(a -> {
            assertThat(a.summary()).isEqualTo("delete ConfigMap default/settings");
            assertThat(a.patch()).isEqualTo("Background");
        });
    }

    @Test
    void aCustomResourceOwnerInTheCacheOrFoundLiveKeepsItsDependents() {
        CustomObject cached = widget("cached");
        CustomObject live = widget("live");
        customResources.replace(WIDGETS, List.of(cached));
        client.live(live);
        preload(informers.informer(ConfigMap.class), configMapOwnedBy("a", cached), configMapOwnedBy("b", live));

        Result a = gc.reconcile("ConfigMap|" + NS + "/a");
        Result b = gc.reconcile("ConfigMap|" + NS + "/b");

        assertThat(client.actions()).isEmpty();
        assertThat(a.kind()).isEqualTo(Result.Kind.DONE);
        // not yet in the polled cache: its deletion might be missed, so the dependent is looked at again
        assertThat(b.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
    }

    @Test
    void anOwnerOfAnUndiscoveredKindIsNeverJudgedGoneButLookedAtAgain() {
        CustomObject gadget = widget("g");
        gadget.apiVersion = "other.io/v1";
        gadget.kind = "Gadget";
        preload(informers.informer(ConfigMap.class), configMapOwnedBy("c", gadget));

        Result result = gc.reconcile("ConfigMap|" + NS + "/c");

        assertThat(client.actions()).isEmpty();
        assertThat(result.kind()).isEqualTo(Result.Kind.RETRY);

        // once discovery serves its kind, the dependent of the gone owner is collected
        customResources.setResources(List.of(WIDGETS, new ApiResource("other.io", "v1", "gadgets", "Gadget", true, List.of("get", "list", "delete"))));
        assertThat(gc.reconcile("ConfigMap|" + NS + "/c").kind()).isEqualTo(Result.Kind.DONE);
        assertThat(client.summaries()).containsExactly("delete ConfigMap default/c");
    }

    @Test
    void aCustomResourceWhoseOwnerIsGoneIsDeletedThroughItsOwnPath() {
        Deployment gone = deployment("web", 1, Map.of("app", "web"), "nginx:1");
        CustomObject w = widget("w");
        w.metadata.ownerReferences.add(OwnerReference.controllerOf(gone));
        customResources.replace(WIDGETS, List.of(w));

        gc.reconcile("widgets.example.com|" + NS + "/w");

        assertThat(client.summaries()).containsExactly("delete Widget default/w");
        assertThat(client.deleteOptions().getFirst().preconditions.uid).isEqualTo("uid-w");
    }

    @Test
    void aCustomResourceDeletedInTheForegroundWaitsForItsDependentsThenLosesItsFinalizer() {
        CustomObject w = widget("fg");
        w.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
        w.metadata.finalizers.add("foregroundDeletion");
        customResources.replace(WIDGETS, List.of(w));
        preload(informers.informer(ConfigMap.class), configMapOwnedBy("dep", w));

        Result first = gc.reconcile("widgets.example.com|" + NS + "/fg");

        assertThat(client.actions()).singleElement().satisfies(a -> {
            assertThat(a.summary()).isEqualTo("delete ConfigMap default/dep");
            assertThat(a.patch()).isEqualTo("Foreground");
        });
        assertThat(first.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);

        // the dependent is gone: the owner's finalizer is removed with a PUT that keeps its spec
        io.kube4j.informer.TestStores.remove(informers.informer(ConfigMap.class), configMapOwnedBy("dep", w));
        client.clear();
        gc.reconcile("widgets.example.com|" + NS + "/fg");

        assertThat(client.actions()).singleElement().satisfies(a -> {
            assertThat(a.summary()).isEqualTo("update Widget default/fg");
            assertThat(a.object().metadata.finalizers).doesNotContain("foregroundDeletion");
            assertThat(a.object().unknownFields).containsEntry("spec", Map.of("size", 3));
            assertThat(a.object().metadata.resourceVersion).isEqualTo("7");
        });
        // the cached object was not mutated
        assertThat(customResources.get("widgets.example.com", NS + "/fg").metadata.finalizers).containsExactly("foregroundDeletion");
    }

    @Test
    void aCustomResourceWithTheOrphanFinalizerReleasesItsDependents() {
        CustomObject w = widget("o");
        w.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
        w.metadata.finalizers.add("orphan");
        customResources.replace(WIDGETS, List.of(w));
        preload(informers.informer(ConfigMap.class), configMapOwnedBy("kept", w));

        gc.reconcile("widgets.example.com|" + NS + "/o");

        assertThat(client.actions()).extracting(Action::summary).containsExactly("patch ConfigMap default/kept", "update Widget default/o");
        assertThat(client.actions().getFirst().patch()).isEqualTo("{\"metadata\":{\"ownerReferences\":null}}");
    }

    @Test
    void theDeletionOfACustomResourceQueuesItsDependents() {
        CustomObject w = widget("owner");
        customResources.replace(WIDGETS, List.of(w));
        preload(informers.informer(ConfigMap.class), configMapOwnedBy("dep", w));

        customResources.replace(WIDGETS, List.of());

        assertThat(gc.queue().isQueued("ConfigMap|" + NS + "/dep")).isTrue();
    }

    @Test
    void aCustomResourceThatStopsBeingServedCountsAsDeleted() {
        CustomObject w = widget("owner");
        customResources.replace(WIDGETS, List.of(w));
        preload(informers.informer(ConfigMap.class), configMapOwnedBy("dep", w));

        customResources.setResources(List.of());

        assertThat(gc.queue().isQueued("ConfigMap|" + NS + "/dep")).isTrue();
        assertThat(customResources.get("widgets.example.com", NS + "/owner")).isNull();
    }
}
