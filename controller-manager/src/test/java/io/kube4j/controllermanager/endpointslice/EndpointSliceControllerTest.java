package io.kube4j.controllermanager.endpointslice;

import io.kube4j.api.Container;
import io.kube4j.api.EndpointSlice;
import io.kube4j.api.IntOrString;
import io.kube4j.api.Node;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.api.Service;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.Action;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.controllermanager.testing.Fixtures.pod;
import static io.kube4j.controllermanager.testing.Fixtures.ready;
import static io.kube4j.controllermanager.testing.Fixtures.running;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reconcile tests for the EndpointSlice controller with preloaded caches and a recording client, after
 * Kubernetes' {@code endpointslice_controller_test.go} and {@code reconciler_test.go}.
 */
class EndpointSliceControllerTest {
    static final Map<String, String> LABELS = Map.of("app", "web");
    static final String KEY = NS + "/web";

    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final EndpointSliceController controller = new EndpointSliceController(informers, client);

    @BeforeEach
    void nodes() {
        Node n1 = new Node();
        n1.metadata.name = "n1";
        n1.metadata.labels.put("topology.kubernetes.io/zone", "zone-a");
        Node n2 = new Node();
        n2.metadata.name = "n2";
        preload(informers.informer(Node.class), n1, n2);
    }

    static Service service(IntOrString targetPort) {
        Service s = new Service();
        s.metadata.namespace = NS;
        s.metadata.name = "web";
        s.metadata.uid = "uid-svc-web";
        s.metadata.resourceVersion = "3";
        s.spec.selector.putAll(LABELS);
        s.spec.clusterIP = "10.96.0.10";
        s.spec.ipFamilies.add("IPv4");
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

    static Pod readyPod(String name, String node, String ip) {
        Pod p = withPort(ready(pod(name, LABELS, null), node, Instant.EPOCH), "http", 8080);
        p.status.podIP = ip;
        return p;
    }

    EndpointSlice created(int i) {
        return (EndpointSlice) client.actions("create", "EndpointSlice").get(i).object();
    }

    /** The slice as the apiserver stored it (uid, generation), as the next reconcile finds it in the cache. */
    static EndpointSlice stored(EndpointSlice s) {
        EndpointSlice out = Json.copy(s);
        out.metadata.uid = "uid-" + out.metadata.name;
        out.metadata.resourceVersion = "1";
        out.metadata.generation = 1L;
        return out;
    }

    /** Reconciles once and puts what was created or updated into the slice cache, as the informer would. */
    void reconcileAndObserve() {
        client.clear();
        assertThat(controller.reconcile(KEY).kind()).isEqualTo(Result.Kind.DONE);
        for (Action a : client.actions()) {
            if (a.object() instanceof EndpointSlice s) {
                preload(informers.informer(EndpointSlice.class), stored(s));
            }
        }
    }

    @Test
    void aNewServiceGetsOneSliceWithItsReadyPodsAsKubernetesWritesIt() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        preload(informers.informer(Pod.class), readyPod("a", "n1", "10.0.0.1"), readyPod("b", "n2", "10.0.0.2"),
                readyPod("other", "n1", "10.0.0.3"));
        informers.informer(Pod.class).store().get(NS, "other").metadata.labels.put("app", "db");

        Result r = controller.reconcile(KEY);

        assertThat(r.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(client.summaries()).hasSize(1).first().asString().startsWith("create EndpointSlice default/web-");
        EndpointSlice s = created(0);
        assertThat(s.metadata.generateName).isEqualTo("web-");
        assertThat(s.metadata.labels).containsExactlyInAnyOrderEntriesOf(Map.of(
                "kubernetes.io/service-name", "web",
                "endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"));
        OwnerReference owner = s.metadata.ownerReferences.getFirst();
        assertThat(owner.apiVersion).isEqualTo("v1");
        assertThat(owner.kind).isEqualTo("Service");
        assertThat(owner.name).isEqualTo("web");
        assertThat(owner.uid).isEqualTo("uid-svc-web");
        assertThat(owner.controller).isTrue();
        assertThat(owner.blockOwnerDeletion).isTrue();
        assertThat(s.addressType).isEqualTo("IPv4");
        assertThat(s.ports).singleElement().satisfies(p -> {
            assertThat(p.name).isEqualTo("http");
            assertThat(p.port).isEqualTo(8080);
            assertThat(p.protocol).isEqualTo("TCP");
        });
        assertThat(s.endpoints).extracting(e -> e.addresses).containsExactly(List.of("10.0.0.1"), List.of("10.0.0.2"));
        EndpointSlice.Endpoint a = s.endpoints.getFirst();
        assertThat(a.conditions.ready).isTrue();
        assertThat(a.conditions.serving).isTrue();
        assertThat(a.conditions.terminating).isFalse();
        assertThat(a.targetRef.kind).isEqualTo("Pod");
        assertThat(a.targetRef.name).isEqualTo("a");
        assertThat(a.targetRef.namespace).isEqualTo(NS);
        assertThat(a.targetRef.uid).isEqualTo("uid-a");
        assertThat(a.nodeName).isEqualTo("n1");
        assertThat(a.zone).isEqualTo("zone-a");
        assertThat(a.hostname).isNull();
        // n2 has no zone label: no zone
        assertThat(s.endpoints.get(1).zone).isNull();
    }

    @Test
    void nothingIsWrittenWhenNothingChanged() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        preload(informers.informer(Pod.class), readyPod("a", "n1", "10.0.0.1"));
        reconcileAndObserve();

        client.clear();
        controller.reconcile(KEY);

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void aPodBecomingReadyUpdatesItsConditionsInTheSameSlice() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        Pod starting = withPort(running(pod("a", LABELS, null), "n1"), "http", 8080);
        starting.status.podIP = "10.0.0.1";
        preload(informers.informer(Pod.class), starting);
        reconcileAndObserve();
        EndpointSlice first = created(0);
        assertThat(first.endpoints.getFirst().conditions.ready).isFalse();
        assertThat(first.endpoints.getFirst().conditions.serving).isFalse();

        preload(informers.informer(Pod.class), readyPod("a", "n1", "10.0.0.1"));
        client.clear();
        controller.reconcile(KEY);

        assertThat(client.summaries()).containsExactly("update EndpointSlice " + NS + "/" + first.metadata.name);
        EndpointSlice updated = (EndpointSlice) client.actions().getFirst().object();
        assertThat(updated.endpoints).singleElement().satisfies(e -> {
            assertThat(e.conditions.ready).isTrue();
            assertThat(e.conditions.serving).isTrue();
            assertThat(e.conditions.terminating).isFalse();
        });
    }

    @Test
    void aTerminatingReadyPodIsServingAndTerminatingButNotReady() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        Pod leaving = readyPod("a", "n1", "10.0.0.1");
        leaving.metadata.deletionTimestamp = Times.format(Instant.EPOCH);
        preload(informers.informer(Pod.class), leaving);

        controller.reconcile(KEY);

        EndpointSlice.EndpointConditions c = created(0).endpoints.getFirst().conditions;
        assertThat(c.ready).isFalse();
        assertThat(c.serving).isTrue();
        assertThat(c.terminating).isTrue();
    }

    @Test
    void publishNotReadyAddressesMakesNotReadyPodsReady() {
        Service svc = service(IntOrString.of("http"));
        svc.spec.publishNotReadyAddresses = true;
        preload(informers.informer(Service.class), svc);
        Pod starting = withPort(running(pod("a", LABELS, null), "n1"), "http", 8080);
        starting.status.podIP = "10.0.0.1";
        preload(informers.informer(Pod.class), starting);

        controller.reconcile(KEY);

        EndpointSlice.EndpointConditions c = created(0).endpoints.getFirst().conditions;
        assertThat(c.ready).isTrue();
        assertThat(c.serving).isFalse();
        assertThat(c.terminating).isFalse();
    }

    @Test
    void moreThanAHundredPodsAreSplitIntoTwoSlices() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            pods.add(readyPod(String.format("p%03d", i), "n1", "10.1." + (i / 250) + "." + (i % 250 + 1)));
        }
        preload(informers.informer(Pod.class), pods.toArray(Pod[]::new));

        controller.reconcile(KEY);

        assertThat(client.actions("create", "EndpointSlice")).hasSize(2);
        assertThat(client.actions()).hasSize(2);
        assertThat(List.of(created(0).endpoints.size(), created(1).endpoints.size())).containsExactly(100, 50);
    }

    @Test
    void aNewPodGoesIntoTheExistingSliceWithRoomRatherThanANewOne() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        preload(informers.informer(Pod.class), readyPod("a", "n1", "10.0.0.1"));
        reconcileAndObserve();
        String name = created(0).metadata.name;

        preload(informers.informer(Pod.class), readyPod("b", "n1", "10.0.0.2"));
        client.clear();
        controller.reconcile(KEY);

        assertThat(client.summaries()).containsExactly("update EndpointSlice " + NS + "/" + name);
        assertThat(((EndpointSlice) client.actions().getFirst().object()).endpoints).extracting(e -> e.targetRef.name).containsExactly("a", "b");
    }

    @Test
    void namedTargetPortsResolvePerPodAndPodsWithDifferentPortsGetDifferentSlices() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        Pod onOtherPort = withPort(ready(pod("b", LABELS, null), "n1", Instant.EPOCH), "http", 9090);
        onOtherPort.status.podIP = "10.0.0.2";
        Pod udpOnly = ready(pod("c", LABELS, null), "n1", Instant.EPOCH);
        udpOnly.status.podIP = "10.0.0.3";
        Container c = new Container();
        c.name = "dns";
        Container.ContainerPort cp = new Container.ContainerPort();
        cp.name = "http";
        cp.containerPort = 5353;
        cp.protocol = "UDP";
        c.ports.add(cp);
        udpOnly.spec.containers.add(c);
        preload(informers.informer(Pod.class), readyPod("a", "n1", "10.0.0.1"), onOtherPort, udpOnly);

        controller.reconcile(KEY);

        List<EndpointSlice> slices = client.actions("create", "EndpointSlice").stream().map(a -> (EndpointSlice) a.object()).toList();
        assertThat(slices).hasSize(3);
        assertThat(slices).filteredOn(s -> !s.ports.isEmpty()).extracting(s -> s.ports.getFirst().port).containsExactlyInAnyOrder(8080, 9090);
        // a UDP port of the name does not serve a TCP Service port: the pod is an endpoint without ports
        assertThat(slices).filteredOn(s -> s.ports.isEmpty()).singleElement()
                .satisfies(s -> assertThat(s.endpoints).extracting(e -> e.targetRef.name).containsExactly("c"));
    }

    @Test
    void aSliceLeftEmptyIsDeletedAndOthersAreNotTouched() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            pods.add(readyPod(String.format("p%03d", i), "n1", "10.1.0." + (i + 1)));
        }
        preload(informers.informer(Pod.class), pods.toArray(Pod[]::new));
        reconcileAndObserve();
        EndpointSlice small = created(1);
        assertThat(small.endpoints).singleElement().satisfies(e -> assertThat(e.targetRef.name).isEqualTo("p100"));

        io.kube4j.informer.TestStores.remove(informers.informer(Pod.class), pods.get(100));
        client.clear();
        controller.reconcile(KEY);

        assertThat(client.summaries()).containsExactly("delete EndpointSlice " + NS + "/" + small.metadata.name);
    }

    @Test
    void aSliceOfAnOlderServiceWithTheSameNameIsDeleted() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        preload(informers.informer(Pod.class), readyPod("a", "n1", "10.0.0.1"));
        reconcileAndObserve();
        EndpointSlice mine = created(0);
        EndpointSlice old = stored(mine);
        old.metadata.name = "web-old";
        old.metadata.uid = "uid-web-old";
        old.metadata.ownerReferences.getFirst().uid = "uid-of-a-deleted-service";
        preload(informers.informer(EndpointSlice.class), old);

        client.clear();
        controller.reconcile(KEY);

        assertThat(client.summaries()).containsExactly("delete EndpointSlice " + NS + "/web-old");
    }

    @Test
    void aServiceWithoutPodsKeepsOnePlaceholderSlice() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        reconcileAndObserve();
        EndpointSlice placeholder = created(0);
        assertThat(placeholder.ports).isEmpty();
        assertThat(placeholder.endpoints).isEmpty();
        assertThat(placeholder.addressType).isEqualTo("IPv4");

        client.clear();
        controller.reconcile(KEY);
        assertThat(client.actions()).as("the placeholder is kept as it is").isEmpty();

        // the first pod turns the placeholder into its slice rather than creating a second one
        preload(informers.informer(Pod.class), readyPod("a", "n1", "10.0.0.1"));
        controller.reconcile(KEY);
        assertThat(client.summaries()).containsExactly("update EndpointSlice " + NS + "/" + placeholder.metadata.name);
        EndpointSlice filled = (EndpointSlice) client.actions().getFirst().object();
        assertThat(filled.ports).extracting(p -> p.port).containsExactly(8080);
        assertThat(filled.endpoints).hasSize(1);
    }

    @Test
    void aServiceWithoutSelectorIsLeftToItsOwner() {
        Service manual = service(IntOrString.of(80));
        manual.spec.selector.clear();
        preload(informers.informer(Service.class), manual);
        preload(informers.informer(Pod.class), readyPod("a", "n1", "10.0.0.1"));

        assertThat(controller.reconcile(KEY).kind()).isEqualTo(Result.Kind.DONE);
        assertThat(client.actions()).isEmpty();
    }

    @Test
    void aPodWithTheServicesSubdomainGetsItsHostname() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        Pod named = readyPod("web-0", "n1", "10.0.0.1");
        named.spec.hostname = "web-0";
        named.spec.subdomain = "web";
        Pod elsewhere = readyPod("web-1", "n1", "10.0.0.2");
        elsewhere.spec.hostname = "web-1";
        elsewhere.spec.subdomain = "other";
        preload(informers.informer(Pod.class), named, elsewhere);

        controller.reconcile(KEY);

        assertThat(created(0).endpoints).extracting(e -> e.hostname).containsExactly("web-0", null);
    }

    @Test
    void serviceLabelsAreCopiedAndAHeadlessServiceIsMarked() {
        Service svc = service(IntOrString.of("http"));
        svc.metadata.labels.put("tier", "front");
        svc.spec.clusterIP = "None";
        preload(informers.informer(Service.class), svc);
        preload(informers.informer(Pod.class), readyPod("a", "n1", "10.0.0.1"));
        reconcileAndObserve();
        assertThat(created(0).metadata.labels).containsEntry("tier", "front").containsEntry("service.kubernetes.io/headless", "");

        Service relabelled = Json.copy(svc);
        relabelled.metadata.labels.put("tier", "back");
        preload(informers.informer(Service.class), relabelled);
        client.clear();
        controller.reconcile(KEY);

        assertThat(client.summaries()).containsExactly("update EndpointSlice " + NS + "/" + created0Name());
        assertThat(((EndpointSlice) client.actions().getFirst().object()).metadata.labels).containsEntry("tier", "back");
    }

    private String created0Name() {
        return informers.informer(EndpointSlice.class).store().list().getFirst().metadata.name;
    }

    @Test
    void aCacheThatHasNotSeenOurOwnCreateYetWaitsInsteadOfCreatingTwice() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        preload(informers.informer(Pod.class), readyPod("a", "n1", "10.0.0.1"));
        controller.reconcile(KEY);
        client.clear();

        Result r = controller.reconcile(KEY);

        assertThat(r.kind()).isEqualTo(Result.Kind.RETRY);
        assertThat(r.reason()).isEqualTo("EndpointSlice informer cache is out of date");
        assertThat(client.actions()).isEmpty();
    }

    @Test
    void aPodOnAnUnknownNodeIsLeftOutAndTheServiceRetried() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        preload(informers.informer(Pod.class), readyPod("a", "n1", "10.0.0.1"), readyPod("b", "gone", "10.0.0.2"));

        Result r = controller.reconcile(KEY);

        assertThat(r.kind()).isEqualTo(Result.Kind.RETRY);
        assertThat(created(0).endpoints).extracting(e -> e.targetRef.name).containsExactly("a");
        assertThat(client.events()).singleElement().satisfies(e -> {
            assertThat(e.type).isEqualTo("Warning");
            assertThat(e.reason).isEqualTo("FailedToUpdateEndpointSlices");
            assertThat(e.message).isEqualTo("Error updating Endpoint Slices for Service default/web: skipping Pod b for Service default/web: Node gone Not Found");
        });
    }

    @Test
    void terminalPodsAndPodsWithoutAnIpAreNotEndpoints() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        Pod done = readyPod("done", "n1", "10.0.0.5");
        done.status.phase = "Succeeded";
        Pod noIp = withPort(running(pod("pending", LABELS, null), "n1"), "http", 8080);
        preload(informers.informer(Pod.class), readyPod("a", "n1", "10.0.0.1"), done, noIp);

        controller.reconcile(KEY);

        assertThat(created(0).endpoints).extracting(e -> e.targetRef.name).containsExactly("a");
    }

    @Test
    void aPodChangeQueuesTheServicesSelectingItsOldAndNewLabels() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        Pod moved = pod("a", Map.of("app", "db"), null);

        assertThat(controller.servicesFor(NS, List.of(moved))).isEmpty();
        assertThat(controller.servicesFor(NS, List.of(pod("a", LABELS, null), moved))).containsExactly(KEY);
    }

    @Test
    void aNotReadyConditionWithAnEarlierTransitionStillCountsAsNotReady() {
        preload(informers.informer(Service.class), service(IntOrString.of("http")));
        Pod p = readyPod("a", "n1", "10.0.0.1");
        p.status.conditions.clear();
        p.status.conditions.add(new PodCondition("Ready", "False", null, null, Times.format(Instant.EPOCH)));
        preload(informers.informer(Pod.class), p);

        controller.reconcile(KEY);

        assertThat(created(0).endpoints.getFirst().conditions.ready).isFalse();
    }
}
