package io.kube4j.kubelet.it;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Event;
import io.kube4j.api.IntOrString;
import io.kube4j.api.Pod;
import io.kube4j.api.PodSecurityContext;
import io.kube4j.api.SecurityContext;
import io.kube4j.api.Probe;
import io.kube4j.api.Volume;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.json.Json;
import io.kube4j.kubelet.KubeletApplication;
import io.kube4j.kubelet.runtime.docker.DockerClient;
import io.kube4j.kubelet.runtime.docker.DockerRuntime;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import io.kube4j.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The kubelet with the docker runtime against the real Docker Engine (pods and sandboxes run
 * {@link TestImages#BUSYBOX}: busybox:1.36, pulled if absent, or CI's local build), a real apiserver and etcd. Every container it makes is
 * labelled with this test's unique node name and removed afterwards by that label.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubeletDockerRuntimeIT {
    private static final String NODE = "it-docker-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String IMAGE = TestImages.BUSYBOX;
    private static final DockerClient docker = new DockerClient(Path.of("/var/run/docker.sock"));
    private static EtcdContainer etcd;
    private static ApiServerProcess apiserver;
    private static ConfigurableApplicationContext kubelet;
    private static ApiClient api;
    private static int kubeletPort;

    @BeforeAll
    static void start() {
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint()).start();
        api = new ApiClient(apiserver.url());
        startKubelet();
    }

    private static void startKubelet() {
        kubelet = new SpringApplicationBuilder(KubeletApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=" + apiserver.url(),
                "--kube4j.kubelet.node-name=" + NODE,
                "--kube4j.kubelet.runtime=docker",
                "--kube4j.kubelet.sandbox-image=" + IMAGE,
                "--kube4j.kubelet.docker.network=bridge",
                "--kube4j.kubelet.address=127.0.0.1",
                "--kube4j.kubelet.sync-period=500ms");
        kubeletPort = ((WebServerApplicationContext) kubelet).getWebServer().getPort();
    }

    @AfterAll
    static void stop() {
        if (kubelet != null) {
            kubelet.close();
        }
        try {
            for (JsonNode c : containers(DockerRuntime.LABEL_NODE + "=" + NODE)) {
                try {
                    docker.call("DELETE", "/containers/" + c.path("Id").asString() + "?force=1&v=1", null, Duration.ofSeconds(30));
                } catch (DockerClient.DockerException e) {
                    // the kubelet removed it meanwhile (a pod deleted just before)
                    if (e.status() != 404) {
                        throw e;
                    }
                }
            }
            String volumes = URLEncoder.encode(Json.write(Map.of("label", List.of(DockerRuntime.LABEL_NODE + "=" + NODE))), StandardCharsets.UTF_8);
            for (JsonNode v : docker.call("GET", "/volumes?filters=" + volumes, null, Duration.ofSeconds(30)).path("Volumes")) {
                docker.call("DELETE", "/volumes/" + v.path("Name").asString(), null, Duration.ofSeconds(30));
            }
        } finally {
            if (apiserver != null) {
                apiserver.close();
            }
            if (etcd != null) {
                etcd.stop();
            }
        }
    }

    private static List<JsonNode> containers(String... labels) {
        String filters = URLEncoder.encode(Json.write(Map.of("label", List.of(labels))), StandardCharsets.UTF_8);
        List<JsonNode> out = new ArrayList<>();
        docker.call("GET", "/containers/json?all=1&filters=" + filters, null, Duration.ofSeconds(30)).forEach(out::add);
        return out;
    }

    private static Pod pod(String name, String script) {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = name;
        p.spec.nodeName = NODE;
        p.spec.terminationGracePeriodSeconds = 1L;
        Container c = new Container();
        c.name = "app";
        c.image = IMAGE;
        c.imagePullPolicy = "IfNotPresent";
        c.command.addAll(List.of("sh", "-c", script));
        Container.ContainerPort http = new Container.ContainerPort();
        http.name = "http";
        http.containerPort = 8080;
        c.ports.add(http);
        p.spec.containers.add(c);
        return p;
    }

    private static Probe httpProbe(String path) {
        Probe probe = new Probe();
        probe.httpGet = new Probe.HTTPGetAction();
        probe.httpGet.path = path;
        probe.httpGet.port = IntOrString.of("http");
        probe.periodSeconds = 1;
        probe.failureThreshold = 1;
        return probe;
    }

    private static Pod get(String name) {
        return api.get(Pod.class, "default", name);
    }

    private static String http(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    @Test
    @Order(1)
    void podRunsWithAPodIpThatAnswersHttp() throws Exception {
        Pod web = pod("web", "echo serving; echo hello-from-docker > /tmp/index.html; exec httpd -f -p 8080 -h /tmp");
        web.spec.containers.get(0).readinessProbe = httpProbe("/index.html");
        api.create(web);

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            Pod p = get("web");
            assertThat(p.status.phase).isEqualTo("Running");
            assertThat(p.status.condition("Ready").status).isEqualTo("True");
            assertThat(p.status.podIP).isNotBlank().isNotEqualTo("127.0.0.1");
            assertThat(p.status.containerStatuses.get(0).containerID).startsWith("docker://");
        });
        String ip = get("web").status.podIP;
        assertThat(http("http://" + ip + ":8080/index.html")).isEqualTo("200 hello-from-docker\n");
        assertThat(api.getText("/api/v1/namespaces/default/pods/web/log")).contains("serving");
        String uid = get("web").metadata.uid;
        // one sandbox and one app container, both labelled with the pod
        assertThat(containers(DockerRuntime.LABEL_POD_UID + "=" + uid)).hasSize(2);
    }

    @Test
    @Order(2)
    void kubeletRestartAdoptsTheRunningContainersInsteadOfDuplicatingThem() {
        String uid = get("web").metadata.uid;
        List<String> before = containers(DockerRuntime.LABEL_POD_UID + "=" + uid).stream().map(c -> c.path("Id").asString()).sorted().toList();

        kubelet.close();
        startKubelet();
        // let the new kubelet list, sync the pod a few times and run housekeeping
        await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() -> true);

        List<String> after = containers(DockerRuntime.LABEL_POD_UID + "=" + uid).stream().map(c -> c.path("Id").asString()).sorted().toList();
        assertThat(after).isEqualTo(before);
        ContainerStatus s = get("web").status.containerStatuses.get(0);
        assertThat(s.restartCount).isZero();
        assertThat(s.state.running).isNotNull();
    }

    @Test
    @Order(3)
    void deletingThePodRemovesItsContainers() {
        String uid = get("web").metadata.uid;

        api.delete(Pod.class, "default", "web");

        await().atMost(Duration.ofSeconds(60)).until(() -> api.find(Pod.class, "default", "web").isEmpty());
        assertThat(containers(DockerRuntime.LABEL_POD_UID + "=" + uid)).isEmpty();
    }

    @Test
    @Order(4)
    void failingLivenessProbeRestartsTheContainer() {
        // healthy for 3 s, then the page the probe asks for disappears
        Pod sick = pod("sick", "echo ok > /tmp/index.html; httpd -p 8080 -h /tmp; sleep 3; rm /tmp/index.html; exec sleep 3600");
        sick.spec.containers.get(0).livenessProbe = httpProbe("/index.html");
        api.create(sick);

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            ContainerStatus s = get("sick").status.containerStatuses.get(0);
            assertThat(s.restartCount).isGreaterThanOrEqualTo(1);
            // it ran, and was killed: sh as pid 1 ignores SIGTERM, so SIGKILL after the 1 s grace period
            assertThat(s.lastState.terminated.startedAt).isNotNull();
            assertThat(s.lastState.terminated.exitCode).isIn(137, 143);
        });
        List<String> reasons = api.list(Event.class, "default", ListOptions.fields("involvedObject.name=sick")).items.stream().map(e -> e.reason).toList();
        assertThat(reasons).contains("Started", "Unhealthy", "Killing").doesNotContain("Failed");
        api.delete(Pod.class, "default", "sick");
    }

    @Test
    @Order(5)
    void imageThatCannotBePulledIsErrImagePullOrImagePullBackOff() {
        Pod bad = pod("bad-image", "true");
        // a registry on a closed local port: the pull fails at once and nothing leaves this machine
        bad.spec.containers.get(0).image = "127.0.0.1:1/kube4j/nope:1";
        bad.spec.containers.get(0).imagePullPolicy = "Always";
        api.create(bad);

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            ContainerStatus s = get("bad-image").status.containerStatuses.get(0);
            assertThat(s.state.waiting.reason).isIn("ErrImagePull", "ImagePullBackOff");
            assertThat(get("bad-image").status.phase).isEqualTo("Pending");
        });
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(get("bad-image").status.containerStatuses.get(0).state.waiting.reason).isEqualTo("ImagePullBackOff"));
        api.delete(Pod.class, "default", "bad-image");
    }

    @Test
    @Order(6)
    void configMapVariablesAndAReadOnlyBindMountedVolumeThatFollowsUpdatesExceptUnderSubPath() {
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = "default";
        cm.metadata.name = "docker-settings";
        cm.data.put("level", "debug");
        cm.data.put("greeting", "one");
        api.create(cm);
        Pod p = pod("configured", "echo \"level=$LEVEL\"; touch /etc/config/x 2>/dev/null || echo read-only; "
                + "while true; do echo \"dir=`cat /etc/config/greeting` sub=`cat /etc/greeting.txt`\"; sleep 1; done");
        Container c = p.spec.containers.get(0);
        Container.EnvVar level = new Container.EnvVar();
        level.name = "LEVEL";
        level.valueFrom = Map.of("configMapKeyRef", Map.of("name", "docker-settings", "key", "level"));
        c.env.add(level);
        Volume v = new Volume();
        v.name = "config";
        v.configMap = new Volume.ConfigMapVolumeSource();
        v.configMap.name = "docker-settings";
        p.spec.volumes.add(v);
        Container.VolumeMount whole = new Container.VolumeMount();
        whole.name = "config";
        whole.mountPath = "/etc/config";
        Container.VolumeMount single = new Container.VolumeMount();
        single.name = "config";
        single.mountPath = "/etc/greeting.txt";
        single.subPath = "greeting";
        c.volumeMounts.addAll(List.of(whole, single));
        api.create(p);

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            String log = api.getText("/api/v1/namespaces/default/pods/configured/log");
            assertThat(log).contains("level=debug", "read-only", "dir=one sub=one");
        });

        cm = api.get(ConfigMap.class, "default", "docker-settings");
        cm.data.put("greeting", "two");
        api.update(cm);

        // the volume follows within seconds; the subPath mount keeps what it had (Kubernetes' behaviour)
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                assertThat(api.getText("/api/v1/namespaces/default/pods/configured/log")).contains("dir=two sub=one"));
        api.delete(Pod.class, "default", "configured");
        await().atMost(Duration.ofSeconds(60)).until(() -> api.find(Pod.class, "default", "configured").isEmpty());
    }

    @Test
    @Order(7)
    void restrictedSecurityContextRunsAsItsUserWithoutCapabilitiesNewPrivilegesOrAWritableRoot() {
        Pod p = pod("restricted", "id -u; grep CapEff /proc/self/status; grep NoNewPrivs /proc/self/status; touch /x || echo readonly");
        p.spec.restartPolicy = "Never";
        SecurityContext sc = new SecurityContext();
        sc.runAsUser = 1000L;
        sc.runAsNonRoot = true;
        sc.allowPrivilegeEscalation = false;
        sc.readOnlyRootFilesystem = true;
        sc.capabilities = new SecurityContext.Capabilities();
        sc.capabilities.drop.add("ALL");
        sc.seccompProfile = new SecurityContext.SeccompProfile();
        sc.seccompProfile.type = "RuntimeDefault";
        p.spec.containers.get(0).securityContext = sc;
        api.create(p);

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(get("restricted").status.phase).isEqualTo("Succeeded");
            String log = api.getText("/api/v1/namespaces/default/pods/restricted/log");
            assertThat(log.lines().toList()).contains("1000", "readonly");
            assertThat(log).containsPattern("CapEff:\\s+0000000000000000").containsPattern("NoNewPrivs:\\s+1");
        });
        api.delete(Pod.class, "default", "restricted");
        await().atMost(Duration.ofSeconds(60)).until(() -> api.find(Pod.class, "default", "restricted").isEmpty());
    }

    @Test
    @Order(8)
    void runAsNonRootWithAnImageThatRunsAsRootIsCreateContainerConfigError() {
        Pod p = pod("rootimage", "sleep 3600");
        p.spec.securityContext = new PodSecurityContext();
        p.spec.securityContext.runAsNonRoot = true;
        api.create(p);

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            Pod got = get("rootimage");
            ContainerStatus.Waiting w = got.status.containerStatuses.get(0).state.waiting;
            assertThat(w.reason).isEqualTo("CreateContainerConfigError");
            assertThat(w.message).isEqualTo("container has runAsNonRoot and image will run as root (pod: \"rootimage_default("
                    + got.metadata.uid + ")\", container: app)");
        });
        String uid = get("rootimage").metadata.uid;
        // only the sandbox exists: the container was never created
        assertThat(containers(DockerRuntime.LABEL_POD_UID + "=" + uid)).hasSize(1);
        api.delete(Pod.class, "default", "rootimage");
        await().atMost(Duration.ofSeconds(60)).until(() -> api.find(Pod.class, "default", "rootimage").isEmpty());
    }
}
