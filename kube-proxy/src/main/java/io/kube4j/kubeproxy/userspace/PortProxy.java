package io.kube4j.kubeproxy.userspace;

import io.kube4j.kubeproxy.Endpoint;
import io.kube4j.kubeproxy.ProxiedPort;
import io.kube4j.kubeproxy.ProxyMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;

/**
 * One TCP listener for one Service port: each accepted connection goes to the first endpoint that
 * accepts it (round-robin order, or the client's sticky endpoint), and bytes are copied both ways on
 * virtual threads. Closing it closes the listening socket; connections already forwarded run to their end.
 */
final class PortProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PortProxy.class);
    private static final int BUFFER = 16 * 1024;

    private final ServerSocket server;
    private final RoundRobin balancer = new RoundRobin(System::nanoTime);
    private final ProxyMetrics metrics;
    private final Duration connectTimeout;
    private volatile ProxiedPort port;

    /** Binds {@code bindAddress:listenPort} at once, so a port in use is reported to the caller. */
    PortProxy(InetAddress bindAddress, int listenPort, ProxiedPort port, ProxyMetrics metrics, Duration connectTimeout) throws IOException {
        this.metrics = metrics;
        this.connectTimeout = connectTimeout;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(bindAddress, listenPort), 256);
        update(port);
        Thread.ofVirtual().name("proxy-" + port.id() + "-" + listenPort).start(this::acceptLoop);
    }

    void update(ProxiedPort port) {
        this.port = port;
        balancer.update(port.endpoints(), port.clientIpAffinity(), port.affinityTimeout());
    }

    int listenPort() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (server.isClosed()) {
                    // accepted in the moment the listener was being closed (the Service or port went away):
                    // not served, as a closed listener serves nothing
                    client.close();
                    break;
                }
                Thread.ofVirtual().name("proxy-conn").start(() -> serve(client));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    log.warn("{}: accept failed: {}", port.id(), e.toString());
                }
            }
        }
    }

    private void serve(Socket client) {
        ProxiedPort p = port;
        String clientIp = client.getInetAddress().getHostAddress();
        metrics.connection(p.id());
        Socket backend = null;
        Endpoint chosen = null;
        for (Endpoint e : balancer.candidates(clientIp)) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(e.ip(), e.port()), (int) connectTimeout.toMillis());
                backend = s;
                chosen = e;
                break;
            } catch (IOException ex) {
                // refused or unreachable: this endpoint is gone or not ready yet, try the next one
                log.debug("{}: endpoint {} refused: {}", p.id(), e, ex.toString());
                closeQuietly(s);
            }
        }
        if (backend == null) {
            metrics.noEndpoint(p.id());
            closeQuietly(client);
            return;
        }
        balancer.used(clientIp, chosen);
        Socket b = backend;
        Thread upstream = Thread.ofVirtual().name("proxy-up").start(() -> {
            metrics.bytes(p.id(), "in", copy(client, b));
        });
        metrics.bytes(p.id(), "out", copy(b, client));
        try {
            upstream.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(b);
        closeQuietly(client);
    }

    /** Copies until end of stream, then half-closes the destination so the other side sees EOF; returns the byte count. */
    private static long copy(Socket from, Socket to) {
        long total = 0;
        byte[] buf = new byte[BUFFER];
        // not try-with-resources: closing a socket's stream closes the socket, and the other direction may still be running
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                total += n;
            }
            to.shutdownOutput();
        } catch (SocketException e) {
            // the other side reset or closed: the connection is over
            closeQuietly(to);
        } catch (IOException e) {
            closeQuietly(to);
        }
        return total;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            log.debug("closing listener of {}: {}", port.id(), e.toString());
        }
    }
}
