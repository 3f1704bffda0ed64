package io.kube4j.kubelet.pod;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.ResourceRequirements;
import io.kube4j.api.Secret;
import io.kube4j.api.Volume;
import io.kube4j.events.EventRecorder;
import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.Mount;
import io.kube4j.kubelet.testing.MapObjectManager;
import io.kube4j.kubelet.testing.RecordingApiClient;
import io.kube4j.kubelet.volume.VolumeManager;
import io.kube4j.kubelet.volume.VolumePayloads;
import io.kube4j.quantity.Quantity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContainerConfigFactoryTest {

    private static Pod pod() {
        Pod p = new Pod();
        p.metadata.namespace = "shop";
        p.metadata.name = "web-1";
        p.metadata.uid = "u1";
        p.spec.nodeName = "node-1";
        Container c = new Container();
        c.name = "app";
        c.image = "local/busybox:latest";
        p.spec.containers.add(c);
        return p;
    }

    @Test
    void containerEnvWinsOverProvidedEnvAndReferencesExpand() {
        Pod p = pod();
        Container c = p.spec.containers.get(0);
        c.env.add(new Container.EnvVar("GREETING", "hello $(NAME)"));
        c.env.add(new Container.EnvVar("SHARED", "mine"));
        c.env.add(new Container.EnvVar("LITERAL", "$$(NAME)"));
        c.command.addAll(List.of("sh", "-c", "echo $(GREETING)"));
        EnvironmentProvider services = (pod, container) -> Map.of("NAME", "world", "SHARED", "theirs");

        ContainerConfig config = new ContainerConfigFactory(services).create(p, c, 2, "10.1.0.7", "192.0.2.1");

        assertThat(config.env()).containsEntry("GREETING", "hello world").containsEntry("SHARED", "mine").containsEntry("LITERAL", "$(NAME)");
        assertThat(config.command()).containsExactly("sh", "-c", "echo hello world");
        assertThat(config.attempt()).isEqualTo(2);
        assertThat(config.pod().uid()).isEqualTo("u1");
    }

    @Test
    void fieldRefsResolveToThePodsOwnFields() {
        Pod p = pod();
        Container c = p.spec.containers.get(0);
        Container.EnvVar ip = new Container.EnvVar();
        ip.name = "POD_IP";
        ip.valueFrom = Map.of("fieldRef", Map.of("fieldPath", "status.podIP"));
        Container.EnvVar ns = new Container.EnvVar();
        ns.name = "POD_NAMESPACE";
        ns.valueFrom = Map.of("fieldRef", Map.of("fieldPath", "metadata.namespace"));
        c.env.addAll(List.of(ip, ns));

        ContainerConfig config = new ContainerConfigFactory(EnvironmentProvider.NONE).create(p, c, 0, "10.1.0.7", "192.0.2.1");

        assertThat(config.env()).containsEntry("POD_IP", "10.1.0.7").containsEntry("POD_NAMESPACE", "shop");
    }

    @Test
    void limitsBecomeMillicoresAndBytes() {
        Pod p = pod();
        Container c = p.spec.containers.get(0);
        c.resources = new ResourceRequirements();
        c.resources.limits.put("cpu", Quantity.parse("250m"));
        c.resources.limits.put("memory", Quantity.parse("64Mi"));

        ContainerConfig config = new ContainerConfigFactory(EnvironmentProvider.NONE).create(p, c, 0, null, null);

        assertThat(config.cpuMillis()).isEqualTo(250);
        assertThat(config.memoryBytes()).isEqualTo(64L * 1024 * 1024);
    }

    @Test
    void emptyDirAndHostPathVolumesAreMountedOthersSkipped() {
        Pod p = pod();
        Volume scratch = new Volume();
        scratch.name = "scratch";
        scratch.emptyDir = new Volume.EmptyDir();
        Volume logs = new Volume();
        logs.name = "logs";
        logs.hostPath = new Volume.HostPath();
        logs.hostPath.path = "/var/log";
        Volume secret = new Volume();
        secret.name = "secret";
        secret.unknownFields.put("secret", Map.of("secretName", "x"));
        p.spec.volumes.addAll(List.of(scratch, logs, secret));
        Container c = p.spec.containers.get(0);
        for (String name : List.of("scratch", "logs", "secret")) {
            Container.VolumeMount vm = new Container.VolumeMount();
            vm.name = name;
            vm.mountPath = "/mnt/" + name;
            vm.readOnly = name.equals("logs");
            c.volumeMounts.add(vm);
        }

        ContainerConfig config = new ContainerConfigFactory(EnvironmentProvider.NONE).create(p, c, 0, null, null);

        assertThat(config.mounts()).containsExactly(
                new Mount("scratch", "/mnt/scratch", false, null),
                new Mount("logs", "/mnt/logs", true, "/var/log"));
    }

    @TempDir
    Path podsDir;

    private Container.VolumeMount mount(Container c, String name, String path, String subPath) {
        Container.VolumeMount vm = new Container.VolumeMount();
        vm.name = name;
        vm.mountPath = path;
        vm.subPath = subPath;
        c.volumeMounts.add(vm);
        return vm;
    }

    @Test
    void apiDataVolumesMountReadOnlyFromThePodDirectoryAndSubPathsArePinned() throws Exception {
        MapObjectManager<ConfigMap> configMaps = new MapObjectManager<>("configmap");
        MapObjectManager<Secret> secrets = new MapObjectManager<>("secret");
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = "shop";
        cm.metadata.name = "settings";
        cm.data.put("app.conf", "debug=true");
        configMaps.put(cm);
        RecordingApiClient api = new RecordingApiClient();
        VolumeManager volumes = new VolumeManager(podsDir, api, new VolumePayloads(configMaps, secrets, Map::of),
                new EventRecorder(api, "kubelet", "node-1"), Clock.systemUTC());
        Pod p = pod();
        Volume config = new Volume();
        config.name = "config";
        config.configMap = new Volume.ConfigMapVolumeSource();
        config.configMap.name = "settings";
        p.spec.volumes.add(config);
        Container c = p.spec.containers.get(0);
        mount(c, "config", "/etc/config", null);
        mount(c, "config", "/etc/app.conf", "app.conf");
        ContainerConfigFactory factory = new ContainerConfigFactory(EnvironmentProvider.NONE, configMaps, secrets, Map::of, volumes);

        assertThatThrownBy(() -> factory.create(p, c, 0, null, null)).isInstanceOf(ContainerConfigException.class)
                .hasMessage("cannot find volume \"config\" to mount into container \"app\"");

        assertThat(volumes.mountPod(p).ready()).isTrue();
        ContainerConfig config0 = factory.create(p, c, 0, null, null);

        Path dir = podsDir.resolve("u1/volumes/kubernetes.io~configmap/config");
        Path pinned = podsDir.resolve("u1/volume-subpaths/config/app/1");
        assertThat(config0.mounts()).containsExactly(
                new Mount("config", "/etc/config", true, dir.toString()),
                new Mount("config", "/etc/app.conf", true, pinned.toString()));
        assertThat(pinned).hasContent("debug=true");
    }

    @Test
    void subPathsMustStayInsideTheVolume() {
        Pod p = pod();
        Volume logs = new Volume();
        logs.name = "logs";
        logs.hostPath = new Volume.HostPath();
        logs.hostPath.path = podsDir.toString();
        p.spec.volumes.add(logs);
        Container c = p.spec.containers.get(0);
        Container.VolumeMount vm = mount(c, "logs", "/var/log/app", "/etc");
        ContainerConfigFactory factory = new ContainerConfigFactory(EnvironmentProvider.NONE);

        assertThatThrownBy(() -> factory.create(p, c, 0, null, null)).hasMessage("error SubPath `/etc` must not be an absolute path");
        vm.subPath = "a/../../etc";
        assertThatThrownBy(() -> factory.create(p, c, 0, null, null)).hasMessage("unable to provision SubPath `a/../../etc`: must not contain '..'");
        vm.subPath = "app";
        assertThat(factory.create(p, c, 0, null, null).mounts()).containsExactly(new Mount("logs", "/var/log/app", false, podsDir.resolve("app").toString()));
        assertThat(podsDir.resolve("app")).isDirectory();
    }

    @Test
    void commandAndArgsExpandAgainstTheFinalEnvironmentIncludingEnvFrom() {
        MapObjectManager<ConfigMap> configMaps = new MapObjectManager<>("configmap");
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = "shop";
        cm.metadata.name = "settings";
        cm.data.put("PORT", "8080");
        configMaps.put(cm);
        Pod p = pod();
        Container c = p.spec.containers.get(0);
        Container.EnvFromSource from = new Container.EnvFromSource();
        from.configMapRef = new Container.ConfigMapEnvSource();
        from.configMapRef.name = "settings";
        c.envFrom.add(from);
        c.command.addAll(List.of("httpd", "-p", "$(PORT)"));
        c.args.addAll(List.of("--name=$(POD)", "$$(PORT)"));
        c.env.add(new Container.EnvVar("POD", "web"));

        ContainerConfig config = new ContainerConfigFactory(EnvironmentProvider.NONE, configMaps, new MapObjectManager<>("secret"), Map::of, null)
                .create(p, c, 0, null, null);

        assertThat(config.command()).containsExactly("httpd", "-p", "8080");
        assertThat(config.args()).containsExactly("--name=web", "$(PORT)");
    }
}
