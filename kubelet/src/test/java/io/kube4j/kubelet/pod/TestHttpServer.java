package io.kube4j.kubelet.pod;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;

/** A local HTTP server whose answer (status code) a test switches, for probes. */
final class TestHttpServer implements AutoCloseable {
    private final HttpServer server;
    private volatile int status = 200;

    TestHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = ("status " + status).getBytes();
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    void status(int status) {
        this.status = status;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
