package io.kube4j.controllermanager;

import io.kube4j.controllermanager.certificates.CsrApprovingController;
import io.kube4j.controllermanager.certificates.CsrSigningController;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The approver always runs; the signer runs only when its CA certificate and key exist: by default the
 * {@code kube4j.security.root-ca-file} and the {@code ca.key} beside it (kubeadm's pki layout), else the
 * {@code cluster-signing-*} files. The apiserver URL is unreachable on purpose: only the beans are checked.
 */
class CsrControllersWiringTest {
    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withInitializer(ctx -> ctx.getBeanFactory().setConversionService(
                    org.springframework.boot.convert.ApplicationConversionService.getSharedInstance()))
            .withUserConfiguration(ControllerManagerConfiguration.class)
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withPropertyValues("kube4j.apiserver.url=http://127.0.0.1:1", "kube4j.controller-manager.leader-elect=false");

    static void writeCa(Path dir, String certName, String keyName) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        Files.writeString(dir.resolve(certName), TokensControllerWiringTest.selfSignedPem(kp, "CN=kubernetes"));
        StringWriter key = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(key)) {
            w.writeObject(kp.getPrivate());
        }
        Files.writeString(dir.resolve(keyName), key.toString());
    }

    @Test
    void withoutACaOnlyTheApproverRuns() {
        runner.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).hasSingleBean(CsrApprovingController.class);
            assertThat(ctx).doesNotHaveBean(CsrSigningController.class);
        });
    }

    @Test
    void theRootCaFileAndTheCaKeyBesideItMakeTheSigner(@TempDir Path dir) throws Exception {
        writeCa(dir, "ca.crt", "ca.key");
        runner.withPropertyValues("kube4j.security.root-ca-file=" + dir.resolve("ca.crt")).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).hasSingleBean(CsrSigningController.class);
        });
    }

    @Test
    void aRootCaWithoutItsKeyMakesNoSigner(@TempDir Path dir) throws Exception {
        writeCa(dir, "ca.crt", "elsewhere.key");
        runner.withPropertyValues("kube4j.security.root-ca-file=" + dir.resolve("ca.crt")).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).doesNotHaveBean(CsrSigningController.class);
        });
        runner.withPropertyValues("kube4j.security.root-ca-file=" + dir.resolve("ca.crt"),
                "kube4j.controller-manager.cluster-signing-key-file=" + dir.resolve("elsewhere.key"),
                "kube4j.controller-manager.cluster-signing-duration=24h").run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).hasSingleBean(CsrSigningController.class);
        });
    }
}
