package io.kube4j.kubelet;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The kubelet process: wiring only (see {@link KubeletConfiguration}). */
@SpringBootApplication
@ConfigurationPropertiesScan
public class KubeletApplication {
    public static void main(String[] args) {
        SpringApplication.run(KubeletApplication.class, args);
    }
}
