package io.kube4j.kubeproxy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The kube-proxy process. */
@SpringBootApplication
public class KubeProxyApplication {
    public static void main(String[] args) {
        SpringApplication.run(KubeProxyApplication.class, args);
    }
}
