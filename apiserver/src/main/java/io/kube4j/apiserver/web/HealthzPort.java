package io.kube4j.apiserver.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.connector.Connector;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.regex.Pattern;

/**
 * An optional plain-HTTP port on 127.0.0.1 that answers only {@code GET /healthz}, {@code /livez} and
 * {@code /readyz} (with their sub-checks), for health checks that cannot speak the apiserver's TLS: the
 * compose healthcheck runs busybox {@code wget}, whose TLS offers no signature algorithm the JDK accepts for
 * an RSA certificate. Requests there carry no credentials, so they are {@code system:anonymous} and RBAC's
 * {@code system:public-info-viewer} decides, exactly as for the same request over HTTPS; every other path is
 * 404. Kubernetes' counterparts are the kubelet's {@code --healthz-port} (10248 on loopback) and the
 * apiserver's former localhost insecure port; Kubernetes' apiserver itself has no such port (its static pod
 * is probed over HTTPS), hence off unless {@code kube4j.healthz-port} is set.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("${kube4j.healthz-port:0} > 0")
class HealthzPort {
    private static final Pattern HEALTH_PATHS = Pattern.compile("^/(healthz|livez|readyz)(/[A-Za-z0-9_./-]*)?$");

    /** The second connector: plain HTTP, loopback only. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> healthzConnector(@Value("${kube4j.healthz-port}") int port) {
        return factory -> {
            Connector connector = new Connector();
            connector.setPort(port);
            connector.setProperty("address", "127.0.0.1");
            factory.addAdditionalConnectors(connector);
        };
    }

    /** Before authentication: anything but a GET of a health path on that port is 404. */
    @Bean
    FilterRegistrationBean<OncePerRequestFilter> healthzOnly(@Value("${kube4j.healthz-port}") int port) {
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                if (request.getLocalPort() == port
                        && !("GET".equals(request.getMethod()) && HEALTH_PATHS.matcher(request.getRequestURI()).matches())) {
                    response.sendError(HttpServletResponse.SC_NOT_FOUND);
                    return;
                }
                chain.doFilter(request, response);
            }
        });
        // ahead of authentication and authorization (HIGHEST_PRECEDENCE + 10 and after)
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
