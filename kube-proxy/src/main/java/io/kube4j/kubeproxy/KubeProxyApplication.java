package io.kube4j.kubeproxy;

import io.kube4j.kubeproxy.dns.DnsProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The kube-proxy process: forwards Service ports to ready endpoints and answers cluster DNS. */
@SpringBootApplication
@EnableConfigurationProperties({ApiServerProperties.class, KubeProxyProperties.class, DnsProperties.class})
public class KubeProxyApplication {
    public static void main(String[] args) {
        SpringApplication.run(KubeProxyApplication.class, args);
    }
}
