package io.kube4j.kubelet;

import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.cri.CriRuntime;
import io.kube4j.kubelet.runtime.docker.DockerClient;
import io.kube4j.kubelet.runtime.docker.DockerRuntime;
import io.kube4j.kubelet.runtime.fake.FakeRuntime;
import io.kube4j.kubelet.runtime.process.ProcessRuntime;

import java.nio.file.Path;
import java.time.Clock;

/** Makes the runtime named by {@code kube4j.kubelet.runtime} for one node. */
public class RuntimeFactory {
    private final CriProperties cri;

    /** With the CRI runtime's default settings. */
    public RuntimeFactory() {
        this(CriProperties.DEFAULT);
    }

    /** @param cri the CRI runtime's settings ({@code kube4j.kubelet.cri.*}) */
    public RuntimeFactory(CriProperties cri) {
        this.cri = cri;
    }

    public ContainerRuntime create(KubeletProperties props, String nodeName, String address) {
        return switch (props.runtime()) {
            case "docker" -> new DockerRuntime(new DockerClient(Path.of(props.docker().socket())), nodeName,
                    props.docker().network(), props.sandboxImage(), props.docker().pod());
            case "process" -> new ProcessRuntime(props.nodeDir(nodeName), address, Clock.systemUTC());
            case "fake" -> new FakeRuntime(Clock.systemUTC(), new FakeRuntime.Timings(props.fake().startDelay(), props.fake().pullDelay(),
                    props.fake().stopDelay(), props.fake().initRunTime()), props.fake().podIp().isBlank() ? null : props.fake().podIp());
            case "cri" -> new CriRuntime(cri.endpoint(), nodeName, props.sandboxImage(),
                    cri.podLogsDir().isBlank() ? props.nodeDir(nodeName).resolve("logs").resolve("pods") : Path.of(cri.podLogsDir()),
                    props.nodeDir(nodeName).resolve("pods"), props.docker().pod());
            default -> throw new IllegalArgumentException("kube4j.kubelet.runtime must be docker, cri, process or fake, not " + props.runtime());
        };
    }
}
