package io.kube4j.apiserver.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes' union authorizer (staging/src/k8s.io/apiserver/pkg/authorization/union): asks each
 * authorizer in order; the first ALLOW or DENY decides; when all have no opinion the request is
 * denied, with the non-empty reasons joined by a newline.
 */
public final class AuthorizerChain implements Authorizer {
    private final List<Authorizer> authorizers;

    public AuthorizerChain(List<Authorizer> authorizers) {
        this.authorizers = List.copyOf(authorizers);
    }

    @Override
    public Decision authorize(RequestAttributes attributes) {
        List<String> reasons = new ArrayList<>();
        for (Authorizer a : authorizers) {
            Decision d = a.authorize(attributes);
            if (d.kind() != Decision.Kind.NO_OPINION) return d;
            if (!d.reason().isEmpty()) reasons.add(d.reason());
        }
        return Decision.noOpinion(String.join("\n", reasons));
    }
}
