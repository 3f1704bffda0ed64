package io.kube4j.apiserver.web;

import io.kube4j.apiserver.auth.AuthenticationFailure;
import io.kube4j.apiserver.auth.Authenticator;
import io.kube4j.apiserver.auth.BearerTokenAuthenticator;
import io.kube4j.apiserver.auth.TokenAuthenticator;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.registry.TestStrategies;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The authenticator chain as kube-apiserver builds it (union.New, then union.NewFailOnError with
 * anonymous) and bearertoken.go's header parsing.
 */
class AuthenticationFilterTest {
    static final TokenAuthenticator TOKENS = t -> t.equals("good") ? Optional.of(new UserInfo("alice", "", List.of("dev"), Map.of())) : Optional.empty();

    /** Stands for a client certificate that fails verification (x509: certificate signed by unknown authority). */
    static final Authenticator FAILING_CERT = req -> {
        throw new AuthenticationFailure("x509: certificate signed by unknown authority");
    };

    static AuthenticationFilter filter(Authenticator... chain) {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        for (int i = 0; i < chain.length; i++) {
            beans.registerSingleton("a" + i, chain[i]);
        }
        return new AuthenticationFilter(beans.getBeanProvider(Authenticator.class), TestStrategies.defaultProperties());
    }

    record Outcome(int status, UserInfo user, List<String> warnings) {
    }

    static Outcome run(AuthenticationFilter filter, String authorization) throws Exception {
        MockHttpServletRequest req = new MockHttpServletRequest("GET", "/api");
        if (authorization != null) {
            req.addHeader("Authorization", authorization);
        }
        MockHttpServletResponse resp = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain();
        filter.doFilter(req, resp, chain);
        UserInfo user = chain.getRequest() == null ? null : (UserInfo) req.getAttribute(UserInfo.ATTRIBUTE);
        return new Outcome(resp.getStatus(), user, resp.getHeaders("Warning"));
    }

    @Test
    void aFailingClientCertificateDoesNotHideAValidBearerToken() throws Exception {
        Outcome o = run(filter(FAILING_CERT, new BearerTokenAuthenticator(List.of(TOKENS))), "Bearer good");
        assertThat(o.status()).isEqualTo(200);
        assertThat(o.user().name()).isEqualTo("alice");
        assertThat(o.user().groups()).containsExactly("dev", "system:authenticated");
    }

    @Test
    void aFailingCredentialWithNothingElseIs401NotAnonymous() throws Exception {
        assertThat(run(filter(FAILING_CERT, new BearerTokenAuthenticator(List.of(TOKENS))), null).status()).isEqualTo(401);
        assertThat(run(filter(new BearerTokenAuthenticator(List.of(TOKENS))), "Bearer bad").status()).isEqualTo(401);
    }

    @Test
    void extraSpaceBeforeTheTokenIsAnonymousWithKubernetesWarning() throws Exception {
        Outcome o = run(filter(new BearerTokenAuthenticator(List.of(TOKENS))), "Bearer  good");
        assertThat(o.status()).isEqualTo(200);
        assertThat(o.user().name()).isEqualTo("system:anonymous");
        assertThat(o.warnings()).containsExactly(
                "299 - \"the provided Authorization header contains extra space before the bearer token, and is ignored\"");
    }

    @Test
    void theHeaderIsSplitOnSingleSpacesAsGoDoes() throws Exception {
        AuthenticationFilter f = filter(new BearerTokenAuthenticator(List.of(TOKENS)));
        // strings.SplitN(auth, " ", 3): the second part is the token, a third is ignored
        assertThat(run(f, "bearer good trailing").user().name()).isEqualTo("alice");
        // surrounding space is trimmed first
        assertThat(run(f, "  Bearer good  ").user().name()).isEqualTo("alice");
        // a tab is no separator: not a bearer header at all, so anonymous without warning
        Outcome tab = run(f, "Bearer\tgood");
        assertThat(tab.user().name()).isEqualTo("system:anonymous");
        assertThat(tab.warnings()).isEmpty();
    }
}
