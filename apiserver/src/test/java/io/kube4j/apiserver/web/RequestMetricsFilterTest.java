package io.kube4j.apiserver.web;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

class RequestMetricsFilterTest {
    @Test
    void madeUpMethodsCollapseIntoOneSeries() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RequestMetricsFilter filter = new RequestMetricsFilter(meters);
        for (int i = 0; i < 500; i++) {
            filter.doFilter(new MockHttpServletRequest("METHOD" + i, "/api/v1/pods"), new MockHttpServletResponse(), new MockFilterChain());
        }
        filter.doFilter(new MockHttpServletRequest("GET", "/api/v1/pods"), new MockHttpServletResponse(), new MockFilterChain());
        assertThat(meters.find("apiserver_request_total").counters()).hasSize(2);
        assertThat(meters.find("apiserver_request_total").tag("verb", "other").counter().count()).isEqualTo(500);
    }

    @Test
    void theMetersOfARouteAreResolvedOnceAndKeepTheirNamesAndTags() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RequestMetricsFilter filter = new RequestMetricsFilter(meters);
        for (int i = 0; i < 1000; i++) {
            filter.doFilter(new MockHttpServletRequest("GET", "/api/v1/pods"), new MockHttpServletResponse(), new MockFilterChain());
        }
        MockHttpServletResponse notFound = new MockHttpServletResponse();
        notFound.setStatus(404);
        filter.doFilter(new MockHttpServletRequest("GET", "/api/v1/pods"), notFound, new MockFilterChain());
        MockHttpServletRequest create = new MockHttpServletRequest("POST", "/api/v1/namespaces/default/pods");
        create.setAttribute(ResourceController.VERB, "create");
        create.setAttribute(ResourceController.RESOURCE, "pods");
        MockHttpServletResponse created = new MockHttpServletResponse();
        created.setStatus(201);
        filter.doFilter(create, created, new MockFilterChain());

        // three routes (get/""/200, get/""/404, create/pods/201): three lookups, not 1002
        assertThat(filter.routesResolved()).isEqualTo(3);
        assertThat(meters.get("apiserver_request_total").tags("verb", "get", "resource", "", "code", "200").counter().count()).isEqualTo(1000);
        assertThat(meters.get("apiserver_request_duration_seconds").tags("verb", "get", "resource", "", "code", "200").timer().count()).isEqualTo(1000);
        assertThat(meters.get("apiserver_request_total").tags("verb", "get", "resource", "", "code", "404").counter().count()).isEqualTo(1);
        assertThat(meters.get("apiserver_request_total").tags("verb", "create", "resource", "pods", "code", "201").counter().count()).isEqualTo(1);
        assertThat(meters.get("apiserver_request_duration_seconds").tags("verb", "create", "resource", "pods", "code", "201").timer().count()).isEqualTo(1);
        assertThat(meters.get("apiserver_request_total").counter().getId().getDescription()).isEqualTo("apiserver requests by verb, resource and HTTP code");
        assertThat(meters.get("apiserver_request_duration_seconds").timer().getId().getDescription()).isEqualTo("apiserver request latency");
    }
}
