package io.kube4j.apiserver.validation;

import io.kube4j.api.Container;
import io.kube4j.api.Deployment;
import io.kube4j.api.IntOrString;
import io.kube4j.api.Namespace;
import io.kube4j.api.Pod;
import io.kube4j.api.PodSpec;
import io.kube4j.api.Probe;
import io.kube4j.api.ReplicaSet;
import io.kube4j.api.Service;
import io.kube4j.api.Toleration;

import java.util.ArrayList;
import java.util.List;

/** The defaults Kubernetes applies on create and update, per kind (SetDefaults_* and the DefaultTolerationSeconds admission plugin). */
public final class Defaults {
    /** How long a pod stays on a not-ready or unreachable node before eviction (Kubernetes: 300 s). */
    private final long tolerationSeconds;

    public Defaults(long tolerationSeconds) {
        this.tolerationSeconds = tolerationSeconds;
    }

    /** SetDefaults_Pod plus the DefaultTolerationSeconds admission plugin's two tolerations. */
    public void pod(Pod p) {
        podSpec(p.spec);
        // SetDefaults_Pod: a container that sets only a limit requests that much
        List<Container> all = new ArrayList<>(p.spec.initContainers);
        all.addAll(p.spec.containers);
        for (Container c : all) {
            if (c.resources != null && c.resources.limits != null) {
                c.resources.limits.forEach((res, q) -> c.resources.requests.putIfAbsent(res, q));
            }
        }
        defaultToleration(p.spec, "node.kubernetes.io/not-ready");
        defaultToleration(p.spec, "node.kubernetes.io/unreachable");
    }

    /** SetDefaults_ReplicaSet. */
    public static void replicaSet(ReplicaSet rs) {
        if (rs.spec.replicas == null) {
            rs.spec.replicas = 1;
        }
        if (rs.spec.template != null) {
            podSpec(rs.spec.template.spec);
        }
    }

    /** SetDefaults_Namespace: the kubernetes finalizer and phase Active. */
    public static void namespace(Namespace ns) {
        if (ns.spec.finalizers.isEmpty()) {
            ns.spec.finalizers.add("kubernetes");
        }
        if (ns.status.phase == null) {
            ns.status.phase = "Active";
        }
    }

    /** SetDefaults_Deployment. */
    public static void deployment(Deployment d) {
        if (d.spec.replicas == null) {
            d.spec.replicas = 1;
        }
        if (d.spec.strategy == null) {
            d.spec.strategy = new Deployment.DeploymentStrategy();
        }
        if (d.spec.strategy.type == null) {
            d.spec.strategy.type = "RollingUpdate";
        }
        if ("RollingUpdate".equals(d.spec.strategy.type)) {
            if (d.spec.strategy.rollingUpdate == null) {
                d.spec.strategy.rollingUpdate = new Deployment.RollingUpdate();
            }
            if (d.spec.strategy.rollingUpdate.maxSurge == null) {
                d.spec.strategy.rollingUpdate.maxSurge = IntOrString.of("25%");
            }
            if (d.spec.strategy.rollingUpdate.maxUnavailable == null) {
                d.spec.strategy.rollingUpdate.maxUnavailable = IntOrString.of("25%");
            }
        }
        if (d.spec.revisionHistoryLimit == null) {
            d.spec.revisionHistoryLimit = 10;
        }
        if (d.spec.progressDeadlineSeconds == null) {
            d.spec.progressDeadlineSeconds = 600;
        }
        if (d.spec.template != null) {
            podSpec(d.spec.template.spec);
        }
    }

    /** SetDefaults_Service. */
    public static void service(Service s) {
        if (s.spec.type == null) {
            s.spec.type = "ClusterIP";
        }
        if (s.spec.sessionAffinity == null) {
            s.spec.sessionAffinity = "None";
        }
        for (Service.ServicePort p : s.spec.ports) {
            if (p.protocol == null) {
                p.protocol = "TCP";
            }
            if (p.targetPort == null) {
                p.targetPort = IntOrString.of(p.port);
            }
        }
    }

    /** Pod spec defaults (pods and templates; the default tolerations are for pods only, as the admission plugin). */
    public static void podSpec(PodSpec spec) {
        if (spec == null) {
            return;
        }
        if (spec.restartPolicy == null) {
            spec.restartPolicy = "Always";
        }
        if (spec.terminationGracePeriodSeconds == null) {
            spec.terminationGracePeriodSeconds = 30L;
        }
        if (spec.dnsPolicy == null) {
            spec.dnsPolicy = "ClusterFirst";
        }
        if (spec.schedulerName == null) {
            spec.schedulerName = "default-scheduler";
        }
        if (spec.enableServiceLinks == null) {
            spec.enableServiceLinks = true;
        }
        List<Container> all = new ArrayList<>(spec.initContainers);
        all.addAll(spec.containers);
        all.addAll(spec.ephemeralContainers);
        for (Container c : all) {
            container(c);
        }
    }

    private void defaultToleration(PodSpec spec, String key) {
        for (Toleration t : spec.tolerations) {
            if (key.equals(t.key) || (t.key == null && "Exists".equals(t.operator))) {
                return;
            }
        }
        Toleration t = new Toleration();
        t.key = key;
        t.operator = "Exists";
        t.effect = "NoExecute";
        t.tolerationSeconds = tolerationSeconds;
        spec.tolerations.add(t);
    }

    private static void container(Container c) {
        if (c.imagePullPolicy == null && c.image != null) {
            c.imagePullPolicy = pullPolicyFor(c.image);
        }
        if (c.terminationMessagePath == null) {
            c.terminationMessagePath = "/dev/termination-log";
        }
        if (c.terminationMessagePolicy == null) {
            c.terminationMessagePolicy = "File";
        }
        for (Container.ContainerPort p : c.ports) {
            if (p.protocol == null) {
                p.protocol = "TCP";
            }
        }
        probe(c.livenessProbe);
        probe(c.readinessProbe);
        probe(c.startupProbe);
    }

    /** Always for {@code :latest} or no tag, IfNotPresent otherwise (digests included). */
    static String pullPolicyFor(String image) {
        if (image.contains("@")) {
            return "IfNotPresent";
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        if (colon <= slash || image.endsWith(":latest")) {
            return "Always";
        }
        return "IfNotPresent";
    }

    private static void probe(Probe p) {
        if (p == null) {
            return;
        }
        if (p.timeoutSeconds == null) {
            p.timeoutSeconds = 1;
        }
        if (p.periodSeconds == null) {
            p.periodSeconds = 10;
        }
        if (p.successThreshold == null) {
            p.successThreshold = 1;
        }
        if (p.failureThreshold == null) {
            p.failureThreshold = 3;
        }
        if (p.httpGet != null && p.httpGet.scheme == null) {
            p.httpGet.scheme = "HTTP";
        }
        if (p.httpGet != null && p.httpGet.path == null) {
            p.httpGet.path = "/";
        }
        if (p.grpc != null && p.grpc.service == null) {
            p.grpc.service = "";
        }
    }
}
