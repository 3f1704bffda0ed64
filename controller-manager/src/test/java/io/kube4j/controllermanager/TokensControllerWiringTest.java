package io.kube4j.controllermanager;

import io.kube4j.controllermanager.serviceaccount.TokensController;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tokens controller exists only with {@code kube4j.controller-manager.service-account-private-key-file}, as
 * kube-controller-manager starts it only with {@code --service-account-private-key-file}. The apiserver URL is
 * unreachable on purpose: only which beans the context holds is checked.
 */
class TokensControllerWiringTest {
    final ApplicationContextRunner runner = new ApplicationContextRunner()
            // @Value durations need Spring Boot's conversion service, which a plain context lacks
            .withInitializer(ctx -> ctx.getBeanFactory().setConversionService(
                    org.springframework.boot.convert.ApplicationConversionService.getSharedInstance()))
            .withUserConfiguration(ControllerManagerConfiguration.class)
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withPropertyValues("kube4j.apiserver.url=http://127.0.0.1:1", "kube4j.controller-manager.leader-elect=false");

    @Test
    void withoutTheKeyTheControllerIsNotCreated() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).doesNotHaveBean(TokensController.class);
        });
        runner.withPropertyValues("kube4j.controller-manager.service-account-private-key-file=").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).doesNotHaveBean(TokensController.class);
        });
    }

    @Test
    void withAPemRsaKeyItIs(@TempDir Path dir) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
            w.writeObject(g.generateKeyPair().getPrivate());
        }
        Path key = dir.resolve("sa.key");
        Files.writeString(key, pem.toString());
        Path ca = dir.resolve("ca.crt");
        Files.writeString(ca, selfSignedPem(g.generateKeyPair(), "CN=root-ca-file"));
        runner.withPropertyValues("kube4j.controller-manager.service-account-private-key-file=" + key, "kube4j.security.root-ca-file=" + ca).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).hasSingleBean(TokensController.class);
            assertThat(ctx.getBean(TokensController.class).rootCA()).isEqualTo(Files.readAllBytes(ca));
        });
        // without --root-ca-file: the CA of the controller-manager's own kubeconfig, as Kubernetes' rootClientBuilder CAData
        String kubeconfigCa = selfSignedPem(g.generateKeyPair(), "CN=kubeconfig-ca");
        Path kubeconfig = dir.resolve("cm.kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", certificate-authority-data: %s}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: x, context: {cluster: c, user: u}}]
                current-context: x
                """.formatted(java.util.Base64.getEncoder().encodeToString(kubeconfigCa.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        runner.withPropertyValues("kube4j.controller-manager.service-account-private-key-file=" + key, "kube4j.apiserver.url=",
                "kube4j.apiserver.kubeconfig=" + kubeconfig).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(new String(ctx.getBean(TokensController.class).rootCA(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(kubeconfigCa);
        });
    }

    static String selfSignedPem(java.security.KeyPair keys, String dn) throws Exception {
        org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name(dn);
        java.time.Instant now = java.time.Instant.now();
        var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.ONE, java.util.Date.from(now),
                java.util.Date.from(now.plusSeconds(3600)), name, keys.getPublic());
        var holder = builder.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate()));
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(holder);
        }
        return out.toString();
    }
}
