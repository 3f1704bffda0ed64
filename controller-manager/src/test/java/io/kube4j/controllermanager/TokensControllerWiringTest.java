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
        runner.withPropertyValues("kube4j.controller-manager.service-account-private-key-file=" + key).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx).hasSingleBean(TokensController.class);
        });
    }
}
