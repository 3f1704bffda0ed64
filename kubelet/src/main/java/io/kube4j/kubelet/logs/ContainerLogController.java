package io.kube4j.kubelet.logs;

import io.kube4j.kubelet.Kubelets;
import io.kube4j.kubelet.runtime.LogOptions;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import jakarta.servlet.http.HttpServletResponse;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The kubelet's log endpoint, {@code GET /containerLogs/{ns}/{pod}/{container}} with {@code follow},
 * {@code tailLines}, {@code timestamps}, {@code previous}, {@code sinceSeconds}, {@code sinceTime} and
 * {@code limitBytes}: what the apiserver proxies {@code pods/{name}/log} to (Kubernetes'
 * {@code pkg/kubelet/server/server.go} getContainerLogs). Plain text, streamed: the headers go out at once
 * and every line is flushed as it is read, so {@code kubectl logs -f} shows a line as it is written; a
 * client that went away ends the copy at the next line.
 */
@RestController
class ContainerLogController {
    private final ContainerLogs logs;
    private final Clock clock = Clock.systemUTC();

    ContainerLogController(Kubelets kubelets) {
        this.logs = new ContainerLogs(kubelets);
    }

    @GetMapping("/containerLogs/{namespace}/{pod}/{container}")
    void logs(@PathVariable String namespace, @PathVariable String pod, @PathVariable String container,
                                               @RequestParam(defaultValue = "false") boolean follow,
                                               @RequestParam(required = false) Integer tailLines,
                                               @RequestParam(defaultValue = "false") boolean timestamps,
                                               @RequestParam(defaultValue = "false") boolean previous,
                                               @RequestParam(required = false) Long sinceSeconds,
                                               @RequestParam(required = false) String sinceTime,
                                               @RequestParam(required = false) Long limitBytes,
                                               HttpServletResponse response) throws IOException {
        if (tailLines != null && tailLines < 0) {
            tailLines = null;
        }
        Instant since = null;
        if (sinceSeconds != null && sinceSeconds > 0) {
            since = clock.instant().minusSeconds(sinceSeconds);
        } else if (sinceTime != null && !sinceTime.isEmpty()) {
            try {
                since = Instant.parse(sinceTime);
            } catch (DateTimeParseException e) {
                response.setStatus(400);
                response.setContentType(MediaType.TEXT_PLAIN_VALUE);
                response.getWriter().write("sinceTime " + sinceTime + " is not an RFC 3339 time\n");
                return;
            }
        }
        ContainerLogs.Location where = logs.locate(namespace, pod, container, previous);
        LogOptions options = new LogOptions(follow && !previous, tailLines, timestamps, since, limitBytes != null && limitBytes > 0 ? limitBytes : null);
        // written straight to the servlet response on this (virtual) request thread: Spring's
        // StreamingResponseBody held the bytes back until the copy ended, so a follower saw nothing
        response.setStatus(200);
        response.setContentType(MediaType.TEXT_PLAIN_VALUE);
        // the status line and headers now, not with the first log line: a follower knows it is connected
        response.flushBuffer();
        OutputStream out = response.getOutputStream();
        OutputStream target = options.limitBytes() == null ? out : new LimitedOutputStream(out, options.limitBytes());
        try {
            where.kubelet().runtime().logs(where.containerId(), options, target);
            out.flush();
        } catch (LimitedOutputStream.LimitReached e) {
            out.flush();
        } catch (IOException e) {
            // the client went away while following: the copy ends at the first line it cannot take
        }
    }

    @ExceptionHandler(ContainerLogs.LogNotFoundException.class)
    ResponseEntity<String> notFound(ContainerLogs.LogNotFoundException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(MediaType.TEXT_PLAIN).body(e.getMessage() + "\n");
    }

    /** Passes on at most {@code limit} bytes, then stops the copy (Kubernetes' LimitWriter: the log ends there). */
    static final class LimitedOutputStream extends FilterOutputStream {
        private long remaining;

        LimitedOutputStream(OutputStream out, long limit) {
            super(out);
            this.remaining = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int n = (int) Math.min(len, remaining);
            out.write(b, off, n);
            remaining -= n;
            if (remaining <= 0) {
                out.flush();
                throw new LimitReached();
            }
        }

        /** The limit was reached: the copy ends. */
        static final class LimitReached extends IOException {
            LimitReached() {
                super("limitBytes reached", null);
            }
        }
    }
}
