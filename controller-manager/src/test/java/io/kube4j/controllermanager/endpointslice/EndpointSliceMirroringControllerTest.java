package io.kube4j.controllermanager.endpointslice;

import io.kube4j.api.EndpointSlice;
import io.kube4j.api.Endpoints;
import io.kube4j.api.Service;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

/** Reconcile tests for the EndpointSliceMirroring controller, after Kubernetes' {@code reconciler_test.go} there. */
class EndpointSliceMirroringControllerTest {
    static final String KEY = NS + "/ext";

    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final EndpointSliceMirroringController controller = new EndpointSliceMirroringController(informers, client);

    static Service selectorless() {
        Service s = new Service();
        s.metadata.namespace = NS;
        s.metadata.name = "ext";
        s.metadata.uid = "uid-svc-ext";
        Service.ServicePort p = new Service.ServicePort();
        p.name = "db";
        p.port = 5432;
        s.spec.ports.add(p);
        return s;
    }

    static Endpoints endpoints(List<String> ready, List<String> notReady) {
        Endpoints e = new Endpoints();
        e.metadata.namespace = NS;
        e.metadata.name = "ext";
        e.metadata.uid = "uid-eps-ext";
        e.metadata.labels.put("team", "data");
        e.metadata.annotations.put("note", "by hand");
        e.metadata.annotations.put("kubectl.kubernetes.io/last-applied-configuration", "{}");
        Endpoints.EndpointSubset ss = new Endpoints.EndpointSubset();
        for (String ip : ready) {
            Endpoints.EndpointAddress a = new Endpoints.EndpointAddress();
            a.ip = ip;
            ss.addresses.add(a);
        }
        for (String ip : notReady) {
            Endpoints.EndpointAddress a = new Endpoints.EndpointAddress();
            a.ip = ip;
            ss.notReadyAddresses.add(a);
        }
        Endpoints.EndpointPort p = new Endpoints.EndpointPort();
        p.name = "db";
        p.port = 5432;
        p.protocol = "TCP";
        ss.ports.add(p);
        e.subsets.add(ss);
        return e;
    }

    EndpointSlice stored(EndpointSlice s) {
        EndpointSlice out = Json.copy(s);
        out.metadata.uid = "uid-" + out.metadata.name;
        out.metadata.generation = 1L;
        out.metadata.resourceVersion = "1";
        return out;
    }

    @Test
    void theEndpointsOfASelectorlessServiceAreMirroredIntoASlice() {
        preload(informers.informer(Service.class), selectorless());
        preload(informers.informer(Endpoints.class), endpoints(List.of("192.168.1.10"), List.of("192.168.1.11")));

        controller.reconcile(KEY);

        assertThat(client.summaries()).hasSize(1).first().asString().startsWith("create EndpointSlice default/ext-");
        EndpointSlice s = (EndpointSlice) client.actions().getFirst().object();
        assertThat(s.metadata.generateName).isEqualTo("ext-");
        assertThat(s.metadata.labels).containsExactlyInAnyOrderEntriesOf(Map.of("team", "data",
                "kubernetes.io/service-name", "ext", "endpointslice.kubernetes.io/managed-by", "endpointslicemirroring-controller.k8s.io"));
        assertThat(s.metadata.annotations).containsExactly(Map.entry("note", "by hand"));
        assertThat(s.metadata.ownerReferences).singleElement().satisfies(o -> {
            assertThat(o.kind).isEqualTo("Endpoints");
            assertThat(o.apiVersion).isEqualTo("v1");
            assertThat(o.uid).isEqualTo("uid-eps-ext");
            assertThat(o.controller).isTrue();
        });
        assertThat(s.addressType).isEqualTo("IPv4");
        assertThat(s.ports).singleElement().satisfies(p -> {
            assertThat(p.name).isEqualTo("db");
            assertThat(p.port).isEqualTo(5432);
        });
        assertThat(s.endpoints).extracting(e -> e.addresses.getFirst(), e -> e.conditions.ready, e -> e.conditions.serving)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("192.168.1.10", true, null),
                        org.assertj.core.groups.Tuple.tuple("192.168.1.11", false, null));
    }

    @Test
    void aMirrorThatMatchesIsNotWrittenAgainAndAChangeUpdatesIt() {
        preload(informers.informer(Service.class), selectorless());
        preload(informers.informer(Endpoints.class), endpoints(List.of("192.168.1.10"), List.of()));
        controller.reconcile(KEY);
        EndpointSlice mirrored = stored((EndpointSlice) client.actions().getFirst().object());
        preload(informers.informer(EndpointSlice.class), mirrored);
        client.clear();

        controller.reconcile(KEY);
        assertThat(client.actions()).isEmpty();

        preload(informers.informer(Endpoints.class), endpoints(List.of("192.168.1.10", "192.168.1.12"), List.of()));
        controller.reconcile(KEY);
        assertThat(client.summaries()).containsExactly("update EndpointSlice " + NS + "/" + mirrored.metadata.name);
        assertThat(((EndpointSlice) client.actions().getFirst().object()).endpoints).hasSize(2);
    }

    @Test
    void mirroredSlicesGoWhenTheServiceGetsASelector() {
        Service svc = selectorless();
        svc.spec.selector.put("app", "db");
        preload(informers.informer(Service.class), svc);
        preload(informers.informer(Endpoints.class), endpoints(List.of("192.168.1.10"), List.of()));
        EndpointSlice old = EndpointSliceMirroringController.newSlice(endpoints(List.of(), List.of()), List.of(), "IPv4", "ext-abcde");
        preload(informers.informer(EndpointSlice.class), stored(old));

        controller.reconcile(KEY);

        assertThat(client.summaries()).containsExactly("delete EndpointSlice " + NS + "/ext-abcde");
    }

    @Test
    void endpointsMarkedSkipMirrorAreNotMirrored() {
        preload(informers.informer(Service.class), selectorless());
        Endpoints eps = endpoints(List.of("192.168.1.10"), List.of());
        eps.metadata.labels.put("endpointslice.kubernetes.io/skip-mirror", "true");
        preload(informers.informer(Endpoints.class), eps);

        controller.reconcile(KEY);

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void invalidAddressesAreSkippedWithAnEvent() {
        preload(informers.informer(Service.class), selectorless());
        preload(informers.informer(Endpoints.class), endpoints(List.of("192.168.1.10", "not-an-ip"), List.of()));

        controller.reconcile(KEY);

        assertThat(((EndpointSlice) client.actions().getFirst().object()).endpoints).hasSize(1);
        assertThat(client.events()).singleElement().satisfies(e -> {
            assertThat(e.reason).isEqualTo("InvalidIPAddress");
            assertThat(e.message).isEqualTo("Skipped 1 invalid IP addresses when mirroring to EndpointSlices");
        });
    }
}
