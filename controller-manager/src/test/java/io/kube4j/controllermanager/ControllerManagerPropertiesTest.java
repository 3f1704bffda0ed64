package io.kube4j.controllermanager;

import io.kube4j.client.ApiClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControllerManagerPropertiesTest {
    @Configuration
    @EnableConfigurationProperties({ControllerManagerProperties.class, ApiServerProperties.class})
    static class Props {
    }

    final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Props.class);

    @Test
    void defaultsAreKubernetesDefaults() {
        runner.run(ctx -> {
            ControllerManagerProperties p = ctx.getBean(ControllerManagerProperties.class);
            assertThat(p.leaderElect()).isTrue();
            assertThat(p.leaseNamespace()).isEqualTo("kube-system");
            assertThat(p.nodeMonitorGracePeriod()).isEqualTo(Duration.ofSeconds(40));
            assertThat(p.defaultTolerationSeconds()).isEqualTo(300);
            assertThat(p.workers()).isEqualTo(2);
            assertThat(p.terminatedPodGcThreshold()).isEqualTo(12500);
            assertThat(p.podGcCheckPeriod()).isEqualTo(Duration.ofSeconds(20));
            assertThat(p.podGcQuarantineTime()).isEqualTo(Duration.ofSeconds(40));
            assertThat(p.kubeApiQps()).isEqualTo(20.0);
            assertThat(p.kubeApiBurst()).isEqualTo(30);
            assertThat(p.podRequestsInFlight()).isEqualTo(64);
            // kube-controller-manager: --allocate-node-cidrs=false, --node-cidr-mask-size=24
            assertThat(p.allocateNodeCidrs()).isFalse();
            assertThat(p.clusterCidr()).isEqualTo("10.244.0.0/16");
            assertThat(p.nodeCidrMaskSize()).isEqualTo(24);
            ApiServerProperties api = ctx.getBean(ApiServerProperties.class);
            assertThat(api.url()).isEmpty();
            assertThat(api.kubeconfig()).isEmpty();
            assertThat(api.credentials()).isNull();
            assertThat(api.client("test").baseUrl()).isEqualTo("http://127.0.0.1:8080");
        });
    }

    @Test
    void theKubeconfigGivesTheServerAndCredentialsUnlessAUrlIsGiven(@TempDir Path dir) throws Exception {
        Path kubeconfig = dir.resolve("kcm.kubeconfig");
        Files.writeString(kubeconfig, """
                clusters:
                - {name: kubernetes, cluster: {server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true}}
                users:
                - {name: kcm, user: {token: abc}}
                contexts:
                - {name: kcm@kubernetes, context: {cluster: kubernetes, user: kcm}}
                current-context: kcm@kubernetes
                """);
        runner.withPropertyValues("kube4j.apiserver.kubeconfig=" + kubeconfig).run(ctx -> {
            ApiClient client = ctx.getBean(ApiServerProperties.class).client("test");
            assertThat(client.baseUrl()).isEqualTo("https://10.0.0.1:6443");
            assertThat(client.credentials().bearerToken()).isEqualTo("abc");
        });
        runner.withPropertyValues("kube4j.apiserver.kubeconfig=" + kubeconfig, "kube4j.apiserver.url=https://lb:6443")
                .run(ctx -> assertThat(ctx.getBean(ApiServerProperties.class).client("test").baseUrl()).isEqualTo("https://lb:6443"));
        runner.withPropertyValues("kube4j.apiserver.kubeconfig=" + dir.resolve("absent"))
                .run(ctx -> assertThatThrownBy(() -> ctx.getBean(ApiServerProperties.class).client("test"))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(dir.resolve("absent").toString()));
    }

    @Test
    void environmentStylePropertiesOverrideThem() {
        runner.withPropertyValues("kube4j.controller-manager.leader-elect=false",
                        "kube4j.controller-manager.node-monitor-grace-period=15s",
                        "kube4j.controller-manager.default-toleration-seconds=20",
                        "kube4j.controller-manager.kube-api-qps=50",
                        "kube4j.controller-manager.pod-requests-in-flight=1",
                        "kube4j.controller-manager.terminated-pod-gc-threshold=100",
                        "kube4j.apiserver.url=http://a:8080,http://b:8080")
                .run(ctx -> {
                    ControllerManagerProperties p = ctx.getBean(ControllerManagerProperties.class);
                    assertThat(p.leaderElect()).isFalse();
                    assertThat(p.nodeMonitorGracePeriod()).isEqualTo(Duration.ofSeconds(15));
                    assertThat(p.defaultTolerationSeconds()).isEqualTo(20);
                    assertThat(p.kubeApiQps()).isEqualTo(50.0);
                    assertThat(p.podRequestsInFlight()).isEqualTo(1);
                    assertThat(p.terminatedPodGcThreshold()).isEqualTo(100);
                    assertThat(ctx.getBean(ApiServerProperties.class).url()).isEqualTo("http://a:8080,http://b:8080");
                });
    }
}
