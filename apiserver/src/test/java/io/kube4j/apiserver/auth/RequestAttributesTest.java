package io.kube4j.apiserver.auth;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** RequestAttributes.parse against Kubernetes' requestinfo_test.go cases. */
class RequestAttributesTest {
    private static RequestAttributes parse(String method, String path) {
        return parse(method, path, Map.of());
    }

    private static RequestAttributes parse(String method, String path, Map<String, String[]> q) {
        return RequestAttributes.parse(null, method, path, q);
    }

    private static String describe(RequestAttributes a) {
        return String.join("|", a.verb(), String.valueOf(a.resourceRequest()), a.apiGroup(), a.apiVersion(), a.namespace(), a.resource(), a.subresource(), a.name());
    }

    @Test
    void resourceRequestsGetTheirVerbFromMethodAndName() {
        assertThat(describe(parse("GET", "/api/v1/namespaces"))).isEqualTo("list|true||v1||namespaces||");
        assertThat(describe(parse("GET", "/api/v1/namespaces/other"))).isEqualTo("get|true||v1|other|namespaces||other");
        assertThat(describe(parse("GET", "/api/v1/namespaces/other/pods"))).isEqualTo("list|true||v1|other|pods||");
        assertThat(describe(parse("GET", "/api/v1/namespaces/other/pods/foo"))).isEqualTo("get|true||v1|other|pods||foo");
        assertThat(describe(parse("HEAD", "/api/v1/namespaces/other/pods/foo"))).isEqualTo("get|true||v1|other|pods||foo");
        assertThat(describe(parse("GET", "/api/v1/pods"))).isEqualTo("list|true||v1||pods||");
        assertThat(describe(parse("POST", "/api/v1/namespaces/other/pods"))).isEqualTo("create|true||v1|other|pods||");
        assertThat(describe(parse("PUT", "/api/v1/namespaces/other/pods/foo"))).isEqualTo("update|true||v1|other|pods||foo");
        assertThat(describe(parse("PATCH", "/api/v1/namespaces/other/pods/foo"))).isEqualTo("patch|true||v1|other|pods||foo");
        assertThat(describe(parse("DELETE", "/api/v1/namespaces/other/pods/foo"))).isEqualTo("delete|true||v1|other|pods||foo");
        assertThat(describe(parse("DELETE", "/api/v1/namespaces/other/pods"))).isEqualTo("deletecollection|true||v1|other|pods||");
        assertThat(describe(parse("GET", "/apis/apps/v1/namespaces/other/deployments/d/scale"))).isEqualTo("get|true|apps|v1|other|deployments|scale|d");
        assertThat(describe(parse("POST", "/api/v1/namespaces/other/pods/p/exec"))).isEqualTo("create|true||v1|other|pods|exec|p");
    }

    @Test
    void watchComesFromTheQueryOrTheWatchPrefix() {
        assertThat(describe(parse("GET", "/api/v1/namespaces/other/pods", Map.of("watch", new String[]{"true"})))).isEqualTo("watch|true||v1|other|pods||");
        assertThat(describe(parse("GET", "/api/v1/namespaces/other/pods", Map.of("watch", new String[]{"false"})))).isEqualTo("list|true||v1|other|pods||");
        assertThat(describe(parse("GET", "/api/v1/watch/namespaces/other/pods"))).isEqualTo("watch|true||v1|other|pods||");
        assertThat(describe(parse("GET", "/api/v1/watch/pods"))).isEqualTo("watch|true||v1||pods||");
        assertThat(describe(parse("GET", "/api/v1/proxy/namespaces/other/pods/p/some/path"))).isEqualTo("proxy|true||v1|other|pods||p");
    }

    @Test
    void aMetadataNameFieldSelectorNamesTheObject() {
        assertThat(describe(parse("GET", "/api/v1/namespaces/other/pods", Map.of("fieldSelector", new String[]{"metadata.name=foo"}))))
                .isEqualTo("list|true||v1|other|pods||foo");
        assertThat(describe(parse("GET", "/api/v1/namespaces/other/pods", Map.of("watch", new String[]{"1"}, "fieldSelector", new String[]{"metadata.name==foo"}))))
                .isEqualTo("watch|true||v1|other|pods||foo");
    }

    @Test
    void namespaceStatusAndFinalizeAreSubresourcesOfTheNamespace() {
        assertThat(describe(parse("PUT", "/api/v1/namespaces/other/finalize"))).isEqualTo("update|true||v1|other|namespaces|finalize|other");
        assertThat(describe(parse("PUT", "/api/v1/namespaces/other/status"))).isEqualTo("update|true||v1|other|namespaces|status|other");
    }

    @Test
    void everythingElseIsANonResourceRequestWithTheMethodAsVerb() {
        for (String p : new String[]{"/healthz", "/version", "/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/openapi/v2"}) {
            RequestAttributes a = parse("GET", p);
            assertThat(a.resourceRequest()).as(p).isFalse();
            assertThat(a.verb()).isEqualTo("get");
            assertThat(a.path()).isEqualTo(p);
        }
        assertThat(parse("POST", "/foo").verb()).isEqualTo("post");
    }

    @Test
    void forbiddenMessagesAreKubernetes() {
        UserInfo alice = new UserInfo("alice", "", java.util.List.of("system:authenticated"), Map.of());
        assertThat(Forbidden.error(RequestAttributes.parse(alice, "GET", "/api/v1/namespaces/default/pods", Map.of()), "").getMessage())
                .isEqualTo("pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"");
        assertThat(Forbidden.error(RequestAttributes.parse(alice, "GET", "/api/v1/namespaces/default/pods/p", Map.of()), "").getMessage())
                .isEqualTo("pods \"p\" is forbidden: User \"alice\" cannot get resource \"pods\" in API group \"\" in the namespace \"default\"");
        assertThat(Forbidden.error(RequestAttributes.parse(alice, "POST", "/api/v1/namespaces/default/pods/p/exec", Map.of()), "").getMessage())
                .isEqualTo("pods \"p\" is forbidden: User \"alice\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"default\"");
        assertThat(Forbidden.error(RequestAttributes.parse(alice, "GET", "/apis/apps/v1/deployments", Map.of()), "").getMessage())
                .isEqualTo("deployments.apps is forbidden: User \"alice\" cannot list resource \"deployments\" in API group \"apps\" at the cluster scope");
        assertThat(Forbidden.error(RequestAttributes.parse(alice, "GET", "/foo", Map.of()), "").getMessage())
                .isEqualTo("forbidden: User \"alice\" cannot get path \"/foo\"");
        var s = Forbidden.error(RequestAttributes.parse(alice, "GET", "/api/v1/namespaces/default/pods/p", Map.of()), "RBAC: clusterrole.rbac.authorization.k8s.io \"x\" not found").status();
        assertThat(s.code).isEqualTo(403);
        assertThat(s.reason).isEqualTo("Forbidden");
        assertThat(s.message).endsWith("in the namespace \"default\": RBAC: clusterrole.rbac.authorization.k8s.io \"x\" not found");
        assertThat(s.details.kind).isEqualTo("pods");
        assertThat(s.details.name).isEqualTo("p");
    }
}
