package io.kube4j.apiserver.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.function.Predicate;

/**
 * A request with the headers whose names {@code hidden} matches removed, as Kubernetes' filters delete the
 * credential and impersonation headers once they have been used, so nothing after them (a proxy to a
 * kubelet) passes them on.
 */
final class HiddenHeadersRequest extends HttpServletRequestWrapper {
    private final Predicate<String> hidden;

    HiddenHeadersRequest(HttpServletRequest req, Predicate<String> hidden) {
        super(req);
        this.hidden = hidden;
    }

    @Override
    public String getHeader(String name) {
        return hidden.test(name) ? null : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        return hidden.test(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        List<String> names = Collections.list(super.getHeaderNames());
        names.removeIf(hidden);
        return Collections.enumeration(names);
    }
}
