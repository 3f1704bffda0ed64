package io.kube4j.kubelet.certificate;

import io.kube4j.api.CertificateSigningRequest;
import io.kube4j.api.ConfigMap;
import io.kube4j.bootstrap.BootstrapTokens;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.client.Kubeconfig;
import io.kube4j.json.Json;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Kubelet TLS bootstrapping with a bootstrap token, as {@code kubeadm join} and the kubelet do it together: with only the
 * apiserver URL, a bootstrap token {@code <id>.<secret>} and the cluster CA's public key hash, the kubelet
 *
 * <ol>
 *   <li>reads {@code kube-public/cluster-info} anonymously over TLS without verifying the server, verifies the
 *       {@code jws-kubeconfig-<token-id>} signature the controller-manager's bootstrap signer put there with the token, takes
 *       the CA from its kubeconfig and checks it against the pinned hash, then reads the ConfigMap again trusting that CA and requires the
 *       same content (kubeadm's {@code discovery/token/token.go});</li>
 *   <li>writes {@code bootstrap-kubeconfig} (that CA, the token), creates a CertificateSigningRequest for
 *       {@code system:node:<node>} with a new ECDSA key kept in {@code kubelet-client.key.tmp} until it is issued, and waits
 *       until it is approved and issued (client-go's {@code csr.RequestCertificate} / {@code WaitForCertificate});</li>
 *   <li>writes {@code kubelet-client.crt}, {@code kubelet-client.key} and {@code kubeconfig} (cluster {@code default-cluster},
 *       user {@code default-auth}, context {@code default-context}, as {@code writeKubeconfigFromBootstrapping}) into the
 *       cert dir, removes {@code bootstrap-kubeconfig} (kubeadm join removes {@code bootstrap-kubelet.conf}) and runs with them.</li>
 * </ol>
 *
 * <p>When {@code kubeconfig} already exists with a client certificate that has not expired, it is used as is and nothing is
 * requested (bootstrap.go {@code LoadClientCert}'s short-circuit). Kubernetes: {@code pkg/kubelet/certificate/bootstrap/bootstrap.go},
 * {@code cmd/kubeadm/app/discovery/token/token.go}, {@code cmd/kubeadm/app/util/pubkeypin}. Not done: certificate rotation.
 */
public final class TlsBootstrap {
    /** bootstrapapi.BootstrapTokenPattern. */
    public static final Pattern TOKEN = Pattern.compile("^([a-z0-9]{6})\\.([a-z0-9]{16})$");
    /** The files written into the cert dir. */
    public static final String KUBECONFIG = "kubeconfig";
    public static final String BOOTSTRAP_KUBECONFIG = "bootstrap-kubeconfig";
    public static final String CLIENT_CERT = "kubelet-client.crt";
    public static final String CLIENT_KEY = "kubelet-client.key";
    /** The cluster CA from cluster-info, once verified (kubeadm's {@code pki/ca.crt}). */
    public static final String CA_CERT = "ca.crt";
    /** bootstrap.go tmpPrivateKeyFile: the key of a request not yet issued, reused by the next start. */
    public static final String PENDING_KEY = "kubelet-client.key.tmp";
    private static final Logger log = LoggerFactory.getLogger(TlsBootstrap.class);

    /**
     * What the join needs.
     *
     * @param apiServerUrl              the apiserver's https URL (the first of a comma-separated list is asked)
     * @param token                     the bootstrap token {@code <id>.<secret>}
     * @param caCertHashes              pins {@code sha256:<hex>} of the cluster CA's public key (kubeadm's
     *                                  {@code --discovery-token-ca-cert-hash})
     * @param unsafeSkipCaVerification  trust the CA cluster-info names without a pin ({@code --discovery-token-unsafe-skip-ca-verification})
     * @param certDir                   where the credential is written
     * @param nodeName                  the Node's name, the certificate's {@code system:node:<name>}
     * @param discoveryTimeout          how long cluster-info is retried (kubeadm's discovery timeout, 5 min)
     * @param certificateTimeout        how long to wait for the certificate (bootstrap.go: 3600 s)
     */
    public record Settings(String apiServerUrl, String token, List<String> caCertHashes, boolean unsafeSkipCaVerification,
                           Path certDir, String nodeName, Duration discoveryTimeout, Duration certificateTimeout) {
    }

    private final Settings settings;
    // makes the API clients: a kubeconfig file -> a client of the apiserver URL with it (tests substitute fakes)
    private final Function<Path, ApiClient> clients;
    private final Clock clock;
    // kubeadm's DiscoveryRetryInterval is 5 s; the CSR is polled every second
    private final Duration discoveryRetry;
    private final Duration certificatePoll;

    public TlsBootstrap(Settings settings) {
        this(settings, file -> new ApiClient(first(settings.apiServerUrl()), "kubelet/kube4j (bootstrap)", Kubeconfig.load(file)),
                Clock.systemUTC(), Duration.ofSeconds(5), Duration.ofSeconds(1));
    }

    TlsBootstrap(Settings settings, Function<Path, ApiClient> clients, Clock clock, Duration discoveryRetry, Duration certificatePoll) {
        this.settings = settings;
        this.clients = clients;
        this.clock = clock;
        this.discoveryRetry = discoveryRetry;
        this.certificatePoll = certificatePoll;
    }

    /**
     * Makes sure {@code <cert-dir>/kubeconfig} holds a valid client credential, bootstrapping one when it does not.
     *
     * @return the kubeconfig to run with
     * @throws IllegalArgumentException for a malformed token or pin, or a missing pin without the unsafe skip
     * @throws IllegalStateException    when the apiserver's CA does not match the pin, the request is denied or failed, or
     *                                  no certificate came in time; the message says which, in kubeadm's and client-go's words
     */
    public Path loadClientCert() {
        Path kubeconfig = settings.certDir().resolve(KUBECONFIG);
        if (isClientConfigStillValid(kubeconfig)) {
            log.info("Kubeconfig exists and is valid, skipping bootstrap (path {})", kubeconfig);
            return kubeconfig;
        }
        if (!TOKEN.matcher(settings.token()).matches()) {
            throw new IllegalArgumentException("the bootstrap token \"" + settings.token() + "\" was not of the form \"" + TOKEN.pattern() + "\"");
        }
        PublicKeyPins pins = new PublicKeyPins();
        try {
            pins.allow(settings.caCertHashes().toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid discovery token CA certificate hash: " + e.getMessage(), e);
        }
        if (pins.isEmpty() && !settings.unsafeSkipCaVerification()) {
            // kubeadm's ValidateDiscoveryBootstrapToken, in kube4j's property names
            throw new IllegalArgumentException("using token-based discovery without caCertHashes can be unsafe. Set"
                    + " kube4j.kubelet.discovery-token-ca-cert-hash to the cluster CA's hash, or pass"
                    + " --kube4j.kubelet.discovery-token-unsafe-skip-ca-verification=true to continue");
        }
        try {
            Files.createDirectories(settings.certDir());
            String caPem = discoverClusterCa(pins);
            // the verified cluster CA, for the kubelet server's client-ca-file (kubeadm join writes /etc/kubernetes/pki/ca.crt)
            write(settings.certDir().resolve(CA_CERT), caPem, false);
            Path bootstrapKubeconfig = settings.certDir().resolve(BOOTSTRAP_KUBECONFIG);
            write(bootstrapKubeconfig, kubeconfigYaml(caPem, "user:\n    token: \"" + settings.token() + "\"\n"), true);
            KeyPair key = loadOrGenerateKey(settings.certDir().resolve(PENDING_KEY));
            String certificatePem = requestNodeCertificate(clients.apply(bootstrapKubeconfig), key);
            Path crt = settings.certDir().resolve(CLIENT_CERT);
            Path keyFile = settings.certDir().resolve(CLIENT_KEY);
            write(keyFile, NodeCertificateRequest.privateKeyPem(key), true);
            write(crt, certificatePem, false);
            Files.deleteIfExists(settings.certDir().resolve(PENDING_KEY));
            write(kubeconfig, kubeconfigYaml(caPem, "user:\n    client-certificate: " + crt.toAbsolutePath() + "\n    client-key: "
                    + keyFile.toAbsolutePath() + "\n"), true);
            // kubeadm join removes bootstrap-kubelet.conf once the kubelet has its own credential: the token must not stay on disk
            Files.deleteIfExists(bootstrapKubeconfig);
            log.info("Wrote the kubelet's client credential for system:node:{} to {}", settings.nodeName(), kubeconfig);
            return kubeconfig;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the kubelet credential into " + settings.certDir() + ": " + e, e);
        }
    }

    /** bootstrap.go isClientConfigStillValid: a kubeconfig that loads and whose client certificates have not expired. */
    boolean isClientConfigStillValid(Path kubeconfig) {
        if (!Files.exists(kubeconfig)) {
            return false;
        }
        try {
            Kubeconfig.load(kubeconfig);
            JsonNode root = Json.yaml().readTree(Files.readString(kubeconfig));
            String certFile = root.path("users").path(0).path("user").path("client-certificate").asString("");
            if (certFile.isEmpty()) {
                log.warn("unable to read TLS certificates from existing bootstrap client config read from {}", kubeconfig);
                return false;
            }
            for (X509Certificate cert : parseCertificates(Files.readString(Path.of(certFile)))) {
                if (clock.instant().isAfter(cert.getNotAfter().toInstant())) {
                    log.warn("part of the existing bootstrap client certificate in {} is expired: {}", kubeconfig, cert.getNotAfter().toInstant());
                    return false;
                }
            }
            return true;
        } catch (RuntimeException | IOException e) {
            log.warn("unable to read existing bootstrap client config from {}: {}", kubeconfig, e.getMessage());
            return false;
        }
    }

    /**
     * kubeadm's retrieveValidatedConfigInfo: cluster-info read without TLS verification, its JWS signature for the token
     * verified (also when no pin is given), the CA it names checked against the pins, then cluster-info read again over TLS
     * verified with that CA and compared.
     */
    String discoverClusterCa(PublicKeyPins pins) throws IOException {
        Path insecure = Files.createTempFile(settings.certDir(), "discovery", ".kubeconfig");
        String insecureKubeconfig;
        try {
            Files.writeString(insecure, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: kubernetes
                      cluster:
                        server: %s
                        insecure-skip-tls-verify: true
                    contexts:
                    - name: token-bootstrap-client@kubernetes
                      context: {cluster: kubernetes, user: token-bootstrap-client}
                    current-context: token-bootstrap-client@kubernetes
                    users:
                    - name: token-bootstrap-client
                      user: {}
                    """.formatted(first(settings.apiServerUrl())));
            insecureKubeconfig = clusterInfoKubeconfig(clients.apply(insecure));
        } finally {
            Files.deleteIfExists(insecure);
        }
        String caPem = certificateAuthority(insecureKubeconfig);
        if (pins.isEmpty()) {
            log.info("[discovery] Cluster info signature and contents are valid and no TLS pinning was specified, will use API Server {}", settings.apiServerUrl());
            return caPem;
        }
        try {
            pins.checkAny(parseCertificates(caPem));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("couldn't validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: "
                    + e.getMessage(), e);
        }
        Path secure = Files.createTempFile(settings.certDir(), "discovery", ".kubeconfig");
        try {
            Files.writeString(secure, kubeconfigYaml(caPem, "user: {}\n"));
            String secureKubeconfig = clusterInfoKubeconfig(clients.apply(secure));
            if (!secureKubeconfig.equals(insecureKubeconfig)) {
                throw new IllegalStateException("the second kubeconfig from the cluster-info ConfigMap (using validated TLS) was different from the first");
            }
        } finally {
            Files.deleteIfExists(secure);
        }
        log.info("[discovery] Cluster info signature and contents are valid and TLS certificate validates against pinned roots, will use API Server {}",
                settings.apiServerUrl());
        return caPem;
    }

    /**
     * The {@code kubeconfig} of kube-public/cluster-info, retried until the discovery timeout also while the ConfigMap has no
     * {@code jws-kubeconfig-<token-id>} yet (the bootstrap signer adds it a moment after the token appears): kubeadm's
     * getClusterInfo. Then the detached signature is checked with the token (validateClusterInfoToken).
     */
    private String clusterInfoKubeconfig(ApiClient client) {
        String tokenId = tokenId();
        Instant deadline = clock.instant().plus(settings.discoveryTimeout());
        RuntimeException last;
        while (true) {
            try {
                ConfigMap cm = client.get(ConfigMap.class, BootstrapTokens.CLUSTER_INFO_NAMESPACE, BootstrapTokens.CLUSTER_INFO);
                if (cm.data != null && cm.data.containsKey(BootstrapTokens.JWS_SIGNATURE_KEY_PREFIX + tokenId)) {
                    return validateClusterInfoToken(cm);
                }
                last = new IllegalStateException("couldn't validate the identity of the API Server: could not find a JWS signature in the"
                        + " cluster-info ConfigMap for token ID \"" + tokenId + "\"");
            } catch (ApiException e) {
                last = new IllegalStateException("failed to request the cluster-info ConfigMap: " + e.getMessage(), e);
            }
            log.info("[discovery] Retrying due to error: {}", last.getMessage());
            if (!clock.instant().plus(discoveryRetry).isBefore(deadline)) {
                throw last;
            }
            sleep(discoveryRetry);
        }
    }

    /** kubeadm's validateClusterInfoToken: the kubeconfig, its signature for the token, and that signature verified. */
    private String validateClusterInfoToken(ConfigMap cm) {
        String kubeconfig = cm.data.get(BootstrapTokens.KUBECONFIG_KEY);
        if (kubeconfig == null || kubeconfig.isEmpty()) {
            throw new IllegalStateException("couldn't validate the identity of the API Server: there is no kubeconfig key in the cluster-info"
                    + " ConfigMap. This API Server isn't set up for token bootstrapping, can't connect");
        }
        String tokenId = tokenId();
        String detached = cm.data.get(BootstrapTokens.JWS_SIGNATURE_KEY_PREFIX + tokenId);
        if (detached == null || detached.isEmpty()) {
            throw new IllegalStateException("couldn't validate the identity of the API Server: token id \"" + tokenId + "\" is invalid for this"
                    + " cluster or it has expired. Use \"kubeadm token create\" on the control-plane node to create a new valid token");
        }
        if (!BootstrapTokens.detachedTokenIsValid(detached, kubeconfig, tokenId, settings.token().substring(tokenId.length() + 1))) {
            throw new IllegalStateException("couldn't validate the identity of the API Server: failed to verify JWS signature of received"
                    + " cluster info object, can't trust this API Server");
        }
        return kubeconfig;
    }

    private String tokenId() {
        return settings.token().substring(0, settings.token().indexOf('.'));
    }

    /** The {@code certificate-authority-data} of the (first) cluster of a kubeconfig, as PEM. */
    static String certificateAuthority(String kubeconfig) {
        JsonNode root = Json.yaml().readTree(kubeconfig);
        String data = null;
        for (JsonNode cluster : root.path("clusters")) {
            data = cluster.path("cluster").path("certificate-authority-data").asString(null);
        }
        if (data == null || data.isEmpty()) {
            throw new IllegalStateException("failed to parse cluster CA from the cluster-info ConfigMap: no certificate-authority-data");
        }
        return new String(Base64.getMimeDecoder().decode(data), StandardCharsets.US_ASCII);
    }

    /**
     * Creates the CSR (or finds the one an earlier start created for the same key) and waits until it is issued
     * (bootstrap.go requestNodeCertificate, client-go csr.RequestCertificate and WaitForCertificate).
     */
    String requestNodeCertificate(ApiClient client, KeyPair key) {
        NodeCertificateRequest request = new NodeCertificateRequest(settings.nodeName());
        CertificateSigningRequest csr = new CertificateSigningRequest();
        csr.metadata.name = request.name(key.getPublic());
        csr.spec.setRequestPem(request.csrPem(key));
        csr.spec.signerName = NodeCertificateRequest.SIGNER_NAME;
        csr.spec.usages = new ArrayList<>(NodeCertificateRequest.USAGES);
        CertificateSigningRequest created;
        try {
            created = client.create(csr);
            log.info("Created certificate signing request {} for system:node:{}", created.metadata.name, settings.nodeName());
        } catch (ApiException e) {
            if (e.code() != 409) {
                throw new IllegalStateException("cannot create certificate signing request: " + e.getMessage(), e);
            }
            log.info("csr for this node already exists, reusing");
            created = client.get(CertificateSigningRequest.class, null, csr.metadata.name);
            ensureCompatible(created, key);
        }
        return waitForCertificate(client, created);
    }

    /** client-go ensureCompatible: same signer, and the request was signed with this key. */
    private static void ensureCompatible(CertificateSigningRequest existing, KeyPair key) {
        if (!NodeCertificateRequest.SIGNER_NAME.equals(existing.spec.signerName)) {
            throw new IllegalStateException("retrieved csr is not compatible: csr signerNames differ: new \"" + existing.spec.signerName
                    + "\", orig: \"" + NodeCertificateRequest.SIGNER_NAME + "\"");
        }
        try (PEMParser parser = new PEMParser(new StringReader(existing.spec.requestPem()))) {
            PKCS10CertificationRequest request = (PKCS10CertificationRequest) parser.readObject();
            if (!java.util.Arrays.equals(request.getSubjectPublicKeyInfo().getEncoded(), key.getPublic().getEncoded())) {
                throw new IllegalStateException("retrieved csr is not compatible: error validating signature new CSR against old key");
            }
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("retrieved csr is not compatible: unable to parse new csr: " + e.getMessage(), e);
        }
    }

    private String waitForCertificate(ApiClient client, CertificateSigningRequest created) {
        String name = created.metadata.name;
        Instant deadline = clock.instant().plus(settings.certificateTimeout());
        boolean approvedLogged = false;
        while (true) {
            CertificateSigningRequest csr;
            try {
                csr = client.get(CertificateSigningRequest.class, null, name);
            } catch (ApiException e) {
                if (e.isNotFound()) {
                    throw new IllegalStateException("cannot watch on the certificate signing request: csr \"" + name + "\" was deleted", e);
                }
                log.info("Waiting for certificate signing request {}: {}", name, e.getMessage());
                csr = null;
            }
            if (csr != null) {
                if (created.metadata.uid != null && !created.metadata.uid.equals(csr.metadata.uid)) {
                    throw new IllegalStateException("cannot watch on the certificate signing request: csr \"" + name + "\" changed UIDs");
                }
                boolean approved = false;
                for (var c : csr.status.conditions) {
                    if (CertificateSigningRequest.DENIED.equals(c.type)) {
                        throw new IllegalStateException("cannot watch on the certificate signing request: certificate signing request is denied, reason: "
                                + c.reason + ", message: " + c.message);
                    }
                    if (CertificateSigningRequest.FAILED.equals(c.type)) {
                        throw new IllegalStateException("cannot watch on the certificate signing request: certificate signing request failed, reason: "
                                + c.reason + ", message: " + c.message);
                    }
                    if (CertificateSigningRequest.APPROVED.equals(c.type)) {
                        approved = true;
                    }
                }
                if (approved && csr.status.certificate != null && !csr.status.certificate.isEmpty()) {
                    log.info("certificate signing request {} is issued", name);
                    return csr.status.certificatePem();
                }
                if (approved && !approvedLogged) {
                    log.info("certificate signing request {} is approved, waiting to be issued", name);
                    approvedLogged = true;
                }
            }
            if (!clock.instant().isBefore(deadline)) {
                throw new IllegalStateException("timed out waiting for the client certificate of certificate signing request " + name
                        + " to be issued (is the controller-manager's csrapproving/csrsigning running?)");
            }
            sleep(certificatePoll);
        }
    }

    /** bootstrap.go: the pending key is reused, so a restart before issuance finds its CSR again by name. */
    static KeyPair loadOrGenerateKey(Path file) throws IOException {
        if (Files.exists(file)) {
            try (PEMParser parser = new PEMParser(new StringReader(Files.readString(file)))) {
                if (parser.readObject() instanceof PEMKeyPair pair) {
                    // read back with BouncyCastle's provider, so the key written again keeps curve and public key
                    KeyPair key = new JcaPEMKeyConverter().setProvider(NodeCertificateRequest.PROVIDER).getKeyPair(pair);
                    NodeCertificateRequest.privateKeyPem(key);
                    return key;
                }
            } catch (IOException | RuntimeException e) {
                log.warn("cannot reuse the pending key {}, making a new one: {}", file, e.getMessage());
            }
        }
        KeyPair key = NodeCertificateRequest.generateKey();
        write(file, NodeCertificateRequest.privateKeyPem(key), true);
        return key;
    }

    /** A kubeconfig with the cluster (server, CA) and the given user stanza (indented under {@code - name: default-auth}). */
    private String kubeconfigYaml(String caPem, String userStanza) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: default-cluster
                  cluster:
                    certificate-authority-data: %s
                    server: %s
                contexts:
                - name: default-context
                  context:
                    cluster: default-cluster
                    namespace: default
                    user: default-auth
                current-context: default-context
                preferences: {}
                users:
                - name: default-auth
                  %s""".formatted(Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII)),
                first(settings.apiServerUrl()), userStanza);
    }

    static List<X509Certificate> parseCertificates(String pem) {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalStateException("failed to parse cluster CA from the cluster-info ConfigMap: no certificate");
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalStateException("failed to parse certificates: " + e.getMessage(), e);
        }
    }

    private static String first(String urls) {
        return urls.split(",")[0].trim();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while bootstrapping the kubelet's credential", e);
        }
    }

    private static void write(Path file, String content, boolean secret) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".writing");
        Files.writeString(tmp, content);
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's permissions have to do
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
