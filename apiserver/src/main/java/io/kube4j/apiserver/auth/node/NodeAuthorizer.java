package io.kube4j.apiserver.auth.node;

import io.kube4j.api.ResourceTypes;
import io.kube4j.api.Role;
import io.kube4j.apiserver.auth.Authorizer;
import io.kube4j.apiserver.auth.RequestAttributes;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.auth.rbac.RbacRules;
import io.kube4j.apiserver.registry.Registry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The Node authorizer (plugin/pkg/auth/authorizer/node/node_authorizer.go): a kubelet, user
 * {@code system:node:<name>} in group {@code system:nodes}, may read a Secret, ConfigMap,
 * PersistentVolumeClaim or PersistentVolume only when a pod bound to its node uses it, request a token
 * only for a ServiceAccount such a pod runs as, and touch only its own Lease in {@code kube-node-lease}
 * and its own CSINode; everything else it may do is the fixed {@code system:node} rules
 * (Kubernetes' {@code NodeRules()}). Other users: no opinion. Whether a node writes only its own Node
 * and its own pods' status is NodeRestriction admission's job, as in Kubernetes.
 *
 * <p>Kubernetes keeps a graph of pods, volumes and nodes; kube4j asks the in-memory watch cache
 * ({@link Objects}) for the pods bound to the node in the object's namespace at each request, which
 * gives the same answers without a second copy of the state.
 */
public final class NodeAuthorizer implements Authorizer {
    /** Kubernetes' {@code NodeUserNamePrefix}. */
    public static final String NODE_USER_PREFIX = "system:node:";
    /** Kubernetes' {@code NodesGroup}. */
    public static final String NODES_GROUP = "system:nodes";
    /** {@code RulesFor}'s error for a node: this authorizer cannot enumerate what a node may do. */
    public static final String RULES_NOT_RESOLVED = "node authorizer does not support user rule resolution";
    private static final String NODE_LEASE_NAMESPACE = "kube-node-lease";

    /** Where the authorizer reads pods and claims: the watch cache in the apiserver, a map in tests. */
    public interface Objects {
        /** The pods in {@code namespace} whose spec.nodeName is {@code node}. */
        List<ObjectNode> podsOnNode(String namespace, String node);

        /** Every pod whose spec.nodeName is {@code node}, for PersistentVolumes (cluster-scoped). */
        List<ObjectNode> podsOnNode(String node);

        /** The PersistentVolumeClaim {@code namespace/name}, or null. */
        ObjectNode claim(String namespace, String name);
    }

    private final Objects objects;
    private final List<Role.PolicyRule> nodeRules;

    /** @param nodeRules the rules every node has (the bootstrap {@code system:node} ClusterRole's) */
    public NodeAuthorizer(Objects objects, List<Role.PolicyRule> nodeRules) {
        this.objects = objects;
        this.nodeRules = List.copyOf(nodeRules);
    }

    /** Kubernetes' {@code NodeIdentity}: the node name, or null when the user is not a node. */
    public static String nodeName(UserInfo user) {
        if (user == null || !user.groups().contains(NODES_GROUP) || !user.name().startsWith(NODE_USER_PREFIX)) return null;
        return user.name().substring(NODE_USER_PREFIX.length());
    }

    @Override
    public Decision authorize(RequestAttributes a) {
        String node = nodeName(a.user());
        if (node == null) return Decision.noOpinion("");
        if (node.isEmpty()) return Decision.noOpinion("unknown node");
        if (a.resourceRequest()) {
            String gr = a.apiGroup() + "/" + a.resource();
            switch (gr) {
                case "/secrets" -> {
                    return readNamespaced(node, a, pod -> names(pod, NodeAuthorizer::secretNames));
                }
                case "/configmaps" -> {
                    return readNamespaced(node, a, pod -> names(pod, NodeAuthorizer::configMapNames));
                }
                case "/persistentvolumeclaims" -> {
                    if (a.subresource().equals("status")) return statusUpdate(node, a);
                    return get(node, a, () -> related(node, a, pod -> claimNames(pod)));
                }
                case "/persistentvolumes" -> {
                    return get(node, a, () -> volumeRelated(node, a.name()));
                }
                case "/serviceaccounts" -> {
                    return createToken(node, a);
                }
                case "coordination.k8s.io/leases" -> {
                    return lease(node, a);
                }
                case "storage.k8s.io/csinodes" -> {
                    return csiNode(node, a);
                }
                default -> {
                }
            }
        }
        for (Role.PolicyRule r : nodeRules) {
            if (RbacRules.allows(a, r)) return Decision.allow("");
        }
        return Decision.noOpinion("");
    }

    /** Kubernetes' {@code authorizeReadNamespacedObject}. */
    private Decision readNamespaced(String node, RequestAttributes a, Function<ObjectNode, Set<String>> uses) {
        if (!List.of("get", "list", "watch").contains(a.verb())) return Decision.noOpinion("can only read resources of this type");
        if (!a.subresource().isEmpty()) return Decision.noOpinion("cannot read subresource");
        if (a.namespace().isEmpty()) return Decision.noOpinion("can only read namespaced object of this type");
        return decide(node, a, () -> related(node, a, uses));
    }

    /** Kubernetes' {@code authorizeGet}. */
    private Decision get(String node, RequestAttributes a, java.util.function.BooleanSupplier related) {
        if (!a.verb().equals("get")) return Decision.noOpinion("can only get individual resources of this type");
        if (!a.subresource().isEmpty()) return Decision.noOpinion("cannot get subresource");
        return decide(node, a, related);
    }

    /** Kubernetes' {@code authorizeStatusUpdate}: update or patch the status of a claim a pod on the node uses. */
    private Decision statusUpdate(String node, RequestAttributes a) {
        if (!a.verb().equals("update") && !a.verb().equals("patch")) return Decision.noOpinion("can only get/update/patch this type");
        return decide(node, a, () -> related(node, a, NodeAuthorizer::claimNames));
    }

    /** Kubernetes' {@code authorizeCreateToken}: a token for the ServiceAccount of a pod on the node. */
    private Decision createToken(String node, RequestAttributes a) {
        if (!a.verb().equals("create") || !a.subresource().equals("token")) return Decision.noOpinion("can only create tokens for individual service accounts");
        return decide(node, a, () -> related(node, a, pod -> Set.of(pod.path("spec").path("serviceAccountName").asString("default"))));
    }

    /** Kubernetes' {@code authorizeLease}. */
    private static Decision lease(String node, RequestAttributes a) {
        if (!List.of("get", "create", "update", "patch", "delete").contains(a.verb())) {
            return Decision.noOpinion("can only get, create, update, patch, or delete a node lease");
        }
        if (!a.namespace().equals(NODE_LEASE_NAMESPACE)) {
            return Decision.noOpinion("can only access leases in the \"" + NODE_LEASE_NAMESPACE + "\" system namespace");
        }
        // the name of a lease being created is not known at authorization time
        if (!a.verb().equals("create") && !a.name().equals(node)) {
            return Decision.noOpinion("can only access node lease with the same name as the requesting node");
        }
        return Decision.allow("");
    }

    /** Kubernetes' {@code authorizeCSINode}. */
    private static Decision csiNode(String node, RequestAttributes a) {
        if (!List.of("get", "create", "update", "patch", "delete").contains(a.verb())) {
            return Decision.noOpinion("can only get, create, update, patch, or delete a CSINode");
        }
        if (!a.subresource().isEmpty()) return Decision.noOpinion("cannot authorize CSINode subresources");
        if (!a.verb().equals("create") && !a.name().equals(node)) {
            return Decision.noOpinion("can only access CSINode with the same name as the requesting node");
        }
        return Decision.allow("");
    }

    /** Kubernetes' {@code authorize}: a named object reachable from the node. */
    private static Decision decide(String node, RequestAttributes a, java.util.function.BooleanSupplier related) {
        if (a.name().isEmpty()) return Decision.noOpinion("No Object name found");
        if (!related.getAsBoolean()) return Decision.noOpinion("no relationship found between node '" + node + "' and this object");
        return Decision.allow("");
    }

    private boolean related(String node, RequestAttributes a, Function<ObjectNode, Set<String>> uses) {
        for (ObjectNode pod : objects.podsOnNode(a.namespace(), node)) {
            if (uses.apply(pod).contains(a.name())) return true;
        }
        return false;
    }

    /** A PersistentVolume bound to a claim a pod on the node uses. */
    private boolean volumeRelated(String node, String pvName) {
        for (ObjectNode pod : objects.podsOnNode(node)) {
            String ns = Registry.meta(pod).path("namespace").asString("");
            for (String claim : claimNames(pod)) {
                ObjectNode pvc = objects.claim(ns, claim);
                if (pvc != null && pvName.equals(pvc.path("spec").path("volumeName").asString(""))) return true;
            }
        }
        return false;
    }

    private static Set<String> names(ObjectNode pod, Function<JsonNode, Set<String>> f) {
        return f.apply(pod.path("spec"));
    }

    /** The Secrets a pod references: volumes, projected volumes, env and envFrom, image pull secrets. */
    static Set<String> secretNames(JsonNode spec) {
        Set<String> out = new HashSet<>();
        for (JsonNode v : spec.path("volumes")) {
            add(out, v.path("secret").path("secretName"));
            for (JsonNode s : v.path("projected").path("sources")) add(out, s.path("secret").path("name"));
            add(out, v.path("csi").path("nodePublishSecretRef").path("name"));
        }
        for (JsonNode p : spec.path("imagePullSecrets")) add(out, p.path("name"));
        containers(spec, c -> {
            for (JsonNode e : c.path("env")) add(out, e.path("valueFrom").path("secretKeyRef").path("name"));
            for (JsonNode e : c.path("envFrom")) add(out, e.path("secretRef").path("name"));
        });
        return out;
    }

    /** The ConfigMaps a pod references: volumes, projected volumes, env and envFrom. */
    static Set<String> configMapNames(JsonNode spec) {
        Set<String> out = new HashSet<>();
        for (JsonNode v : spec.path("volumes")) {
            add(out, v.path("configMap").path("name"));
            for (JsonNode s : v.path("projected").path("sources")) add(out, s.path("configMap").path("name"));
        }
        containers(spec, c -> {
            for (JsonNode e : c.path("env")) add(out, e.path("valueFrom").path("configMapKeyRef").path("name"));
            for (JsonNode e : c.path("envFrom")) add(out, e.path("configMapRef").path("name"));
        });
        return out;
    }

    /** The claims a pod uses: persistentVolumeClaim volumes and the {@code <pod>-<volume>} claims of ephemeral volumes. */
    static Set<String> claimNames(ObjectNode pod) {
        Set<String> out = new HashSet<>();
        String podName = Registry.meta(pod).path("name").asString("");
        for (JsonNode v : pod.path("spec").path("volumes")) {
            add(out, v.path("persistentVolumeClaim").path("claimName"));
            if (v.has("ephemeral")) out.add(podName + "-" + v.path("name").asString(""));
        }
        return out;
    }

    private static void containers(JsonNode spec, java.util.function.Consumer<JsonNode> each) {
        for (String field : List.of("initContainers", "containers", "ephemeralContainers")) {
            for (JsonNode c : spec.path(field)) each.accept(c);
        }
    }

    private static void add(Set<String> out, JsonNode name) {
        if (name.isString() && !name.asString().isEmpty()) out.add(name.asString());
    }

    /** The watch-cache view the apiserver uses. */
    public static Objects fromCache(io.kube4j.apiserver.watch.WatchCache cache) {
        return new Objects() {
            @Override
            public List<ObjectNode> podsOnNode(String namespace, String node) {
                return cache.snapshot(Registry.prefix(ResourceTypes.PODS, namespace), p -> node.equals(p.path("spec").path("nodeName").asString(""))).items();
            }

            @Override
            public List<ObjectNode> podsOnNode(String node) {
                return podsOnNode(null, node);
            }

            @Override
            public ObjectNode claim(String namespace, String name) {
                return cache.get(Registry.key(ResourceTypes.PERSISTENTVOLUMECLAIMS, namespace, name));
            }
        };
    }
}
