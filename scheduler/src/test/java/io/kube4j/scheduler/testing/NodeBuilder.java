package io.kube4j.scheduler.testing;

import io.kube4j.api.Node;
import io.kube4j.api.Taint;
import io.kube4j.quantity.Quantity;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodInfo;

import java.util.ArrayList;
import java.util.List;

/** Builds nodes for tests: {@code node("n1").cpu("2").memory("4Gi").label("zone", "a").build()}; 110 pods by default. */
public final class NodeBuilder {
    private final Node node = new Node();
    private final List<PodInfo> pods = new ArrayList<>();

    private NodeBuilder(String name) {
        node.metadata.name = name;
        node.metadata.labels.put("kubernetes.io/hostname", name);
        node.status.allocatable.put("cpu", Quantity.parse("4"));
        node.status.allocatable.put("memory", Quantity.parse("8Gi"));
        node.status.allocatable.put("pods", Quantity.parse("110"));
    }

    public static NodeBuilder node(String name) {
        return new NodeBuilder(name);
    }

    public NodeBuilder cpu(String q) {
        node.status.allocatable.put("cpu", Quantity.parse(q));
        return this;
    }

    public NodeBuilder memory(String q) {
        node.status.allocatable.put("memory", Quantity.parse(q));
        return this;
    }

    public NodeBuilder pods(int n) {
        node.status.allocatable.put("pods", Quantity.of(n));
        return this;
    }

    public NodeBuilder allocatable(String resource, String q) {
        node.status.allocatable.put(resource, Quantity.parse(q));
        return this;
    }

    public NodeBuilder label(String k, String v) {
        node.metadata.labels.put(k, v);
        return this;
    }

    public NodeBuilder taint(String key, String value, String effect) {
        node.spec.taints.add(new Taint(key, value, effect));
        return this;
    }

    public NodeBuilder unschedulable() {
        node.spec.unschedulable = true;
        return this;
    }

    /** A pod already running on the node. */
    public NodeBuilder with(PodBuilder pod) {
        pods.add(pod.nodeName(node.metadata.name).info());
        return this;
    }

    public Node build() {
        return node;
    }

    public NodeInfo info() {
        return NodeInfo.of(node, pods.toArray(PodInfo[]::new));
    }
}
