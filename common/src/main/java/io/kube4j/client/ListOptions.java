package io.kube4j.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

/** Query parameters of a list or watch. */
public record ListOptions(String labelSelector, String fieldSelector, Integer limit, String continueToken, String resourceVersion) {
    public static final ListOptions ALL = new ListOptions(null, null, null, null, null);

    public static ListOptions labels(String labelSelector) {
        return new ListOptions(labelSelector, null, null, null, null);
    }

    public static ListOptions fields(String fieldSelector) {
        return new ListOptions(null, fieldSelector, null, null, null);
    }

    public ListOptions withContinue(String token) {
        return new ListOptions(labelSelector, fieldSelector, limit, token, resourceVersion);
    }

    public ListOptions withLimit(int limit) {
        return new ListOptions(labelSelector, fieldSelector, limit, continueToken, resourceVersion);
    }

    /** The selector part of a query string, without leading '?' or '&'. */
    String query() {
        StringJoiner q = new StringJoiner("&");
        add(q, "labelSelector", labelSelector);
        add(q, "fieldSelector", fieldSelector);
        add(q, "limit", limit == null ? null : limit.toString());
        add(q, "continue", continueToken);
        add(q, "resourceVersion", resourceVersion);
        return q.toString();
    }

    static void add(StringJoiner q, String name, String value) {
        if (value != null && !value.isEmpty()) {
            q.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
