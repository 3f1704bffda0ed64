package io.kube4j.apiserver.web;

import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.protobuf.ProtobufCodec;
import io.kube4j.api.Status;
import io.kube4j.apiserver.registry.StorageErrors;
import io.kube4j.apiserver.storage.StorageException;
import io.kube4j.apiserver.watch.Expired;
import io.kube4j.json.Json;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;

/**
 * The one place where failures become Kubernetes {@link Status} responses: never a stack trace, never
 * HTML. Storage failures map to 409/404/410/503 here, so the layers below just throw.
 */
@RestControllerAdvice
public class StatusErrorHandler {
    private static final Logger log = LoggerFactory.getLogger(StatusErrorHandler.class);

    @ExceptionHandler(ApiError.class)
    public ResponseEntity<byte[]> apiError(ApiError e, HttpServletRequest request) {
        return respond(request, e.status());
    }

    @ExceptionHandler(StorageException.class)
    public ResponseEntity<byte[]> storage(StorageException e, HttpServletRequest request) {
        return respond(request, StorageErrors.toApiError(e, null, null).status());
    }

    @ExceptionHandler(Expired.class)
    public ResponseEntity<byte[]> expired(Expired e, HttpServletRequest request) {
        return respond(request, Status.failure(410, "Expired", e.getMessage()));
    }

    @ExceptionHandler(JacksonException.class)
    public ResponseEntity<byte[]> malformed(JacksonException e, HttpServletRequest request) {
        return respond(request, Status.failure(400, "BadRequest", "the request body could not be decoded: " + e.getOriginalMessage()));
    }

    @ExceptionHandler(NoResourceFoundException.class)
    public ResponseEntity<byte[]> noSuchPath(NoResourceFoundException e, HttpServletRequest request) {
        return respond(request, Status.failure(404, "NotFound", "the server could not find the requested resource"));
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    public ResponseEntity<byte[]> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        return respond(request, Status.failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    public ResponseEntity<byte[]> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
        return respond(request, Status.failure(415, "UnsupportedMediaType", e.getMessage()));
    }

    /**
     * A query string Tomcat could not decode (invalid UTF-8, a bad %-escape): the client's fault, so 400,
     * as the label selector or parameter parsing of a real apiserver refuses such values.
     */
    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    public ResponseEntity<byte[]> badQuery(org.apache.tomcat.util.http.InvalidParameterException e, HttpServletRequest request) {
        return respond(request, Status.failure(400, "BadRequest", "the query string could not be decoded: it must be valid UTF-8 with correct %-escapes"));
    }

    /** A watcher or log follower that hung up: nothing to answer and nothing wrong with the server. */
    @ExceptionHandler({org.springframework.web.context.request.async.AsyncRequestNotUsableException.class,
            org.apache.catalina.connector.ClientAbortException.class})
    public void clientGone(Exception e, HttpServletRequest request) {
        log.debug("client went away during {} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<byte[]> unexpected(Exception e, HttpServletRequest request) {
        log.error("{} {} failed", request.getMethod(), request.getRequestURI(), e);
        return respond(request, Status.failure(500, "InternalError", "Internal error occurred: " + e.getClass().getSimpleName() + ": " + e.getMessage()));
    }

    /**
     * A Status in the representation the request negotiates, as Kubernetes' ErrorNegotiated writes
     * errors with the same serializer as objects: protobuf for a resource request whose Accept prefers
     * {@code application/vnd.kubernetes.protobuf} (kubectl's typed commands), JSON otherwise (YAML
     * clients get JSON Status too, which every Kubernetes client reads).
     */
    public static ResponseEntity<byte[]> respond(HttpServletRequest request, Status status) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        boolean resourcePath = path.equals("/api") || path.startsWith("/api/") || path.equals("/apis") || path.startsWith("/apis/");
        if (resourcePath && MediaTypes.negotiate(request.getHeader(HttpHeaders.ACCEPT)) == MediaTypes.Format.PROTOBUF) {
            return start(status)
                    .header(HttpHeaders.CONTENT_TYPE, ProtobufCodec.MEDIA_TYPE)
                    .body(ProtobufCodec.encode(Json.toTree(status)));
        }
        return respond(status);
    }

    /** A Status as JSON. */
    public static ResponseEntity<byte[]> respond(Status status) {
        return start(status)
                .header(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE)
                .body(Json.writeBytes(status));
    }

    /**
     * The status code, and {@code Retry-After: <seconds>} when the Status asks for a retry ({@code
     * details.retryAfterSeconds} above 0), as responsewriters.ErrorNegotiated writes it
     * (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/writers.go); client-go waits that long and retries.
     */
    private static ResponseEntity.BodyBuilder start(Status status) {
        ResponseEntity.BodyBuilder b = ResponseEntity.status(status.code);
        if (status.details != null && status.details.retryAfterSeconds != null && status.details.retryAfterSeconds > 0) {
            b.header(HttpHeaders.RETRY_AFTER, Integer.toString(status.details.retryAfterSeconds));
        }
        return b;
    }
}
