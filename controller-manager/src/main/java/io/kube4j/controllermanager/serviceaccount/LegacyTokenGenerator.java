package io.kube4j.controllermanager.serviceaccount;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.kube4j.api.Secret;
import io.kube4j.api.ServiceAccount;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

/**
 * Signs legacy (Secret-based) ServiceAccount tokens: Kubernetes' {@code serviceaccount.JWTTokenGenerator}
 * with {@code LegacyIssuer} ({@code pkg/serviceaccount/jwt.go}) over {@code LegacyClaims}
 * ({@code pkg/serviceaccount/legacy.go}). The JWS is RS256 with header {@code kid} = the unpadded base64url
 * SHA-256 of the PKIX encoding of the public key ({@code keyIDFromPublicKey}), and the claims are exactly
 * {@code iss} ({@value #LEGACY_ISSUER}), {@code sub} ({@code system:serviceaccount:<ns>:<name>}) and the four
 * private claims {@code kubernetes.io/serviceaccount/namespace}, {@code .../secret.name},
 * {@code .../service-account.name} and {@code .../service-account.uid}; no expiry: such a token lives as long
 * as its Secret.
 */
public final class LegacyTokenGenerator {
    /** {@code serviceaccount.LegacyIssuer}. */
    public static final String LEGACY_ISSUER = "kubernetes/serviceaccount";
    public static final String NAMESPACE_CLAIM = "kubernetes.io/serviceaccount/namespace";
    public static final String SECRET_NAME_CLAIM = "kubernetes.io/serviceaccount/secret.name";
    public static final String SERVICE_ACCOUNT_NAME_CLAIM = "kubernetes.io/serviceaccount/service-account.name";
    public static final String SERVICE_ACCOUNT_UID_CLAIM = "kubernetes.io/serviceaccount/service-account.uid";

    private final RSASSASigner signer;
    private final String keyId;

    /**
     * @param privateKey an RSA private key with CRT parameters (what PKCS#1 and PKCS#8 PEM files hold)
     * @throws IllegalArgumentException for another kind of key
     */
    public LegacyTokenGenerator(PrivateKey privateKey) {
        if (!(privateKey instanceof RSAPrivateCrtKey rsa)) {
            throw new IllegalArgumentException("the ServiceAccount private key must be an RSA key, got " + privateKey.getAlgorithm());
        }
        this.signer = new RSASSASigner(rsa);
        this.keyId = keyId(publicKey(rsa));
    }

    /**
     * Reads {@code --service-account-private-key-file}: a PEM RSA private key (PKCS#1 {@code RSA PRIVATE KEY}
     * or PKCS#8 {@code PRIVATE KEY}), as kubeadm's and kube4j's {@code sa.key}.
     *
     * @throws IOException when the file cannot be read or holds no private key
     */
    public static LegacyTokenGenerator fromPemFile(Path file) throws IOException {
        return new LegacyTokenGenerator(readPrivateKey(Files.readString(file), file.toString()));
    }

    static PrivateKey readPrivateKey(String pem, String what) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        }
        throw new IOException("no private key found in " + what);
    }

    /** The public half of an RSA key, for the key id. */
    static PublicKey publicKey(RSAPrivateCrtKey key) {
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code keyIDFromPublicKey}: unpadded base64url of the SHA-256 of the PKIX (DER) public key. */
    static String keyId(PublicKey key) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code LegacyClaims(serviceAccount, secret)} with the generator's issuer. */
    public static JWTClaimsSet legacyClaims(ServiceAccount serviceAccount, Secret secret) {
        String ns = serviceAccount.metadata.namespace;
        return new JWTClaimsSet.Builder()
                .issuer(LEGACY_ISSUER)
                .subject("system:serviceaccount:" + ns + ":" + serviceAccount.metadata.name)
                .claim(NAMESPACE_CLAIM, ns)
                .claim(SECRET_NAME_CLAIM, secret.metadata.name)
                .claim(SERVICE_ACCOUNT_NAME_CLAIM, serviceAccount.metadata.name)
                .claim(SERVICE_ACCOUNT_UID_CLAIM, serviceAccount.metadata.uid == null ? "" : serviceAccount.metadata.uid)
                .build();
    }

    /** {@code GenerateToken(LegacyClaims(serviceAccount, secret))}: the compact JWS. */
    public String generateToken(ServiceAccount serviceAccount, Secret secret) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keyId).build(), legacyClaims(serviceAccount, secret));
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a ServiceAccount token", e);
        }
        return jwt.serialize();
    }
}
