package io.kube4j.scheduler;

import io.kube4j.client.ApiClient;
import io.kube4j.client.Kubeconfig;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;

/**
 * How to reach the apiserver and as whom ({@code kube4j.apiserver.*}), as a Kubernetes component's
 * {@code --kubeconfig} and {@code --master} flags.
 *
 * @param url        one apiserver URL or a comma-separated list to fail over across; "" (the default) takes
 *                   the kubeconfig's server, else {@value Kubeconfig#DEFAULT_URL}
 * @param kubeconfig the kubeconfig file whose current context gives the CA to trust and the client
 *                   certificate or token to present; "" (the default) for none (anonymous)
 */
@ConfigurationProperties("kube4j.apiserver")
public record ApiServerProperties(@DefaultValue("") String url, @DefaultValue("") String kubeconfig) {
    /**
     * The kubeconfig's credentials, or null without one.
     *
     * @throws IllegalArgumentException naming the file and what is missing when it cannot be used
     */
    public Kubeconfig credentials() {
        return kubeconfig.isBlank() ? null : Kubeconfig.load(Path.of(kubeconfig.trim()));
    }

    /** A client of {@link Kubeconfig#apiServerUrl the apiserver URL} with the kubeconfig's credentials. */
    public ApiClient client(String userAgent) {
        Kubeconfig credentials = credentials();
        return new ApiClient(Kubeconfig.apiServerUrl(url, credentials), userAgent, credentials);
    }
}
