package io.kube4j.web;

import io.kube4j.api.Status;
import io.kube4j.json.Json;
import org.apache.catalina.Context;
import org.apache.catalina.Host;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.tomcat.util.res.StringManager;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Tomcat's error page for failures that never reach a servlet (a request target with an encoded
 * {@code /} or {@code %00}, a request line or header over the connector's limit, a malformed request)
 * written as a Kubernetes {@link Status} in JSON instead of Tomcat's HTML page, so that every answer of
 * every kube4j component is something a Kubernetes client can read. The Go servers Kubernetes runs
 * answer such requests with plain text; kube4j answers with a Status because its clients (kubectl,
 * client libraries) parse error bodies as one.
 *
 * <p>A request line and headers over the connector's limit ({@code server.max-http-request-header-size}) are
 * {@value #HEADER_FIELDS_TOO_LARGE_CODE}, as Go's {@code conn.serve} (net/http/server.go) answers {@code errTooLarge}
 * with {@code 431 Request Header Fields Too Large} and {@code Connection: close}; Tomcat itself says 400. The Status
 * has Go's plain-text body as its message and no reason (Kubernetes has no StatusReason for 431).
 *
 * <p>Installed on the host by {@link #install(Context)}, registered by each component as a Spring Boot
 * {@code TomcatContextCustomizer} bean: {@code @Bean TomcatContextCustomizer statusErrors() { return
 * StatusErrorReportValve::install; }}.
 */
public class StatusErrorReportValve extends ErrorReportValve {
    /** Go's status for a request whose headers are over the server's limit (net/http, x/net/http2). */
    public static final int HEADER_FIELDS_TOO_LARGE_CODE = 431;
    /** Go's body for it over HTTP/1.1 ({@code conn.serve}'s publicErr), kube4j's message of the Status. */
    public static final String HEADER_FIELDS_TOO_LARGE = "431 Request Header Fields Too Large";
    // Http11InputBuffer's message when the request line and headers do not fit its buffer (IllegalArgumentException,
    // answered 400 by Http11Processor), in the same locale as Tomcat's own StringManager renders it
    private static final String TOMCAT_HEADER_TOO_LARGE =
            StringManager.getManager("org.apache.coyote.http11").getString("iib.requestheadertoolarge.error");

    /** Makes this valve the error report valve of {@code context}'s host (before the host starts). */
    public static void install(Context context) {
        Host host = (Host) context.getParent();
        if (host instanceof StandardHost standard) {
            standard.setErrorReportValveClass(StatusErrorReportValve.class.getName());
        }
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int code = response.getStatus();
        if (code < 400 || response.getContentWritten() > 0) {
            return;
        }
        if (code == 400 && headersTooLarge(throwable)) {
            response.setStatus(HEADER_FIELDS_TOO_LARGE_CODE);
            // Tomcat closes the connection after any request it could not parse, but says so only for the codes it
            // knows drop connections (400 among them, not 431); Go's answer says it
            response.setHeader("Connection", "close");
            write(response, headerFieldsTooLarge());
            return;
        }
        String message = response.getMessage();
        if (message == null || message.isBlank()) {
            message = throwable != null && throwable.getMessage() != null
                    ? throwable.getMessage()
                    : "the server could not handle the request (HTTP " + code + ")";
        }
        write(response, Status.failure(code, Status.reasonFor(code), message));
    }

    /** The Status of a 431: Go's text as the message, no reason. */
    public static Status headerFieldsTooLarge() {
        return Status.failure(HEADER_FIELDS_TOO_LARGE_CODE, null, HEADER_FIELDS_TOO_LARGE);
    }

    private static boolean headersTooLarge(Throwable throwable) {
        return throwable instanceof IllegalArgumentException && TOMCAT_HEADER_TOO_LARGE.equals(throwable.getMessage());
    }

    private static void write(Response response, Status status) {
        try {
            response.setContentType("application/json");
            response.setCharacterEncoding("utf-8");
            byte[] body = Json.writeBytes(status);
            response.setContentLength(body.length);
            OutputStream out = response.getOutputStream();
            out.write(body);
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // the connection is gone or the response already has a body: nothing more can be said
        }
    }
}
