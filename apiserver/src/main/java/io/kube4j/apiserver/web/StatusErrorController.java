package io.kube4j.apiserver.web;

import io.kube4j.api.Status;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Errors that escape Spring MVC (container-level) are answered as Status too, never as HTML. */
@RestController
class StatusErrorController implements ErrorController {

    @RequestMapping("/error")
    ResponseEntity<byte[]> error(HttpServletRequest req) {
        Object code = req.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : 500;
        String reason = Status.reasonFor(status);
        Object msg = req.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        return StatusErrorHandler.respond(Status.failure(status, reason, msg == null || msg.toString().isEmpty() ? "the request failed with HTTP " + status : msg.toString()));
    }
}
