package io.kube4j.kubelet.manager;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.Volume;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ConfigMaps and Secrets a pod refers to, as Kubernetes' {@code VisitPodConfigmapNames} and
 * {@code VisitPodSecretNames} ({@code pkg/api/v1/pod/util.go}) find them: volumes (configMap, secret, and
 * the sources of projected volumes) and every container's (init containers too) {@code envFrom} and
 * {@code env[].valueFrom}. Volume kinds kube4j does not model (cephfs, rbd, csi ... secret refs) and
 * imagePullSecrets are not visited.
 */
public final class PodReferences {
    private PodReferences() {
    }

    /** The names of the ConfigMaps {@code pod} refers to, sorted. */
    public static Set<String> configMapNames(Pod pod) {
        Set<String> names = new TreeSet<>();
        for (Volume v : pod.spec.volumes) {
            if (v.configMap != null) {
                add(names, v.configMap.name);
            }
            if (v.projected != null) {
                for (Volume.VolumeProjection p : v.projected.sources) {
                    if (p.configMap != null) {
                        add(names, p.configMap.name);
                    }
                }
            }
        }
        for (Container c : containers(pod)) {
            for (Container.EnvFromSource from : c.envFrom) {
                if (from.configMapRef != null) {
                    add(names, from.configMapRef.name);
                }
            }
            for (Container.EnvVar e : c.env) {
                Container.EnvVarSource s = e.valueFrom == null ? null : e.source();
                if (s != null && s.configMapKeyRef != null) {
                    add(names, s.configMapKeyRef.name);
                }
            }
        }
        return names;
    }

    /** The names of the Secrets {@code pod} refers to, sorted. */
    public static Set<String> secretNames(Pod pod) {
        Set<String> names = new TreeSet<>();
        for (Volume v : pod.spec.volumes) {
            if (v.secret != null) {
                add(names, v.secret.secretName);
            }
            if (v.projected != null) {
                for (Volume.VolumeProjection p : v.projected.sources) {
                    if (p.secret != null) {
                        add(names, p.secret.name);
                    }
                }
            }
        }
        for (Container c : containers(pod)) {
            for (Container.EnvFromSource from : c.envFrom) {
                if (from.secretRef != null) {
                    add(names, from.secretRef.name);
                }
            }
            for (Container.EnvVar e : c.env) {
                Container.EnvVarSource s = e.valueFrom == null ? null : e.source();
                if (s != null && s.secretKeyRef != null) {
                    add(names, s.secretKeyRef.name);
                }
            }
        }
        return names;
    }

    private static List<Container> containers(Pod pod) {
        List<Container> all = new ArrayList<>(pod.spec.initContainers);
        all.addAll(pod.spec.containers);
        return all;
    }

    private static void add(Set<String> names, String name) {
        if (name != null && !name.isEmpty()) {
            names.add(name);
        }
    }
}
