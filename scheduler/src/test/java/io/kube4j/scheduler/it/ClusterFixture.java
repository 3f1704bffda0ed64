package io.kube4j.scheduler.it;

import io.kube4j.api.Container;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.ResourceRequirements;
import io.kube4j.quantity.Quantity;
import io.kube4j.scheduler.SchedulerApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.ArrayList;
import java.util.List;

/** Nodes and pods as objects (no kubelets) and an in-process scheduler, for the integration tests and the benchmark. */
public final class ClusterFixture {
    private ClusterFixture() {
    }

    /** A Ready node with the given capacity and {@code kubernetes.io/hostname} set. */
    public static Node node(String name, String cpu, String memory, int pods) {
        Node n = new Node();
        n.metadata.name = name;
        n.metadata.labels.put("kubernetes.io/hostname", name);
        for (var target : List.of(n.status.capacity, n.status.allocatable)) {
            target.put("cpu", Quantity.parse(cpu));
            target.put("memory", Quantity.parse(memory));
            target.put("pods", Quantity.of(pods));
        }
        Node.NodeCondition ready = new Node.NodeCondition();
        ready.type = "Ready";
        ready.status = "True";
        n.status.conditions.add(ready);
        return n;
    }

    /** A pending pod with one container requesting {@code cpu} and {@code memory} (null: nothing). */
    public static Pod pod(String namespace, String name, String cpu, String memory) {
        Pod p = new Pod();
        p.metadata.namespace = namespace;
        p.metadata.name = name;
        Container c = new Container();
        c.name = "main";
        c.image = "local/busybox:latest";
        if (cpu != null || memory != null) {
            c.resources = new ResourceRequirements();
            if (cpu != null) {
                c.resources.requests.put("cpu", Quantity.parse(cpu));
            }
            if (memory != null) {
                c.resources.requests.put("memory", Quantity.parse(memory));
            }
        }
        p.spec.containers.add(c);
        return p;
    }

    /** Starts a scheduler in this JVM against {@code apiserverUrl}; extra Spring arguments follow. */
    public static ConfigurableApplicationContext startScheduler(String apiserverUrl, String... args) {
        List<String> all = new ArrayList<>(List.of("--server.port=0", "--kube4j.apiserver.url=" + apiserverUrl,
                "--spring.main.banner-mode=off"));
        all.addAll(List.of(args));
        return new SpringApplicationBuilder(SchedulerApplication.class).run(all.toArray(String[]::new));
    }
}
