package io.kube4j.kubelet.pod;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.Secret;
import io.kube4j.kubelet.fieldpath.ContainerResources;
import io.kube4j.kubelet.fieldpath.FieldPath;
import io.kube4j.kubelet.manager.ObjectManager;
import io.kube4j.kubelet.manager.ObjectNotFoundException;
import io.kube4j.quantity.Quantity;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A container's environment as Kubernetes 1.32's {@code makeEnvironmentVariables} ({@code pkg/kubelet/kubelet_pods.go})
 * builds it:
 * <ol>
 *   <li>{@code envFrom} in order: every key of the ConfigMap's {@code data} or the Secret's (base64-decoded)
 *       {@code data}, with the source's {@code prefix}; a later source wins. A missing source is an error
 *       unless {@code optional}. Keys are not filtered: since RelaxedEnvironmentVariableValidation (beta and on
 *       in 1.32) the kubelet injects every key and records no InvalidEnvironmentVariableNames event.</li>
 *   <li>{@code env} in order: a non-empty {@code value} with {@code $(VAR)} expanded against what is defined so
 *       far and the Service variables; else {@code valueFrom}: {@code fieldRef}, {@code resourceFieldRef} (unset
 *       limits are the node's allocatable), {@code configMapKeyRef}, {@code secretKeyRef}. A missing object or
 *       key is an error unless {@code optional}, in which case the variable is left out.</li>
 *   <li>the Service variables the container did not define.</li>
 * </ol>
 * Errors carry Kubernetes' messages: {@code configmap "x" not found}, {@code couldn't find key k in ConfigMap ns/x},
 * {@code couldn't find key k in Secret ns/x}.
 */
final class EnvironmentVariables {
    private final ObjectManager<ConfigMap> configMaps;
    private final ObjectManager<Secret> secrets;
    private final Supplier<Map<String, Quantity>> allocatable;

    /**
     * @param configMaps  where ConfigMaps are read
     * @param secrets     where Secrets are read
     * @param allocatable the node's allocatable resources (the default of unset limits in {@code resourceFieldRef})
     */
    EnvironmentVariables(ObjectManager<ConfigMap> configMaps, ObjectManager<Secret> secrets, Supplier<Map<String, Quantity>> allocatable) {
        this.configMaps = configMaps;
        this.secrets = secrets;
        this.allocatable = allocatable;
    }

    /**
     * The environment of {@code container}, in Kubernetes' order (the container's variables, then the Service
     * variables it did not define).
     *
     * @param serviceEnv the Service variables of the pod's namespace
     * @param podIps     the pod's IPs, the primary first (status.podIP / status.podIPs)
     * @param hostIps    the node's IPs, the primary first (status.hostIP / status.hostIPs)
     * @throws ContainerConfigException when a required source is missing or a field cannot be read
     */
    Map<String, String> make(Pod pod, Container container, Map<String, String> serviceEnv, List<String> podIps, List<String> hostIps) {
        Map<String, ConfigMap> configMapCache = new HashMap<>();
        Map<String, Secret> secretCache = new HashMap<>();
        Map<String, String> tmpEnv = new LinkedHashMap<>();

        // env overrides envFrom: envFrom first, env then replaces what it defines again
        for (Container.EnvFromSource from : container.envFrom) {
            if (from.configMapRef != null) {
                ConfigMap cm = configMap(pod, from.configMapRef.name, Boolean.TRUE.equals(from.configMapRef.optional), configMapCache);
                if (cm != null) {
                    cm.data.forEach((k, v) -> tmpEnv.put(prefixed(from.prefix, k), v));
                }
            } else if (from.secretRef != null) {
                Secret s = secret(pod, from.secretRef.name, Boolean.TRUE.equals(from.secretRef.optional), secretCache);
                if (s != null) {
                    s.data.forEach((k, v) -> tmpEnv.put(prefixed(from.prefix, k), decode(v)));
                }
            }
        }

        UnaryOperator<String> mapping = Expansion.mappingFor(List.of(tmpEnv, serviceEnv));
        for (Container.EnvVar var : container.env) {
            if (var.name == null) {
                continue;
            }
            String value = var.value == null ? "" : var.value;
            if (!value.isEmpty()) {
                value = Expansion.expand(value, mapping);
            } else if (var.valueFrom != null) {
                Container.EnvVarSource source = var.source();
                String resolved = resolve(pod, container, source, podIps, hostIps, configMapCache, secretCache);
                if (resolved == null) {
                    continue; // optional and missing: left out
                }
                value = resolved;
            }
            tmpEnv.put(var.name, value);
        }

        Map<String, String> result = new LinkedHashMap<>(tmpEnv);
        serviceEnv.forEach(result::putIfAbsent);
        return result;
    }

    /** The value of one {@code valueFrom}; null when an optional source or key is missing. */
    private String resolve(Pod pod, Container container, Container.EnvVarSource source, List<String> podIps, List<String> hostIps,
                           Map<String, ConfigMap> configMapCache, Map<String, Secret> secretCache) {
        if (source.fieldRef != null) {
            return podField(pod, source.fieldRef.apiVersion, source.fieldRef.fieldPath, podIps, hostIps);
        }
        if (source.resourceFieldRef != null) {
            try {
                return ContainerResources.forEnv(source.resourceFieldRef, pod, container, allocatable.get());
            } catch (IllegalArgumentException e) {
                throw new ContainerConfigException(e.getMessage());
            }
        }
        if (source.configMapKeyRef != null) {
            Container.ConfigMapKeySelector ref = source.configMapKeyRef;
            boolean optional = Boolean.TRUE.equals(ref.optional);
            ConfigMap cm = configMap(pod, ref.name, optional, configMapCache);
            if (cm == null) {
                return null;
            }
            String value = cm.data.get(ref.key);
            if (value == null && !optional) {
                throw new ContainerConfigException("couldn't find key " + ref.key + " in ConfigMap " + pod.metadata.namespace + "/" + ref.name);
            }
            return value;
        }
        if (source.secretKeyRef != null) {
            Container.SecretKeySelector ref = source.secretKeyRef;
            boolean optional = Boolean.TRUE.equals(ref.optional);
            Secret s = secret(pod, ref.name, optional, secretCache);
            if (s == null) {
                return null;
            }
            String value = s.data.get(ref.key);
            if (value == null && !optional) {
                throw new ContainerConfigException("couldn't find key " + ref.key + " in Secret " + pod.metadata.namespace + "/" + ref.name);
            }
            return value == null ? null : decode(value);
        }
        return "";
    }

    /**
     * Kubernetes' {@code podFieldSelectorRuntimeValue}: node name, service account, host and pod IPs from the
     * kubelet, the rest from the pod's metadata.
     */
    static String podField(Pod pod, String apiVersion, String fieldPath, List<String> podIps, List<String> hostIps) {
        try {
            String path = FieldPath.convertDownwardApiFieldLabel(apiVersion, fieldPath);
            return switch (path) {
                case "spec.nodeName" -> nullToEmpty(pod.spec.nodeName);
                case "spec.serviceAccountName" -> nullToEmpty(pod.spec.serviceAccountName);
                case "status.hostIP" -> hostIps.isEmpty() ? "" : hostIps.get(0);
                case "status.hostIPs" -> String.join(",", hostIps);
                case "status.podIP" -> podIps.isEmpty() ? "" : podIps.get(0);
                case "status.podIPs" -> String.join(",", podIps);
                default -> FieldPath.extract(pod, path);
            };
        } catch (IllegalArgumentException e) {
            throw new ContainerConfigException(e.getMessage());
        }
    }

    private ConfigMap configMap(Pod pod, String name, boolean optional, Map<String, ConfigMap> cache) {
        if (cache.containsKey(name)) {
            return cache.get(name);
        }
        try {
            ConfigMap cm = configMaps.get(pod.metadata.namespace, name);
            cache.put(name, cm);
            return cm;
        } catch (ObjectNotFoundException e) {
            if (optional) {
                return null; // ignored when marked optional
            }
            throw new ContainerConfigException(e.getMessage());
        } catch (IllegalStateException e) {
            throw new ContainerConfigException(e.getMessage());
        }
    }

    private Secret secret(Pod pod, String name, boolean optional, Map<String, Secret> cache) {
        if (cache.containsKey(name)) {
            return cache.get(name);
        }
        try {
            Secret s = secrets.get(pod.metadata.namespace, name);
            cache.put(name, s);
            return s;
        } catch (ObjectNotFoundException e) {
            if (optional) {
                return null;
            }
            throw new ContainerConfigException(e.getMessage());
        } catch (IllegalStateException e) {
            throw new ContainerConfigException(e.getMessage());
        }
    }

    private static String prefixed(String prefix, String key) {
        return prefix == null || prefix.isEmpty() ? key : prefix + key;
    }

    // Secret data is base64 on the wire; the variable is its bytes as text
    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
