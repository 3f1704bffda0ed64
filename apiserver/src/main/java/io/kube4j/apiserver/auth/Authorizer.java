package io.kube4j.apiserver.auth;

/**
 * Decides whether a request may proceed: Kubernetes' {@code authorizer.Authorizer}
 * (staging/src/k8s.io/apiserver/pkg/authorization/authorizer/interfaces.go). Authorizers are asked in
 * order; the first that allows or denies decides ({@link AuthorizerChain}); {@link Decision#noOpinion}
 * passes to the next.
 */
public interface Authorizer {
    /** The decision on {@code attributes}; never null, never throws for a denial. */
    Decision authorize(RequestAttributes attributes);

    /**
     * An authorizer's answer and its reason (shown after the forbidden message, e.g. {@code RBAC:
     * clusterrole.rbac.authorization.k8s.io "x" not found}).
     */
    record Decision(Kind kind, String reason) {
        /** Kubernetes' DecisionAllow / DecisionDeny / DecisionNoOpinion. */
        public enum Kind { ALLOW, DENY, NO_OPINION }

        public static Decision allow(String reason) {
            return new Decision(Kind.ALLOW, reason == null ? "" : reason);
        }

        public static Decision noOpinion(String reason) {
            return new Decision(Kind.NO_OPINION, reason == null ? "" : reason);
        }

        public boolean allowed() {
            return kind == Kind.ALLOW;
        }
    }
}
