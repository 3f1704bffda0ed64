package io.kube4j.apiserver.auth;

import io.kube4j.apiserver.errors.ApiError;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenFileTest {

    @Test
    void readsKubernetesTokenFileFormatWithQuotedGroups() {
        TokenFile file = TokenFile.parse("""
                # comment
                s3cret,alice,uid-1,"dev,ops"
                other,bob,uid-2
                """);
        UserInfo alice = file.authenticateToken("s3cret").orElseThrow();
        assertThat(alice.name()).isEqualTo("alice");
        assertThat(alice.uid()).isEqualTo("uid-1");
        assertThat(alice.groups()).containsExactly("dev", "ops");
        assertThat(file.authenticateToken("other").orElseThrow().groups()).isEmpty();
        assertThat(file.authenticateToken("nope")).isEmpty();
    }

    @Test
    void rejectsShortLinesAndDuplicateTokensNamingTheLine() {
        assertThatThrownBy(() -> TokenFile.parse("a,b\n")).hasMessageContaining("line 1");
        assertThatThrownBy(() -> TokenFile.parse("t,a,1\nt,b,2\n")).hasMessageContaining("line 2").hasMessageContaining("duplicate");
    }

    @Test
    void unknownBearerTokenIs401NotAnonymousAndOtherSchemesAreNotTokens() {
        BearerTokenAuthenticator bearer = new BearerTokenAuthenticator(List.of(TokenFile.parse("good,alice,1\n")));
        MockHttpServletRequest ok = new MockHttpServletRequest();
        ok.addHeader("Authorization", "Bearer good");
        assertThat(bearer.authenticate(ok).orElseThrow().name()).isEqualTo("alice");

        MockHttpServletRequest bad = new MockHttpServletRequest();
        bad.addHeader("Authorization", "Bearer bad");
        assertThatThrownBy(() -> bearer.authenticate(bad)).isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.code()).isEqualTo(401);
            assertThat(e.status().reason).isEqualTo("Unauthorized");
        });

        MockHttpServletRequest basic = new MockHttpServletRequest();
        basic.addHeader("Authorization", "Basic YTpi");
        assertThat(bearer.authenticate(basic)).isEmpty();
        assertThat(bearer.authenticate(new MockHttpServletRequest())).isEmpty();
    }
}
