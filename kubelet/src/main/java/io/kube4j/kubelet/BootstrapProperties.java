package io.kube4j.kubelet;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Joining a cluster with a bootstrap token (kubelet TLS bootstrapping as {@code kubeadm join} drives it), under
 * {@code kube4j.kubelet.*} beside {@link KubeletProperties}; see {@link io.kube4j.kubelet.certificate.TlsBootstrap}.
 * Used only when {@code kube4j.apiserver.kubeconfig} is not set.
 *
 * @param bootstrapToken                         {@code <id>.<secret>} (kubeadm's {@code --token}); empty: no bootstrap
 * @param discoveryTokenCaCertHash               pins of the cluster CA's public key, {@code sha256:<hex>}, comma-separated
 *                                               (kubeadm's {@code --discovery-token-ca-cert-hash})
 * @param discoveryTokenUnsafeSkipCaVerification trust the CA the apiserver's {@code cluster-info} names without a pin
 *                                               (kubeadm's {@code --discovery-token-unsafe-skip-ca-verification})
 * @param certDir                                where the credential is kept (the kubelet's {@code --cert-dir}); empty:
 *                                               {@code <root-dir>/<node>/pki}, beside the self-signed serving certificate
 * @param discoveryTimeout                       how long {@code cluster-info} is retried (kubeadm's discovery timeout)
 * @param certificateTimeout                     how long the kubelet waits for its request to be approved and issued
 *                                               (Kubernetes' 3600 s)
 */
@ConfigurationProperties("kube4j.kubelet")
public record BootstrapProperties(
        @DefaultValue("") String bootstrapToken,
        List<String> discoveryTokenCaCertHash,
        @DefaultValue("false") boolean discoveryTokenUnsafeSkipCaVerification,
        @DefaultValue("") String certDir,
        @DefaultValue("5m") Duration discoveryTimeout,
        @DefaultValue("3600s") Duration certificateTimeout) {

    public BootstrapProperties {
        discoveryTokenCaCertHash = discoveryTokenCaCertHash == null ? List.of()
                : discoveryTokenCaCertHash.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Whether the kubelet joins with a bootstrap token. */
    public boolean enabled() {
        return !bootstrapToken.isBlank();
    }

    /** The cert dir: the property, else {@code <node dir>/pki}. */
    public Path certDir(KubeletProperties kubelet, String nodeName) {
        return certDir.isBlank() ? kubelet.nodeDir(nodeName).resolve("pki") : Path.of(certDir).toAbsolutePath();
    }
}
