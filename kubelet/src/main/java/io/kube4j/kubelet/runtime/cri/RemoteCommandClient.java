package io.kube4j.kubelet.runtime.cri;

import io.kube4j.api.Status;
import io.kube4j.json.Json;
import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import io.kube4j.kubelet.runtime.StreamingProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The client of a CRI runtime's streaming server (the URL its Exec or Attach RPC answers, e.g. containerd's
 * {@code pkg/cri/streaming}): one HTTP connection upgraded to SPDY/3.1 with {@code v4.channel.k8s.io}, as client-go's
 * {@code tools/remotecommand} ({@code spdy.go}, {@code v2.go}..{@code v4.go}) speaks it and Kubernetes' kubelet proxies
 * it ({@code pkg/kubelet/server/server.go getExec}, {@code proxyStream}). Adapted to a {@link StreamingProcess}.
 *
 * <p>The session: {@code POST <url>} with {@code Connection: Upgrade}, {@code Upgrade: SPDY/3.1},
 * {@code X-Stream-Protocol-Version: v4.channel.k8s.io}; after {@code 101 Switching Protocols} one SPDY stream per channel,
 * each named by its {@code streamType} header, in client-go's order: {@code error}, then {@code stdin}, {@code stdout},
 * {@code stderr} (not under a TTY), {@code resize} (under a TTY) as the CRI request asked (the server counts them from
 * the request it cached, {@code remotecommand/httpstream.go createHTTPStreamStreams}). stdin is data frames on its
 * stream, its close a FIN; a resize is {@code {"Width":w,"Height":h}} on the resize stream; the server's stdout and
 * stderr end with a FIN; at the end the error stream carries a {@code metav1.Status} ({@code v4WriteStatusFunc}):
 * Success, or Failure with reason {@code NonZeroExitCode} and the exit code as the message of the cause
 * {@code ExitCode}, which {@link #waitFor()} turns into the number (client-go's {@code v4.go errorDecoderV4}).
 *
 * <p>Why SPDY and not the JDK's WebSocket ({@code v4.channel.k8s.io} over WebSocket, no new dependency either): the
 * WebSocket channel protocols before {@code v5.channel.k8s.io} (Kubernetes 1.29, containerd 2.0) cannot close stdin
 * alone; containerd 1.6's {@code wsstream.Conn} closes every channel and the connection when the client's side ends,
 * so the output after stdin's end and the exit status would be lost ({@code echo x | kubectl exec -i .. cat}). SPDY
 * half-closes a stream. Frames are Netty's SPDY codec's (netty-codec-http, already the kubelet's for its own SPDY
 * server), fed through an {@link EmbeddedChannel} over a plain {@link Socket}. Only {@code http} URLs (containerd's
 * default, {@code enable_tls_streaming = false}); SPDY flow control is not spoken (Go's spdystream ignores it).
 */
final class RemoteCommandClient implements StreamingProcess {
    static final String PROTOCOL = "v4.channel.k8s.io";
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final Socket socket;
    private final OutputStream out;
    private final boolean tty;
    private final EmbeddedChannel codec = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    private final int errorStream;
    private final int stdinStream;
    private final int stdoutStream;
    private final int stderrStream;
    private final int resizeStream;
    private final FrameInputStream stdout = new FrameInputStream();
    private final FrameInputStream stderr;
    private final ByteArrayOutputStream status = new ByteArrayOutputStream();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean statusComplete;
    private volatile boolean closed;
    /** Set once the socket is closed (by us or after the server's end); the codec is released then. */
    private volatile boolean socketClosed;
    private final OutputStream stdin;

    private RemoteCommandClient(Socket socket, boolean stdin, boolean tty) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.tty = tty;
        // client stream ids are odd and rising, in the order client-go creates the streams
        int next = 1;
        errorStream = next;
        next += 2;
        stdinStream = stdin ? next : -1;
        next += stdin ? 2 : 0;
        stdoutStream = next;
        next += 2;
        stderrStream = tty ? -1 : next;
        next += tty ? 0 : 2;
        resizeStream = tty ? next : -1;
        this.stderr = tty ? null : new FrameInputStream();
        this.stdin = stdin ? new StdinStream() : OutputStream.nullOutputStream();
    }

    /**
     * Connects to {@code url} (the runtime's Exec or Attach answer) and opens the session's streams; reading starts at
     * once on a virtual thread.
     *
     * @param stdin  whether the request asked for stdin (its {@code stdin} field); stdout is always asked for
     * @param tty    whether the request asked for a TTY; then there is no stderr stream and there is a resize stream
     * @throws ContainerRuntimeException when the URL cannot be reached or the server refuses the upgrade (with its answer)
     */
    static RemoteCommandClient open(String url, boolean stdin, boolean tty) {
        URI uri = URI.create(url);
        if (!"http".equals(uri.getScheme())) {
            throw new ContainerRuntimeException("unsupported streaming URL " + url + " (only http, containerd's default)");
        }
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort()), CONNECT_TIMEOUT_MS);
            upgrade(socket, uri);
            RemoteCommandClient c = new RemoteCommandClient(socket, stdin, tty);
            c.createStreams();
            Thread.ofVirtual().name("cri-stream-" + uri.getPath()).start(c::readLoop);
            return c;
        } catch (IOException | RuntimeException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing more to free
            }
            if (e instanceof ContainerRuntimeException cre) {
                throw cre;
            }
            throw new ContainerRuntimeException("streaming to " + url + ": " + e.getMessage(), e);
        }
    }

    // the HTTP/1.1 upgrade of client-go's SpdyRoundTripper; the response is read byte by byte so that nothing of the
    // SPDY frames after it is consumed here
    private static void upgrade(Socket socket, URI uri) throws IOException {
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String request = "POST " + target + " HTTP/1.1\r\n"
                + "Host: " + uri.getRawAuthority() + "\r\n"
                + "Connection: Upgrade\r\n"
                + "Upgrade: SPDY/3.1\r\n"
                + "X-Stream-Protocol-Version: " + PROTOCOL + "\r\n"
                + "Content-Length: 0\r\n\r\n";
        OutputStream o = socket.getOutputStream();
        o.write(request.getBytes(StandardCharsets.US_ASCII));
        o.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        int matched = 0;
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > MAX_HEADER_BYTES) {
                throw new IOException("response headers longer than " + MAX_HEADER_BYTES + " bytes");
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String statusLine = lines.length > 0 ? lines[0] : "";
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[1].equals("101")) {
            // the server's error: a short text body (http.Error) we can read with the socket's timeout
            socket.setSoTimeout(2_000);
            String body;
            try {
                body = new String(in.readNBytes(4096), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                body = "";
            }
            throw new ContainerRuntimeException("the runtime's streaming server answered " + statusLine
                    + (body.isEmpty() ? "" : ": " + body));
        }
        String negotiated = null;
        for (String line : Arrays.asList(lines).subList(1, lines.length)) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("x-stream-protocol-version")) {
                negotiated = line.substring(colon + 1).trim();
            }
        }
        if (!PROTOCOL.equals(negotiated)) {
            throw new ContainerRuntimeException("the runtime's streaming server negotiated " + negotiated + ", not " + PROTOCOL);
        }
    }

    private void createStreams() throws IOException {
        List<Object> frames = new ArrayList<>();
        frames.add(syn(errorStream, "error"));
        if (stdinStream > 0) {
            frames.add(syn(stdinStream, "stdin"));
        }
        frames.add(syn(stdoutStream, "stdout"));
        if (stderrStream > 0) {
            frames.add(syn(stderrStream, "stderr"));
        }
        if (resizeStream > 0) {
            frames.add(syn(resizeStream, "resize"));
        }
        for (Object f : frames) {
            send(f);
        }
    }

    private static DefaultSpdySynStreamFrame syn(int id, String type) {
        DefaultSpdySynStreamFrame f = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
        f.headers().set("streamtype", type);
        return f;
    }

    private void readLoop() {
        byte[] buf = new byte[32 * 1024];
        try (InputStream in = socket.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (n == 0) {
                    continue;
                }
                List<Object> frames = new ArrayList<>();
                synchronized (codec) {
                    codec.writeInbound(Unpooled.copiedBuffer(buf, 0, n));
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
        } catch (IOException | RuntimeException e) {
            // the connection ended (closed by us, or by the server after its last frames)
        } finally {
            stdout.end();
            if (stderr != null) {
                stderr.end();
            }
            ended.countDown();
            closeSocket();
        }
    }

    private void handle(Object frame) {
        switch (frame) {
            case SpdyDataFrame data -> {
                ByteBuf content = data.content();
                byte[] b = new byte[content.readableBytes()];
                content.readBytes(b);
                int id = data.streamId();
                if (id == stdoutStream) {
                    stdout.add(b);
                    if (data.isLast()) {
                        stdout.end();
                    }
                } else if (id == stderrStream && stderr != null) {
                    stderr.add(b);
                    if (data.isLast()) {
                        stderr.end();
                    }
                } else if (id == errorStream) {
                    synchronized (status) {
                        status.writeBytes(b);
                    }
                    if (data.isLast()) {
                        statusComplete = true;
                        ended.countDown();
                    }
                }
            }
            case SpdyRstStreamFrame rst -> {
                if (rst.streamId() == stdoutStream) {
                    stdout.end();
                } else if (rst.streamId() == stderrStream && stderr != null) {
                    stderr.end();
                }
            }
            case SpdyPingFrame ping -> sendQuietly(new DefaultSpdyPingFrame(ping.id()));
            default -> {
                // SYN_REPLY (the server's answer to each stream), SETTINGS, WINDOW_UPDATE, GOAWAY: nothing to do
            }
        }
    }

    private void send(Object frame) throws IOException {
        synchronized (codec) {
            if (socketClosed) {
                ReferenceCountUtil.release(frame);
                throw new IOException("the streaming connection is closed");
            }
            codec.writeOutbound(frame);
            ByteBuf b;
            while ((b = codec.readOutbound()) != null) {
                try {
                    byte[] bytes = new byte[b.readableBytes()];
                    b.readBytes(bytes);
                    out.write(bytes);
                } finally {
                    b.release();
                }
            }
            out.flush();
        }
    }

    private void sendQuietly(Object frame) {
        try {
            send(frame);
        } catch (IOException e) {
            // the connection is gone; the read loop ends the session
        }
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public InputStream stdout() {
        return stdout;
    }

    @Override
    public InputStream stderr() {
        return stderr;
    }

    /** Sends {@code {"Width":w,"Height":h}} on the resize stream (client-go's {@code TerminalSize}); ignored without a TTY. */
    @Override
    public void resize(int width, int height) {
        if (!tty || closed) {
            return;
        }
        byte[] json = ("{\"Width\":" + width + ",\"Height\":" + height + "}").getBytes(StandardCharsets.US_ASCII);
        sendQuietly(new DefaultSpdyDataFrame(resizeStream, Unpooled.wrappedBuffer(json)));
    }

    /**
     * Waits for the Status on the error stream: 0 for Success, the {@code ExitCode} cause's number for
     * {@code NonZeroExitCode}; an empty error stream is success, as client-go reads it.
     *
     * @throws ContainerRuntimeException with the server's message for any other Status, or when the connection ended
     *                                   before the error stream did
     */
    @Override
    public int waitFor() throws InterruptedException {
        ended.await();
        byte[] bytes;
        synchronized (status) {
            bytes = status.toByteArray();
        }
        if (!statusComplete && bytes.length == 0) {
            throw new ContainerRuntimeException("the runtime's streaming connection ended without a status");
        }
        return exitCode(bytes);
    }

    /** The exit code a v4 error-stream message stands for (client-go's {@code errorDecoderV4.decode}). */
    static int exitCode(byte[] message) {
        if (message.length == 0) {
            return 0;
        }
        Status s;
        try {
            s = Json.read(message, Status.class);
        } catch (RuntimeException e) {
            throw new ContainerRuntimeException("error stream protocol error: " + e.getMessage() + " in \""
                    + new String(message, StandardCharsets.UTF_8) + "\"", e);
        }
        if ("Success".equals(s.status)) {
            return 0;
        }
        if ("NonZeroExitCode".equals(s.reason) && s.details != null) {
            for (Status.Cause c : s.details.causes) {
                if ("ExitCode".equals(c.reason)) {
                    try {
                        return Integer.parseInt(c.message);
                    } catch (NumberFormatException e) {
                        throw new ContainerRuntimeException("error stream protocol error: invalid exit code value \"" + c.message + "\"");
                    }
                }
            }
            throw new ContainerRuntimeException("error stream protocol error: no ExitCode cause in \"" + s.message + "\"");
        }
        throw new ContainerRuntimeException("error executing remote command: " + s.message);
    }

    /** Ends the session by closing the connection; the server then closes the process's stdin and stops copying. */
    @Override
    public void close() {
        closed = true;
        closeSocket();
    }

    private void closeSocket() {
        socketClosed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closed already
        }
        synchronized (codec) {
            codec.finishAndReleaseAll();
        }
    }

    /** stdin as data frames on its stream; close is the stream's FIN (the process sees the end of its stdin). */
    private final class StdinStream extends OutputStream {
        private volatile boolean finished;

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (finished) {
                throw new IOException("stdin is closed");
            }
            if (len > 0) {
                send(new DefaultSpdyDataFrame(stdinStream, Unpooled.copiedBuffer(b, off, len)));
            }
        }

        @Override
        public void close() throws IOException {
            if (finished) {
                return;
            }
            finished = true;
            if (!closed) {
                DefaultSpdyDataFrame fin = new DefaultSpdyDataFrame(stdinStream);
                fin.setLast(true);
                send(fin);
            }
        }
    }

    /**
     * One output channel: the data frames the read loop hands over, in order, then the end. Unbounded: the read loop
     * must never block on one channel while another (or the error stream) has frames waiting behind it, and the
     * kubelet's handlers read both outputs continuously.
     */
    private static final class FrameInputStream extends InputStream {
        private static final byte[] END = new byte[0];
        private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
        private byte[] current;
        private int pos;
        private boolean eof;
        private volatile boolean ended;

        void add(byte[] b) {
            if (b.length > 0 && !ended) {
                chunks.add(b);
            }
        }

        synchronized void end() {
            if (!ended) {
                ended = true;
                chunks.add(END);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (eof) {
                return -1;
            }
            if (current == null || pos == current.length) {
                try {
                    current = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
                pos = 0;
                if (current == END) {
                    eof = true;
                    return -1;
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return current == null || current == END ? 0 : current.length - pos;
        }
    }
}
