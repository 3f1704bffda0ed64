package io.kube4j.controllermanager;

import io.kube4j.api.Condition;
import io.kube4j.api.ConfigMap;
import io.kube4j.api.Namespace;
import io.kube4j.api.OwnerReference;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.json.Json;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The garbage collector and the namespace controller over a custom resource, against a real apiserver
 * on a real etcd. The CRDs are created after the controller-manager started, so they are found only by
 * re-running discovery, which the watch of CustomResourceDefinitions triggers (the periodic discovery
 * keeps its 30 s default here); each custom resource is then watched by an informer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CustomResourcesIT {
    static final String WIDGETS = "/apis/example.com/v1";

    EtcdContainer etcd;
    ApiServerProcess apiServer;
    ApiClient client;
    ConfigurableApplicationContext manager;

    @BeforeAll
    void startCluster() throws Exception {
        ControllerManagerIT.useCopyOfApiServerJar();
        etcd = new EtcdContainer();
        etcd.start();
        apiServer = new ApiServerProcess(etcd.endpoint()).start();
        client = new ApiClient(apiServer.url());
        manager = new SpringApplicationBuilder(ControllerManagerApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=" + apiServer.url(),
                "--kube4j.controller-manager.leader-elect=false");
        createCrd("widgets", "Widget");
    }

    void createCrd(String plural, String kind) {
        client.sendJson("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", null, """
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
                 "metadata":{"name":"%s.example.com"},
                 "spec":{"group":"example.com","scope":"Namespaced",
                   "names":{"plural":"%s","singular":"%s","kind":"%s"},
                   "versions":[{"name":"v1","served":true,"storage":true,
                     "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}"""
                .formatted(plural, plural, kind.toLowerCase(java.util.Locale.ROOT), kind));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            JsonNode crd = Json.tree(client.getText("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + plural + ".example.com"));
            for (JsonNode c : crd.path("status").path("conditions")) {
                if (c.path("type").asString("").equals("Established") && c.path("status").asString("").equals("True")) {
                    return true;
                }
            }
            return false;
        });
    }

    @AfterAll
    void stopCluster() {
        if (manager != null) {
            manager.close();
        }
        if (apiServer != null) {
            apiServer.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    void namespace(String name) {
        Namespace ns = new Namespace();
        ns.metadata.name = name;
        client.create(ns);
    }

    JsonNode createWidget(String ns, String name, String finalizers) {
        return create("widgets", "Widget", ns, name, finalizers);
    }

    JsonNode create(String plural, String kind, String ns, String name, String finalizers) {
        return Json.tree(client.sendJson("POST", WIDGETS + "/namespaces/" + ns + "/" + plural, null,
                "{\"apiVersion\":\"example.com/v1\",\"kind\":\"" + kind + "\",\"metadata\":{\"name\":\"" + name + "\",\"finalizers\":" + finalizers
                        + "},\"spec\":{\"size\":3}}"));
    }

    Optional<JsonNode> widget(String ns, String name) {
        try {
            return Optional.of(Json.tree(client.sendJson("GET", WIDGETS + "/namespaces/" + ns + "/widgets/" + name, null, null)));
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    ConfigMap configMapOwnedBy(String ns, String name, JsonNode owner) {
        return configMapOwnedBy(ns, name, owner, "Widget");
    }

    ConfigMap configMapOwnedBy(String ns, String name, JsonNode owner, String kind) {
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = ns;
        cm.metadata.name = name;
        OwnerReference ref = new OwnerReference();
        ref.apiVersion = "example.com/v1";
        ref.kind = kind;
        ref.name = owner.path("metadata").path("name").asString();
        ref.uid = owner.path("metadata").path("uid").asString();
        ref.controller = true;
        ref.blockOwnerDeletion = true;
        cm.metadata.ownerReferences.add(ref);
        return client.create(cm);
    }

    @Test
    @Order(1)
    void aConfigMapOwnedByADeletedCustomResourceIsCollected() {
        namespace("gc-cr");
        JsonNode owner = createWidget("gc-cr", "owner", "[]");
        configMapOwnedBy("gc-cr", "dependent", owner);
        ConfigMap unrelated = new ConfigMap();
        unrelated.metadata.namespace = "gc-cr";
        unrelated.metadata.name = "unrelated";
        client.create(unrelated);

        client.sendJson("DELETE", WIDGETS + "/namespaces/gc-cr/widgets/owner", null, null);

        await().atMost(Duration.ofSeconds(30)).until(() -> client.find(ConfigMap.class, "gc-cr", "dependent").isEmpty());
        assertThat(client.find(ConfigMap.class, "gc-cr", "unrelated")).isPresent();
    }

    @Test
    @Order(2)
    void aForegroundDeletionOfACustomResourceDeletesItsDependentsAndCompletes() {
        namespace("fg-cr");
        JsonNode owner = createWidget("fg-cr", "owner", "[]");
        configMapOwnedBy("fg-cr", "dependent", owner);
        // the GC must have the owner cached, or it judges the dependent first by a live GET: either way fine
        client.sendJson("DELETE", WIDGETS + "/namespaces/fg-cr/widgets/owner", null, "{\"propagationPolicy\":\"Foreground\"}");
        JsonNode deleting = widget("fg-cr", "owner").orElseThrow();
        assertThat(deleting.path("metadata").path("finalizers").toString()).contains("foregroundDeletion");

        await().atMost(Duration.ofSeconds(30)).until(() -> widget("fg-cr", "owner").isEmpty());
        assertThat(client.find(ConfigMap.class, "fg-cr", "dependent")).isEmpty();
    }

    @Test
    @Order(3)
    void aNamespaceWaitsForItsCustomResourcesAndTheirFinalizers() {
        namespace("doomed-cr");
        createWidget("doomed-cr", "plain", "[]");
        createWidget("doomed-cr", "held", "[\"example.com/hold\"]");

        client.delete(Namespace.class, null, "doomed-cr");

        // what is left once everything else went: the one held by its finalizer
        await().atMost(Duration.ofSeconds(30)).until(() -> widget("doomed-cr", "plain").isEmpty()
                && widget("doomed-cr", "held").map(w -> w.path("metadata").has("deletionTimestamp")).orElse(false)
                && condition("doomed-cr", "NamespaceContentRemaining").map(c -> c.message.equals("Some resources are remaining: widgets.example.com has 1 resource instances")).orElse(false));
        Namespace ns = client.get(Namespace.class, null, "doomed-cr");
        assertThat(ns.status.phase).isEqualTo("Terminating");
        Condition content = condition("doomed-cr", "NamespaceContentRemaining").orElseThrow();
        assertThat(content.reason).isEqualTo("SomeResourcesRemain");
        assertThat(content.message).isEqualTo("Some resources are remaining: widgets.example.com has 1 resource instances");
        Condition finalizers = condition("doomed-cr", "NamespaceFinalizersRemaining").orElseThrow();
        assertThat(finalizers.reason).isEqualTo("SomeFinalizersRemain");
        assertThat(finalizers.message).isEqualTo("Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances");

        // the namespace holds while the finalizer stays
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> client.find(Namespace.class, null, "doomed-cr").isPresent());

        client.sendJson("PATCH", WIDGETS + "/namespaces/doomed-cr/widgets/held", "application/merge-patch+json", "{\"metadata\":{\"finalizers\":null}}");

        await().atMost(Duration.ofSeconds(30)).until(() -> client.find(Namespace.class, null, "doomed-cr").isEmpty());
        assertThat(widget("doomed-cr", "held")).isEmpty();
    }

    @Test
    @Order(4)
    void aCustomResourceOfANewDefinitionIsWatchedSoItsDependentsGoWithinASecondOfItsDeletion() throws Exception {
        // a CRD created now: its informer starts once the CRD watch re-runs discovery (not after 30 s)
        createCrd("gadgets", "Gadget");
        namespace("gc-latency");
        JsonNode owner = create("gadgets", "Gadget", "gc-latency", "owner", "[]");
        configMapOwnedBy("gc-latency", "dependent", owner, "Gadget");
        // time for the new resource's informer to list (discovery runs 100 ms after the CRD's events)
        Thread.sleep(1500);

        long start = System.nanoTime();
        client.sendJson("DELETE", WIDGETS + "/namespaces/gc-latency/gadgets/owner", null, null);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> client.find(ConfigMap.class, "gc-latency", "dependent").isEmpty());
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("custom resource owner deleted -> dependent collected: " + millis + " ms");

        // a LIST every 2 s (the former polling) took up to 2 s plus the GC's own work
        assertThat(millis).isLessThan(1500);
    }

    Optional<Condition> condition(String ns, String type) {
        return client.find(Namespace.class, null, ns).flatMap(n -> n.status.conditions.stream().filter(c -> type.equals(c.type)).findFirst());
    }
}
