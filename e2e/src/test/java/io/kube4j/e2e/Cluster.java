package io.kube4j.e2e;

import io.kube4j.client.ApiClient;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.ComponentProcess;
import io.kube4j.testing.EtcdContainer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole kube4j cluster for one test class: a real etcd (container), and the apiserver, scheduler,
 * controller-manager and kubelets each as its own JVM process talking HTTP, exactly as deployed.
 */
final class Cluster implements AutoCloseable {
    final EtcdContainer etcd = new EtcdContainer();
    ApiServerProcess apiserver;
    ApiClient api;
    final List<ComponentProcess> controlPlane = new ArrayList<>();
    final Map<String, ComponentProcess> kubelets = new LinkedHashMap<>();
    /** JVM options for the scheduler, controller-manager and kubelets started after they are set (benchmarks' switches). */
    final List<String> componentJvmArgs = new ArrayList<>();

    Cluster startControlPlane(List<String> controllerManagerArgs) {
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint()).start();
        api = new ApiClient(apiserver.url());
        controlPlane.add(start("scheduler", "scheduler", List.of("--kube4j.scheduler.leader-elect=false")));
        List<String> cm = new ArrayList<>(List.of("--kube4j.controller-manager.leader-elect=false"));
        cm.addAll(controllerManagerArgs);
        controlPlane.add(start("controller-manager", "controller-manager", cm));
        return this;
    }

    /** A hollow node (fake runtime) in its own process, so the test can kill it like a lost machine. */
    ComponentProcess startHollowKubelet(String nodeName) {
        return startHollowKubelet(nodeName, "4", "8Gi");
    }

    /** A hollow node with the given cpu and memory capacity. */
    ComponentProcess startHollowKubelet(String nodeName, String cpu, String memory) {
        ComponentProcess k = start("kubelet", "kubelet-" + nodeName, List.of(
                "--kube4j.kubelet.node-name=" + nodeName,
                "--kube4j.kubelet.runtime=fake",
                "--kube4j.kubelet.address=127.0.0.1",
                "--kube4j.kubelet.capacity.cpu=" + cpu,
                "--kube4j.kubelet.capacity.memory=" + memory,
                "--kube4j.kubelet.status-interval=2s"));
        kubelets.put(nodeName, k);
        return k;
    }

    private ComponentProcess start(String module, String name, List<String> args) {
        List<String> all = new ArrayList<>();
        all.add("--kube4j.apiserver.url=" + apiserver.url());
        all.addAll(args);
        ComponentProcess p = new ComponentProcess(module, name, ApiServerProcess.freePort(), "/actuator/health", all)
                .jvmArgs(componentJvmArgs.toArray(String[]::new));
        // the kubelet's port is HTTPS only (Kubernetes' 10250)
        return (module.equals("kubelet") ? p.https() : p).start();
    }

    @Override
    public void close() {
        kubelets.values().forEach(ComponentProcess::close);
        controlPlane.forEach(ComponentProcess::close);
        if (apiserver != null) {
            apiserver.close();
        }
        etcd.stop();
    }
}
