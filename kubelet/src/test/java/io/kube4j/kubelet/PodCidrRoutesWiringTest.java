package io.kube4j.kubelet;

import io.kube4j.kubelet.network.KubenetMasquerade;
import io.kube4j.net.BridgeNetfilter;
import io.kube4j.kubelet.network.PodCidrRoutes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** Host-gw routes are programmed only with {@code kube4j.kubelet.network-plugin=cni}; the default leaves routes alone. */
class PodCidrRoutesWiringTest {
    @Configuration
    @EnableConfigurationProperties({KubeletProperties.class, ApiServerProperties.class, CriProperties.class})
    static class Props {
    }

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Props.class, KubeletConfiguration.class)
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withPropertyValues("kube4j.apiserver.url=http://127.0.0.1:1", "kube4j.kubelet.node-name=n1");

    @Test
    void noRoutesByDefaultNorWithDockersNetwork() {
        runner.run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(PodCidrRoutes.class));
        runner.withPropertyValues("kube4j.kubelet.network-plugin=docker")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(PodCidrRoutes.class));
    }

    @Test
    void routesWithTheCniNetworkPlugin() {
        // 0.0.0.0/0 turns kubenet's masquerade rule off (as in kubenet): the bean must not write iptables rules
        // into the root network namespace of the machine running the tests
        runner.withPropertyValues("kube4j.kubelet.network-plugin=cni", "kube4j.kubelet.non-masquerade-cidr=0.0.0.0/0",
                        "kube4j.kubelet.bridge-netfilter=false")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed().hasSingleBean(PodCidrRoutes.class).hasSingleBean(KubenetMasquerade.class);
                    // the bean exists with cni (kubenet's Init); switched off here so the test leaves the root namespace's sysctl alone
                    assertThat(ctx.getBean(BridgeNetfilter.Status.class))
                            .isEqualTo(new BridgeNetfilter.Status(false, "disabled by kube4j.kubelet.bridge-netfilter=false"));
                });
    }

    @Test
    void bridgeNetfilterOnlyWithTheCniNetworkPlugin() {
        runner.run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(BridgeNetfilter.Status.class));
    }
}
