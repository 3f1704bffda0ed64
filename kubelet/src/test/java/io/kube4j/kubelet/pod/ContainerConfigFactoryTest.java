package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.ResourceRequirements;
import io.kube4j.api.Volume;
import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.Mount;
import io.kube4j.quantity.Quantity;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

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
}
