package io.kube4j.kubelet;

import io.kube4j.kubelet.network.CniNetwork;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.cri.CriRuntime;
import io.kube4j.kubelet.runtime.docker.DockerClient;
import io.kube4j.kubelet.runtime.docker.DockerRuntime;
import io.kube4j.kubelet.runtime.fake.FakeRuntime;
import io.kube4j.kubelet.runtime.process.ProcessRuntime;

import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;

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
        return create(props, nodeName, address, () -> null);
    }

    /**
     * @param podCidr the Node's {@code spec.podCIDR} when asked (null while it has none): the generated CNI network's
     *                range when {@code network-plugin=cni} and the conf dir holds no network
     */
    public ContainerRuntime create(KubeletProperties props, String nodeName, String address, Supplier<String> podCidr) {
        CniNetwork cni = cniNetwork(props, nodeName, podCidr);
        return switch (props.runtime()) {
            case "docker" -> new DockerRuntime(new DockerClient(Path.of(props.docker().socket())), nodeName,
                    props.docker().network(), props.sandboxImage(), props.docker().pod(), cni);
            case "process" -> new ProcessRuntime(props.nodeDir(nodeName), address, Clock.systemUTC());
            case "fake" -> new FakeRuntime(Clock.systemUTC(), new FakeRuntime.Timings(props.fake().startDelay(), props.fake().pullDelay(),
                    props.fake().stopDelay(), props.fake().initRunTime()), props.fake().podIp().isBlank() ? null : props.fake().podIp());
            case "cri" -> new CriRuntime(cri.endpoint(), nodeName, props.sandboxImage(),
                    cri.podLogsDir().isBlank() ? props.nodeDir(nodeName).resolve("logs").resolve("pods") : Path.of(cri.podLogsDir()),
                    props.nodeDir(nodeName).resolve("pods"), props.docker().pod());
            default -> throw new IllegalArgumentException("kube4j.kubelet.runtime must be docker, cri, process or fake, not " + props.runtime());
        };
    }

    /**
     * The node's CNI network for {@code network-plugin=cni} (null for {@code docker}): plugins from
     * {@code cni.bin-dir}, configuration from {@code cni.conf-dir}, ADD results cached in
     * {@code <node dir>/cni/results} (libcni's {@code /var/lib/cni/results}).
     */
    static CniNetwork cniNetwork(KubeletProperties props, String nodeName, Supplier<String> podCidr) {
        String plugin = props.networkPlugin() == null || props.networkPlugin().isBlank() ? "docker" : props.networkPlugin();
        return switch (plugin) {
            case "docker" -> null;
            case "cni" -> new CniNetwork(Path.of(props.cni().confDir()), CniNetwork.searchPath(props.cni().binDir()), podCidr,
                    props.nodeDir(nodeName).resolve("cni").resolve("results"));
            default -> throw new IllegalArgumentException("kube4j.kubelet.network-plugin must be docker or cni, not " + plugin);
        };
    }
}
