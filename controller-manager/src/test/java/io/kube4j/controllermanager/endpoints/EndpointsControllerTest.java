package io.kube4j.controllermanager.endpoints;

import io.kube4j.api.Container;
import io.kube4j.api.Endpoints;
import io.kube4j.api.IntOrString;
import io.kube4j.api.Pod;
import io.kube4j.api.Service;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.RecordingClient;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.controllermanager.testing.Fixtures.pod;
import static io.kube4j.controllermanager.testing.Fixtures.ready;
import static io.kube4j.controllermanager.testing.Fixtures.running;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class EndpointsControllerTest {
    static final Map<String, String> LABELS = Map.of("app", "web");

    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final EndpointsController controller = new EndpointsController(informers, client);

    static Service service(IntOrString targetPort) {
        Service s = new Service();
        s.metadata.namespace = NS;
        s.metadata.name = "web";
        s.metadata.resourceVersion = "3";
        s.spec.selector.putAll(LABELS);
        Service.ServicePort p = new Service.ServicePort();
        p.name = "http";
        p.port = 80;
        p.protocol = "TCP";
        p.targetPort = targetPort;
        s.spec.ports.add(p);
        return s;
    }

    static Pod withPort(Pod p, String name, int port) {
        Container c = new Container();
        c.name = "app";
        Container.ContainerPort cp = new Container.ContainerPort();
        cp.name = name;
        cp.containerPort = port;
        c.ports.add(cp);
        p.spec.containers.add(c);
        return p;
    }

    @Test
    void readyPodsAreAddressesAndOthersNotReadyAddressesWithTheNamedPortResolved() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        Pod ok = withPort(ready(pod("a", LABELS, null), "n1", Instant.EPOCH), "http", 8080);
        Pod starting = withPort(running(pod("b", LABELS, null), "n2"), "http", 8080);
        starting.status.podIP = "10.0.0.99";
        Pod elsewhere = withPort(ready(pod("c", Map.of("app", "db"), null), "n1", Instant.EPOCH), "http", 8080);
        preload(informers.informer(Pod.class), ok, starting, elsewhere);

        controller.reconcile(NS + "/web");

        Endpoints e = (Endpoints) client.actions("create", "Endpoints").getFirst().object();
        assertThat(e.metadata.name).isEqualTo("web");
        assertThat(e.subsets).singleElement().satisfies(s -> {
            assertThat(s.addresses).extracting(a -> a.targetRef.name).containsExactly("a");
            assertThat(s.notReadyAddresses).extracting(a -> a.ip).containsExactly("10.0.0.99");
            assertThat(s.ports).singleElement().satisfies(p -> {
                assertThat(p.port).isEqualTo(8080);
                assertThat(p.name).isEqualTo("http");
            });
        });
    }

    @Test
    void podsWithDifferentPortsGoIntoDifferentSubsetsAndPodsWithoutThePortAreLeftOut() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        preload(informers.informer(Pod.class),
                withPort(ready(pod("a", LABELS, null), "n1", Instant.EPOCH), "http", 8080),
                withPort(ready(pod("b", LABELS, null), "n1", Instant.EPOCH), "http", 9090),
                withPort(ready(pod("c", LABELS, null), "n1", Instant.EPOCH), "metrics", 9100));

        controller.reconcile(NS + "/web");

        Endpoints e = (Endpoints) client.actions("create", "Endpoints").getFirst().object();
        assertThat(e.subsets).hasSize(2);
        assertThat(e.subsets).extracting(s -> s.ports.getFirst().port).containsExactlyInAnyOrder(8080, 9090);
    }

    @Test
    void aPodWhoseSubdomainNamesTheServiceHasItsHostnameOnItsAddress() {
        // a StatefulSet pod (hostname web-0, subdomain web) and a pod whose subdomain names another service
        preload(informers.informer(Service.class), service(IntOrString.of(8080)));
        Pod member = ready(pod("web-0", LABELS, null), "n1", Instant.EPOCH);
        member.spec.hostname = "web-0";
        member.spec.subdomain = "web";
        Pod other = ready(pod("other", LABELS, null), "n1", Instant.EPOCH);
        other.spec.hostname = "other";
        other.spec.subdomain = "db";
        preload(informers.informer(Pod.class), member, other);

        controller.reconcile(NS + "/web");

        Endpoints e = (Endpoints) client.actions("create", "Endpoints").getFirst().object();
        assertThat(e.subsets).singleElement().satisfies(s -> assertThat(s.addresses)
                .extracting(a -> a.targetRef.name + "=" + a.hostname)
                .containsExactly("other=null", "web-0=web-0"));
    }

    @Test
    void unchangedEndpointsAreNotWrittenAgain() {
        Service svc = service(IntOrString.of(8080));
        preload(informers.informer(Service.class), svc);
        preload(informers.informer(Pod.class), ready(pod("a", LABELS, null), "n1", Instant.EPOCH));
        controller.reconcile(NS + "/web");
        Endpoints written = (Endpoints) client.actions("create", "Endpoints").getFirst().object();
        written.metadata.resourceVersion = "4";
        preload(informers.informer(Endpoints.class), written);
        client.clear();

        controller.reconcile(NS + "/web");

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void theEndpointsOfADeletedServiceAreDeleted() {
        Endpoints stale = new Endpoints();
        stale.metadata.namespace = NS;
        stale.metadata.name = "web";
        preload(informers.informer(Endpoints.class), stale);

        controller.reconcile(NS + "/web");

        assertThat(client.summaries()).containsExactly("delete Endpoints default/web");
    }

    @Test
    void aServiceWithoutSelectorIsLeftToItsOwner() {
        Service manual = service(IntOrString.of(80));
        manual.spec.selector.clear();
        preload(informers.informer(Service.class), manual);

        controller.reconcile(NS + "/web");

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void aPodChangeQueuesTheServicesSelectingIt() {
        preload(informers.informer(Service.class), service(IntOrString.of(80)));

        controller.podChanged(pod("a", LABELS, null));

        assertThat(controller.queue().isQueued(NS + "/web")).isTrue();
    }
}
