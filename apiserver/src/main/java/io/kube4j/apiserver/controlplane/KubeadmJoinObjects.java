package io.kube4j.apiserver.controlplane;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.auth.Pki;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * What {@code kubeadm init} writes so that {@code kubeadm join} can join a node with a bootstrap token, written
 * by the apiserver at every start (kube4j has no kubeadm):
 * <ul>
 *   <li>the ClusterRoleBindings of kubeadm's {@code bootstraptoken/node} phase
 *       ({@code cmd/kubeadm/app/phases/bootstraptoken/node/tlsbootstrap.go}): {@value #KUBELET_BOOTSTRAP}
 *       (ClusterRole {@code system:node-bootstrapper} to group {@value #DEFAULT_NODE_TOKEN_GROUP}: bootstrap
 *       tokens may create CSRs), {@value #NODE_AUTOAPPROVE_BOOTSTRAP} ({@code ...:nodeclient} to the same group:
 *       their node client CSRs are auto-approved) and {@value #NODE_AUTOAPPROVE_ROTATION} ({@code ...:selfnodeclient}
 *       to {@code system:nodes}: a kubelet's renewal of its own certificate is auto-approved);</li>
 *   <li>the {@code kube-public/cluster-info} ConfigMap ({@code cmd/kubeadm/app/phases/bootstraptoken/clusterinfo}):
 *       key {@code kubeconfig}, a kubeconfig with one cluster named "" holding the server URL and the cluster CA
 *       ({@code certificate-authority-data}) and no user, created or brought up to date (only with security on:
 *       there is no CA otherwise);</li>
 *   <li>the Role and RoleBinding {@value #CLUSTER_INFO_ROLE} in kube-public letting {@code system:anonymous}
 *       {@code get} that one ConfigMap, so a joining node reads it before it has any credential.</li>
 * </ul>
 * Objects that exist are left as they are, apart from cluster-info's kubeconfig (kubeadm's CreateOrUpdate).
 * Retries until etcd answers and kube-public exists.
 */
@Component
public class KubeadmJoinObjects implements ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(KubeadmJoinObjects.class);

    /** kubeadm's NodeKubeletBootstrap. */
    public static final String KUBELET_BOOTSTRAP = "kubeadm:kubelet-bootstrap";
    /** kubeadm's NodeAutoApproveBootstrapClusterRoleBinding. */
    public static final String NODE_AUTOAPPROVE_BOOTSTRAP = "kubeadm:node-autoapprove-bootstrap";
    /** kubeadm's NodeAutoApproveCertificateRotationClusterRoleBinding. */
    public static final String NODE_AUTOAPPROVE_ROTATION = "kubeadm:node-autoapprove-certificate-rotation";
    /** kubeadm's NodeBootstrapTokenAuthGroup: the extra group of the tokens kubeadm makes. */
    public static final String DEFAULT_NODE_TOKEN_GROUP = "system:bootstrappers:kubeadm:default-node-token";
    /** kubeadm's BootstrapSignerClusterRoleName. */
    public static final String CLUSTER_INFO_ROLE = "kubeadm:bootstrap-signer-clusterinfo";
    /** bootstrapapi.ConfigMapClusterInfo. */
    public static final String CLUSTER_INFO = "cluster-info";
    /** metav1.NamespacePublic. */
    public static final String KUBE_PUBLIC = "kube-public";
    /** bootstrapapi.KubeConfigKey. */
    public static final String KUBECONFIG_KEY = "kubeconfig";

    private final Registry registry;
    private final ObjectProvider<Pki> pki;
    private final String server;
    private volatile boolean done;

    public KubeadmJoinObjects(Registry registry, ObjectProvider<Pki> pki, ApiServerProperties props, @Value("${server.port:8080}") int port) {
        this.registry = registry;
        this.pki = pki;
        // the URL the PKI's kubeconfigs name (SecurityConfiguration.pki)
        this.server = props.security().server().isBlank() ? "https://127.0.0.1:" + port : props.security().server();
    }

    @Override
    public void run(ApplicationArguments args) {
        Thread.ofVirtual().name("kubeadm-join-objects").start(() -> {
            if (PostStartRetry.untilDone(() -> !done, this::ensure, e -> log.debug("cannot write the bootstrap-token join objects yet: {}", e.getMessage()))) {
                done = true;
                log.info("bootstrap-token join objects present: {}/{} and kubeadm's node bootstrap ClusterRoleBindings", KUBE_PUBLIC, CLUSTER_INFO);
            }
        });
    }

    /** True once every object was written since start. */
    public boolean isDone() {
        return done;
    }

    /** Creates each missing object and brings cluster-info up to date; idempotent. */
    public void ensure() {
        createIfMissing(ResourceTypes.CLUSTERROLEBINDINGS, null, clusterRoleBinding(KUBELET_BOOTSTRAP, "system:node-bootstrapper", DEFAULT_NODE_TOKEN_GROUP));
        createIfMissing(ResourceTypes.CLUSTERROLEBINDINGS, null, clusterRoleBinding(NODE_AUTOAPPROVE_BOOTSTRAP,
                "system:certificates.k8s.io:certificatesigningrequests:nodeclient", DEFAULT_NODE_TOKEN_GROUP));
        createIfMissing(ResourceTypes.CLUSTERROLEBINDINGS, null, clusterRoleBinding(NODE_AUTOAPPROVE_ROTATION,
                "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", "system:nodes"));
        createIfMissing(ResourceTypes.ROLES, KUBE_PUBLIC, clusterInfoRole());
        createIfMissing(ResourceTypes.ROLEBINDINGS, KUBE_PUBLIC, clusterInfoRoleBinding());
        Pki p = pki.getIfAvailable();
        if (p != null) {
            ensureClusterInfo(clusterInfoKubeconfig(server, Pki.pem(p.ca())));
        }
    }

    /**
     * The kubeconfig kubeadm puts in cluster-info: {@code clientcmd.Write} of a Config with the one cluster "" (server
     * and CA data), in the YAML field order clientcmd writes.
     */
    public static String clusterInfoKubeconfig(String server, String caPem) {
        String caData = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
        return "apiVersion: v1\n"
                + "clusters:\n"
                + "- cluster:\n"
                + "    certificate-authority-data: " + caData + "\n"
                + "    server: " + server + "\n"
                + "  name: \"\"\n"
                + "contexts: null\n"
                + "current-context: \"\"\n"
                + "kind: Config\n"
                + "preferences: {}\n"
                + "users: null\n";
    }

    static ObjectNode clusterRoleBinding(String name, String clusterRole, String group) {
        ObjectNode b = Json.mapper().createObjectNode();
        b.put("apiVersion", "rbac.authorization.k8s.io/v1").put("kind", "ClusterRoleBinding");
        b.putObject("metadata").put("name", name);
        b.putObject("roleRef").put("apiGroup", "rbac.authorization.k8s.io").put("kind", "ClusterRole").put("name", clusterRole);
        b.putArray("subjects").addObject().put("kind", "Group").put("apiGroup", "rbac.authorization.k8s.io").put("name", group);
        return b;
    }

    static ObjectNode clusterInfoRole() {
        ObjectNode r = Json.mapper().createObjectNode();
        r.put("apiVersion", "rbac.authorization.k8s.io/v1").put("kind", "Role");
        r.putObject("metadata").put("name", CLUSTER_INFO_ROLE).put("namespace", KUBE_PUBLIC);
        ObjectNode rule = r.putArray("rules").addObject();
        rule.putArray("verbs").add("get");
        rule.putArray("apiGroups").add("");
        rule.putArray("resources").add("configmaps");
        rule.putArray("resourceNames").add(CLUSTER_INFO);
        return r;
    }

    static ObjectNode clusterInfoRoleBinding() {
        ObjectNode b = Json.mapper().createObjectNode();
        b.put("apiVersion", "rbac.authorization.k8s.io/v1").put("kind", "RoleBinding");
        b.putObject("metadata").put("name", CLUSTER_INFO_ROLE).put("namespace", KUBE_PUBLIC);
        b.putObject("roleRef").put("apiGroup", "rbac.authorization.k8s.io").put("kind", "Role").put("name", CLUSTER_INFO_ROLE);
        b.putArray("subjects").addObject().put("kind", "User").put("apiGroup", "rbac.authorization.k8s.io").put("name", UserInfo.ANONYMOUS);
        return b;
    }

    private void ensureClusterInfo(String kubeconfig) {
        ObjectNode have;
        try {
            have = registry.get(ResourceTypes.CONFIGMAPS, KUBE_PUBLIC, CLUSTER_INFO);
        } catch (ApiError e) {
            if (e.code() != 404) {
                throw e;
            }
            ObjectNode cm = Json.mapper().createObjectNode();
            cm.put("apiVersion", "v1").put("kind", "ConfigMap");
            cm.putObject("metadata").put("name", CLUSTER_INFO).put("namespace", KUBE_PUBLIC);
            cm.putObject("data").put(KUBECONFIG_KEY, kubeconfig);
            createIfMissing(ResourceTypes.CONFIGMAPS, KUBE_PUBLIC, cm);
            return;
        }
        if (kubeconfig.equals(have.path("data").path(KUBECONFIG_KEY).asString(""))) {
            return;
        }
        // the CA or the server changed: update the kubeconfig, keeping other keys (the bootstrap signer's jws-kubeconfig-*)
        registry.guaranteedUpdate(ResourceTypes.CONFIGMAPS, KUBE_PUBLIC, CLUSTER_INFO, null, Registry.Part.MAIN, false, cur -> {
            JsonNode data = cur.get("data");
            ObjectNode d = data instanceof ObjectNode o ? o : cur.putObject("data");
            d.put(KUBECONFIG_KEY, kubeconfig);
            return cur;
        });
    }

    private void createIfMissing(ResourceType rt, String namespace, ObjectNode obj) {
        String name = obj.path("metadata").path("name").asString();
        try {
            registry.get(rt, namespace, name);
            return;
        } catch (ApiError e) {
            if (e.code() != 404) {
                throw e;
            }
        }
        try {
            registry.create(rt, namespace, obj, false);
        } catch (ApiError e) {
            if (e.code() != 409) {
                throw e;
            }
        }
    }

    /** The names of the ClusterRoleBindings written, for tests and logs. */
    public static List<String> clusterRoleBindingNames() {
        return new ArrayList<>(List.of(KUBELET_BOOTSTRAP, NODE_AUTOAPPROVE_BOOTSTRAP, NODE_AUTOAPPROVE_ROTATION));
    }
}
