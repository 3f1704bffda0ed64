package io.kube4j.scheduler.framework;

import io.kube4j.api.Affinity;
import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.Toleration;
import io.kube4j.quantity.Quantity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the scheduler needs of a pod, computed once when the pod enters the queue or the cache, so a
 * scheduling cycle never re-parses quantities or selectors: resource requests, host ports,
 * tolerations, compiled node affinity and pod (anti-)affinity terms. The {@link #pod()} is the
 * informer's object: read-only.
 */
public final class PodInfo {
    // Kubernetes' defaults for pods that request nothing, used for spreading only (not for fit)
    static final long DEFAULT_MILLI_CPU = 100;
    static final long DEFAULT_MEMORY = 200L * 1024 * 1024;

    private final Pod pod;
    private final String key;
    private final Resource requests;
    private final long nonZeroMilliCpu;
    private final long nonZeroMemory;
    private final List<HostPort> hostPorts;
    private final List<Toleration> tolerations;
    private final RequiredNodeAffinity requiredNodeAffinity;
    private final List<AffinityTerm> requiredAffinity;
    private final List<AffinityTerm> requiredAntiAffinity;
    private final List<AffinityTerm> preferredAffinity;
    private final List<AffinityTerm> preferredAntiAffinity;
    // why the pod's spec could not be compiled; null when it could
    private final String invalid;

    private PodInfo(Pod pod) {
        this.pod = pod;
        this.key = pod.key();
        Resource req = new Resource();
        Resource nonZero = new Resource();
        List<HostPort> ports = new ArrayList<>();
        RequiredNodeAffinity nodeAffinity = RequiredNodeAffinity.NONE;
        List<AffinityTerm> ra = List.of(), raa = List.of(), pa = List.of(), paa = List.of();
        String error = null;
        try {
            for (Container c : pod.spec.containers) {
                req.add(requests(c));
                nonZero.add(nonZeroRequests(c));
                for (Container.ContainerPort p : c.ports) {
                    if (p.hostPort != null && p.hostPort > 0) {
                        ports.add(new HostPort(p.hostIP, p.protocol, p.hostPort));
                    }
                }
            }
            // init containers run one after the other before the app containers: the largest one counts
            for (Container c : pod.spec.initContainers) {
                req.setMax(requests(c));
                nonZero.setMax(nonZeroRequests(c));
            }
            nodeAffinity = RequiredNodeAffinity.of(pod.spec.nodeSelector, pod.spec.affinity);
            Affinity a = pod.spec.affinity;
            if (a != null && a.podAffinity != null) {
                ra = required(a.podAffinity, pod.metadata.namespace);
                pa = preferred(a.podAffinity, pod.metadata.namespace);
            }
            if (a != null && a.podAntiAffinity != null) {
                raa = required(a.podAntiAffinity, pod.metadata.namespace);
                paa = preferred(a.podAntiAffinity, pod.metadata.namespace);
            }
        } catch (RuntimeException e) {
            error = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        this.requests = req;
        this.nonZeroMilliCpu = nonZero.milliCpu();
        this.nonZeroMemory = nonZero.memory();
        this.hostPorts = List.copyOf(ports);
        this.tolerations = pod.spec.tolerations == null ? List.of() : List.copyOf(pod.spec.tolerations);
        this.requiredNodeAffinity = nodeAffinity;
        this.requiredAffinity = ra;
        this.requiredAntiAffinity = raa;
        this.preferredAffinity = pa;
        this.preferredAntiAffinity = paa;
        this.invalid = error;
    }

    /** Compiles {@code pod}; never throws: a malformed spec is reported by {@link #invalidReason()}. */
    public static PodInfo of(Pod pod) {
        return new PodInfo(pod);
    }

    private static List<AffinityTerm> required(Affinity.PodAffinity pa, String ns) {
        List<AffinityTerm> out = new ArrayList<>();
        for (Affinity.PodAffinityTerm t : pa.requiredDuringSchedulingIgnoredDuringExecution) {
            out.add(AffinityTerm.of(t, ns, 0));
        }
        return List.copyOf(out);
    }

    private static List<AffinityTerm> preferred(Affinity.PodAffinity pa, String ns) {
        List<AffinityTerm> out = new ArrayList<>();
        for (Affinity.WeightedPodAffinityTerm t : pa.preferredDuringSchedulingIgnoredDuringExecution) {
            if (t.podAffinityTerm != null) {
                out.add(AffinityTerm.of(t.podAffinityTerm, ns, t.weight));
            }
        }
        return List.copyOf(out);
    }

    // requests default to limits, as the apiserver's defaulting does in Kubernetes
    private static Resource requests(Container c) {
        if (c.resources == null) {
            return new Resource();
        }
        Map<String, Quantity> merged = new java.util.HashMap<>(c.resources.limits == null ? Map.of() : c.resources.limits);
        if (c.resources.requests != null) {
            merged.putAll(c.resources.requests);
        }
        return Resource.of(merged);
    }

    private static Resource nonZeroRequests(Container c) {
        Resource r = requests(c);
        return new Resource(r.milliCpu() == 0 ? DEFAULT_MILLI_CPU : r.milliCpu(), r.memory() == 0 ? DEFAULT_MEMORY : r.memory());
    }

    public Pod pod() {
        return pod;
    }

    /** {@code namespace/name}. */
    public String key() {
        return key;
    }

    public String namespace() {
        return pod.metadata.namespace;
    }

    public Map<String, String> labels() {
        return pod.metadata.labels == null ? Map.of() : pod.metadata.labels;
    }

    public String nodeName() {
        return pod.spec.nodeName;
    }

    /** {@code spec.priority}, 0 when unset (Kubernetes' {@code corev1helpers.PodPriority}). */
    public int priority() {
        return pod.spec.priority == null ? 0 : pod.spec.priority;
    }

    /**
     * {@code spec.preemptionPolicy} ({@code PreemptLowerPriority} or {@code Never}), null when unset. kube4j's
     * PodSpec keeps this field among its unmodelled fields (the apiserver's Priority admission writes it
     * there), so it is read from {@code unknownFields}.
     */
    public String preemptionPolicy() {
        Object v = pod.spec.unknownFields.get("preemptionPolicy");
        return v instanceof String s ? s : null;
    }

    /** {@code status.nominatedNodeName}, or empty. */
    public String nominatedNodeName() {
        return pod.status == null || pod.status.nominatedNodeName == null ? "" : pod.status.nominatedNodeName;
    }

    /** Requests for fitting: containers summed, init containers as their maximum. */
    public Resource requests() {
        return requests;
    }

    /** CPU requested, with Kubernetes' 100m default for containers that name none (for scoring). */
    public long nonZeroMilliCpu() {
        return nonZeroMilliCpu;
    }

    /** Memory requested, with Kubernetes' 200Mi default for containers that name none (for scoring). */
    public long nonZeroMemory() {
        return nonZeroMemory;
    }

    public List<HostPort> hostPorts() {
        return hostPorts;
    }

    public List<Toleration> tolerations() {
        return tolerations;
    }

    public RequiredNodeAffinity requiredNodeAffinity() {
        return requiredNodeAffinity;
    }

    public List<AffinityTerm> requiredAffinity() {
        return requiredAffinity;
    }

    public List<AffinityTerm> requiredAntiAffinity() {
        return requiredAntiAffinity;
    }

    public List<AffinityTerm> preferredAffinity() {
        return preferredAffinity;
    }

    public List<AffinityTerm> preferredAntiAffinity() {
        return preferredAntiAffinity;
    }

    /** Whether the pod has any pod (anti-)affinity term, required or preferred. */
    public boolean hasPodAffinity() {
        return !requiredAffinity.isEmpty() || !requiredAntiAffinity.isEmpty() || !preferredAffinity.isEmpty() || !preferredAntiAffinity.isEmpty();
    }

    /** Why the spec is malformed (bad quantity, selector operator, ...); null when it is fine. */
    public String invalidReason() {
        return invalid;
    }

    @Override
    public String toString() {
        return key;
    }
}
