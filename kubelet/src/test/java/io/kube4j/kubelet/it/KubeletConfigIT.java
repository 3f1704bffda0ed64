package io.kube4j.kubelet.it;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Event;
import io.kube4j.api.ObjectReference;
import io.kube4j.api.PersistentVolume;
import io.kube4j.api.PersistentVolumeClaim;
import io.kube4j.api.Pod;
import io.kube4j.api.Secret;
import io.kube4j.api.Volume;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.kubelet.KubeletApplication;
import io.kube4j.quantity.Quantity;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * ConfigMaps, Secrets and volumes on the process runtime, against a real apiserver and etcd: env vars from a
 * ConfigMap and a Secret, a file of a configMap volume, a pod that waits for its ConfigMap
 * (CreateContainerConfigError, then Running once it exists), a volume file that follows a ConfigMap
 * update, a missing volume source (ContainerCreating, FailedMount), and a claim bound to a hostPath volume.
 * The process runtime links a volume at its mountPath taken relative to the pod directory, the process's
 * working directory: {@code /etc/config} is read as {@code etc/config}. Every command here is this test's own.
 */
class KubeletConfigIT {
    private static final String NODE = "it-config-" + UUID.randomUUID().toString().substring(0, 8);
    private static EtcdContainer etcd;
    private static ApiServerProcess apiserver;
    private static ConfigurableApplicationContext kubelet;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint()).start();
        api = new ApiClient(apiserver.url());
        kubelet = new SpringApplicationBuilder(KubeletApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=" + apiserver.url(),
                "--kube4j.kubelet.node-name=" + NODE,
                "--kube4j.kubelet.runtime=process",
                "--kube4j.kubelet.address=127.0.0.1",
                "--kube4j.kubelet.root-dir=target/kubelet-config-it");
    }

    @AfterAll
    static void stop() {
        if (kubelet != null) {
            kubelet.close();
        }
        if (apiserver != null) {
            apiserver.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    // ---- fixtures -----------------------------------------------------------------------------

    private static Container container(String script) {
        Container c = new Container();
        c.name = "app";
        c.image = "local/busybox:latest";
        c.imagePullPolicy = "IfNotPresent";
        c.command.addAll(List.of("sh", "-c", script));
        return c;
    }

    private static Pod pod(String name, Container c) {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = name;
        p.spec.nodeName = NODE;
        p.spec.restartPolicy = "Always";
        p.spec.terminationGracePeriodSeconds = 2L;
        p.spec.containers.add(c);
        return p;
    }

    private static ConfigMap configMap(String name, Map<String, String> data) {
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = "default";
        cm.metadata.name = name;
        cm.data.putAll(data);
        return cm;
    }

    private static Container.EnvVar from(String name, String kind, Map<String, Object> selector) {
        Container.EnvVar v = new Container.EnvVar();
        v.name = name;
        v.valueFrom = Map.of(kind, selector);
        return v;
    }

    private static void mountConfigMap(Pod p, String volume, String configMap, String mountPath) {
        Volume v = new Volume();
        v.name = volume;
        v.configMap = new Volume.ConfigMapVolumeSource();
        v.configMap.name = configMap;
        p.spec.volumes.add(v);
        Container.VolumeMount m = new Container.VolumeMount();
        m.name = volume;
        m.mountPath = mountPath;
        p.spec.containers.get(0).volumeMounts.add(m);
    }

    private static Pod get(String name) {
        return api.get(Pod.class, "default", name);
    }

    private static String logs(String name) {
        return api.getText("/api/v1/namespaces/default/pods/" + name + "/log");
    }

    private static List<Event> events(String pod) {
        return api.list(Event.class, "default", ListOptions.fields("involvedObject.name=" + pod)).items;
    }

    private static void deleteAndWait(String name) {
        api.delete(Pod.class, "default", name);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.find(Pod.class, "default", name).isEmpty());
    }

    // ---- tests --------------------------------------------------------------------------------

    @Test
    void aPodSeesVariablesFromAConfigMapAndASecretAndTheFilesOfAConfigMapVolume() {
        api.create(configMap("app-settings", Map.of("level", "debug", "greeting", "hello from a volume")));
        Secret secret = new Secret();
        secret.metadata.namespace = "default";
        secret.metadata.name = "app-creds";
        secret.put("password", "s3cr3t");
        api.create(secret);
        Container c = container("echo \"level=$LEVEL password=$PASSWORD pod=$POD_NAME cfg_level=$cfg_level\"; echo \"args: $(LEVEL)\"; "
                + "cat etc/config/greeting; echo; sleep 3600");
        c.env.add(from("LEVEL", "configMapKeyRef", Map.of("name", "app-settings", "key", "level")));
        c.env.add(from("PASSWORD", "secretKeyRef", Map.of("name", "app-creds", "key", "password")));
        c.env.add(from("POD_NAME", "fieldRef", Map.of("fieldPath", "metadata.name")));
        Container.EnvFromSource all = new Container.EnvFromSource();
        all.prefix = "cfg_";
        all.configMapRef = new Container.ConfigMapEnvSource();
        all.configMapRef.name = "app-settings";
        c.envFrom.add(all);
        Pod p = pod("config-env", c);
        mountConfigMap(p, "config", "app-settings", "/etc/config");
        api.create(p);

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertThat(get("config-env").status.phase).isEqualTo("Running");
            String log = logs("config-env");
            assertThat(log).contains("level=debug password=s3cr3t pod=config-env cfg_level=debug");
            assertThat(log).contains("args: debug");
            assertThat(log).contains("hello from a volume");
        });
        deleteAndWait("config-env");
    }

    @Test
    void aPodWhoseConfigMapIsMissingWaitsInCreateContainerConfigErrorAndStartsOnceItExists() {
        Container c = container("echo \"mode=$MODE\"; sleep 3600");
        c.env.add(from("MODE", "configMapKeyRef", Map.of("name", "late-settings", "key", "mode")));
        api.create(pod("config-late", c));

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            ContainerStatus s = get("config-late").status.containerStatuses.get(0);
            assertThat(s.state.waiting.reason).isEqualTo("CreateContainerConfigError");
            assertThat(s.state.waiting.message).isEqualTo("configmap \"late-settings\" not found");
            assertThat(get("config-late").status.phase).isEqualTo("Pending");
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events("config-late")).anySatisfy(e -> {
            assertThat(e.reason).isEqualTo("Failed");
            assertThat(e.message).isEqualTo("Error: configmap \"late-settings\" not found");
        }));

        long created = System.nanoTime();
        api.create(configMap("late-settings", Map.of("mode", "fast")));
        // the next try comes after the pod worker's 10 s back-off (Kubernetes: 10-15 s with its jitter)
        await().atMost(Duration.ofSeconds(25)).ignoreExceptions().untilAsserted(() -> {
            assertThat(get("config-late").status.containerStatuses.get(0).state.running).isNotNull();
            assertThat(logs("config-late")).contains("mode=fast");
        });
        System.out.println("ConfigMap created to container running and logging: " + Duration.ofNanos(System.nanoTime() - created).toMillis() + " ms");
        deleteAndWait("config-late");
    }

    @Test
    void aConfigMapVolumeFileChangesWithinTenSecondsOfAConfigMapUpdate() {
        api.create(configMap("live-settings", Map.of("greeting", "version-one")));
        Pod p = pod("config-live", container("while true; do cat etc/config/greeting; echo; sleep 0.5; done"));
        mountConfigMap(p, "config", "live-settings", "/etc/config");
        api.create(p);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(logs("config-live")).contains("version-one"));

        ConfigMap cm = api.get(ConfigMap.class, "default", "live-settings");
        cm.data.put("greeting", "version-two");
        long updated = System.nanoTime();
        api.update(cm);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .untilAsserted(() -> assertThat(logs("config-live")).contains("version-two"));
        long millis = Duration.ofNanos(System.nanoTime() - updated).toMillis();
        System.out.println("ConfigMap update to the new content in the container's output: " + millis + " ms");
        assertThat(millis).isLessThan(10_000);
        deleteAndWait("config-live");
    }

    @Test
    void aMissingVolumeSourceHoldsThePodInContainerCreatingWithFailedMountUntilItExists() {
        Pod p = pod("config-mount", container("cat etc/secret/token; echo; sleep 3600"));
        Volume v = new Volume();
        v.name = "secret-vol";
        v.secret = new Volume.SecretVolumeSource();
        v.secret.secretName = "mount-creds";
        p.spec.volumes.add(v);
        Container.VolumeMount m = new Container.VolumeMount();
        m.name = "secret-vol";
        m.mountPath = "/etc/secret";
        p.spec.containers.get(0).volumeMounts.add(m);
        api.create(p);

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertThat(get("config-mount").status.containerStatuses.get(0).state.waiting.reason).isEqualTo("ContainerCreating");
            assertThat(events("config-mount")).anySatisfy(e -> {
                assertThat(e.reason).isEqualTo("FailedMount");
                assertThat(e.message).isEqualTo("MountVolume.SetUp failed for volume \"secret-vol\" : secret \"mount-creds\" not found");
            });
        });

        Secret secret = new Secret();
        secret.metadata.namespace = "default";
        secret.metadata.name = "mount-creds";
        secret.put("token", "t0ken");
        api.create(secret);
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
            assertThat(get("config-mount").status.phase).isEqualTo("Running");
            assertThat(logs("config-mount")).contains("t0ken");
        });
        deleteAndWait("config-mount");
    }

    @Test
    void aClaimBoundToAHostPathVolumeIsMountedAndAnUnboundOneWaits() throws Exception {
        Path data = Files.createDirectories(Path.of("target/kubelet-config-it-pv").toAbsolutePath());
        Files.writeString(data.resolve("state.txt"), "persisted");
        PersistentVolumeClaim claim = new PersistentVolumeClaim();
        claim.metadata.namespace = "default";
        claim.metadata.name = "data-claim";
        claim.spec.accessModes.add("ReadWriteOnce");
        claim.spec.resources = new PersistentVolumeClaim.VolumeResourceRequirements();
        claim.spec.resources.requests.put("storage", Quantity.parse("1Gi"));
        claim.spec.storageClassName = "";
        claim.spec.volumeName = "pv-" + NODE; // pre-bound to a volume that does not exist yet
        claim = api.create(claim);
        Pod p = pod("config-claim", container("cat data/state.txt; echo; sleep 3600"));
        Volume v = new Volume();
        v.name = "data";
        v.persistentVolumeClaim = new Volume.PersistentVolumeClaimVolumeSource();
        v.persistentVolumeClaim.claimName = "data-claim";
        p.spec.volumes.add(v);
        Container.VolumeMount m = new Container.VolumeMount();
        m.name = "data";
        m.mountPath = "/data";
        p.spec.containers.get(0).volumeMounts.add(m);
        api.create(p);

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(get("config-claim").status.containerStatuses.get(0).state.waiting.reason).isEqualTo("ContainerCreating"));
        Thread.sleep(2000);
        assertThat(get("config-claim").status.phase).isEqualTo("Pending");

        // what the PV controller would do: a volume bound to the claim, the claim Bound to it
        PersistentVolume pv = new PersistentVolume();
        pv.metadata.name = "pv-" + NODE;
        pv.spec.capacity.put("storage", Quantity.parse("1Gi"));
        pv.spec.accessModes.add("ReadWriteOnce");
        pv.spec.persistentVolumeReclaimPolicy = "Retain";
        pv.spec.hostPath = new Volume.HostPath();
        pv.spec.hostPath.path = data.toString();
        pv.spec.claimRef = new ObjectReference();
        pv.spec.claimRef.namespace = "default";
        pv.spec.claimRef.name = "data-claim";
        pv.spec.claimRef.uid = claim.metadata.uid;
        api.create(pv);
        claim = api.get(PersistentVolumeClaim.class, "default", "data-claim");
        claim.status.phase = "Bound";
        api.updateStatus(claim);

        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
            assertThat(get("config-claim").status.phase).isEqualTo("Running");
            assertThat(logs("config-claim")).contains("persisted");
        });
        deleteAndWait("config-claim");
    }
}
