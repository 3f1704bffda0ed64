package io.kube4j.client;

import io.kube4j.json.Json;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import tools.jackson.databind.JsonNode;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * A client's credentials from a kubeconfig file (kubectl's and client-go's {@code Config}: {@code clusters},
 * {@code users}, {@code contexts}, {@code current-context}), resolved for one context: the apiserver URL,
 * the TLS setup and the bearer token a component presents.
 *
 * <ul>
 *   <li>cluster: {@code server}, {@code certificate-authority-data} (base64 PEM) or {@code certificate-authority}
 *       (a file), {@code insecure-skip-tls-verify};</li>
 *   <li>user: {@code client-certificate-data}/{@code client-certificate} with {@code client-key-data}/{@code client-key}
 *       (PEM; RSA or EC; PKCS#1, SEC1 or PKCS#8), {@code token}, {@code tokenFile}.</li>
 * </ul>
 *
 * <p>As client-go: relative file paths are resolved against the kubeconfig's directory
 * ({@code clientcmd.ResolveLocalPaths}); a {@code *-data} field overrides its file twin; the trust roots are
 * the CA when one is given, else the JVM's default ones; {@code insecure-skip-tls-verify} with a CA is an
 * error; a {@code tokenFile} is re-read through a cache that keeps a token for one minute minus ten seconds
 * of leeway ({@code transport.NewCachedFileTokenSource}), falls back to the last token (or the
 * {@code token} field) when the file cannot be read, and wins over {@code token} when both are set
 * ({@code transport.NewBearerAuthWithRefreshRoundTripper}). Exec plugins, auth providers, basic auth,
 * impersonation, proxies and {@code tls-server-name} are not supported.
 *
 * <p>Errors are {@link IllegalArgumentException}s with client-go's wording (e.g. {@code context was not found
 * for specified context: x}, {@code cluster "c" was not found for context "x"}) followed by the file's path.
 * Kubernetes: {@code staging/src/k8s.io/client-go/tools/clientcmd/{client_config.go,validation.go,loader.go}},
 * {@code staging/src/k8s.io/client-go/transport/{transport.go,token_source.go,round_trippers.go}}.
 */
public final class Kubeconfig {
    /** The apiserver URL when neither a URL nor a kubeconfig is given (kube4j's plain-HTTP default). */
    public static final String DEFAULT_URL = "http://127.0.0.1:8080";
    // transport.NewCachedFileTokenSource: period one minute, cachingTokenSource leeway ten seconds
    static final Duration TOKEN_FILE_PERIOD = Duration.ofMinutes(1);
    static final Duration TOKEN_LEEWAY = Duration.ofSeconds(10);
    private static final char[] KEYSTORE_PASSWORD = new char[0];
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Kubeconfig.class);

    private final Path file;
    private final String context;
    private final String server;
    private final boolean insecureSkipTlsVerify;
    private final boolean clientCertificate;
    private final SSLContext sslContext;
    private final String token;
    private final CachedFileToken tokenFile;
    private final String certificateAuthorityPem;

    private Kubeconfig(Path file, String context, String server, boolean insecureSkipTlsVerify, boolean clientCertificate,
                       SSLContext sslContext, String token, CachedFileToken tokenFile, String certificateAuthorityPem) {
        this.certificateAuthorityPem = certificateAuthorityPem;
        this.file = file;
        this.context = context;
        this.server = server;
        this.insecureSkipTlsVerify = insecureSkipTlsVerify;
        this.clientCertificate = clientCertificate;
        this.sslContext = sslContext;
        this.token = token;
        this.tokenFile = tokenFile;
    }

    /**
     * Loads {@code file} for its {@code current-context}.
     *
     * @throws IllegalArgumentException when the file cannot be read or parsed, or the context, its cluster,
     *                                  user, server or a referenced certificate, key or token is missing or invalid
     */
    public static Kubeconfig load(Path file) {
        return load(file, null, Clock.systemUTC());
    }

    /** Loads {@code file} for {@code context} (null or "": the {@code current-context}); errors as {@link #load(Path)}. */
    public static Kubeconfig load(Path file, String context) {
        return load(file, context, Clock.systemUTC());
    }

    /** As {@link #load(Path, String)}, the token file cache on {@code clock} (for tests). */
    static Kubeconfig load(Path file, String context, Clock clock) {
        Path absolute = file.toAbsolutePath();
        String text;
        try {
            text = Files.readString(absolute);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read kubeconfig " + absolute + ": " + e, e);
        }
        JsonNode root;
        try {
            root = Json.yaml().readTree(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot parse kubeconfig " + absolute + ": " + e.getMessage(), e);
        }
        return new Parser(absolute, root == null ? Json.mapper().createObjectNode() : root, clock).resolve(context);
    }

    /**
     * The apiserver URL(s) a component uses, the rule every kube4j component follows: {@code url} when not
     * blank (one URL or a comma-separated list), else the kubeconfig's server, else {@link #DEFAULT_URL}.
     *
     * @param kubeconfig the component's kubeconfig, or null
     */
    public static String apiServerUrl(String url, Kubeconfig kubeconfig) {
        if (url != null && !url.isBlank()) {
            return url;
        }
        return kubeconfig != null ? kubeconfig.server() : DEFAULT_URL;
    }

    /** The absolute path of the kubeconfig file. */
    public Path file() {
        return file;
    }

    /** The context in use (the {@code current-context} unless another was asked for). */
    public String context() {
        return context;
    }

    /** The context's cluster {@code server}, e.g. {@code https://127.0.0.1:6443}. */
    public String server() {
        return server;
    }

    /** Whether the cluster's {@code insecure-skip-tls-verify} is set (no server certificate or name check). */
    public boolean insecureSkipTlsVerify() {
        return insecureSkipTlsVerify;
    }

    /**
     * The cluster's CA bundle as PEM ({@code certificate-authority-data} or the {@code certificate-authority}
     * file), or null without one: what client-go's {@code rest.Config.CAData} holds, e.g. the tokens
     * controller's {@code ca.crt} when kube-controller-manager has no {@code --root-ca-file}.
     */
    public String certificateAuthorityPem() {
        return certificateAuthorityPem;
    }

    /** Whether the user presents a client certificate. */
    public boolean hasClientCertificate() {
        return clientCertificate;
    }

    /**
     * The TLS context for the apiserver: trusts the cluster's CA (or the JVM's default roots without one,
     * or everything with {@code insecure-skip-tls-verify}) and presents the user's client certificate, if any.
     */
    public SSLContext sslContext() {
        return sslContext;
    }

    /**
     * The bearer token to send as {@code Authorization: Bearer <token>}, or null for none. With a
     * {@code tokenFile}, the file's trimmed content, re-read when the cached one is older than 50 s.
     */
    public String bearerToken() {
        if (tokenFile != null) {
            String t = tokenFile.token();
            return t != null ? t : token;
        }
        return token;
    }

    @Override
    public String toString() {
        return "Kubeconfig[" + file + ", context " + context + ", server " + server + "]";
    }

    /** Resolves one context of a parsed kubeconfig; every error names the file. */
    private static final class Parser {
        private final Path file;
        private final Path dir;
        private final JsonNode root;
        private final Clock clock;

        Parser(Path file, JsonNode root, Clock clock) {
            this.file = file;
            this.dir = file.getParent();
            this.root = root;
            this.clock = clock;
        }

        private IllegalArgumentException error(String message, Throwable cause) {
            return new IllegalArgumentException("invalid configuration: " + message + " (kubeconfig " + file + ")", cause);
        }

        private IllegalArgumentException error(String message) {
            return error(message, null);
        }

        /** The {@code <kind>} entry (cluster, user, context) named {@code name} in list {@code list}, or null. */
        private JsonNode named(String list, String kind, String name) {
            for (JsonNode entry : root.path(list)) {
                if (name.equals(entry.path("name").asString(""))) {
                    JsonNode body = entry.path(kind);
                    return body.isObject() ? body : Json.mapper().createObjectNode();
                }
            }
            return null;
        }

        Kubeconfig resolve(String wanted) {
            String contextName = wanted == null || wanted.isEmpty() ? text(root, "current-context") : wanted;
            if (contextName.isEmpty()) {
                throw error("no context chosen");
            }
            JsonNode ctx = named("contexts", "context", contextName);
            if (ctx == null) {
                throw error("context was not found for specified context: " + contextName);
            }
            String clusterName = text(ctx, "cluster");
            String userName = text(ctx, "user");
            if (clusterName.isEmpty()) {
                throw error("cluster was not specified for context \"" + contextName + "\"");
            }
            if (userName.isEmpty()) {
                throw error("user was not specified for context \"" + contextName + "\"");
            }
            JsonNode cluster = named("clusters", "cluster", clusterName);
            if (cluster == null) {
                throw error("cluster \"" + clusterName + "\" was not found for context \"" + contextName + "\"");
            }
            JsonNode user = named("users", "user", userName);
            if (user == null) {
                throw error("user \"" + userName + "\" was not found for context \"" + contextName + "\"");
            }
            String server = text(cluster, "server");
            if (server.isEmpty()) {
                throw error("no server found for cluster \"" + clusterName + "\"");
            }
            boolean insecure = cluster.path("insecure-skip-tls-verify").asBoolean(false);
            String caPem = pem(cluster, "certificate-authority-data", "certificate-authority", "certificate-authority", clusterName);
            if (caPem != null && insecure) {
                // transport.New: "specifying a root certificates file with the insecure flag is not allowed"
                throw error("specifying a root certificates file with the insecure flag is not allowed (cluster \"" + clusterName + "\")");
            }
            String certPem = pem(user, "client-certificate-data", "client-certificate", "client-cert", userName);
            String keyPem = pem(user, "client-key-data", "client-key", "client-key", userName);
            if (certPem != null && keyPem == null) {
                throw error("client-key-data or client-key must be specified for " + userName + " to use the clientCert authentication method.");
            }
            if (keyPem != null && certPem == null) {
                throw error("client-certificate-data or client-certificate must be specified for " + userName + " to use the clientCert authentication method.");
            }
            KeyManager[] keyManagers = null;
            if (certPem != null) {
                List<X509Certificate> chain = certificates(certPem, "client certificate of user \"" + userName + "\"");
                PrivateKey key = privateKey(keyPem, userName, chain.getFirst());
                checkPair(chain.getFirst(), key, userName);
                keyManagers = new KeyManager[]{keyManager(chain, key)};
            }
            TrustManager[] trustManagers = null;
            if (insecure) {
                trustManagers = new TrustManager[]{new TrustAnything()};
            } else if (caPem != null) {
                trustManagers = trustManagers(certificates(caPem, "certificate authority of cluster \"" + clusterName + "\""));
            }
            SSLContext ssl;
            try {
                ssl = SSLContext.getInstance("TLS");
                ssl.init(keyManagers, trustManagers, null);
            } catch (GeneralSecurityException e) {
                throw error("cannot set up TLS: " + e, e);
            }
            String token = text(user, "token");
            String tokenFilePath = text(user, "tokenFile");
            CachedFileToken tokenFile = null;
            if (!tokenFilePath.isEmpty()) {
                tokenFile = new CachedFileToken(resolvePath(tokenFilePath), clock);
                if (token.isEmpty()) {
                    // round_trippers.go: without a static token, the first read must succeed
                    try {
                        tokenFile.read();
                    } catch (IOException | IllegalStateException e) {
                        throw error(e.getMessage() + " (user \"" + userName + "\")", e);
                    }
                }
            }
            return new Kubeconfig(file, contextName, server, insecure, certPem != null, ssl, token.isEmpty() ? null : token, tokenFile, caPem);
        }

        private static String text(JsonNode node, String field) {
            JsonNode v = node.path(field);
            return v.isValueNode() && !v.isNull() ? v.asString("").trim() : "";
        }

        /** A relative path resolved against the kubeconfig's directory, as clientcmd's ResolveLocalPaths. */
        private Path resolvePath(String path) {
            Path p = Path.of(path);
            return p.isAbsolute() || dir == null ? p : dir.resolve(p);
        }

        /**
         * PEM text from {@code dataField} (base64, wins as in client-go) or the file {@code fileField}; null when
         * neither is set. {@code label} is client-go's name of the field in its messages.
         */
        private String pem(JsonNode node, String dataField, String fileField, String label, String owner) {
            String data = text(node, dataField);
            if (!data.isEmpty()) {
                try {
                    return new String(Base64.getMimeDecoder().decode(data), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw error(dataField + " of " + owner + " is not valid base64: " + e.getMessage(), e);
                }
            }
            String path = text(node, fileField);
            if (path.isEmpty()) {
                return null;
            }
            Path resolved = resolvePath(path);
            try {
                return Files.readString(resolved);
            } catch (IOException e) {
                throw error("unable to read " + label + " " + resolved + " for " + owner + " due to " + e, e);
            }
        }

        private List<X509Certificate> certificates(String pem, String what) {
            try {
                Collection<? extends java.security.cert.Certificate> certs = CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)));
                List<X509Certificate> out = new ArrayList<>();
                for (var c : certs) {
                    out.add((X509Certificate) c);
                }
                if (out.isEmpty()) {
                    throw error("failed to find any PEM data in the " + what);
                }
                return out;
            } catch (GeneralSecurityException e) {
                throw error("failed to parse the " + what + ": " + e.getMessage(), e);
            }
        }

        /**
         * An RSA, EC or Ed25519 private key from PEM: PKCS#1, SEC1 ({@code EC PRIVATE KEY}) or PKCS#8. A SEC1
         * key without its curve (the optional parameters left out) takes the certificate's curve.
         */
        private PrivateKey privateKey(String pem, String userName, X509Certificate cert) {
            try (PEMParser parser = new PEMParser(new StringReader(pem))) {
                for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                    PrivateKeyInfo info = switch (o) {
                        case PEMKeyPair pair -> pair.getPrivateKeyInfo();
                        case PrivateKeyInfo i -> i;
                        case PEMEncryptedKeyPair ignored -> throw error("the client key of user \"" + userName + "\" is encrypted, which is not supported");
                        case PKCS8EncryptedPrivateKeyInfo ignored -> throw error("the client key of user \"" + userName + "\" is encrypted, which is not supported");
                        // e.g. the EC PARAMETERS block openssl writes before an EC PRIVATE KEY
                        default -> null;
                    };
                    if (info != null) {
                        ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
                        String algorithm;
                        if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
                            algorithm = "RSA";
                        } else if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
                            algorithm = "EC";
                            ASN1Encodable curve = info.getPrivateKeyAlgorithm().getParameters();
                            if (curve == null || curve instanceof ASN1Null) {
                                AlgorithmIdentifier certAlgorithm = SubjectPublicKeyInfo.getInstance(cert.getPublicKey().getEncoded()).getAlgorithm();
                                info = new PrivateKeyInfo(certAlgorithm, info.parsePrivateKey());
                            }
                        } else if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
                            algorithm = "Ed25519";
                        } else {
                            throw error("the client key of user \"" + userName + "\" has an unsupported algorithm " + oid);
                        }
                        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
                    }
                }
            } catch (IOException | GeneralSecurityException e) {
                throw error("failed to parse the client key of user \"" + userName + "\": " + e.getMessage(), e);
            }
            throw error("failed to find any PEM data in the client key of user \"" + userName + "\"");
        }

        /** As Go's tls.X509KeyPair: the key must belong to the certificate. */
        private void checkPair(X509Certificate cert, PrivateKey key, String userName) {
            String algorithm = switch (key.getAlgorithm()) {
                case "RSA" -> "SHA256withRSA";
                case "EC" -> "SHA256withECDSA";
                default -> key.getAlgorithm();
            };
            try {
                byte[] probe = "kube4j".getBytes(StandardCharsets.UTF_8);
                Signature signer = Signature.getInstance(algorithm);
                signer.initSign(key);
                signer.update(probe);
                byte[] signature = signer.sign();
                Signature verifier = Signature.getInstance(algorithm);
                verifier.initVerify(cert.getPublicKey());
                verifier.update(probe);
                if (verifier.verify(signature)) {
                    return;
                }
            } catch (GeneralSecurityException e) {
                // a key of another type than the certificate's: a mismatch too
            }
            throw error("private key does not match public key (user \"" + userName + "\")");
        }

        private KeyManager keyManager(List<X509Certificate> chain, PrivateKey key) {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("client", key, KEYSTORE_PASSWORD, chain.toArray(X509Certificate[]::new));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, KEYSTORE_PASSWORD);
                return new OneClientCertificate((X509KeyManager) kmf.getKeyManagers()[0], key.getAlgorithm());
            } catch (GeneralSecurityException | IOException e) {
                throw error("cannot load the client certificate: " + e, e);
            }
        }

        private TrustManager[] trustManagers(List<X509Certificate> roots) {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                for (int i = 0; i < roots.size(); i++) {
                    ks.setCertificateEntry("ca-" + i, roots.get(i));
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                return tmf.getTrustManagers();
            } catch (GeneralSecurityException | IOException e) {
                throw error("cannot load the certificate authority: " + e, e);
            }
        }
    }

    /**
     * Presents the one client certificate whenever the server asks for one of its key type, whatever
     * issuers the server lists (a Go client offers its only certificate the same way; the apiserver
     * decides whether it trusts it).
     */
    private static final class OneClientCertificate extends X509ExtendedKeyManager {
        private final X509KeyManager delegate;
        private final String keyAlgorithm;

        OneClientCertificate(X509KeyManager delegate, String keyAlgorithm) {
            this.delegate = delegate;
            this.keyAlgorithm = keyAlgorithm;
        }

        private String choose(String[] keyTypes) {
            if (keyTypes == null) {
                return "client";
            }
            for (String t : keyTypes) {
                if (t.equals(keyAlgorithm) || ("RSA".equals(keyAlgorithm) && t.equals("RSASSA-PSS"))
                        || ("EC".equals(keyAlgorithm) && t.startsWith("EC"))) {
                    return "client";
                }
            }
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, Socket socket) {
            return choose(keyType);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, SSLEngine engine) {
            return choose(keyType);
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return delegate.getClientAliases(keyType, null);
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate.getPrivateKey(alias);
        }
    }

    /**
     * {@code insecure-skip-tls-verify}: any server certificate, and no host name check (an
     * X509ExtendedTrustManager is not wrapped by the JDK's endpoint identification).
     */
    private static final class TrustAnything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /**
     * client-go's cachingTokenSource over a fileTokenSource: the trimmed file content, kept until one
     * period after the read minus the leeway; when a re-read fails the last token stays in use.
     */
    static final class CachedFileToken {
        private final Path path;
        private final Clock clock;
        private String token;
        private Instant expiry = Instant.MIN;

        CachedFileToken(Path path, Clock clock) {
            this.path = path;
            this.clock = clock;
        }

        synchronized String token() {
            if (token != null && clock.instant().isBefore(expiry.minus(TOKEN_LEEWAY))) {
                return token;
            }
            try {
                return read();
            } catch (IOException | IllegalStateException e) {
                if (token != null) {
                    log.warn("Unable to rotate token: {}", e.getMessage());
                } else {
                    log.warn("{}", e.getMessage());
                }
                return token;
            }
        }

        /** Reads the file now; IllegalStateException for an empty one. */
        synchronized String read() throws IOException {
            String t;
            try {
                t = Files.readString(path).trim();
            } catch (IOException e) {
                throw new IOException("failed to read token file \"" + path + "\": " + e, e);
            }
            if (t.isEmpty()) {
                throw new IllegalStateException("read empty token from file \"" + path + "\"");
            }
            token = t;
            expiry = clock.instant().plus(TOKEN_FILE_PERIOD);
            return t;
        }
    }
}
