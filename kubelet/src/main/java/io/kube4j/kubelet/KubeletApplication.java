package io.kube4j.kubelet;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The kubelet process: wiring only (see {@link KubeletConfiguration}). A failed TLS bootstrap ends it with status 1 after
 * its one-line reason, as Kubernetes' kubelet exits on a bootstrap error.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class KubeletApplication {
    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(KubeletApplication.class);
        // the join runs once the environment (and logging) is ready, before the context: a failure is one line and exit 1
        application.addListeners((org.springframework.context.ApplicationListener<org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent>)
                event -> joinEarly(event.getEnvironment()));
        try {
            application.run(args);
        } catch (RuntimeException e) {
            if (io.kube4j.kubelet.certificate.TlsBootstrapFailure.isCauseOf(e)) {
                // already logged as "TLS bootstrap failed: ..."; Spring has closed the context
                System.exit(1);
            }
            throw e;
        }
    }

    /** TLS bootstrapping before the context starts; on failure the reason is logged and the process exits 1. */
    static void joinEarly(org.springframework.core.env.ConfigurableEnvironment environment) {
        var binder = org.springframework.boot.context.properties.bind.Binder.get(environment);
        try {
            KubeletConfiguration.bootstrapClientCert(binder.bindOrCreate("kube4j.apiserver", ApiServerProperties.class),
                    binder.bindOrCreate("kube4j.kubelet", BootstrapProperties.class), binder.bindOrCreate("kube4j.kubelet", KubeletProperties.class));
        } catch (io.kube4j.kubelet.certificate.TlsBootstrapFailure e) {
            System.exit(1);
        }
    }
}
