package io.kube4j.apiserver.auth;

import io.kube4j.api.Status;
import io.kube4j.apiserver.errors.ApiError;

/**
 * The 403 an authorization denial answers with, worded as Kubernetes'
 * {@code responsewriters.Forbidden} (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go)
 * wrapped in {@code apierrors.NewForbidden}: {@code pods "p" is forbidden: User "alice" cannot get
 * resource "pods" in API group "" in the namespace "default"}; {@code forbidden: User "x" cannot get
 * path "/foo"} for a non-resource request; the authorizer's reason, when any, after {@code ": "}.
 */
public final class Forbidden {
    private Forbidden() {
    }

    /** Kubernetes' {@code forbiddenMessage}: the part after "is forbidden: ". */
    public static String message(RequestAttributes a) {
        String user = a.user() == null ? "" : a.user().name();
        if (!a.resourceRequest()) {
            return "User " + quote(user) + " cannot " + a.verb() + " path " + quote(a.path());
        }
        String resource = a.resource() + (a.subresource().isEmpty() ? "" : "/" + a.subresource());
        String where = a.namespace().isEmpty() ? " at the cluster scope" : " in the namespace " + quote(a.namespace());
        return "User " + quote(user) + " cannot " + a.verb() + " resource " + quote(resource) + " in API group " + quote(a.apiGroup()) + where;
    }

    /** The whole 403: message, reason Forbidden, details {group, kind: resource, name}. */
    public static ApiError error(RequestAttributes a, String reason) {
        String why = message(a) + (reason == null || reason.isEmpty() ? "" : ": " + reason);
        return error(a.apiGroup(), a.resource(), a.name(), why);
    }

    /** Kubernetes' {@code apierrors.NewForbidden(groupResource, name, err)}. */
    public static ApiError error(String group, String resource, String name, String why) {
        String qualified = group.isEmpty() ? resource : resource + "." + group;
        String message;
        if (resource.isEmpty() && group.isEmpty()) message = "forbidden: " + why;
        else if (name == null || name.isEmpty()) message = qualified + " is forbidden: " + why;
        else message = qualified + " " + quote(name) + " is forbidden: " + why;
        Status s = Status.failure(403, "Forbidden", message);
        s.details = new Status.Details();
        s.details.group = group.isEmpty() ? null : group;
        s.details.kind = resource.isEmpty() ? null : resource;
        s.details.name = name == null || name.isEmpty() ? null : name;
        return new ApiError(s);
    }

    /** Go's %q for the strings that appear here: quotes, with backslash and quote escaped. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
