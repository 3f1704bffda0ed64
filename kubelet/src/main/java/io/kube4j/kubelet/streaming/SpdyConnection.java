package io.kube4j.kubelet.streaming;

import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * One HTTP connection upgraded to SPDY/3.1 by {@link SpdyUpgradeFilter}: its bytes go to a port-forward
 * {@link PortForwardHandler.Tunnel} (the same SPDY streams as inside the WebSocket tunnel) or to a
 * {@link SpdyRemoteCommand} (exec and attach, {@code v4.channel.k8s.io}), read on a virtual thread of its own;
 * what they send is written to the connection in the order it was encoded.
 */
public final class SpdyConnection implements HttpUpgradeHandler {
    private static final Logger log = LoggerFactory.getLogger(SpdyConnection.class);
    private StreamingTarget target;
    private StreamingHandshake.Options options;
    private volatile WebConnection connection;
    private volatile boolean open = true;

    /** Made by the servlet container on upgrade. */
    public SpdyConnection() {
    }

    void prepare(StreamingTarget target, StreamingHandshake.Options options) {
        this.target = target;
        this.options = options;
    }

    @Override
    public void init(WebConnection wc) {
        this.connection = wc;
        Thread.ofVirtual().name("spdy-" + target.pod().metadata.name).start(this::serve);
    }

    private void serve() {
        PortForwardHandler.Sink sink = new PortForwardHandler.Sink() {
            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void send(byte[] bytes) throws IOException {
                OutputStream out = connection.getOutputStream();
                synchronized (SpdyConnection.this) {
                    out.write(bytes);
                    out.flush();
                }
            }
        };
        PortForwardHandler.Tunnel tunnel = null;
        SpdyRemoteCommand command = null;
        if (options == null) {
            tunnel = new PortForwardHandler.Tunnel(sink, target);
        } else {
            command = new SpdyRemoteCommand(sink, target, options, this::close);
        }
        byte[] buf = new byte[32 * 1024];
        try (InputStream in = connection.getInputStream()) {
            int n;
            while (open && (n = in.read(buf)) >= 0) {
                if (n == 0) {
                    continue;
                }
                byte[] data = Arrays.copyOf(buf, n);
                if (tunnel != null) {
                    tunnel.receive(data);
                } else {
                    command.receive(data);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("SPDY connection to pod {} ended: {}", target.pod().metadata.name, e.toString());
        } finally {
            if (tunnel != null) {
                tunnel.close();
            }
            if (command != null) {
                command.clientGone();
            }
            close();
        }
    }

    private void close() {
        open = false;
        try {
            connection.close();
        } catch (Exception e) {
            // closed already
        }
    }

    @Override
    public void destroy() {
        open = false;
    }
}
