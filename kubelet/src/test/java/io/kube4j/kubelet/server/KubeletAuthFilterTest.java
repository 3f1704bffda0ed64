package io.kube4j.kubelet.server;

import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** pkg/kubelet/server/server.go InstallAuthFilter's answers, with the x509 and anonymous authenticators of auth.go. */
class KubeletAuthFilterTest {
    private final TestCertificates cluster = new TestCertificates("kubernetes");
    private final List<RequestAttributes> asked = new ArrayList<>();

    KubeletAuthFilterTest() throws Exception {
    }

    private KubeletAuthFilter filter(boolean anonymous, KubeletAuthorizer authorizer) {
        KubeletAuthorizer recording = a -> {
            asked.add(a);
            return authorizer.authorize(a);
        };
        return new KubeletAuthFilter(new ClientCertificateAuthenticator(List.of(cluster.ca), Clock.systemUTC()), null, anonymous, recording, r -> "node-1");
    }

    private static MockHttpServletResponse call(KubeletAuthFilter filter, MockHttpServletRequest req, MockFilterChain chain) throws Exception {
        MockHttpServletResponse resp = new MockHttpServletResponse();
        filter.doFilter(req, resp, chain);
        return resp;
    }

    private static MockHttpServletRequest request(String method, String path, X509Certificate... certs) {
        MockHttpServletRequest req = new MockHttpServletRequest(method, path);
        if (certs.length > 0) {
            req.setAttribute(KubeletAuthFilter.CERTIFICATES, certs);
        }
        return req;
    }

    @Test
    void aTrustedClientCertificateIsItsCnAndOsAndReachesTheHandler() throws Exception {
        MockFilterChain chain = new MockFilterChain();
        MockHttpServletResponse resp = call(filter(false, KubeletAuthorizer.ALWAYS_ALLOW),
                request("GET", "/containerLogs/default/web/app", cluster.client("CN=kube-apiserver-kubelet-client,O=system:masters")), chain);
        assertThat(chain.getRequest()).isNotNull();
        assertThat(resp.getStatus()).isEqualTo(200);
        assertThat(asked).singleElement().satisfies(a -> {
            assertThat(a.user()).isEqualTo(new User("kube-apiserver-kubelet-client", List.of("system:masters", "system:authenticated")));
            assertThat(a.verb()).isEqualTo("get");
            assertThat(a.subresource()).isEqualTo("proxy");
            assertThat(a.name()).isEqualTo("node-1");
        });
    }

    @Test
    void noCertificateIsUnauthorizedWithoutAnonymousAndAnonymousWithIt() throws Exception {
        MockFilterChain refused = new MockFilterChain();
        MockHttpServletResponse resp = call(filter(false, KubeletAuthorizer.ALWAYS_ALLOW), request("GET", "/stats/summary"), refused);
        assertThat(resp.getStatus()).isEqualTo(401);
        assertThat(resp.getContentAsString()).isEqualTo("Unauthorized");
        assertThat(resp.getContentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(refused.getRequest()).isNull();
        assertThat(asked).isEmpty();

        MockFilterChain allowed = new MockFilterChain();
        call(filter(true, KubeletAuthorizer.ALWAYS_ALLOW), request("GET", "/stats/summary"), allowed);
        assertThat(allowed.getRequest()).isNotNull();
        assertThat(asked).singleElement().satisfies(a -> assertThat(a.user()).isEqualTo(User.ANONYMOUS));
    }

    @Test
    void aBadCertificateIsUnauthorizedEvenWithAnonymous() throws Exception {
        TestCertificates other = new TestCertificates("someone-else");
        X509Certificate foreign = other.client("CN=mallory");
        X509Certificate expired = cluster.client("CN=late", Instant.now().minusSeconds(7200), Instant.now().minusSeconds(3600), KeyPurposeId.id_kp_clientAuth);
        X509Certificate serverOnly = cluster.client("CN=server", Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600), KeyPurposeId.id_kp_serverAuth);
        for (X509Certificate bad : List.of(foreign, expired, serverOnly)) {
            MockFilterChain chain = new MockFilterChain();
            MockHttpServletResponse resp = call(filter(true, KubeletAuthorizer.ALWAYS_ALLOW), request("GET", "/pods", bad), chain);
            assertThat(resp.getStatus()).as(bad.getSubjectX500Principal().getName()).isEqualTo(401);
            assertThat(resp.getContentAsString()).isEqualTo("Unauthorized");
            assertThat(chain.getRequest()).isNull();
        }
    }

    @Test
    void aDenialIsForbiddenWithTheKubeletsMessage() throws Exception {
        MockFilterChain chain = new MockFilterChain();
        MockHttpServletResponse resp = call(filter(false, a -> false), request("POST", "/exec/default/web/app", cluster.client("CN=system:kube-scheduler")), chain);
        assertThat(resp.getStatus()).isEqualTo(403);
        assertThat(resp.getContentAsString()).isEqualTo("Forbidden (user=system:kube-scheduler, verb=create, resource=nodes, subresource=proxy)");
        assertThat(chain.getRequest()).isNull();
    }

    @Test
    void anAuthorizerErrorIs500AuthorizationError() throws Exception {
        MockFilterChain chain = new MockFilterChain();
        MockHttpServletResponse resp = call(filter(true, a -> {
            throw new IllegalStateException("apiserver down");
        }), request("GET", "/metrics/resource"), chain);
        assertThat(resp.getStatus()).isEqualTo(500);
        assertThat(resp.getContentAsString()).isEqualTo("Authorization error (user=system:anonymous, verb=get, resource=nodes, subresource=metrics)");
        assertThat(chain.getRequest()).isNull();
    }

    @Test
    void healthAndPrometheusNeedNoCredentials() throws Exception {
        for (String path : List.of("/actuator/health", "/actuator/health/liveness", "/actuator/prometheus")) {
            MockFilterChain chain = new MockFilterChain();
            call(filter(false, a -> false), request("GET", path), chain);
            assertThat(chain.getRequest()).as(path).isNotNull();
        }
        MockFilterChain other = new MockFilterChain();
        assertThat(call(filter(false, a -> false), request("GET", "/actuator/env"), other).getStatus()).isEqualTo(401);
        assertThat(asked).isEmpty();
    }

    @Test
    void aBearerTokenIsReviewedAfterTheCertificateAndABadOneIsUnauthorizedEvenWithAnonymous() throws Exception {
        TokenReviewAuthenticator tokens = new TokenReviewAuthenticator(TokenReviewAuthenticatorTest.client, java.time.Duration.ofMinutes(2), Clock.systemUTC());
        KubeletAuthFilter f = new KubeletAuthFilter(new ClientCertificateAuthenticator(List.of(cluster.ca), Clock.systemUTC()), tokens, true, a -> {
            asked.add(a);
            return true;
        }, r -> "node-1");
        MockHttpServletRequest good = request("GET", "/pods");
        good.addHeader("Authorization", "Bearer good");
        MockFilterChain chain = new MockFilterChain();
        call(f, good, chain);
        assertThat(chain.getRequest()).isNotNull();
        assertThat(asked).singleElement().satisfies(a -> assertThat(a.user().name()).isEqualTo("system:serviceaccount:default:reader"));

        MockHttpServletRequest bad = request("GET", "/pods");
        bad.addHeader("Authorization", "Bearer bad");
        MockFilterChain refused = new MockFilterChain();
        MockHttpServletResponse resp = call(f, bad, refused);
        assertThat(resp.getStatus()).isEqualTo(401);
        assertThat(resp.getContentAsString()).isEqualTo("Unauthorized");
        assertThat(refused.getRequest()).isNull();
    }
}
