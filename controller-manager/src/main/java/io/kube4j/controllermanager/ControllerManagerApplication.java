package io.kube4j.controllermanager;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The controller-manager process. */
@SpringBootApplication
public class ControllerManagerApplication {
    public static void main(String[] args) {
        SpringApplication.run(ControllerManagerApplication.class, args);
    }
}
