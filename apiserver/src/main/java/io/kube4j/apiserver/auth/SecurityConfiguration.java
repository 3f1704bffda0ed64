package io.kube4j.apiserver.auth;

import io.kube4j.api.ResourceType;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.allocation.ServiceAllocationProperties;
import io.kube4j.apiserver.allocation.ServiceIpRange;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.annotation.Order;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The secure serving side of authentication: the cluster PKI, HTTPS with optional client certificates,
 * the x509 authenticator, and ServiceAccount token signing and checking.
 *
 * <p>With {@code kube4j.security.insecure=true} there is no PKI and plain HTTP as before; ServiceAccount
 * tokens are still issued (TokenRequest, so a kubelet's projected token volume works), signed with a key
 * pair made at start and kept in memory only: such tokens mean nothing once the apiserver restarts, and
 * nothing checks them on requests since nothing is authenticated.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {
    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    /** The cluster PKI in {@code kube4j.security.pki-dir}, created on the first start. */
    @Bean
    @ConditionalOnProperty(name = "kube4j.security.insecure", havingValue = "false", matchIfMissing = true)
    Pki pki(ApiServerProperties props, @Value("${server.port:8080}") int port, ServiceAllocationProperties services,
            @Value("${kube4j.apiserver.advertise-address:}") String advertiseAddress,
            @Value("${kube4j.security.kubeconfig-copy:}") String kubeconfigCopy) {
        ApiServerProperties.Security s = props.security();
        String server = s.server().isBlank() ? "https://127.0.0.1:" + port : s.server();
        Path dir = Path.of(s.pkiDir()).toAbsolutePath();
        // as kubeadm: the kubernetes Service's ClusterIP and the advertise address are names of the apiserver too
        List<String> sans = new ArrayList<>(s.extraSans());
        sans.add(ServiceIpRange.parse(services.clusterIpRange()).ipAt(0));
        if (!advertiseAddress.isBlank()) {
            sans.add(advertiseAddress.trim());
        }
        Pki pki = Pki.ensure(dir, sans, s.nodes(), server);
        log.info("cluster PKI in {}; kubectl --kubeconfig {} works", dir, dir.resolve("admin.kubeconfig"));
        if (!kubeconfigCopy.isBlank()) {
            copyAdminKubeconfig(dir.resolve("admin.kubeconfig"), Path.of(kubeconfigCopy));
        }
        return pki;
    }

    /**
     * Copies the admin kubeconfig to {@code target} (k3s' {@code --write-kubeconfig}), rewritten at every
     * start so it always matches the PKI; the copy is readable by its owner only and owned by the owner of
     * its directory (in compose a bind-mounted host directory, so the host user who ran compose can read it).
     * A failure is logged, not fatal: the kubeconfig in the PKI directory is the original.
     */
    static void copyAdminKubeconfig(Path source, Path target) {
        try {
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            java.nio.file.Files.copy(source, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try {
                java.nio.file.Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                java.nio.file.Files.setOwner(tmp, java.nio.file.Files.getOwner(target.toAbsolutePath().getParent()));
            } catch (UnsupportedOperationException | java.io.IOException e) {
                log.debug("cannot set the owner or mode of {}: {}", tmp, e.toString());
            }
            java.nio.file.Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            log.info("admin kubeconfig copied to {}", target);
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("cannot copy the admin kubeconfig to {}: {}", target, e.toString());
        }
    }

    /**
     * Kubernetes' default SETTINGS_MAX_CONCURRENT_STREAMS when {@code --http2-max-streams-per-connection} is 0
     * (genericapiserver's secure_serving.go makes Go's default of 250 explicit).
     */
    static final int DEFAULT_HTTP2_MAX_STREAMS_PER_CONNECTION = 250;
    /**
     * The header block size Tomcat's HTTP/2 decoder accepts before resetting the stream: twice Kubernetes' header
     * list limit of (1 << 20) + 320 bytes, which {@code web.Http2HeaderListLimit} enforces with Go's 431 (Tomcat's
     * reset has no response). Tomcat's HTTP/2 limit would otherwise be the HTTP/1.1 connector's 64 KiB. Tomcat counts
     * 3 bytes per field where RFC 7541 counts 32, so this bound is never below Go's.
     */
    public static final int HTTP2_MAX_HEADER_SIZE = 2 * ((1 << 20) + 10 * 32);
    /** How long an HTTP/2 connection without streams stays open (secure_serving.go's http2 IdleTimeout, 90 s). */
    static final long HTTP2_IDLE_TIMEOUT_MILLIS = 90_000;

    /**
     * HTTPS from {@code apiserver.crt}/{@code .key}; client certificates requested, never required. HTTP/2 is
     * offered by ALPN beside HTTP/1.1 as kube-apiserver's TLS server does (unless
     * {@code kube4j.apiserver.disable-http2-serving}, Kubernetes' {@code --disable-http2-serving}), so one client
     * process multiplexes its requests on one connection instead of one TLS handshake per request in flight;
     * upgrades (exec, attach, port-forward) stay HTTP/1.1, as kubectl's SPDY and WebSocket dialers offer only
     * http/1.1 for them. Plain HTTP (insecure) serves HTTP/1.1 only: Kubernetes never served h2c.
     */
    @Bean
    @ConditionalOnProperty(name = "kube4j.security.insecure", havingValue = "false", matchIfMissing = true)
    TomcatConnectorCustomizer httpsConnector(Pki pki,
                                             @Value("${kube4j.apiserver.disable-http2-serving:false}") boolean disableHttp2,
                                             @Value("${kube4j.apiserver.http2-max-streams-per-connection:0}") int http2MaxStreams) {
        return connector -> {
            if (!disableHttp2) {
                connector.addUpgradeProtocol(http2(http2MaxStreams));
            }
            AcceptAnyClientCertificate.acceptIssuers(List.of(pki.ca()));
            connector.setScheme("https");
            connector.setSecure(true);
            AbstractHttp11Protocol<?> protocol = (AbstractHttp11Protocol<?>) connector.getProtocolHandler();
            protocol.setSSLEnabled(true);
            SSLHostConfig ssl = new SSLHostConfig();
            ssl.setHostName(protocol.getDefaultSSLHostConfigName());
            ssl.setCertificateVerification("optional");
            ssl.setTrustManagerClassName(AcceptAnyClientCertificate.class.getName());
            SSLHostConfigCertificate cert = new SSLHostConfigCertificate(ssl, SSLHostConfigCertificate.Type.UNDEFINED);
            cert.setCertificateFile(pki.dir().resolve("apiserver.crt").toString());
            cert.setCertificateKeyFile(pki.dir().resolve("apiserver.key").toString());
            ssl.addCertificate(cert);
            protocol.addSslHostConfig(ssl);
        };
    }

    /**
     * The HTTP/2 side of the TLS connector. {@code maxStreams} is Kubernetes' {@code --http2-max-streams-per-connection}
     * (0: 250). Go's server runs every stream on its own goroutine; Tomcat by default runs only 20 streams of a
     * connection at a time and queues the rest, so a client whose long-poll watches fill those 20 would have its
     * other requests wait for a watch to end: every admitted stream may run. Idle connections close after 90 s as
     * Kubernetes' do (Tomcat's 20 s would close them under clients that keep them 30 s, the JDK's default). Header
     * blocks up to {@link #HTTP2_MAX_HEADER_SIZE} are decoded (Tomcat's HTTP/2 has no setter of its own for it: its
     * getter returns the HTTP/1.1 connector's limit).
     */
    static org.apache.coyote.http2.Http2Protocol http2(int maxStreams) {
        int streams = maxStreams > 0 ? maxStreams : DEFAULT_HTTP2_MAX_STREAMS_PER_CONNECTION;
        org.apache.coyote.http2.Http2Protocol h2 = new org.apache.coyote.http2.Http2Protocol() {
            @Override
            public int getMaxHeaderSize() {
                return HTTP2_MAX_HEADER_SIZE;
            }
        };
        h2.setMaxConcurrentStreams(streams);
        h2.setMaxConcurrentStreamExecution(streams);
        h2.setKeepAliveTimeout(HTTP2_IDLE_TIMEOUT_MILLIS);
        return h2;
    }

    /** X.509 client certificates, first in Kubernetes' order. */
    @Bean
    @Order(0)
    @ConditionalOnProperty(name = "kube4j.security.insecure", havingValue = "false", matchIfMissing = true)
    X509Authenticator x509Authenticator(Pki pki) {
        return new X509Authenticator(List.of(pki.ca()), Clock.systemUTC());
    }

    /** The ServiceAccount token issuer: {@code sa.key} with security on, an in-memory key pair otherwise. */
    @Bean
    ServiceAccountTokens serviceAccountTokens(ApiServerProperties props, ObjectProvider<Pki> pki) {
        Pki p = pki.getIfAvailable();
        KeyPair keys;
        if (p != null) {
            keys = p.serviceAccountKeys();
        } else {
            try {
                keys = Pki.rsa();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return new ServiceAccountTokens(props.security().serviceAccountIssuer(), keys);
    }

    /** Verifies ServiceAccount tokens against {@code sa.pub} (or the in-memory key) and live objects. */
    @Bean
    @Order(200)
    ServiceAccountTokenAuthenticator serviceAccountTokenAuthenticator(ApiServerProperties props, ServiceAccountTokens tokens, ObjectProvider<Pki> pki,
                                                                      @Lazy Registry registry) {
        Pki p = pki.getIfAvailable();
        java.security.PublicKey key = p != null ? p.serviceAccountKeys().getPublic() : tokens.publicKey();
        return new ServiceAccountTokenAuthenticator(List.of(props.security().serviceAccountIssuer()), props.security().audiences(), List.of(key),
                (type, ns, name) -> lookup(registry, type, ns, name), (ns, name, uid, date) -> labelLastUsed(registry, ns, name, uid, date),
                Clock.systemUTC());
    }

    /**
     * Bootstrap tokens ({@code kube4j.security.enable-bootstrap-token-auth}, default true as kubeadm sets
     * kube-apiserver's {@code --enable-bootstrap-token-auth}), tried after ServiceAccount tokens as Kubernetes'
     * authenticator config appends it after them; Secrets read from the watch cache, else storage.
     */
    @Bean
    @Order(300)
    @ConditionalOnProperty(name = "kube4j.security.enable-bootstrap-token-auth", havingValue = "true", matchIfMissing = true)
    BootstrapTokenAuthenticator bootstrapTokenAuthenticator(@Lazy Registry registry) {
        return new BootstrapTokenAuthenticator(name -> lookup(registry, io.kube4j.api.ResourceTypes.SECRETS, BootstrapTokenAuthenticator.NAMESPACE, name),
                Clock.systemUTC());
    }

    /**
     * The legacy validator's merge patch {@code {"metadata":{"uid":<uid>,"labels":{"kubernetes.io/legacy-token-last-used":<date>}}}}
     * of a legacy token's Secret, as the apiserver's own loopback write: the uid is a precondition (another
     * Secret of that name is left alone, 409).
     */
    static void labelLastUsed(Registry registry, String namespace, String name, String uid, String date) {
        registry.guaranteedUpdate(io.kube4j.api.ResourceTypes.SECRETS, namespace, name, null, Registry.Part.MAIN, false, cur -> {
            tools.jackson.databind.node.ObjectNode meta = Registry.meta(cur);
            if (!uid.isEmpty() && !uid.equals(meta.path("uid").asString(""))) {
                throw ApiError.conflict("", "secrets", name, "Precondition failed: UID in precondition: " + uid + ", UID in object meta: "
                        + meta.path("uid").asString(""));
            }
            JsonNode labels = meta.get("labels");
            tools.jackson.databind.node.ObjectNode l = labels instanceof tools.jackson.databind.node.ObjectNode o ? o : meta.putObject("labels");
            l.put(ServiceAccountTokenAuthenticator.LAST_USED_LABEL_KEY, date);
            return cur;
        });
    }

    /**
     * An object from the watch cache, else (just created, not yet cached) from storage, as Kubernetes'
     * token getter reads its listers and falls back to a live GET; null when it does not exist.
     */
    static JsonNode lookup(Registry registry, ResourceType type, String namespace, String name) {
        JsonNode cached = registry.cache().get(Registry.key(type, namespace, name));
        if (cached != null) {
            return cached;
        }
        try {
            return registry.get(type, namespace, name);
        } catch (ApiError e) {
            if (e.code() == 404) {
                return null;
            }
            throw e;
        }
    }
}
