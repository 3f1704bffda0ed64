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
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import java.io.IOException;

/**
 * The kubelet's log endpoint, {@code GET /containerLogs/{ns}/{pod}/{container}} with {@code follow},
 * {@code tailLines}, {@code timestamps} and {@code previous}: what the apiserver proxies
 * {@code pods/{name}/log} to. Plain text, streamed.
 */
@RestController
class ContainerLogController {
    private final ContainerLogs logs;

    ContainerLogController(Kubelets kubelets) {
        this.logs = new ContainerLogs(kubelets);
    }

    @GetMapping("/containerLogs/{namespace}/{pod}/{container}")
    ResponseEntity<StreamingResponseBody> logs(@PathVariable String namespace, @PathVariable String pod, @PathVariable String container,
                                               @RequestParam(defaultValue = "false") boolean follow,
                                               @RequestParam(required = false) Integer tailLines,
                                               @RequestParam(defaultValue = "false") boolean timestamps,
                                               @RequestParam(defaultValue = "false") boolean previous) {
        if (tailLines != null && tailLines < 0) {
            tailLines = null;
        }
        ContainerLogs.Location where = logs.locate(namespace, pod, container, previous);
        LogOptions options = new LogOptions(follow && !previous, tailLines, timestamps);
        StreamingResponseBody body = out -> {
            try {
                where.kubelet().runtime().logs(where.containerId(), options, out);
            } catch (IOException e) {
                // the client went away while following: nothing to tell anybody
            }
        };
        return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body(body);
    }

    @ExceptionHandler(ContainerLogs.LogNotFoundException.class)
    ResponseEntity<String> notFound(ContainerLogs.LogNotFoundException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(MediaType.TEXT_PLAIN).body(e.getMessage() + "\n");
    }
}
