package io.kube4j.scheduler.testing;

import io.kube4j.api.Affinity;
import io.kube4j.api.Container;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Pod;
import io.kube4j.api.ResourceRequirements;
import io.kube4j.api.Toleration;
import io.kube4j.api.TopologySpreadConstraint;
import io.kube4j.quantity.Quantity;
import io.kube4j.scheduler.framework.PodInfo;

import java.util.List;
import java.util.Map;

/** Builds pods for tests: {@code pod("a").cpu("500m").label("app", "web").build()}. */
public final class PodBuilder {
    private final Pod pod = new Pod();
    private final Container main = new Container();

    private PodBuilder(String name) {
        pod.metadata.name = name;
        pod.metadata.namespace = "default";
        pod.metadata.uid = "uid-" + name;
        pod.metadata.creationTimestamp = "2026-01-01T00:00:00Z";
        pod.metadata.generation = 1L;
        main.name = "main";
        main.image = "busybox";
        pod.spec.containers.add(main);
    }

    public static PodBuilder pod(String name) {
        return new PodBuilder(name);
    }

    public PodBuilder namespace(String ns) {
        pod.metadata.namespace = ns;
        return this;
    }

    public PodBuilder cpu(String q) {
        return request(main, "cpu", q);
    }

    public PodBuilder memory(String q) {
        return request(main, "memory", q);
    }

    public PodBuilder request(String resource, String q) {
        return request(main, resource, q);
    }

    /** An init container requesting the given cpu and memory (null: none). */
    public PodBuilder initContainer(String cpu, String memory) {
        Container c = new Container();
        c.name = "init-" + pod.spec.initContainers.size();
        if (cpu != null) {
            request(c, "cpu", cpu);
        }
        if (memory != null) {
            request(c, "memory", memory);
        }
        pod.spec.initContainers.add(c);
        return this;
    }

    /** Another app container requesting the given cpu and memory (null: none). */
    public PodBuilder container(String cpu, String memory) {
        Container c = new Container();
        c.name = "c-" + pod.spec.containers.size();
        if (cpu != null) {
            request(c, "cpu", cpu);
        }
        if (memory != null) {
            request(c, "memory", memory);
        }
        pod.spec.containers.add(c);
        return this;
    }

    private PodBuilder request(Container c, String resource, String q) {
        if (c.resources == null) {
            c.resources = new ResourceRequirements();
        }
        c.resources.requests.put(resource, Quantity.parse(q));
        return this;
    }

    public PodBuilder limit(String resource, String q) {
        if (main.resources == null) {
            main.resources = new ResourceRequirements();
        }
        main.resources.limits.put(resource, Quantity.parse(q));
        return this;
    }

    public PodBuilder label(String k, String v) {
        pod.metadata.labels.put(k, v);
        return this;
    }

    public PodBuilder priority(int p) {
        pod.spec.priority = p;
        return this;
    }

    /** {@code spec.preemptionPolicy} (kept among PodSpec's unmodelled fields, as the apiserver writes it). */
    public PodBuilder preemptionPolicy(String policy) {
        pod.spec.unknownFields.put("preemptionPolicy", policy);
        return this;
    }

    public PodBuilder startTime(String rfc3339) {
        pod.status.startTime = rfc3339;
        return this;
    }

    public PodBuilder nominatedNodeName(String node) {
        pod.status.nominatedNodeName = node;
        return this;
    }

    /** Being deleted gracefully ({@code metadata.deletionTimestamp} set). */
    public PodBuilder terminating() {
        pod.metadata.deletionTimestamp = "2026-01-01T00:00:10Z";
        return this;
    }

    public PodBuilder condition(String type, String status, String reason) {
        pod.status.conditions.add(new io.kube4j.api.PodCondition(type, status, reason, null, "2026-01-01T00:00:00Z"));
        return this;
    }

    public PodBuilder created(String rfc3339) {
        pod.metadata.creationTimestamp = rfc3339;
        return this;
    }

    public PodBuilder nodeName(String n) {
        pod.spec.nodeName = n;
        return this;
    }

    /** Adds a scheduling gate ({@code spec.schedulingGates[].name}). */
    public PodBuilder gate(String name) {
        pod.spec.schedulingGates.add(new io.kube4j.api.PodSchedulingGate(name));
        return this;
    }

    public PodBuilder schedulerName(String n) {
        pod.spec.schedulerName = n;
        return this;
    }

    public PodBuilder nodeSelector(String k, String v) {
        pod.spec.nodeSelector.put(k, v);
        return this;
    }

    public PodBuilder hostPort(int port, String protocol, String hostIP) {
        Container.ContainerPort p = new Container.ContainerPort();
        p.containerPort = port;
        p.hostPort = port;
        p.protocol = protocol;
        p.hostIP = hostIP;
        main.ports.add(p);
        return this;
    }

    public PodBuilder toleration(String key, String operator, String value, String effect) {
        Toleration t = new Toleration();
        t.key = key;
        t.operator = operator;
        t.value = value;
        t.effect = effect;
        pod.spec.tolerations.add(t);
        return this;
    }

    /** A required node affinity term of one expression; several calls add OR'ed terms. */
    public PodBuilder requiredNodeAffinity(String key, String operator, String... values) {
        Affinity.NodeAffinity na = nodeAffinity();
        if (na.requiredDuringSchedulingIgnoredDuringExecution == null) {
            na.requiredDuringSchedulingIgnoredDuringExecution = new Affinity.NodeSelector();
        }
        Affinity.NodeSelectorTerm term = new Affinity.NodeSelectorTerm();
        term.matchExpressions.add(nodeRequirement(key, operator, values));
        na.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.add(term);
        return this;
    }

    public PodBuilder requiredNodeName(String name) {
        Affinity.NodeAffinity na = nodeAffinity();
        if (na.requiredDuringSchedulingIgnoredDuringExecution == null) {
            na.requiredDuringSchedulingIgnoredDuringExecution = new Affinity.NodeSelector();
        }
        Affinity.NodeSelectorTerm term = new Affinity.NodeSelectorTerm();
        term.matchFields.add(nodeRequirement("metadata.name", "In", name));
        na.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.add(term);
        return this;
    }

    public PodBuilder preferredNodeAffinity(int weight, String key, String operator, String... values) {
        Affinity.PreferredSchedulingTerm p = new Affinity.PreferredSchedulingTerm();
        p.weight = weight;
        p.preference = new Affinity.NodeSelectorTerm();
        p.preference.matchExpressions.add(nodeRequirement(key, operator, values));
        nodeAffinity().preferredDuringSchedulingIgnoredDuringExecution.add(p);
        return this;
    }

    private static Affinity.NodeSelectorRequirement nodeRequirement(String key, String operator, String... values) {
        Affinity.NodeSelectorRequirement r = new Affinity.NodeSelectorRequirement();
        r.key = key;
        r.operator = operator;
        r.values = List.of(values);
        return r;
    }

    private Affinity.NodeAffinity nodeAffinity() {
        if (pod.spec.affinity == null) {
            pod.spec.affinity = new Affinity();
        }
        if (pod.spec.affinity.nodeAffinity == null) {
            pod.spec.affinity.nodeAffinity = new Affinity.NodeAffinity();
        }
        return pod.spec.affinity.nodeAffinity;
    }

    public PodBuilder podAffinity(String topologyKey, Map<String, String> selector) {
        podAffinity(false).requiredDuringSchedulingIgnoredDuringExecution.add(term(topologyKey, selector));
        return this;
    }

    public PodBuilder podAntiAffinity(String topologyKey, Map<String, String> selector) {
        podAffinity(true).requiredDuringSchedulingIgnoredDuringExecution.add(term(topologyKey, selector));
        return this;
    }

    public PodBuilder preferredPodAffinity(int weight, String topologyKey, Map<String, String> selector) {
        Affinity.WeightedPodAffinityTerm w = new Affinity.WeightedPodAffinityTerm();
        w.weight = weight;
        w.podAffinityTerm = term(topologyKey, selector);
        podAffinity(false).preferredDuringSchedulingIgnoredDuringExecution.add(w);
        return this;
    }

    public PodBuilder preferredPodAntiAffinity(int weight, String topologyKey, Map<String, String> selector) {
        Affinity.WeightedPodAffinityTerm w = new Affinity.WeightedPodAffinityTerm();
        w.weight = weight;
        w.podAffinityTerm = term(topologyKey, selector);
        podAffinity(true).preferredDuringSchedulingIgnoredDuringExecution.add(w);
        return this;
    }

    private static Affinity.PodAffinityTerm term(String topologyKey, Map<String, String> selector) {
        Affinity.PodAffinityTerm t = new Affinity.PodAffinityTerm();
        t.topologyKey = topologyKey;
        t.labelSelector = LabelSelector.of(selector);
        return t;
    }

    private Affinity.PodAffinity podAffinity(boolean anti) {
        if (pod.spec.affinity == null) {
            pod.spec.affinity = new Affinity();
        }
        if (anti) {
            if (pod.spec.affinity.podAntiAffinity == null) {
                pod.spec.affinity.podAntiAffinity = new Affinity.PodAffinity();
            }
            return pod.spec.affinity.podAntiAffinity;
        }
        if (pod.spec.affinity.podAffinity == null) {
            pod.spec.affinity.podAffinity = new Affinity.PodAffinity();
        }
        return pod.spec.affinity.podAffinity;
    }

    public PodBuilder spread(int maxSkew, String topologyKey, String whenUnsatisfiable, Map<String, String> selector) {
        TopologySpreadConstraint c = new TopologySpreadConstraint();
        c.maxSkew = maxSkew;
        c.topologyKey = topologyKey;
        c.whenUnsatisfiable = whenUnsatisfiable;
        c.labelSelector = LabelSelector.of(selector);
        pod.spec.topologySpreadConstraints.add(c);
        return this;
    }

    public PodBuilder minDomains(int minDomains) {
        pod.spec.topologySpreadConstraints.getLast().minDomains = minDomains;
        return this;
    }

    public Pod build() {
        return pod;
    }

    public PodInfo info() {
        return PodInfo.of(pod);
    }
}
