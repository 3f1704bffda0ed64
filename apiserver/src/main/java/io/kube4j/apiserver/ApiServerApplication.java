package io.kube4j.apiserver;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The apiserver process: REST API over etcd, the only component that talks to etcd. */
@SpringBootApplication
@EnableConfigurationProperties(ApiServerProperties.class)
public class ApiServerApplication {
    public static void main(String[] args) {
        SpringApplication.run(ApiServerApplication.class, args);
    }
}
