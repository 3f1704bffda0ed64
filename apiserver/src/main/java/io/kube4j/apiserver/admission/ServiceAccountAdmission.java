package io.kube4j.apiserver.admission;

import io.kube4j.api.Container;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ObjectFieldSelector;
import io.kube4j.api.Pod;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.Volume;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Admission;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * The ServiceAccount admission plugin, on pod creation:
 * <ul>
 *   <li>an empty {@code spec.serviceAccountName} becomes {@code default};</li>
 *   <li>a pod naming a ServiceAccount that does not exist is refused 403
 *       {@code pods "x" is forbidden: error looking up service account ns/sa: serviceaccount "sa" not found}
 *       (the {@code default} one is looked up 10 times, 100-200 ms apart, since its controller may be about to create it);</li>
 *   <li>unless {@code automountServiceAccountToken: false} on the pod (which wins) or on the ServiceAccount, the
 *       projected volume {@code kube-api-access-<5 random chars>} (a bound token, the {@code kube-root-ca.crt}
 *       ConfigMap's {@code ca.crt}, the namespace) is added with a read-only mount at
 *       {@code /var/run/secrets/kubernetes.io/serviceaccount} on every init container and container that does
 *       not already mount something there (an existing {@code kube-api-access-*} volume is reused);</li>
 *   <li>a pod without imagePullSecrets gets the ServiceAccount's;</li>
 *   <li>mirror pods (annotation {@code kubernetes.io/config.mirror}) are not changed, and may not reference a
 *       ServiceAccount, secrets, or token/ClusterTrustBundle projections.</li>
 * </ul>
 * The {@code kubernetes.io/enforce-mountable-secrets} annotation is not enforced.
 *
 * <p>Enabled unless {@code kube4j.security.insecure=true}: it refuses pods until the controller-manager
 * has created their namespace's {@code default} ServiceAccount, which would break every test (and setup)
 * that runs the apiserver without the controller-manager.
 *
 * <p>Kubernetes: {@code plugin/pkg/admission/serviceaccount/admission.go} (Admit, Validate, mountServiceAccountToken,
 * TokenVolumeSource).
 */
@Component
@Order(410)
@ConditionalOnProperty(name = "kube4j.security.insecure", havingValue = "false", matchIfMissing = true)
public class ServiceAccountAdmission implements Admission {
    /** DefaultServiceAccountName. */
    public static final String DEFAULT_SERVICE_ACCOUNT = "default";
    /** ServiceAccountVolumeName: the prefix of the generated volume's name. */
    public static final String VOLUME_PREFIX = "kube-api-access";
    /** DefaultAPITokenMountPath. */
    public static final String MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
    /** WarnOnlyBoundTokenExpirationSeconds: one hour and 7 seconds, so tokens of this volume are recognisable. */
    public static final long TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
    /** ProjectedVolumeSourceDefaultMode (0644), set explicitly as Kubernetes does. */
    public static final int DEFAULT_MODE = 420;
    static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
    /** SimpleNameGenerator's alphabet: no vowels, no confusable characters. */
    private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
    private static final int DEFAULT_ATTEMPTS = 10;

    // (namespace, name) -> the ServiceAccount, or null
    private final BiFunction<String, String, ObjectNode> serviceAccounts;
    private final Random random;
    // the pause between lookups of the default ServiceAccount, in milliseconds; 0 in tests
    private final int retryBaseMillis;

    @Autowired
    public ServiceAccountAdmission(WatchCache cache, Storage storage) {
        this((ns, name) -> {
            String key = Registry.key(ResourceTypes.SERVICEACCOUNTS, ns, name);
            ObjectNode sa = cache.get(key);
            return sa != null ? sa : storage.get(key).map(s -> (ObjectNode) Json.tree(s.value())).orElse(null);
        }, new SecureRandom(), 100);
    }

    /** For tests: the ServiceAccount lookup, the random source for volume names, and the retry pause. */
    public ServiceAccountAdmission(BiFunction<String, String, ObjectNode> serviceAccounts, Random random, int retryBaseMillis) {
        this.serviceAccounts = serviceAccounts;
        this.random = random;
        this.retryBaseMillis = retryBaseMillis;
    }

    @Override
    public void admit(Attributes a, KubeObject obj) {
        if (a.operation() != Operation.CREATE || !(obj instanceof Pod pod)) {
            return;
        }
        // don't modify mirror pods: the kubelet deletes a mirror pod whose spec differs from its static pod
        if (pod.metadata.annotations.containsKey(MIRROR_ANNOTATION)) {
            validateMirrorPod(a, a.object());
            return;
        }
        if (pod.spec.serviceAccountName == null || pod.spec.serviceAccountName.isEmpty()) {
            pod.spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT;
            ((ObjectNode) a.object().withObjectProperty("spec")).put("serviceAccountName", DEFAULT_SERVICE_ACCOUNT);
        }
        ObjectNode sa = serviceAccount(a, a.namespace(), pod.spec.serviceAccountName);
        if (shouldAutomount(sa, pod)) {
            mountServiceAccountToken(pod, (ObjectNode) a.object().withObjectProperty("spec"));
        }
        Object pullSecrets = pod.spec.unknownFields.get("imagePullSecrets");
        JsonNode saPullSecrets = sa.path("imagePullSecrets");
        if ((pullSecrets == null || (pullSecrets instanceof List<?> l && l.isEmpty())) && saPullSecrets.isArray() && !saPullSecrets.isEmpty()) {
            List<Map<String, String>> copied = new ArrayList<>();
            for (JsonNode ref : saPullSecrets) {
                copied.add(Map.of("name", ref.path("name").asString("")));
            }
            pod.spec.unknownFields.put("imagePullSecrets", copied);
        }
    }

    @Override
    public void validate(Attributes a) {
        if (a.operation() != Operation.CREATE || a.type() != ResourceTypes.PODS) {
            return;
        }
        if (a.object().path("metadata").path("annotations").has(MIRROR_ANNOTATION)) {
            validateMirrorPod(a, a.object());
            return;
        }
        serviceAccount(a, a.namespace(), a.object().path("spec").path("serviceAccountName").asString(""));
    }

    /** getServiceAccount: the ServiceAccount, or 403 when it does not exist. */
    private ObjectNode serviceAccount(Attributes a, String namespace, String name) {
        int attempts = DEFAULT_SERVICE_ACCOUNT.equals(name) ? DEFAULT_ATTEMPTS : 1;
        int pause = retryBaseMillis == 0 ? 0 : retryBaseMillis + random.nextInt(retryBaseMillis);
        for (int i = 0; i < attempts; i++) {
            if (i != 0 && pause > 0) {
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            ObjectNode sa = serviceAccounts.apply(namespace, name);
            if (sa != null) {
                return sa;
            }
        }
        throw ApiError.forbidden("", "pods", a.name(), "error looking up service account " + namespace + "/" + name
                + ": serviceaccount \"" + name + "\" not found");
    }

    /** shouldAutomount: the pod's preference wins, then the ServiceAccount's, default true. */
    static boolean shouldAutomount(ObjectNode sa, Pod pod) {
        if (pod.spec.unknownFields.get("automountServiceAccountToken") instanceof Boolean b) {
            return b;
        }
        JsonNode saPref = sa.path("automountServiceAccountToken");
        if (saPref.isBoolean()) {
            return saPref.asBoolean();
        }
        return true;
    }

    /**
     * Adds the token volume and its mounts to the typed pod and, identically, to the request's tree, so the
     * registry's overlay of one on the other keeps the fields of existing mounts kube4j does not model.
     */
    private void mountServiceAccountToken(Pod pod, ObjectNode specTree) {
        String volumeName = null;
        boolean hasVolume = false;
        for (Volume v : pod.spec.volumes) {
            if (v.name != null && v.name.startsWith(VOLUME_PREFIX + "-")) {
                volumeName = v.name;
                hasVolume = true;
                break;
            }
        }
        if (volumeName == null) {
            volumeName = generateName(VOLUME_PREFIX + "-");
        }
        boolean needsVolume = false;
        needsVolume |= mountInto(pod.spec.initContainers, specTree, "initContainers", volumeName);
        needsVolume |= mountInto(pod.spec.containers, specTree, "containers", volumeName);
        if (!hasVolume && needsVolume) {
            Volume v = tokenVolume(volumeName);
            pod.spec.volumes.add(v);
            arrayProperty(specTree, "volumes").add(Json.toTree(v));
        }
    }

    private static boolean mountInto(List<Container> containers, ObjectNode specTree, String list, String volumeName) {
        boolean mounted = false;
        JsonNode treeList = specTree.path(list);
        for (int i = 0; i < containers.size(); i++) {
            Container c = containers.get(i);
            // an existing mount at the default path prevents mounting the token
            if (c.volumeMounts.stream().anyMatch(m -> MOUNT_PATH.equals(m.mountPath))) {
                continue;
            }
            Container.VolumeMount m = new Container.VolumeMount();
            m.name = volumeName;
            m.readOnly = true;
            m.mountPath = MOUNT_PATH;
            c.volumeMounts.add(m);
            if (treeList.get(i) instanceof ObjectNode treeContainer) {
                arrayProperty(treeContainer, "volumeMounts").add(Json.toTree(m));
            }
            mounted = true;
        }
        return mounted;
    }

    private static ArrayNode arrayProperty(ObjectNode node, String name) {
        return node.get(name) instanceof ArrayNode a ? a : node.putArray(name);
    }

    /** TokenVolumeSource: the token, the cluster's CA bundle and the namespace, mode 0644. */
    public static Volume tokenVolume(String name) {
        Volume v = new Volume();
        v.name = name;
        v.projected = new Volume.ProjectedVolumeSource();
        v.projected.defaultMode = DEFAULT_MODE;
        Volume.VolumeProjection token = new Volume.VolumeProjection();
        token.serviceAccountToken = new Volume.ServiceAccountTokenProjection();
        token.serviceAccountToken.expirationSeconds = TOKEN_EXPIRATION_SECONDS;
        token.serviceAccountToken.path = "token";
        Volume.VolumeProjection ca = new Volume.VolumeProjection();
        ca.configMap = new Volume.ConfigMapProjection();
        ca.configMap.name = "kube-root-ca.crt";
        Volume.KeyToPath item = new Volume.KeyToPath();
        item.key = "ca.crt";
        item.path = "ca.crt";
        ca.configMap.items.add(item);
        Volume.VolumeProjection namespace = new Volume.VolumeProjection();
        namespace.downwardAPI = new Volume.DownwardAPIProjection();
        Volume.DownwardAPIVolumeFile file = new Volume.DownwardAPIVolumeFile();
        file.path = "namespace";
        file.fieldRef = new ObjectFieldSelector();
        file.fieldRef.apiVersion = "v1";
        file.fieldRef.fieldPath = "metadata.namespace";
        namespace.downwardAPI.items.add(file);
        v.projected.sources.addAll(List.of(token, ca, namespace));
        return v;
    }

    private String generateName(String base) {
        StringBuilder sb = new StringBuilder(base);
        for (int i = 0; i < 5; i++) {
            sb.append(NAME_CHARS.charAt(random.nextInt(NAME_CHARS.length())));
        }
        return sb.toString();
    }

    /** Mirror pods have restrictions on what they can reference (Validate). */
    static void validateMirrorPod(Attributes a, JsonNode pod) {
        JsonNode spec = pod.path("spec");
        if (!spec.path("serviceAccountName").asString("").isEmpty()) {
            throw ApiError.forbidden("", "pods", a.name(), "a mirror pod may not reference service accounts");
        }
        if (referencesSecrets(spec)) {
            throw ApiError.forbidden("", "pods", a.name(), "a mirror pod may not reference secrets");
        }
        for (JsonNode v : spec.path("volumes")) {
            for (JsonNode source : v.path("projected").path("sources")) {
                if (source.has("serviceAccountToken")) {
                    throw ApiError.forbidden("", "pods", a.name(), "a mirror pod may not use ServiceAccountToken volume projections");
                }
                if (source.has("clusterTrustBundle")) {
                    throw ApiError.forbidden("", "pods", a.name(), "a mirror pod may not use ClusterTrustBundle volume projections");
                }
            }
        }
    }

    /** VisitPodSecretNames, reduced to "any": image pull secrets, secret volumes and projections, env and envFrom. */
    static boolean referencesSecrets(JsonNode spec) {
        if (!spec.path("imagePullSecrets").isEmpty()) {
            return true;
        }
        for (JsonNode v : spec.path("volumes")) {
            if (v.has("secret")) {
                return true;
            }
            for (JsonNode source : v.path("projected").path("sources")) {
                if (source.has("secret")) {
                    return true;
                }
            }
            for (String withSecretRef : List.of("azureFile", "cephfs", "cinder", "flexVolume", "rbd", "scaleIO", "iscsi", "storageos", "csi")) {
                JsonNode s = v.path(withSecretRef);
                if (s.has("secretRef") || s.has("secretName") || s.has("nodePublishSecretRef")) {
                    return true;
                }
            }
        }
        for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
            for (JsonNode c : spec.path(list)) {
                for (JsonNode env : c.path("env")) {
                    if (env.path("valueFrom").has("secretKeyRef")) {
                        return true;
                    }
                }
                for (JsonNode from : c.path("envFrom")) {
                    if (from.has("secretRef")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
