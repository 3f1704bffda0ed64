package io.kube4j.kubelet.server;

import io.kube4j.client.ApiClient;
import io.kube4j.kubelet.ApiServerProperties;
import io.kube4j.kubelet.KubeletProperties;
import io.kube4j.kubelet.Kubelets;
import io.kube4j.kubelet.node.MachineInfo;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;

/**
 * The kubelet's secure port (Kubernetes' {@code pkg/kubelet/server} on 10250, TLS only): HTTPS with the serving
 * certificate of {@link ServingCertificate}, client certificates requested but not required (Go's
 * {@code tls.RequestClientCert}), and {@link KubeletAuthFilter} in front of every handler with the configured
 * authentication ({@code kube4j.kubelet.authentication.*}) and authorization ({@code kube4j.kubelet.authorization.*}).
 */
@Configuration(proxyBeanMethods = false)
public class KubeletServerConfiguration {
    private static final Logger log = LoggerFactory.getLogger(KubeletServerConfiguration.class);

    /** HTTPS on {@code server.port}. */
    @Bean
    TomcatConnectorCustomizer kubeletHttpsConnector(KubeletProperties props, ApiServerProperties apiServer) {
        String host = props.nodeName().isBlank() ? MachineInfo.hostname() : props.nodeName();
        ServingCertificate.Files files = ServingCertificate.resolve(props.tlsCertFile(), props.tlsPrivateKeyFile(),
                props.nodeDir(host).resolve("pki"), host, addresses(props, apiServer));
        List<X509Certificate> clientCas = clientCas(props.authentication().clientCaFile());
        log.info("kubelet API over HTTPS with {}; client certificates {}; anonymous {}; authorization {}", files.certFile(),
                clientCas.isEmpty() ? "not checked" : "checked against " + props.authentication().clientCaFile(),
                props.authentication().anonymous() ? "allowed" : "refused", props.authorization().mode());
        return connector -> {
            RequestClientCertificate.acceptIssuers(clientCas);
            connector.setScheme("https");
            connector.setSecure(true);
            AbstractHttp11Protocol<?> protocol = (AbstractHttp11Protocol<?>) connector.getProtocolHandler();
            protocol.setSSLEnabled(true);
            SSLHostConfig ssl = new SSLHostConfig();
            ssl.setHostName(protocol.getDefaultSSLHostConfigName());
            ssl.setCertificateVerification("optional");
            ssl.setTrustManagerClassName(RequestClientCertificate.class.getName());
            SSLHostConfigCertificate cert = new SSLHostConfigCertificate(ssl, SSLHostConfigCertificate.Type.UNDEFINED);
            cert.setCertificateFile(files.certFile().toString());
            cert.setCertificateKeyFile(files.keyFile().toString());
            ssl.addCertificate(cert);
            protocol.addSslHostConfig(ssl);
        };
    }

    /** Authentication and authorization before everything else, the SPDY upgrade filter included. */
    @Bean
    FilterRegistrationBean<KubeletAuthFilter> kubeletAuthFilter(KubeletProperties props, ApiClient client, Kubelets kubelets) {
        List<X509Certificate> cas = clientCas(props.authentication().clientCaFile());
        ClientCertificateAuthenticator certificates = cas.isEmpty() ? null : new ClientCertificateAuthenticator(cas, Clock.systemUTC());
        KubeletAuthorizer authorizer = switch (props.authorization().mode()) {
            case "AlwaysAllow" -> KubeletAuthorizer.ALWAYS_ALLOW;
            case "Webhook" -> new WebhookAuthorizer(client, props.authorization().webhook().cacheAuthorizedTtl(),
                    props.authorization().webhook().cacheUnauthorizedTtl(), Clock.systemUTC());
            default -> throw new IllegalArgumentException("kube4j.kubelet.authorization.mode must be AlwaysAllow or Webhook, not " + props.authorization().mode());
        };
        String base = props.nodeName().isBlank() ? MachineInfo.hostname() : props.nodeName();
        KubeletProperties.TokenWebhook webhook = props.authentication().webhook();
        TokenReviewAuthenticator tokens = webhook.enabled() ? new TokenReviewAuthenticator(client, webhook.cacheTtl(), Clock.systemUTC()) : null;
        var bean = new FilterRegistrationBean<>(new KubeletAuthFilter(certificates, tokens, props.authentication().anonymous(), authorizer,
                req -> kubelets.nodeName(query(req, "node"), base)));
        bean.addUrlPatterns("/*");
        bean.setOrder(Ordered.HIGHEST_PRECEDENCE);
        bean.setAsyncSupported(true);
        return bean;
    }

    // the node's addresses as certificate names: the configured one, else the one facing the apiserver
    private static List<String> addresses(KubeletProperties props, ApiServerProperties apiServer) {
        String address = props.address().isBlank() ? MachineInfo.addressFacing(apiServer.url()) : props.address();
        return address == null || address.isBlank() ? List.of() : List.of(address);
    }

    /** The CA certificates of a PEM bundle; empty for "". */
    static List<X509Certificate> clientCas(String file) {
        if (file.isBlank()) {
            return List.of();
        }
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            List<X509Certificate> cas = CertificateFactory.getInstance("X.509").generateCertificates(in).stream().map(c -> (X509Certificate) c).toList();
            if (cas.isEmpty()) {
                throw new IllegalArgumentException("no certificate in kube4j.kubelet.authentication.client-ca-file " + file);
            }
            return cas;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kube4j.kubelet.authentication.client-ca-file " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot parse kube4j.kubelet.authentication.client-ca-file " + file, e);
        }
    }

    // one query parameter, read from the raw query (getParameter could consume a form body)
    private static String query(jakarta.servlet.http.HttpServletRequest req, String name) {
        String q = req.getQueryString();
        if (q == null) {
            return null;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
