package io.kube4j.controllermanager.clusterroleaggregation;

import io.kube4j.api.ClusterRole;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Role;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;
import io.kube4j.labels.Selector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Fills every ClusterRole that has an {@code aggregationRule} with the rules of the ClusterRoles its
 * selectors match, as Kubernetes' ClusterRoleAggregationController
 * (pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go): this is how
 * {@code admin}, {@code edit} and {@code view} get the rules of {@code system:aggregate-to-*} and of any
 * ClusterRole labelled {@code rbac.authorization.k8s.io/aggregate-to-view: "true"}.
 *
 * <p>The rules are, selector by selector, the matching ClusterRoles sorted by name (the role itself
 * skipped), each rule once, in that order; written only when they differ from the role's. Any ClusterRole
 * change may change any aggregated role, so every event enqueues every aggregated ClusterRole.
 * Kubernetes writes with a server-side apply (field manager {@code clusterrole-aggregation-controller})
 * and falls back to an update; kube4j updates with the cached resourceVersion (a conflict is retried).
 */
public final class ClusterRoleAggregationController implements Controller {
    // reads: every ClusterRole, never mutated
    private final Informer<ClusterRole> clusterRoles;
    // the update of an aggregated role
    private final ControllerClient client;
    // names of aggregated ClusterRoles
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    public ClusterRoleAggregationController(SharedInformers informers, ControllerClient client) {
        this.clusterRoles = informers.informer(ClusterRole.class);
        this.client = client;
        clusterRoles.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ClusterRole role) {
                enqueueAll();
            }

            @Override
            public void onUpdate(ClusterRole old, ClusterRole role) {
                if (!Objects.equals(old.metadata.resourceVersion, role.metadata.resourceVersion)) enqueueAll();
            }

            @Override
            public void onDelete(ClusterRole role) {
                enqueueAll();
            }
        });
    }

    /** Kubernetes' {@code enqueueAll}: every ClusterRole with an aggregationRule. */
    private void enqueueAll() {
        for (ClusterRole r : clusterRoles.store().list()) {
            if (r.aggregationRule != null) queue.add(r.key());
        }
    }

    @Override
    public String name() {
        return "clusterrole-aggregation";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(clusterRoles);
    }

    @Override
    public Result reconcile(String key) {
        ClusterRole role = clusterRoles.store().get(key);
        if (role == null || role.aggregationRule == null) return Result.done();
        List<Role.PolicyRule> rules = new ArrayList<>();
        List<ClusterRole> all = clusterRoles.store().list();
        for (LabelSelector ls : role.aggregationRule.clusterRoleSelectors) {
            Selector selector = Selector.from(ls);
            List<ClusterRole> matching = all.stream()
                    .filter(r -> selector.matches(r.metadata.labels))
                    .sorted(Comparator.comparing(r -> r.metadata.name))
                    .toList();
            for (ClusterRole r : matching) {
                if (r.metadata.name.equals(role.metadata.name)) continue;
                for (Role.PolicyRule rule : r.rules) {
                    if (rules.stream().noneMatch(x -> same(x, rule))) rules.add(rule);
                }
            }
        }
        if (sameRules(rules, role.rules)) return Result.done();
        ClusterRole copy = Json.copy(role);
        copy.rules = new ArrayList<>(rules.stream().map(Json::copy).toList());
        client.update(copy);
        return Result.done();
    }

    private static boolean sameRules(List<Role.PolicyRule> a, List<Role.PolicyRule> b) {
        List<Role.PolicyRule> bb = b == null ? List.of() : b;
        if (a.size() != bb.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            if (!same(a.get(i), bb.get(i))) return false;
        }
        return true;
    }

    /** Field-by-field equality, a missing list equal to an empty one (Kubernetes' equality.Semantic). */
    private static boolean same(Role.PolicyRule a, Role.PolicyRule b) {
        return nz(a.verbs).equals(nz(b.verbs)) && nz(a.apiGroups).equals(nz(b.apiGroups)) && nz(a.resources).equals(nz(b.resources))
                && nz(a.resourceNames).equals(nz(b.resourceNames)) && nz(a.nonResourceURLs).equals(nz(b.nonResourceURLs));
    }

    private static List<String> nz(List<String> l) {
        return l == null ? List.of() : l;
    }
}
