package io.kube4j.apiserver;

import io.kube4j.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admission chain on a real apiserver and etcd: ResourceQuota (exact under concurrency, Kubernetes'
 * messages), LimitRanger (defaults and bounds) and Priority (class resolution).
 */
class AdmissionIT {
    static ApiServerFixture fx;

    @BeforeAll
    static void start() {
        fx = new ApiServerFixture().start();
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    static void namespace(String name) {
        HttpResponse<String> r = fx.send("POST", "/api/v1/namespaces", "application/json", "{\"metadata\":{\"name\":\"" + name + "\"}}");
        assertThat(r.statusCode()).isEqualTo(201);
    }

    static HttpResponse<String> post(String path, String yaml) {
        return fx.send("POST", path, "application/yaml", yaml);
    }

    static String pod(String name, String resources) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s}
                spec:
                  containers:
                  - name: c
                    image: busybox
                    resources: %s
                """.formatted(name, resources);
    }

    @Test
    void fiftyParallelPodsAgainstAQuotaOfTenAdmitExactlyTen() throws Exception {
        namespace("quota-race");
        assertThat(post("/api/v1/namespaces/quota-race/resourcequotas", "{metadata: {name: ten}, spec: {hard: {pods: '10'}}}").statusCode()).isEqualTo(201);
        ExecutorService pool = Executors.newFixedThreadPool(25);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String name = "p" + i;
            answers.add(pool.submit(() -> {
                go.await();
                return post("/api/v1/namespaces/quota-race/pods", pod(name, "{}"));
            }));
        }
        go.countDown();
        int created = 0;
        int refused = 0;
        for (Future<HttpResponse<String>> f : answers) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() == 201) {
                created++;
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
                JsonNode status = Json.tree(r.body());
                assertThat(status.path("reason").asString()).isEqualTo("Forbidden");
                assertThat(status.path("message").asString()).matches("pods \"p\\d+\" is forbidden: exceeded quota: ten, requested: pods=1, used: pods=10, limited: pods=10");
                refused++;
            }
        }
        pool.shutdown();
        assertThat(created).isEqualTo(10);
        assertThat(refused).isEqualTo(40);
        JsonNode pods = Json.tree(fx.send("GET", "/api/v1/namespaces/quota-race/pods", null, null).body());
        assertThat(pods.path("items")).hasSize(10);
        JsonNode quota = Json.tree(fx.send("GET", "/api/v1/namespaces/quota-race/resourcequotas/ten", null, null).body());
        assertThat(quota.path("status").path("used").path("pods").asString()).isEqualTo("10");
    }

    @Test
    void quotaOnComputeResourcesNeedsThemSpecified() {
        namespace("quota-compute");
        post("/api/v1/namespaces/quota-compute/resourcequotas", "{metadata: {name: mem-cpu-demo}, spec: {hard: {requests.memory: 1Gi, limits.memory: 2Gi}}}");
        HttpResponse<String> none = post("/api/v1/namespaces/quota-compute/pods", pod("bare", "{}"));
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(Json.tree(none.body()).path("message").asString())
                .isEqualTo("pods \"bare\" is forbidden: failed quota: mem-cpu-demo: must specify limits.memory for: c; requests.memory for: c");
        assertThat(post("/api/v1/namespaces/quota-compute/pods", pod("first", "{requests: {memory: 600Mi}, limits: {memory: 800Mi}}")).statusCode()).isEqualTo(201);
        HttpResponse<String> over = post("/api/v1/namespaces/quota-compute/pods", pod("second", "{requests: {memory: 700Mi}, limits: {memory: 1Gi}}"));
        assertThat(over.statusCode()).isEqualTo(403);
        assertThat(Json.tree(over.body()).path("message").asString())
                .isEqualTo("pods \"second\" is forbidden: exceeded quota: mem-cpu-demo, requested: requests.memory=700Mi, used: requests.memory=600Mi, limited: requests.memory=1Gi");
    }

    @Test
    void limitRangeDefaultsAndBounds() {
        namespace("limits");
        assertThat(post("/api/v1/namespaces/limits/limitranges", "{metadata: {name: lr}, spec: {limits: [{type: Container, max: {cpu: 800m}, min: {cpu: 200m}}]}}").statusCode()).isEqualTo(201);
        JsonNode lr = Json.tree(fx.send("GET", "/api/v1/namespaces/limits/limitranges/lr", null, null).body());
        // SetDefaults_LimitRangeItem: default from max, defaultRequest from default
        assertThat(lr.path("spec").path("limits").get(0).path("default").path("cpu").asString()).isEqualTo("800m");
        assertThat(lr.path("spec").path("limits").get(0).path("defaultRequest").path("cpu").asString()).isEqualTo("800m");

        HttpResponse<String> defaulted = post("/api/v1/namespaces/limits/pods", pod("plain", "{}"));
        assertThat(defaulted.statusCode()).isEqualTo(201);
        assertThat(Json.tree(defaulted.body()).path("spec").path("containers").get(0).path("resources").path("limits").path("cpu").asString()).isEqualTo("800m");

        HttpResponse<String> tooMuch = post("/api/v1/namespaces/limits/pods", pod("big", "{requests: {cpu: 500m}, limits: {cpu: 1500m}}"));
        assertThat(tooMuch.statusCode()).isEqualTo(403);
        assertThat(Json.tree(tooMuch.body()).path("message").asString()).isEqualTo("pods \"big\" is forbidden: maximum cpu usage per Container is 800m, but limit is 1500m");
        HttpResponse<String> tooLittle = post("/api/v1/namespaces/limits/pods", pod("small", "{requests: {cpu: 100m}, limits: {cpu: 800m}}"));
        assertThat(tooLittle.statusCode()).isEqualTo(403);
        assertThat(Json.tree(tooLittle.body()).path("message").asString()).isEqualTo("pods \"small\" is forbidden: minimum cpu usage per Container is 200m, but request is 100m");
    }

    @Test
    void priorityComesFromThePriorityClass() {
        namespace("prio");
        assertThat(post("/apis/scheduling.k8s.io/v1/priorityclasses", "{metadata: {name: high}, value: 1000000}").statusCode()).isEqualTo(201);
        HttpResponse<String> ok = post("/api/v1/namespaces/prio/pods", pod("important", "{}").replace("spec:\n", "spec:\n  priorityClassName: high\n"));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        assertThat(Json.tree(ok.body()).path("spec").path("priority").asInt()).isEqualTo(1000000);
        assertThat(Json.tree(ok.body()).path("spec").path("preemptionPolicy").asString()).isEqualTo("PreemptLowerPriority");
        HttpResponse<String> plain = post("/api/v1/namespaces/prio/pods", pod("plain", "{}"));
        assertThat(Json.tree(plain.body()).path("spec").path("priority").asInt()).isEqualTo(0);
        HttpResponse<String> missing = post("/api/v1/namespaces/prio/pods", pod("lost", "{}").replace("spec:\n", "spec:\n  priorityClassName: nope\n"));
        assertThat(missing.statusCode()).isEqualTo(403);
        assertThat(Json.tree(missing.body()).path("message").asString()).isEqualTo("pods \"lost\" is forbidden: no PriorityClass with name nope was found");
    }

    @Test
    void evictionHonoursThePodDisruptionBudget() {
        namespace("evict");
        for (String name : List.of("zk-0", "zk-1")) {
            assertThat(post("/api/v1/namespaces/evict/pods", pod(name, "{}").replace("metadata: {name: " + name + "}", "metadata: {name: " + name + ", labels: {app: zk}}")).statusCode()).isEqualTo(201);
            fx.send("PATCH", "/api/v1/namespaces/evict/pods/" + name + "/status", "application/merge-patch+json",
                    "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}");
        }
        assertThat(post("/apis/policy/v1/namespaces/evict/poddisruptionbudgets", "{metadata: {name: zk-pdb}, spec: {minAvailable: 2, selector: {matchLabels: {app: zk}}}}").statusCode()).isEqualTo(201);
        // the disruption controller's status: 2 healthy, 2 needed
        fx.send("PATCH", "/apis/policy/v1/namespaces/evict/poddisruptionbudgets/zk-pdb/status", "application/merge-patch+json",
                "{\"status\":{\"observedGeneration\":1,\"currentHealthy\":2,\"desiredHealthy\":2,\"expectedPods\":2,\"disruptionsAllowed\":0}}");
        String eviction = "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"zk-0\",\"namespace\":\"evict\"}}";
        HttpResponse<String> refused = fx.send("POST", "/api/v1/namespaces/evict/pods/zk-0/eviction", "application/json", eviction);
        assertThat(refused.statusCode()).isEqualTo(429);
        JsonNode status = Json.tree(refused.body());
        assertThat(status.path("reason").asString()).isEqualTo("TooManyRequests");
        assertThat(status.path("message").asString()).isEqualTo("Cannot evict pod as it would violate the pod's disruption budget.");
        assertThat(status.path("details").path("causes").get(0).path("reason").asString()).isEqualTo("DisruptionBudget");
        assertThat(status.path("details").path("causes").get(0).path("message").asString()).isEqualTo("The disruption budget zk-pdb needs 2 healthy pods and has 2 currently");
        assertThat(fx.send("GET", "/api/v1/namespaces/evict/pods/zk-0", null, null).statusCode()).isEqualTo(200);

        fx.send("PATCH", "/apis/policy/v1/namespaces/evict/poddisruptionbudgets/zk-pdb/status", "application/merge-patch+json",
                "{\"status\":{\"desiredHealthy\":1,\"disruptionsAllowed\":1}}");
        assertThat(fx.send("POST", "/api/v1/namespaces/evict/pods/zk-0/eviction", "application/json", eviction).statusCode()).isEqualTo(201);
        JsonNode pdb = Json.tree(fx.send("GET", "/apis/policy/v1/namespaces/evict/poddisruptionbudgets/zk-pdb", null, null).body());
        assertThat(pdb.path("status").path("disruptionsAllowed").asInt()).isEqualTo(0);
        assertThat(pdb.path("status").path("disruptedPods").has("zk-0")).isTrue();
        // the second eviction finds no disruption left
        String second = eviction.replace("zk-0", "zk-1");
        assertThat(fx.send("POST", "/api/v1/namespaces/evict/pods/zk-1/eviction", "application/json", second).statusCode()).isEqualTo(429);
    }

    @Test
    void podSecurityEnforceRestrictedRefusesAPrivilegedPodAndStoresNothing() {
        assertThat(post("/api/v1/namespaces", "{metadata: {name: psa-enforce, labels: {pod-security.kubernetes.io/enforce: restricted}}}").statusCode()).isEqualTo(201);
        HttpResponse<String> refused = post("/api/v1/namespaces/psa-enforce/pods", """
                apiVersion: v1
                kind: Pod
                metadata: {name: x}
                spec:
                  containers:
                  - name: c
                    image: busybox
                    securityContext: {privileged: true}
                """);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        JsonNode status = Json.tree(refused.body());
        assertThat(status.path("reason").asString()).isEqualTo("Forbidden");
        assertThat(status.path("message").asString()).isEqualTo("pods \"x\" is forbidden: violates PodSecurity \"restricted:latest\": "
                + "privileged (container \"c\" must not set securityContext.privileged=true), "
                + "allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false), "
                + "unrestricted capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]), "
                + "runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true), "
                + "seccompProfile (pod or container \"c\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
        assertThat(fx.send("GET", "/api/v1/namespaces/psa-enforce/pods/x", null, null).statusCode()).isEqualTo(404);
        // a pod meeting restricted is admitted
        assertThat(post("/api/v1/namespaces/psa-enforce/pods", """
                apiVersion: v1
                kind: Pod
                metadata: {name: ok}
                spec:
                  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
                  containers:
                  - name: c
                    image: busybox
                    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
                """).statusCode()).isEqualTo(201);
    }

    @Test
    void podSecurityWarnBaselineAdmitsWithAWarningHeader() {
        assertThat(post("/api/v1/namespaces", "{metadata: {name: psa-warn, labels: {pod-security.kubernetes.io/warn: baseline}}}").statusCode()).isEqualTo(201);
        HttpResponse<String> created = post("/api/v1/namespaces/psa-warn/pods", pod("host", "{}").replace("spec:\n", "spec:\n  hostNetwork: true\n"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().allValues("Warning"))
                .containsExactly("299 - \"would violate PodSecurity \\\"baseline:latest\\\": host namespaces (hostNetwork=true)\"");
        // a Deployment's template gets the same warning
        HttpResponse<String> deployment = post("/apis/apps/v1/namespaces/psa-warn/deployments", """
                metadata: {name: web}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {hostPID: true, containers: [{name: c, image: nginx}]}
                """);
        assertThat(deployment.statusCode()).as(deployment.body()).isEqualTo(201);
        assertThat(deployment.headers().allValues("Warning"))
                .containsExactly("299 - \"would violate PodSecurity \\\"baseline:latest\\\": host namespaces (hostPID=true)\"");
    }

    @Test
    void podSecurityLabelsAreValidatedAndRaisingEnforceWarnsAboutExistingPods() {
        HttpResponse<String> bad = post("/api/v1/namespaces", "{metadata: {name: psa-bad, labels: {pod-security.kubernetes.io/enforce: strict}}}");
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(Json.tree(bad.body()).path("message").asString()).isEqualTo("Namespace \"psa-bad\" is invalid: "
                + "metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted");
        namespace("psa-raise");
        assertThat(post("/api/v1/namespaces/psa-raise/pods", pod("root", "{}").replace("spec:\n", "spec:\n  hostIPC: true\n")).statusCode()).isEqualTo(201);
        HttpResponse<String> labeled = fx.send("PATCH", "/api/v1/namespaces/psa-raise", "application/merge-patch+json",
                "{\"metadata\":{\"labels\":{\"pod-security.kubernetes.io/enforce\":\"baseline\"}}}");
        assertThat(labeled.statusCode()).as(labeled.body()).isEqualTo(200);
        assertThat(labeled.headers().allValues("Warning")).containsExactly(
                "299 - \"existing pods in namespace \\\"psa-raise\\\" violate the new PodSecurity enforce level \\\"baseline:latest\\\"\"",
                "299 - \"root: host namespaces\"");
    }
}
