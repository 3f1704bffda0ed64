package io.kube4j.kubelet.certificate;

import org.springframework.boot.SpringBootExceptionReporter;
import org.springframework.core.Ordered;

/**
 * A failed TLS bootstrap, whose one-line reason has been logged already ({@code TLS bootstrap failed: <kubeadm's message>}).
 * Kubernetes' kubelet and kubeadm print the error and exit 1; kube4j's kubelet does the same: {@link Reporter} tells
 * Spring Boot the failure is reported (so it logs no "Application run failed" stack trace) and
 * {@code KubeletApplication.main} exits with status 1.
 */
public final class TlsBootstrapFailure extends RuntimeException {
    public TlsBootstrapFailure(RuntimeException cause) {
        super(cause.getMessage(), cause, false, false);
    }

    @Override
    public String toString() {
        // what Spring's "cancelling refresh attempt" warning and wrappers print: the reason alone
        return "TLS bootstrap failed: " + getMessage();
    }

    /** True when {@code failure} or one of its causes is a {@link TlsBootstrapFailure}. */
    public static boolean isCauseOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TlsBootstrapFailure) {
                return true;
            }
        }
        return false;
    }

    /** Spring Boot's failure reporter (META-INF/spring.factories): a TLS bootstrap failure counts as reported. */
    public static final class Reporter implements SpringBootExceptionReporter, Ordered {
        @Override
        public boolean reportException(Throwable failure) {
            return isCauseOf(failure);
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }
    }
}
