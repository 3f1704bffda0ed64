package io.kube4j.kubelet.volume;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Pod;
import io.kube4j.api.Secret;
import io.kube4j.api.Volume;
import io.kube4j.kubelet.fieldpath.ContainerResources;
import io.kube4j.kubelet.fieldpath.FieldPath;
import io.kube4j.kubelet.manager.ObjectManager;
import io.kube4j.kubelet.manager.ObjectNotFoundException;
import io.kube4j.kubelet.token.TokenManager;
import io.kube4j.quantity.Quantity;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The files of configMap, secret, downwardAPI and projected volumes, as Kubernetes' volume plugins compute
 * them before the atomic writer writes them: {@code configmap.MakePayload}, {@code secret.MakePayload},
 * {@code downwardapi.CollectData} and the projected plugin's {@code collectData}. Modes default to 0644
 * (Kubernetes' default of {@code defaultMode} for all four).
 */
public final class VolumePayloads {
    /** Kubernetes' ConfigMapVolumeSourceDefaultMode, SecretVolumeSourceDefaultMode, DownwardAPIVolumeSourceDefaultMode, ProjectedVolumeSourceDefaultMode. */
    public static final int DEFAULT_MODE = 0644;

    private final ObjectManager<ConfigMap> configMaps;
    private final ObjectManager<Secret> secrets;
    private final java.util.function.Supplier<Map<String, Quantity>> allocatable;
    // bound ServiceAccount tokens from the TokenRequest API; null: a placeholder file (no apiserver at hand)
    private final TokenManager tokens;

    /**
     * Without a token source: serviceAccountToken sources get a placeholder (for runs with no apiserver).
     *
     * @param configMaps  where ConfigMaps are read
     * @param secrets     where Secrets are read
     * @param allocatable the node's allocatable resources (the default of unset limits in resourceFieldRef files)
     */
    public VolumePayloads(ObjectManager<ConfigMap> configMaps, ObjectManager<Secret> secrets, java.util.function.Supplier<Map<String, Quantity>> allocatable) {
        this(configMaps, secrets, allocatable, null);
    }

    /**
     * @param configMaps  where ConfigMaps are read
     * @param secrets     where Secrets are read
     * @param allocatable the node's allocatable resources (the default of unset limits in resourceFieldRef files)
     * @param tokens      the bound ServiceAccount tokens of serviceAccountToken sources
     */
    public VolumePayloads(ObjectManager<ConfigMap> configMaps, ObjectManager<Secret> secrets, java.util.function.Supplier<Map<String, Quantity>> allocatable,
                          TokenManager tokens) {
        this.configMaps = configMaps;
        this.secrets = secrets;
        this.allocatable = allocatable;
        this.tokens = tokens;
    }

    /** Forgets what was cached for the pod with this uid (its tokens), once its volumes are gone. */
    public void forgetPod(String uid) {
        if (tokens != null) {
            tokens.deletePod(uid);
        }
    }

    /**
     * A configMap volume (Kubernetes' configMap plugin {@code SetUpAt} + {@code MakePayload}): all keys of
     * {@code data} and {@code binaryData}, or only {@code items} (key → path, own mode); a missing ConfigMap is
     * an empty volume when {@code optional}.
     *
     * @throws VolumeSetupException {@code configmap "x" not found}, {@code configmap references non-existent config key: k}
     */
    public Map<String, FileProjection> configMap(Pod pod, Volume.ConfigMapVolumeSource source) {
        boolean optional = Boolean.TRUE.equals(source.optional);
        ConfigMap cm = getConfigMap(pod, source.name, optional);
        return configMapPayload(source.items, cm, mode(source.defaultMode), optional);
    }

    /**
     * A secret volume (Kubernetes' secret plugin): as a configMap volume, with the base64-decoded {@code data}.
     *
     * @throws VolumeSetupException {@code secret "x" not found}, {@code secret references non-existent secret key: k}
     */
    public Map<String, FileProjection> secret(Pod pod, Volume.SecretVolumeSource source) {
        boolean optional = Boolean.TRUE.equals(source.optional);
        Secret s = getSecret(pod, source.secretName, optional);
        return secretPayload(source.items, s, mode(source.defaultMode), optional);
    }

    /**
     * A downwardAPI volume (Kubernetes' {@code CollectData}): one file per item, a pod field (metadata only:
     * name, namespace, uid, labels, annotations) or a container resource.
     *
     * @throws VolumeSetupException with every item that failed, Kubernetes' aggregate message
     */
    public Map<String, FileProjection> downwardApi(Pod pod, List<Volume.DownwardAPIVolumeFile> items, Integer defaultMode) {
        int mode = mode(defaultMode);
        List<String> errors = new ArrayList<>();
        Map<String, FileProjection> data = new LinkedHashMap<>();
        for (Volume.DownwardAPIVolumeFile item : items) {
            int fileMode = item.mode != null ? item.mode : mode;
            byte[] content = new byte[0];
            try {
                if (item.fieldRef != null) {
                    content = FieldPath.extract(pod, item.fieldRef.fieldPath).getBytes(StandardCharsets.UTF_8);
                } else if (item.resourceFieldRef != null) {
                    content = ContainerResources.forVolume(item.resourceFieldRef, pod, allocatable.get()).getBytes(StandardCharsets.UTF_8);
                }
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
            data.put(Path.of(item.path).normalize().toString(), new FileProjection(content, fileMode));
        }
        if (!errors.isEmpty()) {
            throw new VolumeSetupException(aggregate(errors));
        }
        return data;
    }

    /**
     * A projected volume (Kubernetes' projected plugin {@code collectData}): the files of each source in order, a
     * later one winning on a clash, all with the volume's {@code defaultMode}. A serviceAccountToken source gets a
     * token bound to the pod from the {@link TokenManager} (TokenRequest API), refreshed at 80% of its lifetime: the
     * payload then differs and the volume manager rewrites the file.
     *
     * @throws VolumeSetupException with every source that failed, Kubernetes' aggregate message
     */
    public Map<String, FileProjection> projected(Pod pod, Volume.ProjectedVolumeSource source) {
        int mode = mode(source.defaultMode);
        List<String> errors = new ArrayList<>();
        Map<String, FileProjection> payload = new LinkedHashMap<>();
        for (Volume.VolumeProjection p : source.sources) {
            try {
                if (p.secret != null) {
                    boolean optional = Boolean.TRUE.equals(p.secret.optional);
                    payload.putAll(secretPayload(p.secret.items, getSecret(pod, p.secret.name, optional), mode, optional));
                } else if (p.configMap != null) {
                    boolean optional = Boolean.TRUE.equals(p.configMap.optional);
                    payload.putAll(configMapPayload(p.configMap.items, getConfigMap(pod, p.configMap.name, optional), mode, optional));
                } else if (p.downwardAPI != null) {
                    payload.putAll(downwardApi(pod, p.downwardAPI.items, mode));
                } else if (p.serviceAccountToken != null) {
                    payload.put(p.serviceAccountToken.path, new FileProjection(serviceAccountToken(pod, p.serviceAccountToken), mode));
                }
            } catch (VolumeSetupException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new VolumeSetupException(aggregate(errors));
        }
        return payload;
    }

    private byte[] serviceAccountToken(Pod pod, Volume.ServiceAccountTokenProjection source) {
        if (tokens == null) {
            return placeholderToken(pod, source);
        }
        try {
            return tokens.serviceAccountToken(pod, source.audience, source.expirationSeconds).getBytes(StandardCharsets.UTF_8);
        } catch (TokenManager.TokenException e) {
            throw new VolumeSetupException(e.getMessage());
        }
    }

    /**
     * What a serviceAccountToken file holds when the kubelet has no token source: not a JWT, but a line that says
     * so, naming the service account and audience a real token would be bound to.
     */
    static byte[] placeholderToken(Pod pod, Volume.ServiceAccountTokenProjection token) {
        String sa = pod.spec.serviceAccountName == null || pod.spec.serviceAccountName.isEmpty() ? "default" : pod.spec.serviceAccountName;
        String text = "kube4j-placeholder-token: no TokenRequest API yet; serviceaccount=" + pod.metadata.namespace + "/" + sa
                + (token.audience == null || token.audience.isEmpty() ? "" : " audience=" + token.audience);
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Kubernetes' {@code configmap.MakePayload}. */
    static Map<String, FileProjection> configMapPayload(List<Volume.KeyToPath> items, ConfigMap cm, int defaultMode, boolean optional) {
        Map<String, FileProjection> payload = new LinkedHashMap<>();
        if (items == null || items.isEmpty()) {
            cm.data.forEach((k, v) -> payload.put(k, new FileProjection(v.getBytes(StandardCharsets.UTF_8), defaultMode)));
            cm.binaryData.forEach((k, v) -> payload.put(k, new FileProjection(Base64.getDecoder().decode(v), defaultMode)));
            return payload;
        }
        for (Volume.KeyToPath ktp : items) {
            byte[] data;
            if (cm.data.containsKey(ktp.key)) {
                data = cm.data.get(ktp.key).getBytes(StandardCharsets.UTF_8);
            } else if (cm.binaryData.containsKey(ktp.key)) {
                data = Base64.getDecoder().decode(cm.binaryData.get(ktp.key));
            } else if (optional) {
                continue;
            } else {
                throw new VolumeSetupException("configmap references non-existent config key: " + ktp.key);
            }
            payload.put(ktp.path, new FileProjection(data, ktp.mode != null ? ktp.mode : defaultMode));
        }
        return payload;
    }

    /** Kubernetes' {@code secret.MakePayload}. */
    static Map<String, FileProjection> secretPayload(List<Volume.KeyToPath> items, Secret s, int defaultMode, boolean optional) {
        Map<String, FileProjection> payload = new LinkedHashMap<>();
        if (items == null || items.isEmpty()) {
            s.data.forEach((k, v) -> payload.put(k, new FileProjection(Base64.getDecoder().decode(v), defaultMode)));
            return payload;
        }
        for (Volume.KeyToPath ktp : items) {
            String value = s.data.get(ktp.key);
            if (value == null) {
                if (optional) {
                    continue;
                }
                throw new VolumeSetupException("secret references non-existent secret key: " + ktp.key);
            }
            payload.put(ktp.path, new FileProjection(Base64.getDecoder().decode(value), ktp.mode != null ? ktp.mode : defaultMode));
        }
        return payload;
    }

    private ConfigMap getConfigMap(Pod pod, String name, boolean optional) {
        try {
            return configMaps.get(pod.metadata.namespace, name);
        } catch (ObjectNotFoundException e) {
            if (optional) {
                ConfigMap empty = new ConfigMap();
                empty.metadata.namespace = pod.metadata.namespace;
                empty.metadata.name = name;
                return empty;
            }
            throw new VolumeSetupException(e.getMessage());
        } catch (IllegalStateException e) {
            throw new VolumeSetupException(e.getMessage());
        }
    }

    private Secret getSecret(Pod pod, String name, boolean optional) {
        try {
            return secrets.get(pod.metadata.namespace, name);
        } catch (ObjectNotFoundException e) {
            if (optional) {
                Secret empty = new Secret();
                empty.metadata.namespace = pod.metadata.namespace;
                empty.metadata.name = name;
                return empty;
            }
            throw new VolumeSetupException(e.getMessage());
        } catch (IllegalStateException e) {
            throw new VolumeSetupException(e.getMessage());
        }
    }

    private static int mode(Integer defaultMode) {
        return defaultMode == null ? DEFAULT_MODE : defaultMode;
    }

    /** Go's {@code utilerrors.NewAggregate(...).Error()}: one message as is, several de-duplicated in brackets. */
    static String aggregate(List<String> errors) {
        LinkedHashSet<String> unique = new LinkedHashSet<>(errors);
        return unique.size() == 1 ? unique.iterator().next() : "[" + String.join(", ", unique) + "]";
    }
}
