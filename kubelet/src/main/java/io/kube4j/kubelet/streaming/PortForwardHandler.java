package io.kube4j.kubelet.streaming;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.SubProtocolCapable;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /portForward/{ns}/{pod}} as kubectl 1.32 speaks it: a WebSocket with the subprotocol
 * {@code SPDY/3.1+portforward.k8s.io} whose binary messages carry a SPDY/3.1 connection
 * ({@code client-go/tools/portforward/tunneling_connection.go}), and on it the {@code portforward.k8s.io}
 * protocol of the kubelet's {@code pkg/kubelet/cri/streaming/portforward/httpstream.go}: per forwarded
 * connection the client opens an error stream and a data stream, both with headers {@code streamtype},
 * {@code port} and {@code requestid}; the kubelet answers each SYN_STREAM with a SYN_REPLY, connects to the
 * port in the pod once it has both, copies the data stream both ways and writes a failure as text on the
 * error stream; it ends both streams (FIN) when the pod's side closes or the client resets the data stream.
 * SPDY framing and header compression are Netty's {@link SpdyFrameCodec}; the session logic (pairing,
 * replies, pings, resets) is here. No flow-control windows are enforced, as spdystream enforces none.
 */
public final class PortForwardHandler extends AbstractWebSocketHandler implements SubProtocolCapable {
    static final String SPDY_TUNNEL = "SPDY/3.1+portforward.k8s.io";
    private static final Logger log = LoggerFactory.getLogger(PortForwardHandler.class);
    private static final String TUNNEL = "tunnel";
    private static final String CHANNELS = "channels";

    /**
     * Lower case: Spring matches the client's protocols lower-cased against these, and answers with the
     * client's spelling. {@code v4.channel.k8s.io} is the older WebSocket port-forward protocol the official
     * Java client speaks ({@link ChannelPortForward}).
     */
    @Override
    public List<String> getSubProtocols() {
        return List.of(SPDY_TUNNEL.toLowerCase(java.util.Locale.ROOT), RemoteCommandHandler.V4);
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        StreamingTarget target = (StreamingTarget) session.getAttributes().get(StreamingHandshake.TARGET);
        if (RemoteCommandHandler.V4.equalsIgnoreCase(session.getAcceptedProtocol())) {
            session.getAttributes().put(CHANNELS, new ChannelPortForward(session, target));
        } else {
            session.getAttributes().put(TUNNEL, new Tunnel(session, target));
        }
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
        ByteBuffer b = message.getPayload();
        byte[] data = new byte[b.remaining()];
        b.get(data);
        if (session.getAttributes().get(CHANNELS) instanceof ChannelPortForward channels) {
            channels.receive(data);
            return;
        }
        try {
            ((Tunnel) session.getAttributes().get(TUNNEL)).receive(data);
        } catch (RuntimeException e) {
            // a SPDY stream the codec cannot read ends the whole connection, as spdystream does
            log.warn("port-forward to pod {}: {}", session.getUri(), e.toString(), e);
            throw e;
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        if (session.getAttributes().get(TUNNEL) instanceof Tunnel t) {
            t.close();
        }
        if (session.getAttributes().get(CHANNELS) instanceof ChannelPortForward c) {
            c.close();
        }
    }

    /**
     * The WebSocket port-forward protocol ({@code pkg/kubelet/cri/streaming/portforward/websocket.go}): the
     * ports are the query's {@code ports}; port i has data channel 2i and error channel 2i+1, each opened by
     * a message of the port as two little-endian bytes; each message after that is the channel byte and data.
     * The WebSocket closes when every port's connection has ended.
     */
    static final class ChannelPortForward {
        private final WebSocketSession session;
        private final List<Socket> sockets = new ArrayList<>();

        ChannelPortForward(WebSocketSession session, StreamingTarget target) {
            this.session = session;
            List<Integer> ports = new ArrayList<>();
            String query = session.getUri() == null ? null : session.getUri().getRawQuery();
            if (query != null) {
                for (String kv : query.split("&")) {
                    if (kv.startsWith("ports=")) {
                        for (String p : kv.substring(6).split("(,|%2C)")) {
                            ports.add(Integer.parseInt(p.trim()));
                        }
                    }
                }
            }
            if (ports.isEmpty()) {
                send(new byte[]{1}, ("query parameter \"port\" is required").getBytes(StandardCharsets.UTF_8));
                closeSession();
                return;
            }
            List<Thread> copiers = new ArrayList<>();
            for (int i = 0; i < ports.size(); i++) {
                int port = ports.get(i);
                byte data = (byte) (2 * i);
                byte error = (byte) (2 * i + 1);
                byte[] portBytes = {(byte) (port & 0xff), (byte) ((port >> 8) & 0xff)};
                send(new byte[]{data}, portBytes);
                send(new byte[]{error}, portBytes);
                Socket socket;
                try {
                    socket = target.kubelet().runtime().portForward(target.pod().metadata.uid, port);
                } catch (IOException | RuntimeException e) {
                    send(new byte[]{error}, ("error forwarding port " + port + " to pod " + target.pod().metadata.name + ", uid "
                            + target.pod().metadata.uid + ": " + e.getMessage()).getBytes(StandardCharsets.UTF_8));
                    sockets.add(null);
                    continue;
                }
                sockets.add(socket);
                copiers.add(Thread.ofVirtual().name("port-forward-" + port).start(() -> {
                    byte[] buf = new byte[32 * 1024];
                    try (InputStream in = socket.getInputStream()) {
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            if (n > 0) {
                                send(new byte[]{data}, java.util.Arrays.copyOf(buf, n));
                            }
                        }
                    } catch (IOException e) {
                        // the pod or the client closed
                    }
                }));
            }
            Thread.ofVirtual().name("port-forward-wait").start(() -> {
                for (Thread t : copiers) {
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                closeSession();
            });
        }

        void receive(byte[] message) {
            if (message.length < 1 || message[0] % 2 != 0) {
                return;
            }
            int index = message[0] / 2;
            Socket s = index < sockets.size() ? sockets.get(index) : null;
            if (s == null || message.length == 1) {
                return;
            }
            try {
                s.getOutputStream().write(message, 1, message.length - 1);
            } catch (IOException e) {
                Tunnel.closeQuietly(s);
            }
        }

        private void send(byte[] channel, byte[] payload) {
            byte[] b = new byte[payload.length + 1];
            b[0] = channel[0];
            System.arraycopy(payload, 0, b, 1, payload.length);
            synchronized (session) {
                try {
                    if (session.isOpen()) {
                        session.sendMessage(new BinaryMessage(b));
                    }
                } catch (IOException e) {
                    // the client is gone
                }
            }
        }

        private void closeSession() {
            synchronized (session) {
                try {
                    session.close(CloseStatus.NORMAL);
                } catch (IOException e) {
                    // already closed
                }
            }
        }

        void close() {
            sockets.forEach(Tunnel::closeQuietly);
        }
    }

    /** Where a SPDY connection's encoded bytes go: a WebSocket's binary messages, or an upgraded HTTP connection. */
    interface Sink {
        boolean isOpen();

        void send(byte[] bytes) throws IOException;
    }

    /** One SPDY connection over one WebSocket (the tunnel), or over a plain HTTP upgrade ({@link SpdyUpgradeFilter}). */
    static final class Tunnel {
        private final Sink session;
        private final StreamingTarget target;
        private final EmbeddedChannel codec = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
        private final Map<String, Pair> pairs = new ConcurrentHashMap<>();
        private final Map<Integer, Pair> byStream = new ConcurrentHashMap<>();

        Tunnel(WebSocketSession session, StreamingTarget target) {
            this(new Sink() {
                @Override
                public boolean isOpen() {
                    return session.isOpen();
                }

                @Override
                public void send(byte[] bytes) throws IOException {
                    session.sendMessage(new BinaryMessage(bytes));
                }
            }, target);
        }

        Tunnel(Sink sink, StreamingTarget target) {
            this.session = sink;
            this.target = target;
        }

        /** The error and data stream of one forwarded connection. */
        private final class Pair {
            final String requestId;
            final int port;
            volatile int errorStream;
            volatile int dataStream;
            volatile Socket socket;
            volatile boolean done;

            Pair(String requestId, int port) {
                this.requestId = requestId;
                this.port = port;
            }
        }

        void receive(byte[] bytes) {
            List<Object> frames = new ArrayList<>();
            synchronized (codec) {
                codec.writeInbound(Unpooled.wrappedBuffer(bytes));
                Object f;
                while ((f = codec.readInbound()) != null) {
                    frames.add(f);
                }
            }
            for (Object f : frames) {
                try {
                    handle(f);
                } finally {
                    ReferenceCountUtil.release(f);
                }
            }
        }

        private void handle(Object frame) {
            switch (frame) {
                case SpdySynStreamFrame syn -> {
                    int id = syn.streamId();
                    String type = syn.headers().getAsString("streamtype");
                    String port = syn.headers().getAsString("port");
                    String requestId = syn.headers().getAsString("requestid");
                    // Kubernetes replies with no headers, but Netty encodes an empty header set as no header
                    // block at all, which Go's SPDY framer rejects (a compressed count of 0 is required):
                    // the stream's own identifying headers are echoed instead, and ignored by the client
                    DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(id);
                    for (String h : List.of("streamtype", "port", "requestid")) {
                        String v = syn.headers().getAsString(h);
                        if (v != null) {
                            reply.headers().set(h, v);
                        }
                    }
                    send(reply);
                    int p;
                    try {
                        p = Integer.parseInt(port);
                    } catch (NumberFormatException | NullPointerException e) {
                        log.debug("port-forward stream {} without a valid port: {}", id, port);
                        return;
                    }
                    Pair pair = pairs.computeIfAbsent(requestId == null ? "stream-" + id : requestId, r -> new Pair(r, p));
                    byStream.put(id, pair);
                    if ("error".equals(type)) {
                        pair.errorStream = id;
                    } else if ("data".equals(type)) {
                        pair.dataStream = id;
                    }
                    synchronized (pair) {
                        if (pair.errorStream != 0 && pair.dataStream != 0 && pair.socket == null) {
                            forward(pair);
                        }
                    }
                }
                case SpdyDataFrame data -> {
                    Pair pair = byStream.get(data.streamId());
                    if (pair == null || data.streamId() != pair.dataStream || pair.socket == null) {
                        return;
                    }
                    try {
                        ByteBuf content = data.content();
                        if (content.isReadable()) {
                            byte[] b = new byte[content.readableBytes()];
                            content.readBytes(b);
                            pair.socket.getOutputStream().write(b);
                        }
                        if (data.isLast()) {
                            pair.socket.shutdownOutput();
                        }
                    } catch (IOException e) {
                        end(pair, null);
                    }
                }
                case SpdyRstStreamFrame rst -> {
                    Pair pair = byStream.get(rst.streamId());
                    if (pair != null) {
                        end(pair, null);
                    }
                }
                case SpdyPingFrame ping -> send(new DefaultSpdyPingFrame(ping.id()));
                case SpdyGoAwayFrame goAway -> close();
                default -> {
                    // SETTINGS, WINDOW_UPDATE, HEADERS: nothing to act on
                }
            }
        }

        // connects to the port in the pod and copies the pod's side to the data stream
        private void forward(Pair pair) {
            Socket socket;
            try {
                socket = target.kubelet().runtime().portForward(target.pod().metadata.uid, pair.port);
                socket.setTcpNoDelay(true);
            } catch (IOException | RuntimeException e) {
                pair.socket = new Socket();
                end(pair, "error forwarding port " + pair.port + " to pod " + target.pod().metadata.name + ", uid " + target.pod().metadata.uid + ": " + e.getMessage());
                return;
            }
            pair.socket = socket;
            Thread.ofVirtual().name("port-forward-" + pair.port).start(() -> {
                byte[] buf = new byte[32 * 1024];
                try (InputStream in = socket.getInputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        if (n > 0) {
                            send(new DefaultSpdyDataFrame(pair.dataStream, Unpooled.copiedBuffer(buf, 0, n)));
                        }
                    }
                } catch (IOException e) {
                    // the pod or the client closed
                }
                end(pair, null);
            });
        }

        // ends one forwarded connection: an optional message on its error stream, then FIN on both streams
        private void end(Pair pair, String error) {
            synchronized (pair) {
                if (pair.done) {
                    return;
                }
                pair.done = true;
            }
            if (error != null) {
                send(new DefaultSpdyDataFrame(pair.errorStream, Unpooled.copiedBuffer(error, StandardCharsets.UTF_8)));
            }
            DefaultSpdyDataFrame finData = new DefaultSpdyDataFrame(pair.dataStream);
            finData.setLast(true);
            send(finData);
            DefaultSpdyDataFrame finError = new DefaultSpdyDataFrame(pair.errorStream);
            finError.setLast(true);
            send(finError);
            closeQuietly(pair.socket);
            pairs.remove(pair.requestId);
            byStream.remove(pair.dataStream);
            byStream.remove(pair.errorStream);
        }

        // encodes and sends in one step, so frames leave in the order they were encoded
        private void send(Object frame) {
            synchronized (codec) {
                codec.writeOutbound(frame);
                ByteBuf out;
                while ((out = codec.readOutbound()) != null) {
                    try {
                        byte[] b = new byte[out.readableBytes()];
                        out.readBytes(b);
                        if (session.isOpen()) {
                            session.send(b);
                        }
                    } catch (IOException e) {
                        log.debug("port-forward: the client is gone: {}", e.getMessage());
                    } finally {
                        out.release();
                    }
                }
            }
        }

        void close() {
            for (Pair p : List.copyOf(pairs.values())) {
                p.done = true;
                closeQuietly(p.socket);
            }
            pairs.clear();
            synchronized (codec) {
                codec.finishAndReleaseAll();
            }
        }

        private static void closeQuietly(Socket s) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        }
    }
}
