package io.kube4j.kubelet;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The kubelet process. */
@SpringBootApplication
public class KubeletApplication {
    public static void main(String[] args) {
        SpringApplication.run(KubeletApplication.class, args);
    }
}
