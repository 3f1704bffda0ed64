package io.kube4j.controllermanager.certificates;

import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.PropertyResolver;
import org.springframework.core.type.AnnotatedTypeMetadata;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the CSR signer's CA is: {@code kube4j.controller-manager.cluster-signing-cert-file} and {@code -key-file}
 * (kube-controller-manager's {@code --cluster-signing-cert-file}/{@code --cluster-signing-key-file}), by default the CA the
 * controller-manager already has, {@code kube4j.security.root-ca-file} ({@code <pki>/ca.crt}) and the {@code ca.key} beside
 * it, as kubeadm lays out {@code /etc/kubernetes/pki}.
 *
 * @param certFile the CA certificate, or null when none is configured
 * @param keyFile  its key, or null
 */
public record ClusterSigningFiles(Path certFile, Path keyFile) {
    /** The files the properties name (or imply); null paths when no CA is known. */
    public static ClusterSigningFiles resolve(PropertyResolver env) {
        String cert = env.getProperty("kube4j.controller-manager.cluster-signing-cert-file", "");
        if (cert.isBlank()) {
            cert = env.getProperty("kube4j.security.root-ca-file", "");
        }
        String key = env.getProperty("kube4j.controller-manager.cluster-signing-key-file", "");
        if (cert.isBlank()) {
            return new ClusterSigningFiles(null, null);
        }
        Path certFile = Path.of(cert.trim());
        Path keyFile = key.isBlank() ? certFile.resolveSibling("ca.key") : Path.of(key.trim());
        return new ClusterSigningFiles(certFile, keyFile);
    }

    /** Whether both files exist (else kube-controller-manager skips its signing controllers). */
    public boolean present() {
        return certFile != null && Files.isRegularFile(certFile) && Files.isRegularFile(keyFile);
    }

    /** The signer is created only when both files are there. */
    public static final class Present implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return resolve(context.getEnvironment()).present();
        }
    }

    /** The opposite, to say why the signer is not running. */
    public static final class Absent implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !resolve(context.getEnvironment()).present();
        }
    }
}
