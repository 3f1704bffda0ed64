package io.kube4j.kubelet.streaming;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The SPDY/3.1 fallback of the streaming server: {@code /exec}, {@code /attach} and {@code /portForward} requested
 * with {@code Connection: Upgrade}, {@code Upgrade: SPDY/3.1} (what kubectl sends with
 * {@code KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false} / {@code KUBECTL_PORT_FORWARD_WEBSOCKETS=false}, and what older
 * client libraries speak). As Kubernetes' {@code httpstream.Handshake}, the protocol is the first of the client's
 * {@code X-Stream-Protocol-Version} headers the server supports ({@code v4.channel.k8s.io} for exec and attach,
 * {@code portforward.k8s.io} for port-forward), else 403 "unable to upgrade: unable to negotiate protocol"; the
 * answer is 101 with {@code Upgrade: SPDY/3.1} and the chosen version, and the connection is then served by a
 * {@link SpdyConnection}. WebSocket requests pass on to the WebSocket handlers.
 */
final class SpdyUpgradeFilter extends OncePerRequestFilter {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SpdyUpgradeFilter.class);
    static final String SPDY = "SPDY/3.1";
    static final String PORT_FORWARD_PROTOCOL = "portforward.k8s.io";
    private final StreamingHandshake handshake;

    SpdyUpgradeFilter(StreamingHandshake handshake) {
        this.handshake = handshake;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws ServletException, IOException {
        String upgrade = req.getHeader("Upgrade");
        if (upgrade == null || !upgrade.equalsIgnoreCase(SPDY)) {
            chain.doFilter(req, resp);
            return;
        }
        Map<String, Object> attributes = new HashMap<>();
        ServletServerHttpResponse response = new ServletServerHttpResponse(resp);
        if (!handshake.beforeHandshake(new ServletServerHttpRequest(req), response, null, attributes)) {
            response.flush();
            return;
        }
        boolean portForward = !attributes.containsKey(StreamingHandshake.OPTIONS);
        List<String> supported = portForward ? List.of(PORT_FORWARD_PROTOCOL) : List.of(RemoteCommandHandler.V4);
        List<String> offered = new ArrayList<>();
        for (String h : Collections.list(req.getHeaders("X-Stream-Protocol-Version"))) {
            for (String p : h.split(",")) {
                if (!p.isBlank()) {
                    offered.add(p.strip());
                }
            }
        }
        String chosen = offered.stream().filter(supported::contains).findFirst().orElse(null);
        if (chosen == null) {
            resp.setStatus(HttpServletResponse.SC_FORBIDDEN);
            resp.setContentType("text/plain; charset=utf-8");
            resp.getWriter().write("unable to upgrade: unable to negotiate protocol: client supports " + goList(offered)
                    + ", server supports " + goList(supported) + "\n");
            return;
        }
        resp.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
        resp.setHeader("Connection", "Upgrade");
        resp.setHeader("Upgrade", SPDY);
        resp.setHeader("X-Stream-Protocol-Version", chosen);
        log.debug("{} upgraded to {} with {}", req.getRequestURI(), SPDY, chosen);
        SpdyConnection connection = req.upgrade(SpdyConnection.class);
        connection.prepare((StreamingTarget) attributes.get(StreamingHandshake.TARGET),
                (StreamingHandshake.Options) attributes.get(StreamingHandshake.OPTIONS));
    }

    private static String goList(List<String> l) {
        return "[" + String.join(" ", l) + "]";
    }
}
