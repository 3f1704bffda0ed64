package io.kube4j.kubelet.volume;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Container;
import io.kube4j.api.Event;
import io.kube4j.api.ObjectReference;
import io.kube4j.api.PersistentVolume;
import io.kube4j.api.PersistentVolumeClaim;
import io.kube4j.api.Pod;
import io.kube4j.api.Secret;
import io.kube4j.api.Volume;
import io.kube4j.events.EventRecorder;
import io.kube4j.kubelet.testing.MapObjectManager;
import io.kube4j.kubelet.testing.RecordingApiClient;
import io.kube4j.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The volume manager on a temporary pods directory: API-data volumes written and updated, missing sources
 * reported as FailedMount at Kubernetes' back-off pace, claims resolved to their PersistentVolume's path.
 */
class VolumeManagerTest {
    @TempDir
    Path root;
    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T12:00:00Z"));
    private final RecordingApiClient api = new RecordingApiClient();
    private final MapObjectManager<ConfigMap> configMaps = new MapObjectManager<>("configmap");
    private final MapObjectManager<Secret> secrets = new MapObjectManager<>("secret");

    private VolumeManager manager() {
        return new VolumeManager(root.resolve("pods"), api, new VolumePayloads(configMaps, secrets, Map::of),
                new EventRecorder(api, "kubelet", "node-1"), clock);
    }

    private static Pod pod(Volume... volumes) {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = "web";
        p.metadata.uid = "uid-web";
        Container c = new Container();
        c.name = "app";
        for (Volume v : volumes) {
            p.spec.volumes.add(v);
            Container.VolumeMount m = new Container.VolumeMount();
            m.name = v.name;
            m.mountPath = "/mnt/" + v.name;
            c.volumeMounts.add(m);
        }
        p.spec.containers.add(c);
        return p;
    }

    private static Volume configMapVolume(String name, String configMap) {
        Volume v = new Volume();
        v.name = name;
        v.configMap = new Volume.ConfigMapVolumeSource();
        v.configMap.name = configMap;
        return v;
    }

    private static ConfigMap configMap(String name, String key, String value) {
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = "default";
        cm.metadata.name = name;
        cm.data.put(key, value);
        return cm;
    }

    private List<Event> events() {
        // the recorder writes asynchronously
        return api.events();
    }

    @Test
    void aConfigMapVolumeIsWrittenUnderThePodDirectoryAndUpdatedWhenTheConfigMapChanges() throws IOException {
        configMaps.put(configMap("settings", "greeting", "hello"));
        VolumeManager m = manager();
        Pod p = pod(configMapVolume("config", "settings"));

        VolumeManager.PodVolumes volumes = m.mountPod(p);

        Path dir = root.resolve("pods/uid-web/volumes/kubernetes.io~configmap/config");
        assertThat(volumes.ready()).isTrue();
        assertThat(volumes.mounted().get("config")).isEqualTo(new MountedVolume("config", dir.toAbsolutePath(), true, true));
        assertThat(Files.readString(dir.resolve("greeting"))).isEqualTo("hello");
        Path firstData = Files.readSymbolicLink(dir.resolve("..data"));

        m.mountPod(p);
        assertThat(Files.readSymbolicLink(dir.resolve("..data"))).isEqualTo(firstData);

        configMaps.put(configMap("settings", "greeting", "bonjour"));
        clock.advance(Duration.ofSeconds(1));
        m.mountPod(p);
        assertThat(Files.readString(dir.resolve("greeting"))).isEqualTo("bonjour");
        assertThat(Files.readSymbolicLink(dir.resolve("..data"))).isNotEqualTo(firstData);
    }

    @Test
    void aMissingConfigMapLeavesTheVolumeUnmountedWithFailedMountEventsPacedByBackOff() {
        VolumeManager m = manager();
        Pod p = pod(configMapVolume("config", "late"));

        VolumeManager.PodVolumes volumes = m.mountPod(p);
        assertThat(volumes.ready()).isFalse();
        assertThat(volumes.unmounted()).containsExactly("config");
        await().atMost(Duration.ofSeconds(5)).until(() -> events().size() == 1);
        Event e = events().get(0);
        assertThat(e.type).isEqualTo("Warning");
        assertThat(e.reason).isEqualTo("FailedMount");
        assertThat(e.message).isEqualTo("MountVolume.SetUp failed for volume \"config\" : configmap \"late\" not found");

        clock.advance(Duration.ofMillis(400));
        m.mountPod(p); // within the first 500 ms back-off: no second event
        clock.advance(Duration.ofMillis(100));
        m.mountPod(p);
        clock.advance(Duration.ofMillis(500));
        m.mountPod(p); // the next back-off is 1 s: not yet
        // the second, identical event counts up on the first (client-go's EventLogger)
        await().atMost(Duration.ofSeconds(5)).until(() -> api.storedEvents().stream().anyMatch(s -> s.count == 2));
        assertThat(events()).hasSize(1);

        // the ConfigMap appears: used at the next sync, whatever the back-off
        configMaps.put(configMap("late", "k", "v"));
        clock.advance(Duration.ofMillis(10));
        assertThat(m.mountPod(p).ready()).isTrue();
    }

    @Test
    void anOptionalMissingConfigMapIsAnEmptyVolume() throws IOException {
        VolumeManager m = manager();
        Volume v = configMapVolume("config", "absent");
        v.configMap.optional = true;

        assertThat(m.mountPod(pod(v)).ready()).isTrue();
        Path dir = root.resolve("pods/uid-web/volumes/kubernetes.io~configmap/config");
        assertThat(Files.isSymbolicLink(dir.resolve("..data"))).isTrue();
        try (var files = Files.list(dir)) {
            // only the hidden ..data link and its timestamped directory: no user-visible file
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith("..")).toList()).isEmpty();
        }
    }

    @Test
    void volumesNoContainerMountsAreNotSetUp() {
        VolumeManager m = manager();
        Pod p = pod();
        p.spec.volumes.add(configMapVolume("unused", "absent"));

        assertThat(m.mountPod(p).ready()).isTrue();
        assertThat(Files.exists(root.resolve("pods/uid-web"))).isFalse();
    }

    @Test
    void aSubPathIsPinnedAndKeepsItsContentAfterAnUpdate() throws IOException {
        configMaps.put(configMap("settings", "greeting", "hello"));
        VolumeManager m = manager();
        Pod p = pod(configMapVolume("config", "settings"));
        MountedVolume mv = m.mountPod(p).mounted().get("config");

        Path pinned = m.pinSubPath("uid-web", mv, "greeting", "app", 0);
        configMaps.put(configMap("settings", "greeting", "bonjour"));
        m.mountPod(p);

        assertThat(pinned).isEqualTo(root.resolve("pods/uid-web/volume-subpaths/config/app/0").toAbsolutePath());
        assertThat(Files.readString(pinned)).isEqualTo("hello");
        assertThat(Files.readString(mv.path().resolve("greeting"))).isEqualTo("bonjour");
        assertThat(m.pinSubPath("uid-web", mv, "greeting", "app", 0)).isEqualTo(pinned);
    }

    @Test
    void aClaimMountsItsBoundHostPathVolumeAndWaitsSilentlyWhileUnbound() throws IOException {
        Path data = Files.createDirectories(root.resolve("pv-data"));
        Volume v = new Volume();
        v.name = "data";
        v.persistentVolumeClaim = new Volume.PersistentVolumeClaimVolumeSource();
        v.persistentVolumeClaim.claimName = "claim";
        PersistentVolumeClaim pvc = new PersistentVolumeClaim();
        pvc.metadata.namespace = "default";
        pvc.metadata.name = "claim";
        pvc.metadata.uid = "uid-claim";
        pvc.status.phase = "Pending";
        api.put(pvc);
        VolumeManager m = manager();
        Pod p = pod(v);

        assertThat(m.mountPod(p).unmounted()).containsExactly("data");

        PersistentVolume pv = new PersistentVolume();
        pv.metadata.name = "pv-1";
        pv.spec.hostPath = new Volume.HostPath();
        pv.spec.hostPath.path = data.toString();
        pv.spec.claimRef = new ObjectReference();
        pv.spec.claimRef.uid = "uid-claim";
        api.put(pv);
        pvc.status.phase = "Bound";
        pvc.spec.volumeName = "pv-1";
        api.put(pvc);
        clock.advance(Duration.ofSeconds(1));

        VolumeManager.PodVolumes volumes = m.mountPod(p);
        assertThat(volumes.ready()).isTrue();
        assertThat(volumes.mounted().get("data")).isEqualTo(new MountedVolume("data", data, false, false));
        assertThat(api.events()).isEmpty();
    }

    @Test
    void aClaimWhoseVolumeIsBoundToAnotherClaimIsNotMounted() {
        Volume v = new Volume();
        v.name = "data";
        v.persistentVolumeClaim = new Volume.PersistentVolumeClaimVolumeSource();
        v.persistentVolumeClaim.claimName = "claim";
        PersistentVolumeClaim pvc = new PersistentVolumeClaim();
        pvc.metadata.namespace = "default";
        pvc.metadata.name = "claim";
        pvc.metadata.uid = "uid-claim";
        pvc.status.phase = "Bound";
        pvc.spec.volumeName = "pv-1";
        api.put(pvc);
        PersistentVolume pv = new PersistentVolume();
        pv.metadata.name = "pv-1";
        pv.spec.hostPath = new Volume.HostPath();
        pv.spec.hostPath.path = "/tmp";
        pv.spec.claimRef = new ObjectReference();
        pv.spec.claimRef.uid = "uid-other";
        api.put(pv);

        assertThat(manager().mountPod(pod(v)).ready()).isFalse();
    }

    @Test
    void unmountingRemovesThePodDirectoryAndOrphansAreCleanedUp() throws IOException {
        configMaps.put(configMap("settings", "greeting", "hello"));
        VolumeManager m = manager();
        m.mountPod(pod(configMapVolume("config", "settings")));
        Files.createDirectories(root.resolve("pods/uid-gone/volumes"));

        m.cleanupOrphans(java.util.Set.of());
        assertThat(Files.exists(root.resolve("pods/uid-gone"))).isFalse();
        assertThat(Files.exists(root.resolve("pods/uid-web"))).isTrue(); // still being worked on

        m.unmountPod("uid-web");
        assertThat(Files.exists(root.resolve("pods/uid-web"))).isFalse();
        assertThat(m.mountedVolumes("uid-web")).isEmpty();
    }

    @Test
    void aTokenVolumeIsWrittenFromTheTokenRequestApiAndA404IsAFailedMountRetriedAtTheNextSync() throws IOException {
        java.util.concurrent.atomic.AtomicReference<String> answer = new java.util.concurrent.atomic.AtomicReference<>();
        io.kube4j.kubelet.token.TokenManager tokens = new io.kube4j.kubelet.token.TokenManager((ns, name, body) -> {
            if (answer.get() == null) {
                throw new io.kube4j.client.ApiException(404, io.kube4j.api.Status.failure(404, "NotFound", "the server could not find the requested resource"), "404", null);
            }
            return io.kube4j.json.Json.tree("{\"spec\":{\"expirationSeconds\":3607},\"status\":{\"token\":\"" + answer.get()
                    + "\",\"expirationTimestamp\":\"" + clock.instant().plusSeconds(3607) + "\"}}");
        }, clock, () -> 0);
        VolumeManager m = new VolumeManager(root.resolve("pods"), api, new VolumePayloads(configMaps, secrets, Map::of, tokens),
                new EventRecorder(api, "kubelet", "node-1"), clock);
        configMaps.put(configMap("kube-root-ca.crt", "ca.crt", "PEM"));
        Volume v = new Volume();
        v.name = "kube-api-access-abcde";
        v.projected = new Volume.ProjectedVolumeSource();
        v.projected.defaultMode = 420;
        Volume.VolumeProjection token = new Volume.VolumeProjection();
        token.serviceAccountToken = new Volume.ServiceAccountTokenProjection();
        token.serviceAccountToken.path = "token";
        token.serviceAccountToken.expirationSeconds = 3607L;
        Volume.VolumeProjection ca = new Volume.VolumeProjection();
        ca.configMap = new Volume.ConfigMapProjection();
        ca.configMap.name = "kube-root-ca.crt";
        Volume.KeyToPath item = new Volume.KeyToPath();
        item.key = "ca.crt";
        item.path = "ca.crt";
        ca.configMap.items.add(item);
        Volume.VolumeProjection namespace = new Volume.VolumeProjection();
        namespace.downwardAPI = new Volume.DownwardAPIProjection();
        Volume.DownwardAPIVolumeFile file = new Volume.DownwardAPIVolumeFile();
        file.path = "namespace";
        file.fieldRef = new io.kube4j.api.ObjectFieldSelector();
        file.fieldRef.fieldPath = "metadata.namespace";
        namespace.downwardAPI.items.add(file);
        v.projected.sources.addAll(List.of(token, ca, namespace));
        Pod p = pod(v);

        assertThat(m.mountPod(p).ready()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> events().size() == 1);
        assertThat(events().get(0).reason).isEqualTo("FailedMount");
        assertThat(events().get(0).message).isEqualTo("MountVolume.SetUp failed for volume \"kube-api-access-abcde\" : "
                + "failed to fetch token: the server could not find the requested resource");

        answer.set("jwt-1");
        clock.advance(Duration.ofMillis(500)); // the token manager's first back-off
        VolumeManager.PodVolumes mounted = m.mountPod(p);
        assertThat(mounted.ready()).isTrue();
        Path dir = mounted.mounted().get("kube-api-access-abcde").path();
        assertThat(dir.toString()).endsWith("uid-web/volumes/kubernetes.io~projected/kube-api-access-abcde");
        assertThat(Files.readString(dir.resolve("token"))).isEqualTo("jwt-1");
        assertThat(Files.readString(dir.resolve("ca.crt"))).isEqualTo("PEM");
        assertThat(Files.readString(dir.resolve("namespace"))).isEqualTo("default");

        // at 80% of the lifetime the token is refreshed and the file rewritten
        answer.set("jwt-2");
        clock.advance(Duration.ofSeconds(3607 - 3607 * 20 / 100 + 1));
        m.mountPod(p);
        assertThat(Files.readString(dir.resolve("token"))).isEqualTo("jwt-2");
        m.unmountPod("uid-web");
        assertThat(tokens.size()).isZero();
    }
}
