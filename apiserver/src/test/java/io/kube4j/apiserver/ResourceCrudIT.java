package io.kube4j.apiserver;

import io.kube4j.api.Container;
import io.kube4j.api.Deployment;
import io.kube4j.api.Endpoints;
import io.kube4j.api.Event;
import io.kube4j.api.KubeList;
import io.kube4j.api.KubeObject;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Lease;
import io.kube4j.api.Namespace;
import io.kube4j.api.Node;
import io.kube4j.api.ObjectReference;
import io.kube4j.api.Pod;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.api.ReplicaSet;
import io.kube4j.api.Service;
import io.kube4j.api.Status;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.client.ListOptions;
import io.kube4j.json.Json;
import io.kube4j.quantity.Quantity;
import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** CRUD, validation, Status shapes and object semantics against a real apiserver on a real etcd. */
class ResourceCrudIT {
    static ApiServerFixture fx;
    static ApiClient api;

    @BeforeAll
    static void start() {
        fx = new ApiServerFixture().start();
        api = fx.client;
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    static Pod pod(String name, String... labels) {
        Pod p = new Pod();
        p.metadata.name = name;
        p.metadata.namespace = "default";
        for (int i = 0; i + 1 < labels.length; i += 2) {
            p.metadata.labels.put(labels[i], labels[i + 1]);
        }
        Container c = new Container();
        c.name = "main";
        c.image = "busybox:1.36";
        p.spec.containers.add(c);
        return p;
    }

    static PodTemplateSpec template(String app) {
        PodTemplateSpec t = new PodTemplateSpec();
        t.metadata.labels.put("app", app);
        Container c = new Container();
        c.name = "main";
        c.image = "busybox:1.36";
        t.spec.containers.add(c);
        return t;
    }

    /** create, get, list, update, delete for one object of each served type. */
    <T extends KubeObject> void roundTrip(T obj, Consumer<T> change) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) obj.getClass();
        T created = api.create(obj);
        assertThat(created.metadata.uid).isNotBlank();
        assertThat(created.metadata.resourceVersion).isNotBlank();
        assertThat(created.metadata.creationTimestamp).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        T got = api.get(type, obj.metadata.namespace, obj.metadata.name);
        assertThat(got.metadata.uid).isEqualTo(created.metadata.uid);
        KubeList<T> list = api.list(type, obj.metadata.namespace);
        assertThat(list.items).extracting(o -> o.metadata.name).contains(obj.metadata.name);
        assertThat(Long.parseLong(list.metadata.resourceVersion)).isGreaterThanOrEqualTo(Long.parseLong(created.metadata.resourceVersion));
        change.accept(got);
        T updated = api.update(got);
        assertThat(Long.parseLong(updated.metadata.resourceVersion)).isGreaterThan(Long.parseLong(created.metadata.resourceVersion));
        api.delete(type, obj.metadata.namespace, obj.metadata.name, 0);
        if (obj instanceof Namespace) {
            // a namespace waits for the namespace controller to empty it (spec.finalizers: kubernetes)
            assertThat(api.get(Namespace.class, null, obj.metadata.name).status.phase).isEqualTo("Terminating");
        } else {
            assertThat(api.find(type, obj.metadata.namespace, obj.metadata.name)).isEmpty();
        }
    }

    @Test
    void everyServedTypeRoundTrips() {
        Namespace ns = new Namespace();
        ns.metadata.name = "rt-ns";
        roundTrip(ns, n -> n.metadata.labels.put("x", "y"));

        Node node = new Node();
        node.metadata.name = "rt-node";
        node.status.capacity.put("cpu", Quantity.parse("4"));
        roundTrip(node, n -> n.metadata.labels.put("zone", "a"));

        roundTrip(pod("rt-pod"), p -> p.spec.containers.get(0).image = "busybox:1.37");

        Service svc = new Service();
        svc.metadata.name = "rt-svc";
        svc.metadata.namespace = "default";
        Service.ServicePort port = new Service.ServicePort();
        port.port = 80;
        svc.spec.ports.add(port);
        svc.spec.selector.put("app", "web");
        roundTrip(svc, s -> s.spec.selector.put("tier", "fe"));

        Endpoints ep = new Endpoints();
        ep.metadata.name = "rt-ep";
        ep.metadata.namespace = "default";
        roundTrip(ep, e -> e.metadata.labels.put("a", "b"));

        Event ev = new Event();
        ev.metadata.name = "rt-ev";
        ev.metadata.namespace = "default";
        ev.involvedObject = new ObjectReference();
        ev.involvedObject.kind = "Pod";
        ev.involvedObject.name = "x";
        ev.reason = "Testing";
        roundTrip(ev, e -> e.message = "changed");

        ReplicaSet rs = new ReplicaSet();
        rs.metadata.name = "rt-rs";
        rs.metadata.namespace = "default";
        rs.spec.selector = LabelSelector.of(Map.of("app", "rs"));
        rs.spec.template = template("rs");
        roundTrip(rs, r -> r.spec.replicas = 3);

        Deployment d = new Deployment();
        d.metadata.name = "rt-deploy";
        d.metadata.namespace = "default";
        d.spec.selector = LabelSelector.of(Map.of("app", "d"));
        d.spec.template = template("d");
        roundTrip(d, x -> x.spec.replicas = 2);

        Lease lease = new Lease();
        lease.metadata.name = "rt-lease";
        lease.metadata.namespace = "kube-node-lease";
        lease.spec.holderIdentity = "a";
        roundTrip(lease, l -> l.spec.holderIdentity = "b");
    }

    @Test
    void createAppliesKubernetesDefaults() {
        Pod created = api.create(pod("defaults"));
        assertThat(created.spec.restartPolicy).isEqualTo("Always");
        assertThat(created.spec.terminationGracePeriodSeconds).isEqualTo(30L);
        assertThat(created.spec.schedulerName).isEqualTo("default-scheduler");
        assertThat(created.spec.containers.get(0).imagePullPolicy).isEqualTo("IfNotPresent");
        assertThat(created.status.phase).isEqualTo("Pending");
        // the pod strategy of Kubernetes 1.32 keeps no generation
        assertThat(created.metadata.generation).isNull();
        assertThat(created.spec.tolerations).extracting(t -> t.key + ":" + t.effect + ":" + t.tolerationSeconds)
                .containsExactlyInAnyOrder("node.kubernetes.io/not-ready:NoExecute:300", "node.kubernetes.io/unreachable:NoExecute:300");

        Deployment d = new Deployment();
        d.metadata.name = "defaulted";
        d.metadata.namespace = "default";
        d.spec.selector = LabelSelector.of(Map.of("app", "def"));
        d.spec.template = template("def");
        Deployment dc = api.create(d);
        assertThat(dc.spec.replicas).isEqualTo(1);
        assertThat(dc.spec.strategy.type).isEqualTo("RollingUpdate");
        assertThat(dc.spec.strategy.rollingUpdate.maxSurge.toJson()).isEqualTo("25%");
        assertThat(dc.spec.revisionHistoryLimit).isEqualTo(10);
    }

    @Test
    void invalidObjectsGet422WithOneCausePerField() {
        Pod bad = pod("Bad_Name");
        bad.spec.containers.get(0).image = null;
        bad.spec.containers.add(bad.spec.containers.get(0));
        bad.spec.restartPolicy = "Sometimes";
        ApiException e = catchApi(() -> api.create(bad));
        assertThat(e.code()).isEqualTo(422);
        assertThat(e.reason()).isEqualTo("Invalid");
        assertThat(e.status().details.kind).isEqualTo("Pod");
        assertThat(e.status().details.causes).extracting(c -> c.field)
                .contains("metadata.name", "spec.containers[0].image", "spec.containers[1].name", "spec.restartPolicy");
        assertThat(e.status().message).startsWith("Pod \"Bad_Name\" is invalid: [");

        Pod noContainers = pod("empty");
        noContainers.spec.containers.clear();
        assertThat(catchApi(() -> api.create(noContainers)).status().details.causes).extracting(c -> c.field).containsExactly("spec.containers");

        Pod badPort = pod("badport");
        Container.ContainerPort p = new Container.ContainerPort();
        p.containerPort = 70000;
        badPort.spec.containers.get(0).ports.add(p);
        assertThat(catchApi(() -> api.create(badPort)).status().details.causes).extracting(c -> c.field).containsExactly("spec.containers[0].ports[0].containerPort");

        Deployment d = new Deployment();
        d.metadata.name = "mismatch";
        d.metadata.namespace = "default";
        d.spec.replicas = -1;
        d.spec.selector = LabelSelector.of(Map.of("app", "one"));
        d.spec.template = template("two");
        assertThat(catchApi(() -> api.create(d)).status().details.causes).extracting(c -> c.field)
                .containsExactlyInAnyOrder("spec.replicas", "spec.template.metadata.labels");
        assertThat(api.find(Deployment.class, "default", "mismatch")).isEmpty();
    }

    @Test
    void errorsAreStatusObjectsWithTheRightCodeAndReason() {
        api.create(pod("dup"));
        ApiException exists = catchApi(() -> api.create(pod("dup")));
        assertThat(exists.code()).isEqualTo(409);
        assertThat(exists.reason()).isEqualTo("AlreadyExists");
        assertThat(exists.status().message).isEqualTo("pods \"dup\" already exists");

        ApiException missing = catchApi(() -> api.get(Pod.class, "default", "nope"));
        assertThat(missing.code()).isEqualTo(404);
        assertThat(missing.status().message).isEqualTo("pods \"nope\" not found");
        assertThat(missing.status().details.name).isEqualTo("nope");
        assertThat(missing.status().details.kind).isEqualTo("pods");

        HttpResponse<String> badJson = fx.send("POST", "/api/v1/namespaces/default/pods", "application/json", "{not json");
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(Json.read(badJson.body(), Status.class).reason).isEqualTo("BadRequest");

        HttpResponse<String> text = fx.send("POST", "/api/v1/namespaces/default/pods", "text/plain", "hello");
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(Json.read(text.body(), Status.class).reason).isEqualTo("UnsupportedMediaType");

        // a resource kube4j does not serve (configmaps, once unserved here, are served since the new kinds)
        HttpResponse<String> big = fx.send("POST", "/api/v1/namespaces/default/widgets", "application/json", "{}");
        assertThat(big.statusCode()).isEqualTo(404);
        assertThat(big.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));

        String huge = "{\"metadata\":{\"name\":\"huge\",\"annotations\":{\"a\":\"" + "x".repeat(3 * 1024 * 1024 + 10) + "\"}}}";
        HttpResponse<String> tooLarge = fx.send("POST", "/api/v1/namespaces/default/pods", "application/json", huge);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(Json.read(tooLarge.body(), Status.class).reason).isEqualTo("RequestEntityTooLarge");

        HttpResponse<String> method = fx.send("POST", "/api/v1/namespaces/default/pods/dup/status", "application/json", "{}");
        assertThat(method.statusCode()).isEqualTo(405);
        assertThat(Json.read(method.body(), Status.class).kind).isEqualTo("Status");
    }

    @Test
    void namespacesMustExistAndNotBeTerminating() {
        Pod p = pod("lost");
        p.metadata.namespace = "no-such-ns";
        ApiException e = catchApi(() -> api.create(p));
        assertThat(e.code()).isEqualTo(404);
        assertThat(e.status().message).isEqualTo("namespaces \"no-such-ns\" not found");

        Namespace ns = new Namespace();
        ns.metadata.name = "doomed";
        api.create(ns);
        api.delete(Namespace.class, null, "doomed");
        Namespace terminating = api.get(Namespace.class, null, "doomed");
        assertThat(terminating.status.phase).isEqualTo("Terminating");
        Pod late = pod("late");
        late.metadata.namespace = "doomed";
        ApiException forbidden = catchApi(() -> api.create(late));
        assertThat(forbidden.code()).isEqualTo(403);
        assertThat(forbidden.status().message).contains("because it is being terminated");

        assertThat(api.list(Namespace.class, null).items).extracting(n -> n.metadata.name).contains("default", "kube-system", "kube-node-lease");
        assertThat(catchApi(() -> api.delete(Namespace.class, null, "default")).code()).isEqualTo(403);
    }

    @Test
    void podsKeepNoGenerationStatusWritesKeepTheSpecAndMainWritesIgnoreStatus() {
        Pod created = api.create(pod("gen"));
        Pod statusWrite = Json.copy(created);
        statusWrite.status.phase = "Running";
        statusWrite.status.podIP = "10.0.0.7";
        Pod afterStatus = api.updateStatus(statusWrite);
        assertThat(afterStatus.status.phase).isEqualTo("Running");
        assertThat(afterStatus.metadata.generation).isNull();

        Pod mainWrite = Json.copy(afterStatus);
        mainWrite.spec.containers.get(0).image = "busybox:1.37";
        mainWrite.status.phase = "Failed";
        Pod afterMain = api.update(mainWrite);
        assertThat(afterMain.spec.containers.get(0).image).isEqualTo("busybox:1.37");
        assertThat(afterMain.metadata.generation).isNull();
        assertThat(afterMain.status.phase).isEqualTo("Running");

        Pod labelsOnly = Json.copy(afterMain);
        labelsOnly.metadata.labels.put("touched", "yes");
        assertThat(api.update(labelsOnly).metadata.generation).isNull();
    }

    @Test
    void staleResourceVersionIsAConflict() {
        Pod created = api.create(pod("stale"));
        Pod first = Json.copy(created);
        first.metadata.labels.put("v", "1");
        api.update(first);
        Pod second = Json.copy(created);
        second.metadata.labels.put("v", "2");
        ApiException e = catchApi(() -> api.update(second));
        assertThat(e.code()).isEqualTo(409);
        assertThat(e.reason()).isEqualTo("Conflict");
        assertThat(api.get(Pod.class, "default", "stale").metadata.labels).containsEntry("v", "1");
    }

    @Test
    void bindingSetsTheNodeOnceAndMarksThePodScheduled() {
        api.create(pod("bindme"));
        api.bind("default", "bindme", "node-a");
        Pod bound = api.get(Pod.class, "default", "bindme");
        assertThat(bound.spec.nodeName).isEqualTo("node-a");
        assertThat(bound.status.condition("PodScheduled").status).isEqualTo("True");
        ApiException again = catchApi(() -> api.bind("default", "bindme", "node-b"));
        assertThat(again.code()).isEqualTo(409);
        assertThat(again.status().message).contains("already assigned to node \"node-a\"");
        assertThat(catchApi(() -> api.bind("default", "ghost", "node-a")).code()).isEqualTo(404);

        Pod moved = Json.copy(api.get(Pod.class, "default", "bindme"));
        moved.spec.nodeName = "node-b";
        assertThat(catchApi(() -> api.update(moved)).code()).isEqualTo(422);
    }

    @Test
    void boundPodsAreDeletedGracefullyAndGraceZeroRemovesThem() {
        api.create(pod("graceful"));
        api.bind("default", "graceful", "node-a");
        api.delete(Pod.class, "default", "graceful");
        Pod terminating = api.get(Pod.class, "default", "graceful");
        assertThat(terminating.metadata.deletionTimestamp).isNotNull();
        assertThat(terminating.metadata.deletionGracePeriodSeconds).isEqualTo(30L);
        api.delete(Pod.class, "default", "graceful", 0);
        assertThat(api.find(Pod.class, "default", "graceful")).isEmpty();

        api.create(pod("unbound"));
        api.delete(Pod.class, "default", "unbound");
        assertThat(api.find(Pod.class, "default", "unbound")).isEmpty();
    }

    @Test
    void finalizersBlockDeletionUntilRemovedAndPropagationPolicyIsRecorded() {
        ReplicaSet rs = new ReplicaSet();
        rs.metadata.name = "guarded";
        rs.metadata.namespace = "default";
        rs.metadata.finalizers.add("example.com/hold");
        rs.spec.selector = LabelSelector.of(Map.of("app", "g"));
        rs.spec.template = template("g");
        api.create(rs);
        io.kube4j.api.DeleteOptions fg = new io.kube4j.api.DeleteOptions();
        fg.propagationPolicy = "Foreground";
        api.delete(ReplicaSet.class, "default", "guarded", fg);
        ReplicaSet held = api.get(ReplicaSet.class, "default", "guarded");
        assertThat(held.metadata.deletionTimestamp).isNotNull();
        assertThat(held.metadata.finalizers).containsExactlyInAnyOrder("example.com/hold", "foregroundDeletion");

        api.patch(ReplicaSet.class, "default", "guarded", "application/merge-patch+json", "{\"metadata\":{\"finalizers\":null}}");
        assertThat(api.find(ReplicaSet.class, "default", "guarded")).isEmpty();
    }

    @Test
    void deletePreconditionsAreChecked() {
        Pod created = api.create(pod("precond"));
        io.kube4j.api.DeleteOptions o = new io.kube4j.api.DeleteOptions();
        o.preconditions = new io.kube4j.api.DeleteOptions.Preconditions();
        o.preconditions.uid = "not-the-uid";
        assertThat(catchApi(() -> api.delete(Pod.class, "default", "precond", o)).code()).isEqualTo(409);
        o.preconditions.uid = created.metadata.uid;
        api.delete(Pod.class, "default", "precond", o);
        assertThat(api.find(Pod.class, "default", "precond")).isEmpty();
    }

    @Test
    void generateNameMakesUniqueNames() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            Pod p = pod(null);
            p.metadata.generateName = "gen-";
            names.add(api.create(p).metadata.name);
        }
        assertThat(names).hasSize(5).allMatch(n -> n.matches("gen-[a-z0-9]{5}"));
    }

    @Test
    void listsFilterByLabelAndFieldSelectorsAndPaginate() {
        Namespace ns = new Namespace();
        ns.metadata.name = "listing";
        api.create(ns);
        for (int i = 0; i < 7; i++) {
            Pod p = pod("p" + i, "app", i % 2 == 0 ? "even" : "odd", "tier", i < 3 ? "fe" : "be");
            p.metadata.namespace = "listing";
            api.create(p);
        }
        api.bind("listing", "p1", "node-x");
        assertThat(names(api.list(Pod.class, "listing", ListOptions.labels("app=even")))).containsExactly("p0", "p2", "p4", "p6");
        assertThat(names(api.list(Pod.class, "listing", ListOptions.labels("app=even,tier in (fe)")))).containsExactly("p0", "p2");
        assertThat(names(api.list(Pod.class, "listing", ListOptions.labels("tier notin (fe),app!=odd")))).containsExactly("p4", "p6");
        assertThat(names(api.list(Pod.class, "listing", ListOptions.fields("spec.nodeName=node-x")))).containsExactly("p1");
        assertThat(names(api.list(Pod.class, "listing", ListOptions.fields("metadata.name=p3")))).containsExactly("p3");
        assertThat(names(api.list(Pod.class, null, ListOptions.fields("metadata.namespace=listing,status.phase=Pending")))).hasSize(7);

        KubeList<Pod> page1 = api.list(Pod.class, "listing", new ListOptions(null, null, 3, null, null));
        assertThat(names(page1)).containsExactly("p0", "p1", "p2");
        assertThat(page1.metadata.continue_).isNotBlank();
        KubeList<Pod> page2 = api.list(Pod.class, "listing", new ListOptions(null, null, 3, page1.metadata.continue_, null));
        assertThat(names(page2)).containsExactly("p3", "p4", "p5");
        KubeList<Pod> page3 = api.list(Pod.class, "listing", new ListOptions(null, null, 3, page2.metadata.continue_, null));
        assertThat(names(page3)).containsExactly("p6");
        assertThat(page3.metadata.continue_).isNull();
        assertThat(page2.metadata.resourceVersion).isEqualTo(page1.metadata.resourceVersion);

        ApiException bad = catchApi(() -> api.list(Pod.class, "listing", ListOptions.labels("a b=c")));
        assertThat(bad.code()).isEqualTo(400);
    }

    @Test
    void mergePatchAndJsonPatchApply() {
        api.create(pod("patchme", "app", "x"));
        Pod merged = api.patch(Pod.class, "default", "patchme", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"app\":null,\"new\":\"1\"}}}");
        assertThat(merged.metadata.labels).containsExactly(Map.entry("new", "1"));
        Pod patched = api.patch(Pod.class, "default", "patchme", "application/json-patch+json",
                "[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"a\":\"b\"}},{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"busybox:2\"}]");
        assertThat(patched.metadata.annotations).containsEntry("a", "b");
        assertThat(patched.spec.containers.get(0).image).isEqualTo("busybox:2");
        ApiException failed = catchApi(() -> api.patch(Pod.class, "default", "patchme", "application/json-patch+json", "[{\"op\":\"remove\",\"path\":\"/spec/nothing\"}]"));
        assertThat(failed.code()).isEqualTo(422);
        ApiException wrongType = catchApi(() -> api.patch(Pod.class, "default", "patchme", "text/plain", "{}"));
        assertThat(wrongType.code()).isEqualTo(415);
    }

    @Test
    void yamlBodiesAndYamlResponsesWork() {
        String yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: yml\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: |\n      {\"keep\": \"verbatim\"}\nspec:\n  containers:\n  - name: c\n    image: busybox\n";
        HttpResponse<String> r = fx.send("POST", "/api/v1/namespaces/default/pods", "application/yaml", yaml);
        assertThat(r.statusCode()).isEqualTo(201);
        Pod p = api.get(Pod.class, "default", "yml");
        assertThat(p.metadata.annotations.get("kubectl.kubernetes.io/last-applied-configuration")).isEqualTo("{\"keep\": \"verbatim\"}\n");
        assertThat(p.spec.containers.get(0).imagePullPolicy).isEqualTo("Always");
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(fx.apiserver.url() + "/api/v1/namespaces/default/pods/yml")).header("Accept", "application/yaml").build();
        try {
            HttpResponse<String> y = fx.http.send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(y.headers().firstValue("Content-Type").orElse("")).startsWith("application/yaml");
            assertThat(y.body()).contains("kind: Pod", "name: yml");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void fieldsKube4jDoesNotModelSurviveCreateAndUpdate() {
        String body = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"future\"},"
                + "\"spec\":{\"futureKnob\":{\"level\":3},\"selector\":{\"matchLabels\":{\"app\":\"f\"}},"
                + "\"template\":{\"metadata\":{\"labels\":{\"app\":\"f\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"ports\":[{\"containerPort\":80,\"appProtocol\":\"http\"}]}]}}}}";
        assertThat(fx.send("POST", "/apis/apps/v1/namespaces/default/deployments", "application/json", body).statusCode()).isEqualTo(201);
        api.patch(Deployment.class, "default", "future", "application/merge-patch+json", "{\"spec\":{\"replicas\":4}}");
        JsonNode stored = Json.tree(fx.send("GET", "/apis/apps/v1/namespaces/default/deployments/future", null, null).body());
        assertThat(stored.at("/spec/futureKnob/level").asInt()).isEqualTo(3);
        assertThat(stored.at("/spec/template/spec/containers/0/ports/0/appProtocol").asString()).isEqualTo("http");
        assertThat(stored.at("/spec/replicas").asInt()).isEqualTo(4);
        assertThat(stored.at("/spec/strategy/type").asString()).isEqualTo("RollingUpdate");
    }

    @Test
    void scaleSubresourceReadsAndWritesReplicas() {
        Deployment d = new Deployment();
        d.metadata.name = "scaled";
        d.metadata.namespace = "default";
        d.spec.selector = LabelSelector.of(Map.of("app", "sc"));
        d.spec.template = template("sc");
        api.create(d);
        io.kube4j.api.Scale s = api.getScale(Deployment.class, "default", "scaled");
        assertThat(s.spec.replicas).isEqualTo(1);
        assertThat(s.status.selector).isEqualTo("app=sc");
        assertThat(api.updateScale(Deployment.class, "default", "scaled", 5).spec.replicas).isEqualTo(5);
        Deployment after = api.get(Deployment.class, "default", "scaled");
        assertThat(after.spec.replicas).isEqualTo(5);
        assertThat(after.metadata.generation).isEqualTo(2L);
        HttpResponse<String> put = fx.send("PUT", "/apis/apps/v1/namespaces/default/deployments/scaled/scale", null, "{\"spec\":{\"replicas\":2}}");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(api.get(Deployment.class, "default", "scaled").spec.replicas).isEqualTo(2);
        assertThat(catchApi(() -> api.updateScale(Deployment.class, "default", "scaled", -1)).code()).isEqualTo(422);
    }

    @Test
    void prometheusEndpointCountsRequestsByVerbResourceAndCode() {
        api.list(Pod.class, "default");
        catchApi(() -> api.get(Pod.class, "default", "metrics-missing"));
        HttpResponse<String> r = fx.send("GET", "/actuator/prometheus", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).containsPattern("apiserver_request_total\\{code=\"200\",resource=\"pods\",verb=\"list\"} [1-9]")
                .containsPattern("apiserver_request_total\\{code=\"404\",resource=\"pods\",verb=\"get\"} [1-9]")
                .contains("apiserver_request_duration_seconds_count")
                .contains("etcd_request_duration_seconds_count");
        assertThat(fx.send("GET", "/livez", null, null).body()).isEqualTo("ok");
    }

    static List<String> names(KubeList<? extends KubeObject> list) {
        return list.items.stream().map(o -> o.metadata.name).sorted().toList();
    }

    static ApiException catchApi(Runnable r) {
        try {
            r.run();
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("expected an ApiException");
    }
}
