package io.kube4j.apiserver;

import com.sun.net.httpserver.HttpServer;
import io.kube4j.api.Deployment;
import io.kube4j.api.Event;
import io.kube4j.api.Node;
import io.kube4j.api.ObjectReference;
import io.kube4j.api.Pod;
import io.kube4j.api.ReplicaSet;
import io.kube4j.api.Service;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.Namespace;
import io.kube4j.client.ApiClient;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real, unmodified kubectl v1.32 against a real apiserver on a real etcd: discovery, tables, watch,
 * create/apply (client- and server-side), describe, logs, scale, rollout, run/expose, delete, explain,
 * dry runs and kubectl's usual error lines. Components that do not run here (kubelet, controllers) are
 * simulated by writing what they would write through the API.
 */
class KubectlIT {
    static ApiServerFixture fx;
    static ApiClient api;

    @BeforeAll
    static void start() {
        fx = new ApiServerFixture().start();
        api = fx.client;
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    static Kubectl kubectl(Path dir) {
        return Kubectl.forServer(fx.apiserver.url(), dir);
    }

    static Path file(Path dir, String name, String yaml) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    static void namespace(String name) {
        Namespace ns = new Namespace();
        ns.metadata.name = name;
        api.create(ns);
    }

    static String deployment(String name, int replicas, String image) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                  labels: {app: %s, tier: front}
                spec:
                  replicas: %d
                  selector:
                    matchLabels: {app: %s}
                  template:
                    metadata:
                      labels: {app: %s}
                    spec:
                      containers:
                      - name: main
                        image: %s
                        ports:
                        - containerPort: 80
                        - containerPort: 81
                      - name: side
                        image: busybox:1.36
                """.formatted(name, name, replicas, name, name, image);
    }

    static String pod(String name, String extra) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  labels: {app: %s}
                spec:
                %s  containers:
                  - name: main
                    image: busybox:1.36
                """.formatted(name, name, extra);
    }

    static void running(String ns, String name) {
        Pod p = api.get(Pod.class, ns, name);
        p.status.phase = "Running";
        p.status.podIP = "10.244.0.9";
        ContainerStatus cs = new ContainerStatus();
        cs.name = "main";
        cs.ready = true;
        cs.image = "busybox:1.36";
        cs.state = new ContainerStatus.ContainerState();
        cs.state.running = new ContainerStatus.Running();
        cs.state.running.startedAt = Times.now();
        p.status.containerStatuses = List.of(cs);
        api.updateStatus(p);
    }

    @Test
    void versionAnswersAs132(@TempDir Path dir) {
        Kubectl.Result r = kubectl(dir).run("version");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Server Version: v1.32.4");
    }

    /**
     * With security off nothing is authenticated: SelfSubjectReview answers as Kubernetes' old insecure
     * port (InsecureSuperuser), and TokenRequest still issues tokens (signed with an in-memory key).
     */
    @Test
    void authWhoamiAndCreateTokenWithSecurityOff(@TempDir Path dir) {
        Kubectl k = kubectl(dir);
        Kubectl.Result who = k.run("auth", "whoami");
        assertThat(who.exitCode()).as(who.toString()).isZero();
        assertThat(who.out()).containsPattern("Username\\s+system:unsecured").containsPattern("Groups\\s+\\[system:masters system:authenticated\\]");
        assertThat(k.run("create", "serviceaccount", "whoami-sa").exitCode()).isZero();
        Kubectl.Result token = k.run("create", "token", "whoami-sa");
        assertThat(token.exitCode()).as(token.toString()).isZero();
        assertThat(token.out().strip()).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    }

    @Test
    void apiResourcesListsEveryServedResourceWithShortNames(@TempDir Path dir) {
        Kubectl.Result r = kubectl(dir).run("api-resources");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("pods\\s+po\\s+v1\\s+true\\s+Pod")
                .containsPattern("deployments\\s+deploy\\s+apps/v1\\s+true\\s+Deployment")
                .containsPattern("nodes\\s+no\\s+v1\\s+false\\s+Node")
                .containsPattern("leases\\s+coordination.k8s.io/v1\\s+true\\s+Lease");
    }

    @Test
    void getPrintsTablesYamlJsonAcrossNamespacesWithLabelsAndSelectors(@TempDir Path dir) throws Exception {
        Kubectl k = kubectl(dir);
        namespace("get-a");
        namespace("get-b");
        assertThat(k.run("create", "-n", "get-a", "-f", file(dir, "a.yaml", pod("alpha", "")).toString()).exitCode()).isZero();
        assertThat(k.run("create", "-n", "get-b", "-f", file(dir, "b.yaml", pod("beta", "")).toString()).exitCode()).isZero();
        running("get-a", "alpha");

        Kubectl.Result table = k.run("get", "pods", "-n", "get-a");
        Kubectl.Result wide = k.run("get", "po", "-n", "get-a", "-o", "wide");
        Kubectl.Result yaml = k.run("get", "pod", "alpha", "-n", "get-a", "-o", "yaml");
        Kubectl.Result json = k.run("get", "pods", "-n", "get-b", "-o", "json");
        Kubectl.Result all = k.run("get", "pods", "-A", "--show-labels");
        Kubectl.Result selected = k.run("get", "pods", "-A", "-l", "app=beta");

        assertThat(table.out()).as(table.toString()).containsPattern("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\n")
                .containsPattern("alpha\\s+1/1\\s+Running\\s+0\\s+\\d+s");
        assertThat(wide.out()).as(wide.toString()).containsPattern("AGE\\s+IP\\s+NODE\\s+NOMINATED NODE\\s+READINESS GATES")
                .containsPattern("alpha\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+10.244.0.9\\s+<none>");
        assertThat(yaml.out()).as(yaml.toString()).contains("kind: Pod", "name: alpha", "namespace: get-a", "phase: Running");
        JsonNode list = Json.tree(json.out());
        assertThat(list.path("kind").asString()).isEqualTo("List");
        assertThat(list.path("items").get(0).path("metadata").path("name").asString()).isEqualTo("beta");
        assertThat(all.out()).as(all.toString()).containsPattern("NAMESPACE\\s+NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s+LABELS")
                .containsPattern("get-a\\s+alpha\\s+.*app=alpha").containsPattern("get-b\\s+beta\\s+.*app=beta");
        assertThat(selected.out()).as(selected.toString()).contains("beta").doesNotContain("alpha");
    }

    @Test
    void getWatchSeesAPodGoRunning(@TempDir Path dir) throws Exception {
        Kubectl k = kubectl(dir);
        namespace("watch");
        assertThat(k.run("create", "-n", "watch", "-f", file(dir, "p.yaml", pod("watched", "")).toString()).exitCode()).isZero();
        Process watch = k.start("get", "pods", "-n", "watch", "-w");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread.ofVirtual().start(() -> Kubectl.copy(watch.getInputStream(), out));
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> text(out).contains("Pending"));
            running("watch", "watched");
            await().atMost(Duration.ofSeconds(20)).until(() -> text(out).matches("(?s).*watched\\s+1/1\\s+Running.*"));
        } finally {
            watch.destroy();
        }
        assertThat(text(out)).containsPattern("NAME\\s+READY\\s+STATUS");
    }

    static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void createTwiceSaysAlreadyExists(@TempDir Path dir) throws Exception {
        Kubectl k = kubectl(dir);
        Path f = file(dir, "p.yaml", pod("twice", ""));

        Kubectl.Result first = k.run("create", "-f", f.toString());
        Kubectl.Result second = k.run("create", "-f", f.toString());

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out()).contains("pod/twice created");
        assertThat(second.exitCode()).isEqualTo(1);
        assertThat(second.err()).contains("Error from server (AlreadyExists)", "pods \"twice\" already exists");
    }

    @Test
    void applyTwiceIsUnchangedAndAnEditIsMergedStrategically(@TempDir Path dir) throws Exception {
        Kubectl k = kubectl(dir);
        Path f = file(dir, "web.yaml", deployment("applied", 2, "nginx:1.27"));

        Kubectl.Result created = k.run("apply", "-f", f.toString());
        Kubectl.Result unchanged = k.run("apply", "-f", f.toString());
        // drop a label, a port and a container; change replicas and the image
        file(dir, "web.yaml", deployment("applied", 3, "nginx:1.28").replace(", tier: front", "")
                .replace("        - containerPort: 81\n", "").replace("      - name: side\n        image: busybox:1.36\n", ""));
        Kubectl.Result edited = k.run("apply", "-f", f.toString());

        assertThat(created.out()).as(created.toString()).contains("deployment.apps/applied created");
        assertThat(unchanged.out()).as(unchanged.toString()).contains("deployment.apps/applied unchanged");
        assertThat(edited.out()).as(edited.toString()).contains("deployment.apps/applied configured");
        Deployment d = api.get(Deployment.class, "default", "applied");
        assertThat(d.spec.replicas).isEqualTo(3);
        assertThat(d.metadata.labels).containsOnlyKeys("app");
        assertThat(d.spec.template.spec.containers).extracting(c -> c.name).containsExactly("main");
        assertThat(d.spec.template.spec.containers.getFirst().image).isEqualTo("nginx:1.28");
        assertThat(d.spec.template.spec.containers.getFirst().ports).extracting(p -> p.containerPort).containsExactly(80);
        assertThat(d.metadata.annotations).containsKey("kubectl.kubernetes.io/last-applied-configuration");
    }

    @Test
    void serverSideApplyCreatesUpdatesAndReportsConflictsUnlessForced(@TempDir Path dir) throws Exception {
        Kubectl k = kubectl(dir);
        assertThat(k.run("create", "-f", file(dir, "a.yaml", deployment("ssa", 2, "nginx")).toString()).exitCode()).isZero();
        Path changed = file(dir, "b.yaml", deployment("ssa", 4, "nginx"));
        Path fresh = file(dir, "c.yaml", deployment("ssa-new", 1, "nginx"));

        Kubectl.Result conflict = k.run("apply", "--server-side", "-f", changed.toString());
        Kubectl.Result forced = k.run("apply", "--server-side", "--force-conflicts", "-f", changed.toString());
        Kubectl.Result created = k.run("apply", "--server-side", "-f", fresh.toString());
        Kubectl.Result again = k.run("apply", "--server-side", "-f", fresh.toString());

        assertThat(conflict.exitCode()).as(conflict.toString()).isEqualTo(1);
        assertThat(conflict.err()).contains("Apply failed with 1 conflict", "conflict with \"kubectl-create\"", ".spec.replicas");
        assertThat(forced.out()).as(forced.toString()).contains("deployment.apps/ssa serverside-applied");
        assertThat(api.get(Deployment.class, "default", "ssa").spec.replicas).isEqualTo(4);
        assertThat(created.out()).as(created.toString()).contains("deployment.apps/ssa-new serverside-applied");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        Deployment d = api.get(Deployment.class, "default", "ssa-new");
        assertThat(d.metadata.managedFields).extracting(m -> m.get("manager") + "/" + m.get("operation")).contains("kubectl/Apply");
    }

    @Test
    void describePodShowsItsEvents(@TempDir Path dir) throws Exception {
        Kubectl k = kubectl(dir);
        assertThat(k.run("create", "-f", file(dir, "p.yaml", pod("described", "")).toString()).exitCode()).isZero();
        Pod p = api.get(Pod.class, "default", "described");
        Event e = new Event();
        e.metadata.name = "described.1";
        e.metadata.namespace = "default";
        e.involvedObject = ObjectReference.to(p);
        e.reason = "Scheduled";
        e.message = "Successfully assigned default/described to node-1";
        e.type = "Normal";
        e.count = 1;
        e.firstTimestamp = Times.now();
        e.lastTimestamp = Times.now();
        e.source = new Event.EventSource();
        e.source.component = "default-scheduler";
        api.create(e);

        Kubectl.Result r = k.run("describe", "pod", "described");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("Name:\\s+described").containsPattern("Image:\\s+busybox:1.36")
                // status.qosClass, set on create as Kubernetes' PrepareForCreate does (GetPodQOS)
                .containsPattern("QoS Class:\\s+BestEffort")
                .contains("Events:").containsPattern("Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned default/described to node-1");
    }

    @Test
    void logsAndLogsFollowComeFromTheKubeletThroughTheApiserver(@TempDir Path dir) throws Exception {
        Kubectl k = kubectl(dir);
        CountDownLatch release = new CountDownLatch(1);
        // the kubelet's port is HTTPS only; any serving certificate does (the apiserver verifies none without a kubelet CA)
        HttpServer kubelet = io.kube4j.apiserver.kubelet.FakeKubeletServer.create(
                io.kube4j.apiserver.auth.Pki.ensure(dir.resolve("pki"), List.of(), List.of(), "https://127.0.0.1:6443").dir());
        kubelet.createContext("/containerLogs/default/logged/main", ex -> {
            String q = ex.getRequestURI().getQuery() == null ? "" : ex.getRequestURI().getQuery();
            List<String> lines = List.of("one", "two", "three");
            if (q.contains("tailLines=2")) {
                lines = lines.subList(1, 3);
            }
            ex.getResponseHeaders().add("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream os = ex.getResponseBody()) {
                for (String l : lines) {
                    os.write((l + "\n").getBytes(StandardCharsets.UTF_8));
                }
                os.flush();
                if (q.contains("follow=true")) {
                    release.await(20, TimeUnit.SECONDS);
                    os.write("four\n".getBytes(StandardCharsets.UTF_8));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        kubelet.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        kubelet.start();
        try {
            Node node = new Node();
            node.metadata.name = "log-node";
            node.status.addresses.add(new Node.NodeAddress("InternalIP", "127.0.0.1"));
            node.status.daemonEndpoints = new Node.DaemonEndpoints();
            node.status.daemonEndpoints.kubeletEndpoint = new Node.DaemonEndpoints.Endpoint();
            node.status.daemonEndpoints.kubeletEndpoint.port = kubelet.getAddress().getPort();
            Node created = api.create(node);
            created.status = node.status;
            api.updateStatus(created);
            assertThat(k.run("create", "-f", file(dir, "p.yaml", pod("logged", "  nodeName: log-node\n")).toString()).exitCode()).isZero();

            Kubectl.Result all = k.run("logs", "logged");
            Kubectl.Result tail = k.run("logs", "logged", "--tail=2");
            Process follow = k.start("logs", "-f", "logged");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> Kubectl.copy(follow.getInputStream(), out));
            await().atMost(Duration.ofSeconds(20)).until(() -> text(out).contains("three"));
            assertThat(follow.isAlive()).as("logs -f keeps streaming while the kubelet does").isTrue();
            release.countDown();
            assertThat(follow.waitFor(20, TimeUnit.SECONDS)).isTrue();
            reader.join();

            assertThat(all.out()).as(all.toString()).isEqualTo("one\ntwo\nthree\n");
            assertThat(tail.out()).as(tail.toString()).isEqualTo("two\nthree\n");
            assertThat(text(out)).isEqualTo("one\ntwo\nthree\nfour\n");
            assertThat(follow.exitValue()).isZero();
        } finally {
            kubelet.stop(0);
        }
    }

    @Test
    void scaleWritesReplicasAndHonoursCurrentReplicas(@TempDir Path dir) throws Exception {
        Kubectl k = kubectl(dir);
        assertThat(k.run("create", "-f", file(dir, "d.yaml", deployment("scaled", 1, "nginx")).toString()).exitCode()).isZero();

        Kubectl.Result scaled = k.run("scale", "deployment", "scaled", "--replicas=4");
        Kubectl.Result wrongCurrent = k.run("scale", "deployment/scaled", "--current-replicas=3", "--replicas=5");
        Kubectl.Result rightCurrent = k.run("scale", "deployment/scaled", "--current-replicas=4", "--replicas=2");

        assertThat(scaled.out()).as(scaled.toString()).contains("deployment.apps/scaled scaled");
        assertThat(wrongCurrent.exitCode()).as(wrongCurrent.toString()).isEqualTo(1);
        assertThat(wrongCurrent.err()).contains("Expected replicas to be 3, was 4");
        assertThat(rightCurrent.exitCode()).as(rightCurrent.toString()).isZero();
        assertThat(api.get(Deployment.class, "default", "scaled").spec.replicas).isEqualTo(2);
    }

    @Test
    void rolloutStatusWaitsForTheControllerAndHistoryAndUndoUseItsReplicaSets(@TempDir Path dir) throws Exception {
        Kubectl k = kubectl(dir);
        assertThat(k.run("create", "-f", file(dir, "d.yaml", deployment("rolled", 2, "nginx:2")).toString()).exitCode()).isZero();
        Deployment d = api.get(Deployment.class, "default", "rolled");
        // what the Deployment controller would write: two ReplicaSets (revisions 1 and 2) and the revision annotation
        replicaSet(d, "rolled-1111", "1", "nginx:1");
        replicaSet(d, "rolled-2222", "2", "nginx:2");
        api.patch(Deployment.class, "default", "rolled", "application/merge-patch+json",
                "{\"metadata\":{\"annotations\":{\"deployment.kubernetes.io/revision\":\"2\"}}}");

        Process status = k.start("rollout", "status", "deployment/rolled", "--timeout=30s");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> Kubectl.copy(status.getInputStream(), out));
        await().atMost(Duration.ofSeconds(20)).until(() -> text(out).contains("Waiting for deployment"));
        Deployment cur = api.get(Deployment.class, "default", "rolled");
        cur.status.observedGeneration = cur.metadata.generation;
        cur.status.replicas = 2;
        cur.status.updatedReplicas = 2;
        cur.status.readyReplicas = 2;
        cur.status.availableReplicas = 2;
        api.updateStatus(cur);
        assertThat(status.waitFor(30, TimeUnit.SECONDS)).isTrue();
        reader.join();
        assertThat(status.exitValue()).isZero();
        assertThat(text(out)).contains("deployment \"rolled\" successfully rolled out");

        Kubectl.Result history = k.run("rollout", "history", "deployment/rolled");
        Kubectl.Result undo = k.run("rollout", "undo", "deployment/rolled");

        assertThat(history.out()).as(history.toString()).containsPattern("REVISION\\s+CHANGE-CAUSE").containsPattern("1\\s+<none>").containsPattern("2\\s+<none>");
        assertThat(undo.out()).as(undo.toString()).contains("deployment.apps/rolled rolled back");
        assertThat(api.get(Deployment.class, "default", "rolled").spec.template.spec.containers.getFirst().image).isEqualTo("nginx:1");
    }

    static void replicaSet(Deployment d, String name, String revision, String image) {
        ReplicaSet rs = new ReplicaSet();
        rs.metadata.name = name;
        rs.metadata.namespace = d.metadata.namespace;
        rs.metadata.labels.putAll(d.spec.template.metadata.labels);
        rs.metadata.labels.put("pod-template-hash", name.substring(name.indexOf('-') + 1));
        rs.metadata.annotations.put("deployment.kubernetes.io/revision", revision);
        rs.metadata.ownerReferences.add(OwnerReference.controllerOf(d));
        rs.spec.replicas = 0;
        rs.spec.selector = d.spec.selector;
        rs.spec.template = Json.copy(d.spec.template);
        rs.spec.template.metadata.labels.put("pod-template-hash", rs.metadata.labels.get("pod-template-hash"));
        rs.spec.template.spec.containers.getFirst().image = image;
        api.create(rs);
    }

    @Test
    void runAndExposeCreateAPodAndAService(@TempDir Path dir) {
        Kubectl k = kubectl(dir);

        Kubectl.Result run = k.run("run", "runner", "--image=nginx", "--port=80");
        Kubectl.Result expose = k.run("expose", "pod", "runner", "--port=8080", "--target-port=80");
        Kubectl.Result svc = k.run("get", "svc", "runner");

        assertThat(run.out()).as(run.toString()).contains("pod/runner created");
        assertThat(expose.out()).as(expose.toString()).contains("service/runner exposed");
        Pod p = api.get(Pod.class, "default", "runner");
        assertThat(p.metadata.labels).containsEntry("run", "runner");
        assertThat(p.metadata.creationTimestamp).isNotBlank();
        Service s = api.get(Service.class, "default", "runner");
        assertThat(s.spec.selector).containsEntry("run", "runner");
        assertThat(svc.out()).as(svc.toString()).containsPattern("runner\\s+ClusterIP\\s+\\S+\\s+<none>\\s+8080/TCP");
    }

    @Test
    void deleteWaitsUntilThePodIsGone(@TempDir Path dir) throws Exception {
        Kubectl k = kubectl(dir);
        assertThat(k.run("create", "-f", file(dir, "p.yaml", pod("doomed", "  nodeName: some-node\n")).toString()).exitCode()).isZero();
        running("default", "doomed");

        Process delete = k.start("delete", "pod", "doomed");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> Kubectl.copy(delete.getInputStream(), out));
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get(Pod.class, "default", "doomed").metadata.deletionTimestamp != null);
        Thread.sleep(1000);
        assertThat(delete.isAlive()).as("kubectl delete waits while the kubelet stops the pod").isTrue();
        // the kubelet's final delete
        api.delete(Pod.class, "default", "doomed", 0);

        assertThat(delete.waitFor(30, TimeUnit.SECONDS)).isTrue();
        reader.join();
        assertThat(delete.exitValue()).isZero();
        assertThat(text(out)).contains("pod \"doomed\" deleted");
        assertThat(api.find(Pod.class, "default", "doomed")).isEmpty();
    }

    @Test
    void explainShowsTheSchemas(@TempDir Path dir) {
        Kubectl k = kubectl(dir);

        Kubectl.Result spec = k.run("explain", "pod.spec");
        Kubectl.Result replicas = k.run("explain", "deployments.spec.replicas");

        assertThat(spec.exitCode()).as(spec.toString()).isZero();
        assertThat(spec.out()).containsPattern("KIND:\\s+Pod").containsPattern("containers\\s+<\\[\\]Container>").containsPattern("nodeName\\s+<string>");
        assertThat(replicas.out()).as(replicas.toString()).containsPattern("FIELD:\\s+replicas <integer>");
    }

    @Test
    void invalidManifestsGiveKubectlsUsualErrors(@TempDir Path dir) throws Exception {
        Kubectl k = kubectl(dir);
        Path unknown = file(dir, "u.yaml", pod("typo", "").replace("image: busybox:1.36", "image: busybox:1.36\n    imagee: busybox:1.36") + "  foo: bar\n");
        Path invalid = file(dir, "i.yaml", pod("badname", "").replace("name: main", "name: Main_Container"));

        Kubectl.Result strict = k.run("create", "-f", unknown.toString());
        Kubectl.Result notValidated = k.run("create", "--validate=false", "-f", unknown.toString());
        Kubectl.Result unprocessable = k.run("apply", "-f", invalid.toString());

        assertThat(strict.exitCode()).isEqualTo(1);
        assertThat(strict.err()).as(strict.toString()).contains("Error from server (BadRequest): error when creating \"" + unknown + "\": Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.containers[0].imagee\", unknown field \"spec.foo\"");
        assertThat(notValidated.exitCode()).as(notValidated.toString()).isZero();
        assertThat(unprocessable.exitCode()).isEqualTo(1);
        assertThat(unprocessable.err()).as(unprocessable.toString()).contains("The Pod \"badname\" is invalid:", "spec.containers[0].name: Invalid value: \"Main_Container\"");
    }

    @Test
    void serverDryRunsChangeNothing(@TempDir Path dir) throws Exception {
        Kubectl k = kubectl(dir);
        Path f = file(dir, "p.yaml", pod("dry", ""));

        Kubectl.Result create = k.run("create", "--dry-run=server", "-f", f.toString());
        assertThat(api.find(Pod.class, "default", "dry")).isEmpty();
        assertThat(k.run("create", "-f", f.toString()).exitCode()).isZero();
        Kubectl.Result label = k.run("label", "pod", "dry", "x=y", "--dry-run=server");
        Kubectl.Result delete = k.run("delete", "pod", "dry", "--dry-run=server");

        assertThat(create.out()).as(create.toString()).contains("pod/dry created (server dry run)");
        assertThat(label.out()).as(label.toString()).contains("pod/dry labeled (server dry run)");
        assertThat(delete.out()).as(delete.toString()).contains("pod \"dry\" deleted (server dry run)");
        Pod p = api.get(Pod.class, "default", "dry");
        assertThat(p.metadata.labels).doesNotContainKey("x");
        assertThat(p.metadata.deletionTimestamp).isNull();
    }

    @Test
    void podSecurityDenialsAndWarningsReachKubectl(@TempDir Path dir) throws Exception {
        Kubectl k = kubectl(dir);
        namespace("psa-kubectl");
        Kubectl.Result labeled = k.run("label", "namespace", "psa-kubectl", "pod-security.kubernetes.io/enforce=baseline",
                "pod-security.kubernetes.io/warn=restricted");
        assertThat(labeled.exitCode()).as(labeled.toString()).isZero();

        Path host = file(dir, "host.yaml", pod("host", "  hostNetwork: true\n"));
        Kubectl.Result refused = k.run("create", "-n", "psa-kubectl", "-f", host.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).as(refused.toString()).contains("Error from server (Forbidden): error when creating \"" + host
                + "\": pods \"host\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)");

        Path plain = file(dir, "plain.yaml", pod("plain", ""));
        Kubectl.Result warned = k.run("create", "-n", "psa-kubectl", "-f", plain.toString());
        assertThat(warned.exitCode()).as(warned.toString()).isZero();
        assertThat(warned.out()).contains("pod/plain created");
        assertThat(warned.err()).contains("Warning: would violate PodSecurity \"restricted:latest\": "
                + "allowPrivilegeEscalation != false (container \"main\" must set securityContext.allowPrivilegeEscalation=false), "
                + "unrestricted capabilities (container \"main\" must set securityContext.capabilities.drop=[\"ALL\"]), "
                + "runAsNonRoot != true (pod or container \"main\" must set securityContext.runAsNonRoot=true), "
                + "seccompProfile (pod or container \"main\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
    }
}
