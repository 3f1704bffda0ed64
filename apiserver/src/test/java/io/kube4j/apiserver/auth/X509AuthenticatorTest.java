package io.kube4j.apiserver.auth;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class X509AuthenticatorTest {
    static X509Certificate ca;
    static KeyPair caKeys;
    static KeyPair client;
    static X509Authenticator auth;

    @BeforeAll
    static void ca() throws Exception {
        caKeys = Pki.rsa();
        ca = Pki.selfSignedCa(caKeys);
        client = Pki.rsa();
        auth = new X509Authenticator(List.of(ca), Clock.systemUTC());
    }

    static X509Certificate cert(X509Certificate issuer, KeyPair issuerKeys, String cn, List<String> groups, Instant from, Instant to, boolean server) throws Exception {
        return Pki.sign(issuer, issuerKeys.getPrivate(), client.getPublic(), Pki.subject(cn, groups), from, to, server, List.of());
    }

    @Test
    void commonNameIsTheUserAndOrganizationsAreTheGroups() throws Exception {
        X509Certificate c = cert(ca, caKeys, "jane", List.of("dev", "ops"), Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600), false);
        MockHttpServletRequest req = new MockHttpServletRequest();
        req.setAttribute(X509Authenticator.CERTIFICATES, new X509Certificate[]{c});
        assertThat(auth.authenticate(req)).contains(new UserInfo("jane", "", List.of("dev", "ops"), Map.of()));
    }

    @Test
    void noCertificateIsNotThisAuthenticators() {
        assertThat(auth.authenticate(new MockHttpServletRequest())).isEmpty();
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        KeyPair otherKeys = Pki.rsa();
        X509Certificate other = Pki.selfSignedCa(otherKeys);
        X509Certificate c = cert(other, otherKeys, "mallory", List.of("system:masters"), Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600), false);
        assertThatThrownBy(() -> auth.authenticate(List.of(c)))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> {
                    assertThat(e.code()).isEqualTo(401);
                    assertThat(e.status().message).isEqualTo("Unauthorized");
                    assertThat(e.reason()).contains("x509: certificate signed by unknown authority");
                });
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        X509Certificate c = cert(ca, caKeys, "jane", List.of(), Instant.now().minus(Duration.ofDays(2)), Instant.now().minus(Duration.ofDays(1)), false);
        assertThatThrownBy(() -> auth.authenticate(List.of(c)))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> assertThat(e.reason()).contains("x509: certificate has expired or is not yet valid"));
    }

    @Test
    void aServerOnlyCertificateIsRefusedForClientAuthentication() throws Exception {
        X509Certificate c = cert(ca, caKeys, "kube-apiserver", List.of(), Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600), true);
        assertThatThrownBy(() -> auth.authenticate(List.of(c)))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> assertThat(e.reason()).contains("incompatible key usage"));
    }

    @Test
    void aCertificateWithoutCommonNameIsIgnored() throws Exception {
        X509Certificate c = cert(ca, caKeys, "", List.of("dev"), Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600), false);
        assertThat(auth.authenticate(List.of(c))).isEmpty();
    }

    @Test
    void aRememberedChainIsStillRefusedOnceItExpiresAndAnotherCasChainIsNeverTakenForIt() throws Exception {
        Instant now = Instant.parse("2026-12-01T12:00:00Z");
        java.util.concurrent.atomic.AtomicReference<Instant> time = new java.util.concurrent.atomic.AtomicReference<>(now);
        Clock moving = new Clock() {
            public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
            public Clock withZone(java.time.ZoneId zone) { return this; }
            public Instant instant() { return time.get(); }
        };
        X509Authenticator a = new X509Authenticator(List.of(ca), moving);
        X509Certificate c = cert(ca, caKeys, "node-1", List.of("system:nodes"), now.minusSeconds(60), now.plusSeconds(3600), false);

        assertThat(a.authenticate(List.of(c))).contains(new UserInfo("node-1", "", List.of("system:nodes"), Map.of()));
        // the second time from the remembered chain: the same user
        assertThat(a.authenticate(List.of(c))).contains(new UserInfo("node-1", "", List.of("system:nodes"), Map.of()));

        time.set(now.plusSeconds(7200));
        assertThatThrownBy(() -> a.authenticate(List.of(c)))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> assertThat(e.reason()).contains("x509: certificate has expired or is not yet valid"));

        // same subject and key, another issuer: not the remembered chain
        time.set(now);
        KeyPair otherKeys = Pki.rsa();
        X509Certificate other = Pki.selfSignedCa(otherKeys);
        X509Certificate forged = cert(other, otherKeys, "node-1", List.of("system:nodes"), now.minusSeconds(60), now.plusSeconds(3600), false);
        assertThatThrownBy(() -> a.authenticate(List.of(forged)))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> assertThat(e.reason()).contains("x509: certificate signed by unknown authority"));
    }
}
