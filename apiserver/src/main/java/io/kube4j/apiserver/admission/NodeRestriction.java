package io.kube4j.apiserver.admission;

import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.auth.Forbidden;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.auth.node.NodeAuthorizer;
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
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The NodeRestriction admission plugin: limits what a kubelet (user {@code system:node:<name>} in group
 * {@code system:nodes}) may write, beyond what the Node authorizer lets it reach. A node may
 * <ul>
 *   <li>create, update and delete only its own Node, never with a {@code spec.configSource}, never changing
 *       its taints, and never setting or changing labels under {@code node-restriction.kubernetes.io/} or
 *       other {@code kubernetes.io}/{@code k8s.io} labels than the kubelet's own
 *       ({@code kubernetes.io/hostname}, {@code kubernetes.io/os}, {@code topology.kubernetes.io/zone},
 *       {@code *.kubelet.kubernetes.io/*}, {@code *.node.kubernetes.io/*}...);</li>
 *   <li>create only mirror pods bound to itself, owned by its Node (one controller owner reference with the
 *       Node's uid, no blockOwnerDeletion) and referencing no ServiceAccount, Secret, ConfigMap,
 *       ClusterTrustBundle or PersistentVolumeClaim; update no pod but its pods' status (without changing
 *       labels or resourceClaimStatuses); delete and evict only pods bound to itself;</li>
 *   <li>update only the status of PersistentVolumeClaims, and there only capacity, conditions and the
 *       allocated resources;</li>
 *   <li>request ServiceAccount tokens only bound to a pod (with its uid) scheduled on itself;</li>
 *   <li>touch only the Lease named after itself, and only in {@code kube-node-lease}.</li>
 * </ul>
 * A denial is 403 Forbidden worded as Kubernetes' {@code admission.NewForbidden}:
 * {@code nodes "node-2" is forbidden: node "node-1" is not allowed to modify node "node-2"}; a pod, Node
 * or pod-bound token referring to something that does not exist is 404 as the lister's error. Other users
 * pass untouched.
 *
 * <p>Runs after ServiceAccount and before PodSecurity (Kubernetes' plugin order); sees creates and main
 * updates through {@link #admit} and deletes, status updates, evictions and token requests through
 * {@link #validateSubresourceOrDelete}. Active unless {@code kube4j.security.insecure=true} (then there is
 * no user to restrict). CSINodes (a kind kube4j does not serve) are left out.
 *
 * <p>Kubernetes: {@code plugin/pkg/admission/noderestriction/admission.go} (Admit and its admitX),
 * {@code staging/src/k8s.io/kubelet/pkg/apis/well_known_labels.go} (IsKubeletLabel),
 * {@code pkg/auth/nodeidentifier} (NodeIdentity).
 */
@Component
@Order(415)
@ConditionalOnProperty(name = "kube4j.security.insecure", havingValue = "false", matchIfMissing = true)
public class NodeRestriction implements Admission {
    /** Kubernetes' {@code PluginName}. */
    public static final String PLUGIN_NAME = "NodeRestriction";
    /** {@code v1.LabelNamespaceNodeRestriction}: labels only an administrator may set on a Node. */
    public static final String NODE_RESTRICTION_LABEL_NAMESPACE = "node-restriction.kubernetes.io";
    /** {@code api.NamespaceNodeLease}. */
    public static final String NODE_LEASE_NAMESPACE = "kube-node-lease";
    /** {@code api.MirrorPodAnnotationKey}. */
    public static final String MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";
    /** {@code kubeletapis.kubeletLabels}: the kubernetes.io labels a kubelet may set on its own Node. */
    static final Set<String> KUBELET_LABELS = Set.of(
            "kubernetes.io/hostname",
            "topology.kubernetes.io/zone",
            "topology.kubernetes.io/region",
            "failure-domain.beta.kubernetes.io/zone",
            "failure-domain.beta.kubernetes.io/region",
            "beta.kubernetes.io/instance-type",
            "node.kubernetes.io/instance-type",
            "kubernetes.io/os",
            "kubernetes.io/arch",
            "beta.kubernetes.io/os",
            "beta.kubernetes.io/arch");
    /** {@code kubeletapis.kubeletLabelNamespaces}: label namespaces (and their subdomains) a kubelet may set. */
    static final Set<String> KUBELET_LABEL_NAMESPACES = Set.of("kubelet.kubernetes.io", "node.kubernetes.io");

    /** Where the plugin reads pods and Nodes: the watch cache (then etcd) in the apiserver, maps in tests. */
    public interface Lookup {
        /** The pod {@code namespace/name}, or null. */
        ObjectNode pod(String namespace, String name);

        /** The Node {@code name}, or null. */
        ObjectNode node(String name);
    }

    private final Lookup objects;
    private final Supplier<UserInfo> currentUser;

    @Autowired
    public NodeRestriction(WatchCache cache, Storage storage) {
        this(new Lookup() {
            @Override
            public ObjectNode pod(String namespace, String name) {
                return lookup(cache, storage, Registry.key(ResourceTypes.PODS, namespace, name));
            }

            @Override
            public ObjectNode node(String name) {
                return lookup(cache, storage, Registry.key(ResourceTypes.NODES, null, name));
            }
        }, NodeRestriction::requestUser);
    }

    /** For tests: where pods and Nodes are read, and who is asking. */
    public NodeRestriction(Lookup objects, Supplier<UserInfo> currentUser) {
        this.objects = objects;
        this.currentUser = currentUser;
    }

    private static ObjectNode lookup(WatchCache cache, Storage storage, String key) {
        ObjectNode cached = cache.get(key);
        return cached != null ? cached : storage.get(key).map(s -> (ObjectNode) Json.tree(s.value())).orElse(null);
    }

    /** The user of the request this thread serves, or null (no request, or an internal write). */
    private static UserInfo requestUser() {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes sra) {
            return UserInfo.of(sra.getRequest());
        }
        return null;
    }

    /**
     * Creates and main updates, in the mutating phase as in Kubernetes (NodeRestriction is a mutating plugin
     * there): a denial comes before the kind's validation, after the earlier plugins' defaults.
     */
    @Override
    public void admit(Attributes a, KubeObject obj) {
        check(a);
    }

    @Override
    public void validateSubresourceOrDelete(Attributes a) {
        check(a);
    }

    /** Kubernetes' {@code Admit}: throws the 403 (or the lister's 404) when a node may not do this. */
    void check(Attributes a) {
        UserInfo user = currentUser.get();
        if (user == null || !user.groups().contains(NodeAuthorizer.NODES_GROUP) || !user.name().startsWith(NodeAuthorizer.NODE_USER_PREFIX)) {
            // our job is just to restrict nodes
            return;
        }
        String nodeName = NodeAuthorizer.nodeName(user);
        if (nodeName == null || nodeName.isEmpty()) {
            throw forbidden(a, "could not determine node from user " + quote(user.name()));
        }
        ResourceType rt = a.type();
        String sub = a.subresource() == null ? "" : a.subresource();
        if (rt == ResourceTypes.PODS) {
            switch (sub) {
                case "" -> admitPod(nodeName, a);
                case "status" -> admitPodStatus(nodeName, a);
                case "eviction" -> admitPodEviction(nodeName, a);
                default -> throw forbidden(a, "unexpected pod subresource " + quote(sub) + ", only 'status' and 'eviction' are allowed");
            }
        } else if (rt == ResourceTypes.NODES) {
            admitNode(nodeName, a);
        } else if (rt == ResourceTypes.PERSISTENTVOLUMECLAIMS) {
            if (!sub.equals("status")) throw forbidden(a, "may only update PVC status");
            admitPVCStatus(nodeName, a);
        } else if (rt == ResourceTypes.SERVICEACCOUNTS) {
            admitServiceAccount(nodeName, a);
        } else if (rt == ResourceTypes.LEASES) {
            admitLease(nodeName, a);
        }
    }

    private void admitPod(String nodeName, Attributes a) {
        switch (a.operation()) {
            case CREATE -> admitPodCreate(nodeName, a);
            case DELETE -> {
                ObjectNode existing = existingPod(a.namespace(), a.name(), a.old());
                // only allow a node to delete a pod bound to itself
                if (!nodeName.equals(existing.path("spec").path("nodeName").asString(""))) {
                    throw forbidden(a, "node " + quote(nodeName) + " can only delete pods with spec.nodeName set to itself");
                }
            }
            default -> throw forbidden(a, "unexpected operation " + quote(a.operation().name()) + ", node " + quote(nodeName) + " can only create and delete mirror pods");
        }
    }

    private void admitPodCreate(String nodeName, Attributes a) {
        ObjectNode pod = a.object();
        JsonNode meta = pod.path("metadata");
        // only allow nodes to create mirror pods
        if (!meta.path("annotations").has(MIRROR_POD_ANNOTATION)) {
            throw forbidden(a, "pod does not have " + quote(MIRROR_POD_ANNOTATION) + " annotation, node " + quote(nodeName) + " can only create mirror pods");
        }
        // only allow nodes to create a pod bound to itself
        if (!nodeName.equals(pod.path("spec").path("nodeName").asString(""))) {
            throw forbidden(a, "node " + quote(nodeName) + " can only create pods with spec.nodeName set to itself");
        }
        JsonNode owners = meta.path("ownerReferences");
        if (owners.size() > 1) {
            throw forbidden(a, "node " + quote(nodeName) + " can only create pods with a single owner reference set to itself");
        }
        if (owners.isEmpty()) {
            throw forbidden(a, "node " + quote(nodeName) + " can only create pods with an owner reference set to itself");
        }
        JsonNode owner = owners.get(0);
        if (!"v1".equals(owner.path("apiVersion").asString("")) || !"Node".equals(owner.path("kind").asString(""))
                || !nodeName.equals(owner.path("name").asString(""))) {
            throw forbidden(a, "node " + quote(nodeName) + " can only create pods with an owner reference set to itself");
        }
        if (!owner.path("controller").asBoolean(false)) {
            throw forbidden(a, "node " + quote(nodeName) + " can only create pods with a controller owner reference set to itself");
        }
        if (owner.path("blockOwnerDeletion").asBoolean(false)) {
            throw forbidden(a, "node " + quote(nodeName) + " must not set blockOwnerDeletion on an owner reference");
        }
        // verify the node's uid
        ObjectNode node = objects.node(nodeName);
        if (node == null) {
            throw ApiError.notFound("", "nodes", nodeName);
        }
        String nodeUid = node.path("metadata").path("uid").asString("");
        String ownerUid = owner.path("uid").asString("");
        if (!ownerUid.equals(nodeUid)) {
            // Kubernetes' message names the owner's uid as "expected" and the Node's as "got"
            throw forbidden(a, "node " + nodeName + " UID mismatch: expected " + ownerUid + " got " + nodeUid);
        }
        // don't allow a node to create a pod that references any other API objects
        JsonNode spec = pod.path("spec");
        if (!spec.path("serviceAccountName").asString("").isEmpty()) {
            throw forbidden(a, "node " + quote(nodeName) + " can not create pods that reference a service account");
        }
        if (referencesSecrets(spec)) {
            throw forbidden(a, "node " + quote(nodeName) + " can not create pods that reference secrets");
        }
        if (referencesConfigMaps(spec)) {
            throw forbidden(a, "node " + quote(nodeName) + " can not create pods that reference configmaps");
        }
        for (JsonNode vol : spec.path("volumes")) {
            for (JsonNode src : vol.path("projected").path("sources")) {
                if (src.has("clusterTrustBundle")) {
                    throw forbidden(a, "node " + quote(nodeName) + " can not create pods that reference clustertrustbundles");
                }
            }
        }
        for (JsonNode vol : spec.path("volumes")) {
            if (vol.has("persistentVolumeClaim")) {
                throw forbidden(a, "node " + quote(nodeName) + " can not create pods that reference persistentvolumeclaims");
            }
        }
    }

    private void admitPodStatus(String nodeName, Attributes a) {
        if (a.operation() != Operation.UPDATE) {
            throw forbidden(a, "unexpected operation " + quote(a.operation().name()));
        }
        // only allow a node to update status of a pod bound to itself
        if (!nodeName.equals(a.old().path("spec").path("nodeName").asString(""))) {
            throw forbidden(a, "node " + quote(nodeName) + " can only update pod status for pods with spec.nodeName set to itself");
        }
        if (!labels(a.old()).equals(labels(a.object()))) {
            throw forbidden(a, "node " + quote(nodeName) + " cannot update labels through pod status");
        }
        if (!resourceClaimStatusesEqual(a.old().path("status").path("resourceClaimStatuses"), a.object().path("status").path("resourceClaimStatuses"))) {
            throw forbidden(a, "node " + quote(nodeName) + " cannot update resource claim statues");
        }
    }

    private static boolean resourceClaimStatusesEqual(JsonNode a, JsonNode b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).path("name").asString("").equals(b.get(i).path("name").asString(""))) return false;
            JsonNode ca = a.get(i).get("resourceClaimName");
            JsonNode cb = b.get(i).get("resourceClaimName");
            boolean na = ca == null || ca.isNull();
            boolean nb = cb == null || cb.isNull();
            if (na != nb) return false;
            if (!na && !ca.asString("").equals(cb.asString(""))) return false;
        }
        return true;
    }

    private void admitPodEviction(String nodeName, Attributes a) {
        if (a.operation() != Operation.CREATE) {
            throw forbidden(a, "unexpected operation " + a.operation().name());
        }
        // use the pod name from the URL, if set, rather than from the submitted Eviction
        String podName = a.name();
        if (podName == null || podName.isEmpty()) {
            podName = a.object() == null ? "" : a.object().path("metadata").path("name").asString("");
            if (podName.isEmpty()) {
                throw forbidden(a, "could not determine pod from request data");
            }
        }
        ObjectNode existing = existingPod(a.namespace(), podName, null);
        // only allow a node to evict a pod bound to itself
        if (!nodeName.equals(existing.path("spec").path("nodeName").asString(""))) {
            throw forbidden(a, "node " + nodeName + " can only evict pods with spec.nodeName set to itself");
        }
    }

    private void admitPVCStatus(String nodeName, Attributes a) {
        if (a.operation() != Operation.UPDATE) {
            throw forbidden(a, "unexpected operation " + quote(a.operation().name()));
        }
        ObjectNode oldPvc = comparablePvc(a.old());
        ObjectNode newPvc = comparablePvc(a.object());
        // ensure no metadata changed: nodes should not be able to relabel, add finalizers/owners, etc.
        if (!Objects.equals(withoutEmpty(oldPvc), withoutEmpty(newPvc))) {
            throw forbidden(a, "node " + quote(nodeName) + " is not allowed to update fields other than status.capacity and status.conditions: "
                    + difference(oldPvc, newPvc));
        }
    }

    /** A copy without what a node may change (resourceVersion, managedFields, capacity, conditions, allocated resources). */
    private static ObjectNode comparablePvc(ObjectNode pvc) {
        ObjectNode copy = pvc.deepCopy();
        if (copy.get("metadata") instanceof ObjectNode m) {
            m.remove("resourceVersion");
            m.remove("managedFields");
        }
        if (copy.get("status") instanceof ObjectNode s) {
            s.remove("capacity");
            s.remove("conditions");
            // RecoverVolumeExpansionFailure (beta, on by default in 1.32)
            s.remove("allocatedResourceStatuses");
            s.remove("allocatedResources");
        }
        return copy;
    }

    private void admitNode(String nodeName, Attributes a) {
        String requested = a.name();
        if (!nodeName.equals(requested)) {
            throw forbidden(a, "node " + quote(nodeName) + " is not allowed to modify node " + quote(requested));
        }
        if (a.operation() == Operation.CREATE) {
            JsonNode configSource = a.object().path("spec").get("configSource");
            // nodes' access is scoped by what their Node's spec names: a configSource would widen it
            if (configSource != null && !configSource.isNull()) {
                throw forbidden(a, "node " + quote(nodeName) + " is not allowed to create pods with a non-nil configSource");
            }
            // registering with labels outside the allowed set would let a node steer privileged workloads to itself
            Set<String> forbidden = forbiddenLabels(modifiedLabels(labels(a.object()), Map.of()));
            if (!forbidden.isEmpty()) {
                throw forbidden(a, "node " + quote(nodeName) + " is not allowed to set the following labels: " + String.join(", ", forbidden));
            }
        }
        if (a.operation() == Operation.UPDATE) {
            JsonNode configSource = a.object().path("spec").get("configSource");
            JsonNode oldConfigSource = a.old().path("spec").get("configSource");
            if (configSource != null && !configSource.isNull() && !Objects.equals(withoutEmpty(configSource), withoutEmpty(oldConfigSource))) {
                throw forbidden(a, "node " + quote(nodeName) + " is not allowed to update configSource to a new non-nil configSource");
            }
            // a node removing or changing its taints could steer disallowed workloads to itself
            if (!Objects.equals(withoutEmpty(a.object().path("spec").get("taints")), withoutEmpty(a.old().path("spec").get("taints")))) {
                throw forbidden(a, "node " + quote(nodeName) + " is not allowed to modify taints");
            }
            Set<String> forbidden = forbiddenLabels(modifiedLabels(labels(a.object()), labels(a.old())));
            if (!forbidden.isEmpty()) {
                // sic: Kubernetes' message has no subject here
                throw forbidden(a, "is not allowed to modify labels: " + String.join(", ", forbidden));
            }
        }
    }

    private void admitServiceAccount(String nodeName, Attributes a) {
        if (a.operation() != Operation.CREATE || !"token".equals(a.subresource())) {
            return;
        }
        // TokenRequests from a node must have a pod binding, and that pod must be scheduled on the node
        JsonNode ref = a.object() == null ? null : a.object().path("spec").get("boundObjectRef");
        if (ref == null || ref.isNull() || !"v1".equals(ref.path("apiVersion").asString("")) || !"Pod".equals(ref.path("kind").asString(""))
                || ref.path("name").asString("").isEmpty()) {
            throw forbidden(a, "node requested token not bound to a pod");
        }
        String refUid = ref.path("uid").asString("");
        if (refUid.isEmpty()) {
            throw forbidden(a, "node requested token with a pod binding without a uid");
        }
        ObjectNode pod = existingPod(a.namespace(), ref.path("name").asString(""), null);
        if (!refUid.equals(pod.path("metadata").path("uid").asString(""))) {
            throw forbidden(a, "the UID in the bound object reference (" + refUid + ") does not match the UID in record. The object might have been deleted and then recreated");
        }
        if (!nodeName.equals(pod.path("spec").path("nodeName").asString(""))) {
            throw forbidden(a, "node requested token bound to a pod scheduled on a different node");
        }
    }

    private void admitLease(String nodeName, Attributes a) {
        // the request must be against the system namespace reserved for node leases
        if (!NODE_LEASE_NAMESPACE.equals(a.namespace())) {
            throw forbidden(a, "can only access leases in the " + quote(NODE_LEASE_NAMESPACE) + " system namespace");
        }
        // and come from the node the lease is named after
        String name = a.operation() == Operation.CREATE && a.object() != null ? a.object().path("metadata").path("name").asString("") : a.name();
        if (!nodeName.equals(name)) {
            throw forbidden(a, "can only access node lease with the same name as the requesting node");
        }
    }

    /** The pod, from the cache (or {@code known} when the caller holds it), else the lister's 404. */
    private ObjectNode existingPod(String namespace, String name, ObjectNode known) {
        ObjectNode pod = known != null ? known : objects.pod(namespace, name);
        if (pod == null) {
            throw ApiError.notFound("", "pods", name);
        }
        return pod;
    }

    /** Kubernetes' {@code getModifiedLabels}: keys added, removed or changed between the two maps. */
    static Set<String> modifiedLabels(Map<String, String> a, Map<String, String> b) {
        Set<String> modified = new TreeSet<>();
        a.forEach((k, v) -> {
            if (!v.equals(b.get(k))) modified.add(k);
        });
        b.forEach((k, v) -> {
            if (!v.equals(a.get(k))) modified.add(k);
        });
        return modified;
    }

    /**
     * Kubernetes' {@code getForbiddenLabels}, sorted (as {@code sets.String.List()}): node-restriction labels,
     * and kubernetes.io/k8s.io labels that are not the kubelet's own.
     */
    static Set<String> forbiddenLabels(Set<String> modified) {
        Set<String> forbidden = new TreeSet<>();
        for (String label : modified) {
            String ns = labelNamespace(label);
            if (ns.equals(NODE_RESTRICTION_LABEL_NAMESPACE) || ns.endsWith("." + NODE_RESTRICTION_LABEL_NAMESPACE)) {
                forbidden.add(label);
            }
            if (isKubernetesLabel(label) && !isKubeletLabel(label)) {
                forbidden.add(label);
            }
        }
        return forbidden;
    }

    static boolean isKubernetesLabel(String key) {
        String ns = labelNamespace(key);
        return ns.equals("kubernetes.io") || ns.endsWith(".kubernetes.io") || ns.equals("k8s.io") || ns.endsWith(".k8s.io");
    }

    /** {@code kubeletapis.IsKubeletLabel}: a label kubelets may set on their own Node. */
    static boolean isKubeletLabel(String key) {
        if (KUBELET_LABELS.contains(key)) return true;
        String ns = labelNamespace(key);
        for (String allowed : KUBELET_LABEL_NAMESPACES) {
            if (ns.equals(allowed) || ns.endsWith("." + allowed)) return true;
        }
        return false;
    }

    private static String labelNamespace(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? "" : key.substring(0, slash);
    }

    private static Map<String, String> labels(ObjectNode obj) {
        Map<String, String> out = new java.util.HashMap<>();
        if (obj != null) {
            obj.path("metadata").path("labels").properties().forEach(e -> out.put(e.getKey(), e.getValue().asString("")));
        }
        return out;
    }

    /** Semantic equality: null, absent, empty object and empty list are the same. */
    private static JsonNode withoutEmpty(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return null;
        if ((node.isObject() || node.isArray()) && node.isEmpty()) return null;
        return node;
    }

    /** The top-level fields that differ (Kubernetes prints a cmp.Diff of the two objects). */
    private static String difference(ObjectNode a, ObjectNode b) {
        Set<String> paths = new TreeSet<>();
        diff("", a, b, paths);
        return String.join(", ", paths);
    }

    private static void diff(String path, JsonNode a, JsonNode b, Set<String> out) {
        if (Objects.equals(withoutEmpty(a), withoutEmpty(b))) return;
        if (a != null && b != null && a.isObject() && b.isObject()) {
            Set<String> keys = new TreeSet<>();
            a.propertyNames().forEach(keys::add);
            b.propertyNames().forEach(keys::add);
            for (String k : keys) {
                diff(path.isEmpty() ? k : path + "." + k, a.get(k), b.get(k), out);
            }
            return;
        }
        out.add(path);
    }

    private static ApiError forbidden(Attributes a, String why) {
        return Forbidden.error(a.type().group(), a.type().resource(), resourceName(a), why);
    }

    /** admission's {@code extractResourceName}: the request's name, else the object's name or generateName, else "Unknown". */
    private static String resourceName(Attributes a) {
        if (a.name() != null && !a.name().isEmpty()) return a.name();
        if (a.object() != null) {
            String name = a.object().path("metadata").path("name").asString("");
            if (!name.isEmpty()) return name;
            String generate = a.object().path("metadata").path("generateName").asString("");
            if (!generate.isEmpty()) return generate;
        }
        return "Unknown";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Secret-referencing fields of a volume source ({@code podutil.VisitPodSecretNames}). */
    private static final Map<String, String> VOLUME_SECRET_FIELDS = Map.ofEntries(
            Map.entry("azureFile", "secretName"), Map.entry("cephfs", "secretRef"), Map.entry("cinder", "secretRef"),
            Map.entry("flexVolume", "secretRef"), Map.entry("rbd", "secretRef"), Map.entry("secret", "secretName"),
            Map.entry("scaleIO", "secretRef"), Map.entry("iscsi", "secretRef"), Map.entry("storageos", "secretRef"),
            Map.entry("csi", "nodePublishSecretRef"));

    /** {@code podutil.VisitPodSecretNames} found anything: image pull secrets, env, envFrom, volumes, projections. */
    static boolean referencesSecrets(JsonNode spec) {
        if (!spec.path("imagePullSecrets").isEmpty()) return true;
        if (containersReference(spec, "secretRef", "secretKeyRef")) return true;
        for (JsonNode vol : spec.path("volumes")) {
            for (Map.Entry<String, String> e : VOLUME_SECRET_FIELDS.entrySet()) {
                JsonNode field = vol.path(e.getKey()).get(e.getValue());
                if (field != null && !field.isNull()) return true;
            }
            for (JsonNode src : vol.path("projected").path("sources")) {
                if (src.has("secret")) return true;
            }
        }
        return false;
    }

    /** {@code podutil.VisitPodConfigmapNames} found anything: env, envFrom, configMap volumes and projections. */
    static boolean referencesConfigMaps(JsonNode spec) {
        if (containersReference(spec, "configMapRef", "configMapKeyRef")) return true;
        for (JsonNode vol : spec.path("volumes")) {
            if (vol.has("configMap")) return true;
            for (JsonNode src : vol.path("projected").path("sources")) {
                if (src.has("configMap")) return true;
            }
        }
        return false;
    }

    /** Any init, regular or ephemeral container with {@code envFrom[].<fromField>} or {@code env[].valueFrom.<keyField>}. */
    private static boolean containersReference(JsonNode spec, String fromField, String keyField) {
        for (String list : new String[]{"initContainers", "containers", "ephemeralContainers"}) {
            for (JsonNode c : spec.path(list)) {
                for (JsonNode from : c.path("envFrom")) {
                    if (from.has(fromField)) return true;
                }
                for (JsonNode env : c.path("env")) {
                    if (env.path("valueFrom").has(keyField)) return true;
                }
            }
        }
        return false;
    }
}
