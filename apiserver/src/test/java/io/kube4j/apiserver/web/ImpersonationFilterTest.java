package io.kube4j.apiserver.web;

import io.kube4j.apiserver.auth.Authorizer;
import io.kube4j.apiserver.auth.RequestAttributes;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** Impersonation as Kubernetes' filters/impersonation.go: what is checked, who the request becomes, the 403. */
class ImpersonationFilterTest {
    final List<RequestAttributes> asked = new ArrayList<>();

    ImpersonationFilter filter(Predicate<RequestAttributes> allow) {
        Authorizer a = attrs -> {
            asked.add(attrs);
            return allow.test(attrs) ? Authorizer.Decision.allow("") : Authorizer.Decision.noOpinion("");
        };
        return new ImpersonationFilter(a);
    }

    static MockHttpServletRequest request(String... headers) {
        MockHttpServletRequest req = new MockHttpServletRequest("GET", "/api/v1/namespaces/default/pods");
        req.setAttribute(UserInfo.ATTRIBUTE, new UserInfo("root", "", List.of("ops", "system:authenticated"), Map.of()));
        for (int i = 0; i < headers.length; i += 2) req.addHeader(headers[i], headers[i + 1]);
        return req;
    }

    static String describe(RequestAttributes a) {
        return a.verb() + " " + a.resource() + (a.subresource().isEmpty() ? "" : "/" + a.subresource()) + (a.apiGroup().isEmpty() ? "" : "." + a.apiGroup())
                + (a.namespace().isEmpty() ? "" : " in " + a.namespace()) + " " + a.name();
    }

    @Test
    void aUserWithGroupsUidAndExtraIsCheckedPieceByPieceAndBecomesThatUser() throws Exception {
        MockHttpServletRequest req = request("Impersonate-User", "alice", "Impersonate-Group", "devs", "Impersonate-Uid", "u-1",
                "Impersonate-Extra-Scopes", "view");
        MockFilterChain chain = new MockFilterChain();

        filter(a -> true).doFilter(req, new MockHttpServletResponse(), chain);

        assertThat(asked).extracting(ImpersonationFilterTest::describe).containsExactly(
                "impersonate users alice", "impersonate groups devs", "impersonate uids.authentication.k8s.io u-1",
                "impersonate userextras/scopes.authentication.k8s.io view");
        UserInfo as = UserInfo.of((jakarta.servlet.http.HttpServletRequest) chain.getRequest());
        assertThat(as).isEqualTo(new UserInfo("alice", "u-1", List.of("devs", "system:authenticated"), Map.of("scopes", List.of("view"))));
        assertThat(((jakarta.servlet.http.HttpServletRequest) chain.getRequest()).getHeader("Impersonate-User")).isNull();
    }

    @Test
    void aServiceAccountIsCheckedInItsNamespaceAndGetsItsGroups() throws Exception {
        MockFilterChain chain = new MockFilterChain();

        filter(a -> true).doFilter(request("Impersonate-User", "system:serviceaccount:team:builder"), new MockHttpServletResponse(), chain);

        assertThat(asked).extracting(ImpersonationFilterTest::describe).containsExactly("impersonate serviceaccounts in team builder");
        assertThat(UserInfo.of((jakarta.servlet.http.HttpServletRequest) chain.getRequest()).groups())
                .containsExactly("system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated");
    }

    @Test
    void aDeniedImpersonationIs403AndGoesNoFurther() throws Exception {
        MockHttpServletResponse resp = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain();

        filter(a -> !a.resource().equals("groups")).doFilter(request("Impersonate-User", "alice", "Impersonate-Group", "system:masters"), resp, chain);

        assertThat(chain.getRequest()).isNull();
        assertThat(resp.getStatus()).isEqualTo(403);
        assertThat(Json.tree(resp.getContentAsString()).path("message").asString())
                .isEqualTo("groups \"system:masters\" is forbidden: User \"root\" cannot impersonate resource \"groups\" in API group \"\" at the cluster scope");
    }

    @Test
    void groupsWithoutAUserAreABadRequest() throws Exception {
        MockHttpServletResponse resp = new MockHttpServletResponse();

        filter(a -> true).doFilter(request("Impersonate-Group", "devs"), resp, new MockFilterChain());

        assertThat(resp.getStatus()).isEqualTo(400);
    }

    @Test
    void withoutHeadersTheRequestPassesUnchanged() throws Exception {
        MockFilterChain chain = new MockFilterChain();
        MockHttpServletRequest req = request();

        filter(a -> false).doFilter(req, new MockHttpServletResponse(), chain);

        assertThat(chain.getRequest()).isSameAs(req);
        assertThat(asked).isEmpty();
    }
}
