package io.kube4j.apiserver.auth.rbac;

import io.kube4j.api.ClusterRole;
import io.kube4j.api.ClusterRoleBinding;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.Role;
import io.kube4j.api.RoleBinding;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.watch.Expired;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The RBAC objects (Roles, ClusterRoles, RoleBindings, ClusterRoleBindings) held in memory, typed, and
 * kept current from the apiserver's own {@link WatchCache} (a list, then its events, re-listed on 410):
 * Kubernetes' RBAC authorizer reads informer listers the same way, so no request reads etcd to be
 * authorized. Writes become visible here a moment after they are committed, as in Kubernetes.
 *
 * <p>{@link #visitRulesFor} walks the rules that apply to a user, as Kubernetes'
 * {@code DefaultRuleResolver.VisitRulesFor} (pkg/registry/rbac/validation/rule.go): ClusterRoleBindings
 * first, then the RoleBindings of the namespace.
 */
@Component
public class RbacState {
    private static final Logger log = LoggerFactory.getLogger(RbacState.class);
    private static final List<ResourceType> KINDS = List.of(ResourceTypes.ROLES, ResourceTypes.CLUSTERROLES,
            ResourceTypes.ROLEBINDINGS, ResourceTypes.CLUSTERROLEBINDINGS);

    /** Storage key to the typed object, per kind; replaced key by key as events arrive. */
    private final Map<ResourceType, ConcurrentNavigableMap<String, KubeObject>> objects = Map.of(
            ResourceTypes.ROLES, new ConcurrentSkipListMap<>(), ResourceTypes.CLUSTERROLES, new ConcurrentSkipListMap<>(),
            ResourceTypes.ROLEBINDINGS, new ConcurrentSkipListMap<>(), ResourceTypes.CLUSTERROLEBINDINGS, new ConcurrentSkipListMap<>());
    /** Counts down once each kind has been listed. */
    private final CountDownLatch synced = new CountDownLatch(KINDS.size());
    private final WatchCache cache;
    private volatile boolean closed;

    /** Starts one virtual thread per kind following {@code cache}; a null cache (unit tests) follows nothing. */
    public RbacState(WatchCache cache) {
        this.cache = cache;
        if (cache != null) {
            for (ResourceType rt : KINDS) {
                Thread.ofVirtual().name("rbac-" + rt.resource()).start(() -> follow(rt));
            }
        }
    }

    /** For tests: a state holding exactly {@code objects}. */
    public static RbacState of(List<? extends KubeObject> objects) {
        RbacState s = new RbacState(null);
        for (KubeObject o : objects) {
            ResourceType rt = KINDS.stream().filter(t -> t.kind().equals(o.kind)).findFirst().orElseThrow();
            s.objects.get(rt).put(Registry.key(rt, o.metadata.namespace, o.metadata.name), o);
        }
        for (int i = 0; i < KINDS.size(); i++) s.synced.countDown();
        return s;
    }

    /** True once every kind has been listed from the watch cache. */
    public boolean isSynced() {
        return synced.getCount() == 0;
    }

    /** Waits up to {@code timeout} for {@link #isSynced}. */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        return synced.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void close() {
        closed = true;
    }

    private void follow(ResourceType rt) {
        String prefix = Registry.prefix(rt, null);
        ConcurrentNavigableMap<String, KubeObject> map = objects.get(rt);
        boolean listed = false;
        while (!closed) {
            try {
                if (!cache.isReady()) {
                    Thread.sleep(100);
                    continue;
                }
                WatchCache.Snapshot snap = cache.snapshot(prefix, o -> true);
                Map<String, KubeObject> fresh = new java.util.HashMap<>();
                for (ObjectNode o : snap.items()) fresh.put(key(rt, o), typed(rt, o));
                map.keySet().retainAll(fresh.keySet());
                map.putAll(fresh);
                if (!listed) {
                    listed = true;
                    synced.countDown();
                }
                long rev = snap.revision();
                while (!closed) {
                    WatchCache.Batch batch = cache.eventsAfter(prefix, o -> true, rev, 1000, Duration.ofSeconds(30));
                    for (WatchCache.WatchEventOut e : batch.events()) {
                        String k = key(rt, e.object());
                        if (e.type().equals("DELETED")) map.remove(k);
                        else map.put(k, typed(rt, e.object()));
                    }
                    rev = batch.revision();
                }
            } catch (Expired e) {
                log.debug("RBAC {} fell behind the watch cache, listing again", rt.resource());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.debug("RBAC {} cannot follow the watch cache yet: {}", rt.resource(), e.toString());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private static String key(ResourceType rt, ObjectNode o) {
        ObjectNode meta = Registry.meta(o);
        String ns = meta.path("namespace").asString("");
        return Registry.key(rt, ns.isEmpty() ? null : ns, meta.path("name").asString());
    }

    private static KubeObject typed(ResourceType rt, ObjectNode o) {
        return (KubeObject) Json.convert(o, rt.type());
    }

    /** The ClusterRole named {@code name}, or null. */
    public ClusterRole clusterRole(String name) {
        return (ClusterRole) objects.get(ResourceTypes.CLUSTERROLES).get(Registry.key(ResourceTypes.CLUSTERROLES, null, name));
    }

    /** The Role {@code namespace/name}, or null. */
    public Role role(String namespace, String name) {
        return (Role) objects.get(ResourceTypes.ROLES).get(Registry.key(ResourceTypes.ROLES, namespace, name));
    }

    /** Every ClusterRole (for the aggregation of rules in reviews). */
    public List<ClusterRole> clusterRoles() {
        return objects.get(ResourceTypes.CLUSTERROLES).values().stream().map(ClusterRole.class::cast).toList();
    }

    /** Sees each rule that applies; returns false to stop. {@code source} describes the binding; {@code error} is set instead of a rule when a role is missing. */
    @FunctionalInterface
    public interface RuleVisitor {
        boolean visit(String source, Role.PolicyRule rule, String error);
    }

    /**
     * Visits every rule granted to {@code user} cluster-wide and, when {@code namespace} is not empty, in
     * that namespace, in Kubernetes' order; a binding to a missing role is visited as an error
     * ({@code clusterrole.rbac.authorization.k8s.io "x" not found}).
     */
    public void visitRulesFor(UserInfo user, String namespace, RuleVisitor visitor) {
        for (KubeObject o : objects.get(ResourceTypes.CLUSTERROLEBINDINGS).values()) {
            ClusterRoleBinding b = (ClusterRoleBinding) o;
            RoleBinding.Subject s = appliesTo(user, b.subjects, "");
            if (s == null) continue;
            String source = "ClusterRoleBinding " + q(b.metadata.name) + " of " + b.roleRef.kind + " " + q(b.roleRef.name) + " to " + describe(s, "");
            if (!visitRoleRef(b.roleRef, "", source, visitor)) return;
        }
        if (namespace == null || namespace.isEmpty()) return;
        String prefix = Registry.prefix(ResourceTypes.ROLEBINDINGS, namespace);
        for (KubeObject o : objects.get(ResourceTypes.ROLEBINDINGS).subMap(prefix, prefix + Character.MAX_VALUE).values()) {
            RoleBinding b = (RoleBinding) o;
            RoleBinding.Subject s = appliesTo(user, b.subjects, namespace);
            if (s == null) continue;
            String source = "RoleBinding " + q(b.metadata.name + "/" + namespace) + " of " + b.roleRef.kind + " " + q(b.roleRef.name) + " to " + describe(s, namespace);
            if (!visitRoleRef(b.roleRef, namespace, source, visitor)) return;
        }
    }

    /** The rules of a role reference; Kubernetes' {@code GetRoleReferenceRules}. */
    public List<Role.PolicyRule> roleRefRules(RoleBinding.RoleRef ref, String namespace) {
        if (ref == null) return null;
        if ("ClusterRole".equals(ref.kind)) {
            ClusterRole r = clusterRole(ref.name);
            return r == null ? null : r.rules;
        }
        if ("Role".equals(ref.kind)) {
            Role r = role(namespace, ref.name);
            return r == null ? null : r.rules;
        }
        return null;
    }

    private boolean visitRoleRef(RoleBinding.RoleRef ref, String namespace, String source, RuleVisitor visitor) {
        List<Role.PolicyRule> rules = roleRefRules(ref, namespace);
        if (rules == null) {
            String what = "ClusterRole".equals(ref.kind) ? "clusterrole" : "role";
            return visitor.visit(source, null, what + ".rbac.authorization.k8s.io " + q(ref.name) + " not found");
        }
        for (Role.PolicyRule r : rules) {
            if (!visitor.visit(source, r, null)) return false;
        }
        return true;
    }

    private static RoleBinding.Subject appliesTo(UserInfo user, List<RoleBinding.Subject> subjects, String namespace) {
        if (subjects == null) return null;
        for (RoleBinding.Subject s : subjects) {
            if (RbacRules.appliesTo(user, s, namespace)) return s;
        }
        return null;
    }

    /** Kubernetes' {@code describeSubject}. */
    private static String describe(RoleBinding.Subject s, String bindingNamespace) {
        if ("ServiceAccount".equals(s.kind)) {
            String ns = s.namespace != null && !s.namespace.isEmpty() ? s.namespace : bindingNamespace;
            return s.kind + " " + q(s.name + "/" + ns);
        }
        return s.kind + " " + q(s.name);
    }

    private static String q(String s) {
        return "\"" + s + "\"";
    }
}
