package io.kube4j.controllermanager;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

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
            assertThat(ctx.getBean(ApiServerProperties.class).url()).isEqualTo("http://127.0.0.1:8080");
        });
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
