package io.kube4j.kubelet.streaming;

import io.kube4j.kubelet.Kubelets;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.UriComponentsBuilder;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Before a streaming WebSocket is accepted: parses the kubelet's paths ({@code /exec|attach/{ns}/{pod}/{container}},
 * {@code /portForward/{ns}/{pod}}) and query ({@code command}, {@code input}, {@code output}, {@code error},
 * {@code tty}, as the apiserver's ExecLocation passes them) and finds the pod, answering 404 with the
 * kubelet's message (no upgrade) when there is none.
 */
final class StreamingHandshake implements HandshakeInterceptor {
    static final String TARGET = "target";
    static final String OPTIONS = "options";

    private final Kubelets kubelets;

    StreamingHandshake(Kubelets kubelets) {
        this.kubelets = kubelets;
    }

    /**
     * What to stream.
     *
     * @param attach  attach to the main process instead of running {@code command}
     * @param command the command of an exec
     */
    record Options(boolean attach, List<String> command, boolean stdin, boolean stdout, boolean stderr, boolean tty) {
    }

    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Map<String, Object> attributes) {
        String[] parts = request.getURI().getRawPath().split("/");
        List<String> segments = java.util.Arrays.stream(parts).skip(1).map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8)).toList();
        var query = UriComponentsBuilder.fromUri(request.getURI()).build().getQueryParams();
        try {
            switch (segments.isEmpty() ? "" : segments.get(0)) {
                case "exec", "attach" -> {
                    if (segments.size() != 4) {
                        return reject(response, HttpStatus.NOT_FOUND, "404 page not found");
                    }
                    boolean attach = segments.get(0).equals("attach");
                    List<String> command = query.getOrDefault("command", List.of()).stream().map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8)).toList();
                    if (!attach && command.isEmpty()) {
                        return reject(response, HttpStatus.BAD_REQUEST, "you must specify at least one command for the container");
                    }
                    attributes.put(TARGET, StreamingTarget.container(kubelets, segments.get(1), segments.get(2), segments.get(3)));
                    attributes.put(OPTIONS, new Options(attach, command, flag(query, "input"), flag(query, "output"), flag(query, "error"), flag(query, "tty")));
                }
                case "portForward" -> {
                    if (segments.size() != 3) {
                        return reject(response, HttpStatus.NOT_FOUND, "404 page not found");
                    }
                    attributes.put(TARGET, StreamingTarget.pod(kubelets, segments.get(1), segments.get(2)));
                }
                default -> {
                    return reject(response, HttpStatus.NOT_FOUND, "404 page not found");
                }
            }
        } catch (StreamingTarget.NotFound e) {
            return reject(response, HttpStatus.NOT_FOUND, e.getMessage());
        }
        return true;
    }

    private static boolean flag(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v != null && !v.isEmpty() && (v.get(0).equals("1") || v.get(0).equalsIgnoreCase("true"));
    }

    private static boolean reject(ServerHttpResponse response, HttpStatus status, String message) {
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
        try {
            response.getBody().write((message + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            // the client is gone
        }
        return false;
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler, Exception exception) {
    }
}
