package io.kube4j.apiserver.auth.rbac;

import io.kube4j.api.ClusterRole;
import io.kube4j.api.ClusterRoleBinding;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.Role;
import io.kube4j.api.RoleBinding;
import io.kube4j.apiserver.controlplane.PostStartRetry;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The ClusterRoles and ClusterRoleBindings every cluster starts with, and the Roles and RoleBindings of
 * kube-system and kube-public (resource {@code rbac/bootstrap-policy.yaml}, from Kubernetes'
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go and namespace_policy.go), kept as Kubernetes' RBAC
 * post-start hook {@code rbac/bootstrap-roles} does (pkg/registry/rbac/rest/storage_rbac.go with the
 * reconcilers of pkg/registry/rbac/reconciliation): each missing object is created with the label
 * {@code kubernetes.io/bootstrapping=rbac-defaults} and the annotation
 * {@code rbac.authorization.kubernetes.io/autoupdate=true}; an existing one whose annotation is still
 * "true" gets back any rule, subject, label, annotation or aggregation selector it lost (nothing an
 * admin added is removed); one annotated "false" is left alone. Runs at every start, retrying until
 * etcd answers.
 */
@Component
public class BootstrapPolicy implements ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(BootstrapPolicy.class);
    /** Kubernetes' {@code rbacv1.AutoUpdateAnnotationKey}. */
    public static final String AUTO_UPDATE = "rbac.authorization.kubernetes.io/autoupdate";
    /** The label bootstrap objects carry. */
    public static final String BOOTSTRAPPING = "kubernetes.io/bootstrapping";

    private final Registry registry;
    private volatile boolean done;

    public BootstrapPolicy(Registry registry) {
        this.registry = registry;
    }

    /** The bootstrap ClusterRoles, labelled and annotated. */
    public static List<ClusterRole> clusterRoles() {
        List<ClusterRole> out = new ArrayList<>();
        for (JsonNode n : policy().path("clusterRoles")) {
            ClusterRole r = Json.convert(n, ClusterRole.class);
            decorate(r.metadata);
            out.add(r);
        }
        return out;
    }

    /** The bootstrap ClusterRoleBindings, labelled and annotated. */
    public static List<ClusterRoleBinding> clusterRoleBindings() {
        List<ClusterRoleBinding> out = new ArrayList<>();
        for (JsonNode n : policy().path("clusterRoleBindings")) {
            ClusterRoleBinding b = Json.convert(n, ClusterRoleBinding.class);
            decorate(b.metadata);
            out.add(b);
        }
        return out;
    }

    /** The bootstrap Roles of kube-system and kube-public (Kubernetes' namespace_policy.go), labelled and annotated. */
    public static List<Role> roles() {
        List<Role> out = new ArrayList<>();
        for (JsonNode n : policy().path("roles")) {
            Role r = Json.convert(n, Role.class);
            decorate(r.metadata);
            out.add(r);
        }
        return out;
    }

    /** The bootstrap RoleBindings of kube-system and kube-public, labelled and annotated. */
    public static List<RoleBinding> roleBindings() {
        List<RoleBinding> out = new ArrayList<>();
        for (JsonNode n : policy().path("roleBindings")) {
            RoleBinding b = Json.convert(n, RoleBinding.class);
            decorate(b.metadata);
            out.add(b);
        }
        return out;
    }

    /** The rules of the bootstrap {@code system:node} ClusterRole: Kubernetes' {@code NodeRules()}, every node's fixed rights. */
    public static List<Role.PolicyRule> nodeRules() {
        return clusterRoles().stream().filter(r -> r.metadata.name.equals("system:node")).findFirst().orElseThrow().rules;
    }

    private static void decorate(io.kube4j.api.ObjectMeta meta) {
        meta.labels.putIfAbsent(BOOTSTRAPPING, "rbac-defaults");
        meta.annotations.put(AUTO_UPDATE, "true");
    }

    private static JsonNode policy() {
        try (InputStream in = BootstrapPolicy.class.getResourceAsStream("/rbac/bootstrap-policy.yaml")) {
            return Json.yaml().readTree(new String(Objects.requireNonNull(in).readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void run(ApplicationArguments args) {
        Thread.ofVirtual().name("rbac-bootstrap").start(() -> {
            if (PostStartRetry.untilDone(() -> !done, this::ensure, e -> log.warn("cannot reconcile the RBAC bootstrap policy yet: {}", e.getMessage()))) {
                done = true;
                log.info("RBAC bootstrap policy reconciled: {} cluster roles, {} cluster role bindings, {} roles, {} role bindings",
                        clusterRoles().size(), clusterRoleBindings().size(), roles().size(), roleBindings().size());
            }
        });
    }

    /** True once the policy has been reconciled since start. */
    public boolean isDone() {
        return done;
    }

    /** Creates or repairs every bootstrap object; idempotent. */
    public void ensure() {
        for (ClusterRole want : clusterRoles()) {
            reconcile(ResourceTypes.CLUSTERROLES, null, Json.toTree(want), (have, wanted) -> {
                ClusterRole h = Json.convert(have, ClusterRole.class);
                ClusterRole w = Json.convert(wanted, ClusterRole.class);
                boolean changed = false;
                if (w.aggregationRule != null) {
                    if (h.aggregationRule == null) {
                        h.aggregationRule = w.aggregationRule;
                        changed = true;
                    }
                } else {
                    changed = addRules(h.rules, w.rules);
                }
                return changed | metadata(h.metadata, w.metadata) ? Json.toTree(h) : null;
            });
        }
        for (ClusterRoleBinding want : clusterRoleBindings()) {
            reconcile(ResourceTypes.CLUSTERROLEBINDINGS, null, Json.toTree(want), (have, wanted) -> {
                ClusterRoleBinding h = Json.convert(have, ClusterRoleBinding.class);
                ClusterRoleBinding w = Json.convert(wanted, ClusterRoleBinding.class);
                return addSubjects(h.subjects, w.subjects) | metadata(h.metadata, w.metadata) ? Json.toTree(h) : null;
            });
        }
        for (Role want : roles()) {
            reconcile(ResourceTypes.ROLES, want.metadata.namespace, Json.toTree(want), (have, wanted) -> {
                Role h = Json.convert(have, Role.class);
                Role w = Json.convert(wanted, Role.class);
                return addRules(h.rules, w.rules) | metadata(h.metadata, w.metadata) ? Json.toTree(h) : null;
            });
        }
        for (RoleBinding want : roleBindings()) {
            reconcile(ResourceTypes.ROLEBINDINGS, want.metadata.namespace, Json.toTree(want), (have, wanted) -> {
                RoleBinding h = Json.convert(have, RoleBinding.class);
                RoleBinding w = Json.convert(wanted, RoleBinding.class);
                return addSubjects(h.subjects, w.subjects) | metadata(h.metadata, w.metadata) ? Json.toTree(h) : null;
            });
        }
    }

    /** Adds to {@code have} each rule of {@code want} it neither lists nor covers; true when one was added. */
    private static boolean addRules(List<Role.PolicyRule> have, List<Role.PolicyRule> want) {
        boolean changed = false;
        for (Role.PolicyRule r : want) {
            if (have.stream().noneMatch(x -> RuleCoverage.sameRule(x, r)) && !RuleCoverage.uncovered(have, List.of(r)).isEmpty()) {
                have.add(r);
                changed = true;
            }
        }
        return changed;
    }

    /** Adds to {@code have} each subject of {@code want} it lacks; true when one was added. */
    private static boolean addSubjects(List<RoleBinding.Subject> have, List<RoleBinding.Subject> want) {
        boolean changed = false;
        for (RoleBinding.Subject s : want) {
            if (have.stream().noneMatch(x -> Objects.equals(x.kind, s.kind) && Objects.equals(x.name, s.name) && Objects.equals(x.namespace, s.namespace))) {
                have.add(s);
                changed = true;
            }
        }
        return changed;
    }

    /** Adds the labels and annotations {@code want} has and {@code have} lacks. */
    private static boolean metadata(io.kube4j.api.ObjectMeta have, io.kube4j.api.ObjectMeta want) {
        boolean changed = false;
        for (var e : want.labels.entrySet()) changed |= !e.getValue().equals(have.labels.put(e.getKey(), e.getValue()));
        for (var e : want.annotations.entrySet()) changed |= !e.getValue().equals(have.annotations.put(e.getKey(), e.getValue()));
        return changed;
    }

    private interface Repair {
        /** The repaired object, or null when {@code have} needs nothing. */
        ObjectNode repair(ObjectNode have, ObjectNode want);
    }

    private void reconcile(io.kube4j.api.ResourceType rt, String namespace, ObjectNode want, Repair repair) {
        String name = want.path("metadata").path("name").asString();
        ObjectNode have;
        try {
            have = registry.get(rt, namespace, name);
        } catch (ApiError e) {
            if (e.code() != 404) throw e;
            try {
                registry.create(rt, namespace, want, false);
            } catch (ApiError c) {
                if (c.code() != 409) throw c;
            }
            return;
        }
        // Kubernetes' reconciliation leaves objects an admin annotated autoupdate=false as they are
        if (!"true".equals(have.path("metadata").path("annotations").path(AUTO_UPDATE).asString("true"))) return;
        ObjectNode fixed = repair.repair(have.deepCopy(), want);
        if (fixed != null) {
            log.info("RBAC bootstrap: repairing {} {}", rt.kind(), name);
            registry.update(rt, namespace, name, fixed, Registry.Part.MAIN, false);
        }
    }
}
