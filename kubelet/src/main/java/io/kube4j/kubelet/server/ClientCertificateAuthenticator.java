package io.kube4j.kubelet.server;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * X.509 client certificates against the kubelet's {@code clientCAFile} (Kubernetes' {@code x509.Authenticator} with
 * {@code CommonNameUserConversion}, {@code k8s.io/apiserver/pkg/authentication/request/x509}, which the kubelet
 * builds in {@code cmd/kubelet/app/auth.go}): the TLS handshake requests a certificate without requiring or checking
 * it; here a presented certificate must be within its validity, allow client authentication and chain to one of
 * the CAs, else the request fails authentication (401). The user is the CN and the groups the O values, plus
 * {@code system:authenticated} as Kubernetes' authenticator union adds it. A certificate without a CN is ignored.
 */
public final class ClientCertificateAuthenticator {
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_USAGE = "2.5.29.37.0";

    private final Set<TrustAnchor> roots;
    private final Clock clock;

    /** Trusts client certificates issued by any of {@code cas} (at least one). */
    public ClientCertificateAuthenticator(List<X509Certificate> cas, Clock clock) {
        if (cas.isEmpty()) {
            throw new IllegalArgumentException("no CA certificate to check client certificates against");
        }
        this.roots = Set.copyOf(cas.stream().map(c -> new TrustAnchor(c, null)).toList());
        this.clock = clock;
    }

    /**
     * The user of {@code chain} (leaf first); empty when it names no one (no CN).
     *
     * @throws GeneralSecurityException with Go's wording when the certificate is not acceptable
     */
    public Optional<User> authenticate(List<X509Certificate> chain) throws GeneralSecurityException {
        X509Certificate leaf = chain.getFirst();
        Date now = Date.from(clock.instant());
        if (now.after(leaf.getNotAfter()) || now.before(leaf.getNotBefore())) {
            throw new GeneralSecurityException("x509: certificate has expired or is not yet valid");
        }
        List<String> eku = leaf.getExtendedKeyUsage();
        if (eku != null && !eku.contains(CLIENT_AUTH) && !eku.contains(ANY_USAGE)) {
            throw new GeneralSecurityException("x509: certificate specifies an incompatible key usage");
        }
        PKIXParameters params = new PKIXParameters(roots);
        params.setRevocationEnabled(false);
        params.setDate(now);
        try {
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
        } catch (java.security.cert.CertPathValidatorException e) {
            throw new GeneralSecurityException("x509: certificate signed by unknown authority", e);
        }
        String cn = null;
        List<String> groups = new ArrayList<>();
        try {
            // getRdns() lists the subject in its encoded order (the reverse of the RFC 2253 string): O values as issued
            List<Rdn> rdns = new ArrayList<>(new LdapName(leaf.getSubjectX500Principal().getName()).getRdns());
            for (Rdn rdn : rdns) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    cn = rdn.getValue().toString();
                } else if (rdn.getType().equalsIgnoreCase("O")) {
                    groups.add(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            throw new GeneralSecurityException("x509: unreadable subject " + leaf.getSubjectX500Principal(), e);
        }
        if (cn == null || cn.isEmpty()) {
            return Optional.empty();
        }
        groups.add("system:authenticated");
        return Optional.of(new User(cn, groups));
    }
}
