package io.kube4j.apiserver.auth;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * X.509 client certificates (Kubernetes' {@code x509.Authenticator} with {@code CommonNameUserConversion},
 * k8s.io/apiserver/pkg/authentication/request/x509/x509.go). The TLS handshake requests a certificate but
 * accepts any (as Go's {@code tls.RequestClientCert}); the check is here, so an untrusted, expired or
 * wrong-purpose certificate is a 401 Status rather than a failed handshake.
 *
 * <p>No certificate: not this authenticator's. A certificate must chain to the cluster CA, be within its
 * validity and allow client authentication (no extended key usage, or clientAuth, or any), else 401. The
 * user is the subject's CN and the groups its O values, in order; a certificate without a CN is ignored
 * (Kubernetes returns "not handled" for it).
 *
 * <p>A chain that passed the PKIX check is remembered (up to {@value #VERIFIED_CHAINS} chains), so the next
 * request with it skips that check: its dates and key usage are still checked on every request. Go verifies every
 * request's chain too, but Go's verification is cheap where the JDK's {@code CertPathValidator} costs ~0.5 ms of
 * CPU, which made it ~8% of a secure apiserver's CPU under PodStartupLatencyBenchmark (every kubelet, controller and
 * scheduler request carries a client certificate). The trusted CAs never change for one instance, so a remembered
 * chain stays valid for it.
 */
public final class X509Authenticator implements Authenticator {
    private static final Logger log = LoggerFactory.getLogger(X509Authenticator.class);
    /** The servlet attribute holding the client's certificate chain, leaf first. */
    static final String CERTIFICATES = "jakarta.servlet.request.X509Certificate";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_USAGE = "2.5.29.37.0";

    /** How many verified chains are remembered (one per client certificate: nodes, components, users). */
    static final int VERIFIED_CHAINS = 4096;

    private final Set<TrustAnchor> roots;
    private final Clock clock;
    private final Set<List<X509Certificate>> verified = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Trusts client certificates issued by any of {@code cas}. */
    public X509Authenticator(List<X509Certificate> cas, Clock clock) {
        this.roots = Set.copyOf(cas.stream().map(c -> new TrustAnchor(c, null)).toList());
        this.clock = clock;
    }

    @Override
    public Optional<UserInfo> authenticate(HttpServletRequest request) {
        if (!(request.getAttribute(CERTIFICATES) instanceof X509Certificate[] chain) || chain.length == 0) {
            return Optional.empty();
        }
        return authenticate(Arrays.asList(chain));
    }

    /** Verifies {@code chain} (leaf first) and maps it to a user; see the class comment. */
    public Optional<UserInfo> authenticate(List<X509Certificate> chain) {
        X509Certificate leaf = chain.getFirst();
        try {
            verify(chain);
        } catch (GeneralSecurityException e) {
            String why = "verifying certificate SN=" + leaf.getSerialNumber() + ", subject=" + leaf.getSubjectX500Principal().getName() + " failed: " + e.getMessage();
            log.debug("x509: {}", why);
            throw new AuthenticationFailure(why);
        }
        String cn = null;
        List<String> groups = new ArrayList<>();
        for (var rdn : org.bouncycastle.asn1.x500.X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded()).getRDNs()) {
            for (var atv : rdn.getTypesAndValues()) {
                String value = org.bouncycastle.asn1.x500.style.IETFUtils.valueToString(atv.getValue());
                if (atv.getType().equals(org.bouncycastle.asn1.x500.style.BCStyle.CN)) {
                    cn = value;
                } else if (atv.getType().equals(org.bouncycastle.asn1.x500.style.BCStyle.O)) {
                    groups.add(value);
                }
            }
        }
        if (cn == null || cn.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new UserInfo(cn, "", groups, Map.of()));
    }

    private void verify(List<X509Certificate> chain) throws GeneralSecurityException {
        X509Certificate leaf = chain.getFirst();
        Date now = Date.from(clock.instant());
        // checked first, with Go's words, so an expired certificate says so even when its chain is fine
        if (now.after(leaf.getNotAfter()) || now.before(leaf.getNotBefore())) {
            throw new GeneralSecurityException("x509: certificate has expired or is not yet valid");
        }
        List<String> eku = leaf.getExtendedKeyUsage();
        if (eku != null && !eku.contains(CLIENT_AUTH) && !eku.contains(ANY_USAGE)) {
            throw new GeneralSecurityException("x509: certificate specifies an incompatible key usage");
        }
        if (verified.contains(chain) && withinValidity(chain, now)) {
            return;
        }
        PKIXParameters params = new PKIXParameters(roots);
        params.setRevocationEnabled(false);
        params.setDate(now);
        try {
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
        } catch (java.security.cert.CertPathValidatorException e) {
            throw new GeneralSecurityException("x509: certificate signed by unknown authority", e);
        }
        if (verified.size() >= VERIFIED_CHAINS) {
            // a bound, not an LRU: many more clients than this only cost the check again
            verified.clear();
        }
        verified.add(List.copyOf(chain));
    }

    // the dates PKIX checks on every certificate of the chain (the leaf's were checked above, with Go's words)
    private static boolean withinValidity(List<X509Certificate> chain, Date now) {
        for (X509Certificate c : chain) {
            if (now.after(c.getNotAfter()) || now.before(c.getNotBefore())) {
                return false;
            }
        }
        return true;
    }
}
