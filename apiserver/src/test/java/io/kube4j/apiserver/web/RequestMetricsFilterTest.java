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
}
