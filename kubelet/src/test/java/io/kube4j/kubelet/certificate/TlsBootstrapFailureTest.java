package io.kube4j.kubelet.certificate;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.UnsatisfiedDependencyException;

import static org.assertj.core.api.Assertions.assertThat;

class TlsBootstrapFailureTest {
    @Test
    void aBootstrapFailureAnywhereInTheCauseChainCountsAsReportedSoSpringPrintsNoStackTrace() {
        var failure = new TlsBootstrapFailure(new IllegalStateException("couldn't validate the identity of the API Server: x"));
        var wrapped = new UnsatisfiedDependencyException("kubelet.xml", "kubelets", "apiClient", new org.springframework.beans.factory.BeanCreationException("apiClient", "failed", failure));

        assertThat(new TlsBootstrapFailure.Reporter().reportException(wrapped)).isTrue();
        assertThat(new TlsBootstrapFailure.Reporter().reportException(new IllegalStateException("other"))).isFalse();
        // what Spring's one-line warnings print of it is the reason, without a stack
        assertThat(failure.toString()).isEqualTo("TLS bootstrap failed: couldn't validate the identity of the API Server: x");
        assertThat(failure.getStackTrace()).isEmpty();
    }
}
