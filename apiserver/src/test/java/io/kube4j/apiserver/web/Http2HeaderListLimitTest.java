package io.kube4j.apiserver.web;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The header list size as golang.org/x/net/http2 counts it (RFC 7541: name + value + 32 per field, pseudo-headers too). */
class Http2HeaderListLimitTest {

    static MockHttpServletRequest h2(String query) {
        MockHttpServletRequest req = new MockHttpServletRequest("GET", "/api/v1/pods");
        req.setProtocol("HTTP/2.0");
        req.setScheme("https");
        req.setQueryString(query);
        req.addHeader("host", "10.0.0.1:6443");
        return req;
    }

    @Test
    void pseudoHeadersAndEveryValueCountWithTheirOverhead() {
        MockHttpServletRequest req = h2("watch=1");
        req.addHeader("accept", "application/json");
        req.addHeader("impersonate-group", "a");
        req.addHeader("impersonate-group", "bc");
        long expected = (7 + 3 + 32) + (7 + 5 + 32) + (5 + "/api/v1/pods?watch=1".length() + 32) + (10 + 13 + 32) // :method :scheme :path :authority
                + (6 + 16 + 32) + (17 + 1 + 32) + (17 + 2 + 32);
        assertThat(Http2HeaderListLimit.headerListSize(req)).isEqualTo(expected);
    }

    @Test
    void overGosLimitIs431WithoutTheChainAndAtItPasses() throws Exception {
        Http2HeaderListLimit limit = new Http2HeaderListLimit();
        MockHttpServletRequest at = h2(null);
        long base = Http2HeaderListLimit.headerListSize(at);
        // one field filling the list exactly to (1 << 20) + 320
        at.addHeader("x", "a".repeat((int) (Http2HeaderListLimit.MAX_HEADER_LIST_SIZE - base - 1 - 32)));
        assertThat(Http2HeaderListLimit.headerListSize(at)).isEqualTo(1_048_896);
        AtomicBoolean served = new AtomicBoolean();
        MockHttpServletResponse ok = new MockHttpServletResponse();
        limit.doFilter(at, ok, (rq, rs) -> served.set(true));
        assertThat(served).isTrue();

        MockHttpServletRequest over = h2(null);
        over.addHeader("x", "a".repeat((int) (Http2HeaderListLimit.MAX_HEADER_LIST_SIZE - base - 32)));
        served.set(false);
        MockHttpServletResponse refused = new MockHttpServletResponse();
        limit.doFilter(over, refused, (rq, rs) -> served.set(true));
        assertThat(served).isFalse();
        assertThat(refused.getStatus()).isEqualTo(431);
        assertThat(refused.getContentAsString()).contains("\"code\":431", "431 Request Header Fields Too Large");

        // HTTP/1.1 is the connector's business (64 KiB, StatusErrorReportValve)
        over.setProtocol("HTTP/1.1");
        limit.doFilter(over, new MockHttpServletResponse(), (rq, rs) -> served.set(true));
        assertThat(served).isTrue();
    }
}
