package io.kube4j.kubelet.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Wraps a runtime to time every operation ({@code kubelet_runtime_operations_seconds{operation,outcome}}),
 * the equivalent of Kubernetes' kubelet_runtime_operations_duration_seconds.
 */
public final class InstrumentedRuntime implements ContainerRuntime, AutoCloseable {
    private final ContainerRuntime delegate;
    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public InstrumentedRuntime(ContainerRuntime delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.registry = registry;
    }

    private <T> T timed(String operation, Supplier<T> call) {
        long start = System.nanoTime();
        String outcome = "success";
        try {
            return call.get();
        } catch (RuntimeException e) {
            outcome = "error";
            throw e;
        } finally {
            String o = outcome;
            timers.computeIfAbsent(operation + "/" + o, k -> Timer.builder("kubelet.runtime.operations")
                    .description("Latency of container runtime operations")
                    .tag("operation", operation).tag("outcome", o)
                    .publishPercentileHistogram()
                    .register(registry)).record(Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private void timedVoid(String operation, Runnable call) {
        timed(operation, () -> {
            call.run();
            return null;
        });
    }

    @Override
    public RuntimeVersion version() {
        return timed("version", delegate::version);
    }

    @Override
    public String runPodSandbox(SandboxConfig config) {
        return timed("run_podsandbox", () -> delegate.runPodSandbox(config));
    }

    @Override
    public void updatePodCidr(String podCidr) {
        timedVoid("update_runtime_config", () -> delegate.updatePodCidr(podCidr));
    }

    @Override
    public void stopPodSandbox(String sandboxId) {
        timedVoid("stop_podsandbox", () -> delegate.stopPodSandbox(sandboxId));
    }

    @Override
    public void removePodSandbox(String sandboxId) {
        timedVoid("remove_podsandbox", () -> delegate.removePodSandbox(sandboxId));
    }

    @Override
    public List<Sandbox> listPodSandboxes() {
        return timed("list_podsandbox", delegate::listPodSandboxes);
    }

    @Override
    public List<Sandbox> listPodSandboxes(String podUid) {
        return timed("list_podsandbox", () -> delegate.listPodSandboxes(podUid));
    }

    @Override
    public List<ContainerInfo> listContainers(String podUid) {
        return timed("list_containers", () -> delegate.listContainers(podUid));
    }

    @Override
    public boolean imagePresent(String image) {
        return timed("image_status", () -> delegate.imagePresent(image));
    }

    @Override
    public String imageUser(String image) {
        return timed("image_status", () -> delegate.imageUser(image));
    }

    @Override
    public void pullImage(String image) {
        timedVoid("pull_image", () -> delegate.pullImage(image));
    }

    @Override
    public String createContainer(Sandbox sandbox, ContainerConfig config) {
        return timed("create_container", () -> delegate.createContainer(sandbox, config));
    }

    @Override
    public void startContainer(String containerId) {
        timedVoid("start_container", () -> delegate.startContainer(containerId));
    }

    @Override
    public void stopContainer(String containerId, Duration timeout) {
        timedVoid("stop_container", () -> delegate.stopContainer(containerId, timeout));
    }

    @Override
    public void removeContainer(String containerId) {
        timedVoid("remove_container", () -> delegate.removeContainer(containerId));
    }

    @Override
    public List<ContainerInfo> listContainers() {
        return timed("list_containers", delegate::listContainers);
    }

    @Override
    public ContainerInfo containerStatus(String containerId) {
        return timed("container_status", () -> delegate.containerStatus(containerId));
    }

    @Override
    public void logs(String containerId, LogOptions options, OutputStream out) throws IOException {
        // not timed: a followed log lasts as long as the client wants
        delegate.logs(containerId, options, out);
    }

    @Override
    public ExecResult exec(String containerId, List<String> command, Duration timeout) {
        return timed("exec", () -> delegate.exec(containerId, command, timeout));
    }

    @Override
    public void addContainerEventListener(Runnable listener) {
        delegate.addContainerEventListener(listener);
    }

    @Override
    public ContainerUsage containerUsage(String containerId) {
        return timed("container_stats", () -> delegate.containerUsage(containerId));
    }

    @Override
    public boolean podNetworkReachable() {
        return delegate.podNetworkReachable();
    }

    @Override
    public StreamingProcess execStreaming(String containerId, java.util.List<String> command, boolean tty) {
        return delegate.execStreaming(containerId, command, tty);
    }

    @Override
    public StreamingProcess attach(String containerId, boolean stdin, boolean tty) {
        return delegate.attach(containerId, stdin, tty);
    }

    @Override
    public java.net.Socket portForward(String podUid, int port) throws IOException {
        return delegate.portForward(podUid, port);
    }

    /** The runtime wrapped (tests reach the fake through it). */
    public ContainerRuntime delegate() {
        return delegate;
    }

    /** Closes the runtime when it holds resources (the process runtime's processes). */
    @Override
    public void close() throws Exception {
        if (delegate instanceof AutoCloseable c) {
            c.close();
        }
    }
}
