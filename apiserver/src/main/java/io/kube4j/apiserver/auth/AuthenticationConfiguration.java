package io.kube4j.apiserver.auth;

import io.kube4j.apiserver.ApiServerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import java.nio.file.Path;
import java.util.List;

/**
 * The authenticators, in Kubernetes' order (x509 client certificates first, then bearer tokens from
 * every {@link TokenAuthenticator}: the token file, then ServiceAccount tokens); further
 * {@link Authenticator} beans are ordered with {@link Order}.
 */
@Configuration(proxyBeanMethods = false)
public class AuthenticationConfiguration {
    private static final Logger log = LoggerFactory.getLogger(AuthenticationConfiguration.class);

    /**
     * Bearer tokens, checked against the static token file ({@code kube4j.security.token-auth-file}, when
     * set) and then every {@link TokenAuthenticator} bean.
     */
    @Bean
    @Order(100)
    BearerTokenAuthenticator bearerTokenAuthenticator(ApiServerProperties props, ObjectProvider<TokenAuthenticator> others) {
        List<TokenAuthenticator> sources = new java.util.ArrayList<>();
        String file = props.security().tokenAuthFile();
        if (!file.isBlank()) sources.add(TokenFile.read(Path.of(file)));
        others.orderedStream().forEach(sources::add);
        return new BearerTokenAuthenticator(sources);
    }

    /** Says at start, at WARN, when every request is allowed. */
    @Bean
    ApplicationRunner insecureWarning(ApiServerProperties props) {
        return args -> {
            if (props.security().insecure()) {
                log.warn("""
                        ********************************************************************************
                        kube4j.security.insecure=true: plain HTTP, requests are NOT authenticated,
                        authorized or checked by NodeRestriction/ServiceAccount admission; anyone who
                        reaches this port can read and write every object and run any command on a node.
                        For teaching only: never expose this port.
                        ********************************************************************************""");
            }
        };
    }
}
