package io.kube4j.controllermanager.testing;

import io.kube4j.api.Container;
import io.kube4j.api.Deployment;
import io.kube4j.api.IntOrString;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.api.ReplicaSet;
import io.kube4j.client.ApiClient;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.json.Times;

import java.time.Instant;
import java.util.Map;

/** Small builders for the objects controller tests preload into fake caches. */
public final class Fixtures {
    public static final String NS = "default";

    private Fixtures() {
    }

    /** Shared informers that are never started: their stores are the fake cache. */
    public static SharedInformers informers() {
        return new SharedInformers(new ApiClient("http://127.0.0.1:1"));
    }

    public static PodTemplateSpec template(Map<String, String> labels, String image) {
        PodTemplateSpec t = new PodTemplateSpec();
        t.metadata.labels.putAll(labels);
        Container c = new Container();
        c.name = "app";
        c.image = image;
        t.spec.containers.add(c);
        return t;
    }

    public static ReplicaSet replicaSet(String name, int replicas, Map<String, String> labels) {
        ReplicaSet rs = new ReplicaSet();
        rs.metadata.namespace = NS;
        rs.metadata.name = name;
        rs.metadata.uid = "uid-" + name;
        rs.metadata.resourceVersion = "10";
        rs.metadata.generation = 1L;
        rs.metadata.creationTimestamp = "2026-01-01T00:00:00Z";
        rs.spec.replicas = replicas;
        rs.spec.selector = LabelSelector.of(labels);
        rs.spec.template = template(labels, "nginx:1");
        return rs;
    }

    public static Deployment deployment(String name, int replicas, Map<String, String> labels, String image) {
        Deployment d = new Deployment();
        d.metadata.namespace = NS;
        d.metadata.name = name;
        d.metadata.uid = "uid-" + name;
        d.metadata.resourceVersion = "20";
        d.metadata.generation = 1L;
        d.metadata.creationTimestamp = "2026-01-01T00:00:00Z";
        d.spec.replicas = replicas;
        d.spec.selector = LabelSelector.of(labels);
        d.spec.template = template(labels, image);
        d.spec.strategy = new Deployment.DeploymentStrategy();
        d.spec.strategy.type = "RollingUpdate";
        d.spec.strategy.rollingUpdate = new Deployment.RollingUpdate();
        d.spec.strategy.rollingUpdate.maxSurge = IntOrString.of("25%");
        d.spec.strategy.rollingUpdate.maxUnavailable = IntOrString.of("25%");
        d.spec.revisionHistoryLimit = 10;
        d.spec.progressDeadlineSeconds = 600;
        return d;
    }

    /** A pod with the labels, owned (as controller) by {@code owner} unless null. */
    public static Pod pod(String name, Map<String, String> labels, io.kube4j.api.KubeObject owner) {
        Pod p = new Pod();
        p.metadata.namespace = NS;
        p.metadata.name = name;
        p.metadata.uid = "uid-" + name;
        p.metadata.resourceVersion = "5";
        p.metadata.creationTimestamp = "2026-01-01T00:00:00Z";
        p.metadata.labels.putAll(labels);
        if (owner != null) {
            p.metadata.ownerReferences.add(OwnerReference.controllerOf(owner));
        }
        p.status.phase = "Pending";
        return p;
    }

    /** Bound to {@code node}, Running, and Ready since {@code readySince}. */
    public static Pod ready(Pod p, String node, Instant readySince) {
        p.spec.nodeName = node;
        p.status.phase = "Running";
        p.status.podIP = "10.0.0." + (Math.abs(p.metadata.name.hashCode()) % 250 + 1);
        p.status.conditions.add(new PodCondition("Ready", "True", null, null, Times.format(readySince)));
        return p;
    }

    public static Pod running(Pod p, String node) {
        p.spec.nodeName = node;
        p.status.phase = "Running";
        p.status.conditions.add(new PodCondition("Ready", "False", null, null, Times.now()));
        return p;
    }

    public static Pod created(Pod p, String timestamp) {
        p.metadata.creationTimestamp = timestamp;
        return p;
    }
}
