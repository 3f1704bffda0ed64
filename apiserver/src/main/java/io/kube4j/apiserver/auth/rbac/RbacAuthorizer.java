package io.kube4j.apiserver.auth.rbac;

import io.kube4j.apiserver.auth.Authorizer;
import io.kube4j.apiserver.auth.RequestAttributes;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * RBAC: allows a request when any rule bound to its user allows it, as Kubernetes'
 * {@code RBACAuthorizer.Authorize} (plugin/pkg/auth/authorizer/rbac/rbac.go). Never denies outright:
 * without a matching rule it has no opinion, with the reason {@code RBAC: <errors>} when bindings name
 * roles that do not exist. Reads only the in-memory {@link RbacState}.
 */
public final class RbacAuthorizer implements Authorizer {
    private final RbacState state;

    public RbacAuthorizer(RbacState state) {
        this.state = state;
    }

    @Override
    public Decision authorize(RequestAttributes a) {
        String[] allowedBy = new String[1];
        LinkedHashSet<String> errors = new LinkedHashSet<>();
        state.visitRulesFor(a.user(), a.namespace(), (source, rule, error) -> {
            if (error != null) {
                errors.add(error);
                return true;
            }
            if (RbacRules.allows(a, rule)) {
                allowedBy[0] = source;
                return false;
            }
            return true;
        });
        if (allowedBy[0] != null) return Decision.allow("RBAC: allowed by " + allowedBy[0]);
        if (errors.isEmpty()) return Decision.noOpinion("");
        return Decision.noOpinion("RBAC: " + aggregate(new ArrayList<>(errors)));
    }

    /** Go's {@code utilerrors.NewAggregate(errs).Error()}: one message alone, several in brackets. */
    static String aggregate(List<String> errors) {
        return errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]";
    }
}
