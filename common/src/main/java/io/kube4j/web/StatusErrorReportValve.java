package io.kube4j.web;

import io.kube4j.api.Status;
import io.kube4j.json.Json;
import org.apache.catalina.Context;
import org.apache.catalina.Host;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;

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
 * <p>Installed on the host by {@link #install(Context)}, registered by each component as a Spring Boot
 * {@code TomcatContextCustomizer} bean: {@code @Bean TomcatContextCustomizer statusErrors() { return
 * StatusErrorReportValve::install; }}.
 */
public class StatusErrorReportValve extends ErrorReportValve {

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
        String message = response.getMessage();
        if (message == null || message.isBlank()) {
            message = throwable != null && throwable.getMessage() != null
                    ? throwable.getMessage()
                    : "the server could not handle the request (HTTP " + code + ")";
        }
        Status status = Status.failure(code, Status.reasonFor(code), message);
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
