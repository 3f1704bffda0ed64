package io.kube4j.kubelet;

import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.docker.DockerClient;
import io.kube4j.kubelet.runtime.docker.DockerRuntime;
import io.kube4j.kubelet.runtime.fake.FakeRuntime;
import io.kube4j.kubelet.runtime.process.ProcessRuntime;

import java.nio.file.Path;
import java.time.Clock;

/** Makes the runtime named by {@code kube4j.kubelet.runtime} for one node. */
public class RuntimeFactory {

    public ContainerRuntime create(KubeletProperties props, String nodeName, String address) {
        return switch (props.runtime()) {
            case "docker" -> new DockerRuntime(new DockerClient(Path.of(props.docker().socket())), nodeName,
                    props.docker().network(), props.sandboxImage(), props.docker().pod());
            case "process" -> new ProcessRuntime(props.nodeDir(nodeName), address, Clock.systemUTC());
            case "fake" -> new FakeRuntime(Clock.systemUTC(), new FakeRuntime.Timings(props.fake().startDelay(), props.fake().pullDelay(),
                    props.fake().stopDelay(), props.fake().initRunTime()), props.fake().podIp().isBlank() ? null : props.fake().podIp());
            default -> throw new IllegalArgumentException("kube4j.kubelet.runtime must be docker, process or fake, not " + props.runtime());
        };
    }
}
