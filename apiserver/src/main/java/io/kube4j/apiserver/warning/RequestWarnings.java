package io.kube4j.apiserver.warning;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Adds a {@code Warning} header to the response of the request the current thread serves, for code that
 * has no servlet objects at hand (admission plugins, called from the registry); the text goes through the
 * request's {@link WarningRecorder}. Kubernetes: {@code warning.AddWarning(ctx, "", text)}. Outside a
 * request (unit tests, background work) the warning is dropped, as Kubernetes drops warnings with no
 * recorder in the context.
 */
public final class RequestWarnings {
    private RequestWarnings() {
    }

    /** Records {@code text} on the current request, if there is one. */
    public static void add(String text) {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (attributes instanceof ServletRequestAttributes s && s.getResponse() != null) {
            WarningRecorder.of(s.getRequest(), s.getResponse()).add(text);
        }
    }
}
