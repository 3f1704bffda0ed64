package io.kube4j.apiserver.web;

import io.kube4j.json.Json;
import io.kube4j.web.StatusErrorReportValve;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Enumeration;

/**
 * Kubernetes' limit on an HTTP/2 request's header list, answered as Go answers it: 431 before any handler.
 * kube-apiserver's {@code http.Server} has {@code MaxHeaderBytes: 1 << 20} (apiserver/pkg/server/secure_serving.go);
 * golang.org/x/net/http2 turns that into a {@code SETTINGS_MAX_HEADER_LIST_SIZE} of {@value #MAX_HEADER_LIST_SIZE}
 * bytes ({@code adjustHTTP1MaxHeaderSize}: + 10 fields of 32 bytes) counted as RFC 7541 does, name + value + 32 for
 * every field, pseudo-header fields too ({@code Framer.readMetaFrame}), and a request over it is served by
 * {@code handleHeaderListTooLong} instead of the handler chain: status 431 (http2/server.go).
 *
 * <p>Tomcat's own HTTP/2 limit cannot answer: a header block over it resets the stream (ENHANCE_YOUR_CALM), so a
 * client gets no response at all. Its limit is therefore set to twice Go's
 * ({@link io.kube4j.apiserver.auth.SecurityConfiguration#HTTP2_MAX_HEADER_SIZE}) and this filter, first in the chain, answers
 * header lists between Go's limit and Tomcat's with 431. Go itself ends the connection (GOAWAY) instead of
 * answering 431 for some header blocks over its limit (a single field longer than the limit, further frames after
 * the limit was reached); a 431 is the closest answer Tomcat allows in those cases, and beyond Tomcat's limit the
 * stream is still reset. Unlike Tomcat's HTTP/1.1 buffer, which is allocated at the connector's limit for every
 * request in flight, HTTP/2 headers are decoded into a per-connection buffer that grows with the header block and
 * shrinks after it, so Go's 1 MiB costs no heap per request here (measured on an HTTPS apiserver after GC: 200 idle
 * HTTP/2 watches took 82 KiB each at this limit and 81 KiB at 64 KiB; 20 requests with 1 MB headers left nothing
 * behind). HTTP/1.1 stays at 64 KiB, see application.yml.
 *
 * <p>The body is kube4j's Status of the HTTP/1.1 431 ({@link StatusErrorReportValve#headerFieldsTooLarge()});
 * Go's HTTP/2 body is the HTML {@code <h1>HTTP Error 431</h1><p>Request Header Field(s) Too Large</p>}. Header
 * sizes are counted from what the servlet request shows: Tomcat turns {@code :authority} into {@code host}, so that
 * header counts as {@code :authority}, and joins split {@code cookie} fields into one.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class Http2HeaderListLimit extends OncePerRequestFilter {
    /** golang.org/x/net/http2 serverConn.maxHeaderListSize() for MaxHeaderBytes 1 MiB: (1 << 20) + 10 * 32. */
    static final int MAX_HEADER_LIST_SIZE = (1 << 20) + 10 * 32;
    /** RFC 7541 section 4.1: each field's size is its name and value lengths plus 32. */
    private static final int FIELD_OVERHEAD = 32;

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"HTTP/2.0".equals(request.getProtocol());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws ServletException, IOException {
        if (headerListSize(req) > MAX_HEADER_LIST_SIZE) {
            byte[] body = Json.writeBytes(StatusErrorReportValve.headerFieldsTooLarge());
            resp.setStatus(StatusErrorReportValve.HEADER_FIELDS_TOO_LARGE_CODE);
            resp.setContentType("application/json");
            resp.setContentLength(body.length);
            resp.getOutputStream().write(body);
            return;
        }
        chain.doFilter(req, resp);
    }

    /** The request's header list size as an HTTP/2 server counts it: pseudo-header fields and every header field. */
    static long headerListSize(HttpServletRequest req) {
        String query = req.getQueryString();
        String path = query == null ? req.getRequestURI() : req.getRequestURI() + "?" + query;
        long size = field(":method", req.getMethod()) + field(":scheme", req.getScheme()) + field(":path", path);
        for (Enumeration<String> names = req.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            String asSent = "host".equalsIgnoreCase(name) ? ":authority" : name;
            for (Enumeration<String> values = req.getHeaders(name); values.hasMoreElements(); ) {
                size += field(asSent, values.nextElement());
            }
        }
        return size;
    }

    private static long field(String name, String value) {
        return (long) name.length() + (value == null ? 0 : value.length()) + FIELD_OVERHEAD;
    }
}
