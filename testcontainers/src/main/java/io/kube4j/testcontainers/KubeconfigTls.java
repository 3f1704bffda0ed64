package io.kube4j.testcontainers;

import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The parts of a kubeconfig (client-go's {@code clientcmd/api/v1} layout) this module needs: its current
 * context's cluster and user, the server rewritten, and a TLS context trusting the cluster's
 * {@code certificate-authority-data} and presenting the user's {@code client-certificate-data} /
 * {@code client-key-data}. Only embedded ({@code *-data}) credentials are read: the kubeconfigs kube4j writes
 * carry everything inline, as kubeadm's do. Private keys are PEM in any form kubeadm or openssl writes
 * (PKCS#1 {@code RSA PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY}, PKCS#8 {@code PRIVATE KEY}), read with
 * BouncyCastle's PEM parser because the JDK reads only PKCS#8.
 */
final class KubeconfigTls {
    private KubeconfigTls() {
    }

    /**
     * The kubeconfig with every cluster's {@code server} set to {@code server}, the rest kept as it is.
     *
     * @throws IllegalArgumentException when the text is not a kubeconfig with clusters
     */
    @SuppressWarnings("unchecked")
    static String withServer(String kubeconfigYaml, String server) {
        Map<String, Object> config = load(kubeconfigYaml);
        Object clusters = config.get("clusters");
        if (!(clusters instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException("a kubeconfig without clusters");
        }
        for (Object c : list) {
            Map<String, Object> cluster = (Map<String, Object>) ((Map<String, Object>) c).get("cluster");
            cluster.put("server", server);
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(new Representer(options), options).dump(config);
    }

    /** The current context's cluster {@code server}. */
    static String server(String kubeconfigYaml) {
        return (String) current(load(kubeconfigYaml), "cluster").get("server");
    }

    /**
     * A TLS context trusting only the current cluster's CA and presenting the current user's client
     * certificate (none when the user has no {@code client-certificate-data}).
     *
     * @throws IllegalArgumentException when the cluster has no {@code certificate-authority-data} or a PEM block is unreadable
     */
    static SSLContext sslContext(String kubeconfigYaml) {
        Map<String, Object> config = load(kubeconfigYaml);
        Map<String, Object> cluster = current(config, "cluster");
        Map<String, Object> user = current(config, "user");
        try {
            Object caData = cluster.get("certificate-authority-data");
            if (!(caData instanceof String ca)) {
                throw new IllegalArgumentException("the kubeconfig's cluster has no certificate-authority-data");
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certificates(decode(ca))) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (user.get("client-certificate-data") instanceof String certData && user.get("client-key-data") instanceof String keyData) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                char[] password = new char[0];
                keys.setKeyEntry("client", privateKey(decode(keyData)), password, certificates(decode(certData)).toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, password);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("unusable credentials in the kubeconfig: " + e, e);
        }
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.US_ASCII);
    }

    private static List<Certificate> certificates(String pem) throws GeneralSecurityException {
        List<Certificate> out = new ArrayList<>(CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
        if (out.isEmpty()) {
            throw new GeneralSecurityException("no certificate in the PEM data");
        }
        return out;
    }

    private static PrivateKey privateKey(String pem) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IOException("client-key-data is not an unencrypted private key (" + (o == null ? "empty" : o.getClass().getSimpleName()) + ")");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(String yaml) {
        Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("not a kubeconfig");
        }
        return (Map<String, Object>) m;
    }

    /** The {@code cluster} or {@code user} entry the current context names (the first one without a current context). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> current(Map<String, Object> config, String what) {
        String name = null;
        Object currentContext = config.get("current-context");
        if (config.get("contexts") instanceof List<?> contexts) {
            for (Object c : contexts) {
                Map<String, Object> ctx = (Map<String, Object>) c;
                if (currentContext == null || currentContext.equals(ctx.get("name"))) {
                    name = (String) ((Map<String, Object>) ctx.get("context")).get(what);
                    break;
                }
            }
        }
        if (config.get(what + "s") instanceof List<?> entries) {
            for (Object e : entries) {
                Map<String, Object> entry = (Map<String, Object>) e;
                if (name == null || name.equals(entry.get("name"))) {
                    Object body = entry.get(what);
                    return body instanceof Map<?, ?> b ? (Map<String, Object>) b : Map.of();
                }
            }
        }
        throw new IllegalArgumentException("the kubeconfig has no " + what + (name == null ? "" : " named " + name));
    }
}
