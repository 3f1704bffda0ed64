package io.kube4j.apiserver.auth.rbac;

import io.kube4j.api.ClusterRole;
import io.kube4j.api.ClusterRoleBinding;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.Role;
import io.kube4j.api.RoleBinding;
import io.kube4j.apiserver.auth.Authorizer;
import io.kube4j.apiserver.auth.Forbidden;
import io.kube4j.apiserver.auth.RequestAttributes;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.registry.Admission;
import io.kube4j.json.Json;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * RBAC escalation prevention, as Kubernetes' policy-based RBAC storage (pkg/registry/rbac/role/policybased,
 * clusterrole/policybased, rolebinding/policybased, clusterrolebinding/policybased and
 * pkg/registry/rbac/escalation_check.go): creating or updating a Role or ClusterRole whose rules the
 * user does not hold, or a binding to a role whose rules the user does not hold, is 403
 * {@code roles.rbac.authorization.k8s.io "r" is forbidden: user "alice" (groups=[...]) is attempting to
 * grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["get"]}}.
 *
 * <p>Allowed without the check: writes with no user (security off, or the apiserver's own bootstrap,
 * Kubernetes' loopback client), members of {@code system:masters} ({@code EscalationAllowed}), users
 * granted {@code escalate} on the role's resource ({@code RoleEscalationAuthorized}), users granted
 * {@code bind} on the referenced role ({@code BindingAuthorized}), and updates that change only what the
 * garbage collector writes ({@code IsOnlyMutatingGCFields}).
 * A ClusterRole with an aggregationRule needs full authority ({@code *} on everything), since the
 * aggregation controller will fill it with rules chosen by label.
 *
 * <p>Runs as a validating admission plugin: the registry calls it on create, update, patch and apply
 * before anything is stored, with the user of the request being served.
 */
@Component
@Order(50)
public class EscalationCheck implements Admission {
    private static final String RBAC = "rbac.authorization.k8s.io";
    private final RbacState state;
    private final ObjectProvider<Authorizer> authorizer;

    public EscalationCheck(RbacState state, ObjectProvider<Authorizer> authorizer) {
        this.state = state;
        this.authorizer = authorizer;
    }

    @Override
    public void validate(Attributes a) {
        if (a.type() != ResourceTypes.ROLES && a.type() != ResourceTypes.CLUSTERROLES && a.type() != ResourceTypes.ROLEBINDINGS
                && a.type() != ResourceTypes.CLUSTERROLEBINDINGS) {
            return;
        }
        UserInfo user = currentUser();
        if (user == null) return;
        check(user, a);
    }

    /** The check itself, for a known user; throws the 403. */
    void check(UserInfo user, Attributes a) {
        if (user.groups().contains(UserInfo.SYSTEM_MASTERS)) return;
        String ns = a.namespace() == null ? "" : a.namespace();
        String resource = a.type().resource();
        if (a.type() == ResourceTypes.ROLES || a.type() == ResourceTypes.CLUSTERROLES) {
            if (allowed(RequestAttributes.resource(user, "escalate", RBAC, resource, "", ns, a.name()))) return;
            List<Role.PolicyRule> rules;
            if (a.type() == ResourceTypes.ROLES) {
                rules = Json.convert(a.object(), Role.class).rules;
            } else {
                ClusterRole cr = Json.convert(a.object(), ClusterRole.class);
                rules = cr.rules;
                if (cr.aggregationRule != null) {
                    // Kubernetes' fullAuthority: an aggregated role may be given any rule by label
                    rules = List.of(RuleCoverage.rule(List.of("*"), List.of("*"), List.of("*"), List.of(), List.of()),
                            RuleCoverage.rule(List.of(), List.of(), List.of("*"), List.of(), List.of("*")));
                }
            }
            if (a.old() != null && onlyMutatingGcFields(a.object(), a.old())) return;
            confirmNoEscalation(user, ns, rules, resource, a.name());
            return;
        }
        if (a.old() != null && onlyMutatingGcFields(a.object(), a.old())) return;
        RoleBinding.RoleRef ref = a.type() == ResourceTypes.ROLEBINDINGS
                ? Json.convert(a.object(), RoleBinding.class).roleRef : Json.convert(a.object(), ClusterRoleBinding.class).roleRef;
        if (ref == null) return;
        String refResource = "ClusterRole".equals(ref.kind) ? "clusterroles" : "roles";
        String refNamespace = "Role".equals(ref.kind) ? ns : "";
        if (allowed(RequestAttributes.resource(user, "bind", RBAC, refResource, "", refNamespace, ref.name))) return;
        List<Role.PolicyRule> rules = state.roleRefRules(ref, ns);
        if (rules == null) {
            String what = "ClusterRole".equals(ref.kind) ? "clusterrole" : "role";
            throw Forbidden.error(RBAC, resource, a.name(), what + "." + RBAC + " \"" + ref.name + "\" not found");
        }
        confirmNoEscalation(user, ns, rules, resource, a.name());
    }

    /** Kubernetes' {@code ConfirmNoEscalation}: the user's own rules in {@code namespace} must cover {@code rules}. */
    private void confirmNoEscalation(UserInfo user, String namespace, List<Role.PolicyRule> rules, String resource, String name) {
        List<Role.PolicyRule> owner = new ArrayList<>();
        LinkedHashSet<String> errors = new LinkedHashSet<>();
        state.visitRulesFor(user, namespace, (source, rule, error) -> {
            if (error != null) errors.add(error);
            else owner.add(rule);
            return true;
        });
        List<Role.PolicyRule> missing = RuleCoverage.uncovered(owner, rules);
        if (missing.isEmpty()) return;
        String msg = "user \"" + user.name() + "\" (groups=" + RuleCoverage.goQuoted(user.groups()) + ") is attempting to grant RBAC permissions not currently held:\n"
                + String.join("\n", RuleCoverage.describe(missing));
        if (!errors.isEmpty()) msg += "; resolution errors: [" + String.join(" ", errors) + "]";
        throw Forbidden.error(RBAC, resource, name, msg);
    }

    private boolean allowed(RequestAttributes a) {
        return authorizer.getObject().authorize(a).allowed();
    }

    /**
     * Kubernetes' {@code rbacregistry.IsOnlyMutatingGCFields}: the update changes nothing but what the garbage
     * collector writes (ownerReferences, finalizers; managedFields and the versions the server keeps). Any
     * other change, a label or an annotation included, is checked: a label can pull a role's rules into an
     * aggregated ClusterRole such as {@code view}.
     */
    static boolean onlyMutatingGcFields(tools.jackson.databind.node.ObjectNode object, tools.jackson.databind.node.ObjectNode old) {
        return Objects.equals(withoutGcFields(object), withoutGcFields(old));
    }

    private static tools.jackson.databind.JsonNode withoutGcFields(tools.jackson.databind.node.ObjectNode obj) {
        tools.jackson.databind.node.ObjectNode copy = obj.deepCopy();
        if (copy.get("metadata") instanceof tools.jackson.databind.node.ObjectNode m) {
            m.remove(List.of("ownerReferences", "finalizers", "managedFields", "resourceVersion", "generation", "selfLink"));
        }
        return io.kube4j.apiserver.registry.Registry.withoutEmpty(copy);
    }

    /** The user of the request this thread serves, or null (no request, or security off). */
    static UserInfo currentUser() {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes sra) {
            return UserInfo.of(sra.getRequest());
        }
        return null;
    }
}
