package io.kube4j.kubelet.streaming;

import io.kube4j.api.Status;
import io.kube4j.json.Json;
import io.kube4j.kubelet.runtime.StreamingProcess;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * exec and attach over SPDY/3.1 with {@code v4.channel.k8s.io} (Kubernetes' {@code pkg/kubelet/cri/streaming/remotecommand/httpstream.go}):
 * the client opens one SPDY stream per channel, each named by its {@code streamType} header ({@code error},
 * {@code stdin}, {@code stdout}, {@code stderr}, {@code resize}); every stream is answered at once, and once all
 * the request's streams exist (error always; stdin, stdout, stderr as asked, stderr not under a TTY, resize under
 * one) the command starts. stdin's data goes to the process and its FIN closes the process's stdin; resize carries
 * {@code {"Width":w,"Height":h}} objects; stdout and stderr are sent as they come; at the end the error stream
 * carries the Status (Success, or for an exec NonZeroExitCode with the ExitCode cause; an attach always Success) and
 * every stream is finished. Frames
 * are Netty's SPDY codec's.
 */
final class SpdyRemoteCommand {
    private static final Logger log = LoggerFactory.getLogger(SpdyRemoteCommand.class);
    private final PortForwardHandler.Sink sink;
    private final StreamingTarget target;
    private final StreamingHandshake.Options options;
    private final Runnable closeConnection;
    private final EmbeddedChannel codec = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    private final Map<String, Integer> streams = new ConcurrentHashMap<>();
    private final Set<String> expected = new LinkedHashSet<>();
    private final StringBuilder resizeBuffer = new StringBuilder();
    private volatile StreamingProcess process;
    private volatile boolean finished;

    SpdyRemoteCommand(PortForwardHandler.Sink sink, StreamingTarget target, StreamingHandshake.Options options, Runnable closeConnection) {
        this.sink = sink;
        this.target = target;
        this.options = options;
        this.closeConnection = closeConnection;
        expected.add("error");
        if (options.stdin()) {
            expected.add("stdin");
        }
        if (options.stdout()) {
            expected.add("stdout");
        }
        if (options.stderr() && !options.tty()) {
            expected.add("stderr");
        }
        if (options.tty()) {
            expected.add("resize");
        }
    }

    /** Bytes read from the connection. */
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
                String type = syn.headers().getAsString("streamtype");
                // a non-empty reply header block: Go's framer rejects the empty one Netty would encode
                DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(syn.streamId());
                reply.headers().set("streamtype", type == null ? "" : type);
                send(reply);
                if (type != null) {
                    streams.put(type, syn.streamId());
                }
                if (process == null && streams.keySet().containsAll(expected)) {
                    start();
                }
            }
            case SpdyDataFrame data -> {
                Integer stdin = streams.get("stdin");
                Integer resize = streams.get("resize");
                StreamingProcess p = process;
                if (p == null) {
                    return;
                }
                ByteBuf content = data.content();
                byte[] b = new byte[content.readableBytes()];
                content.readBytes(b);
                if (stdin != null && data.streamId() == stdin) {
                    try {
                        OutputStream in = p.stdin();
                        if (b.length > 0) {
                            in.write(b);
                            in.flush();
                        }
                        if (data.isLast()) {
                            in.close();
                        }
                    } catch (IOException e) {
                        // the process closed its stdin: the rest is dropped, as a pipe would
                    }
                } else if (resize != null && data.streamId() == resize) {
                    resize(p, new String(b, StandardCharsets.UTF_8));
                }
            }
            case SpdyRstStreamFrame rst -> {
                Integer stdin = streams.get("stdin");
                if (stdin != null && rst.streamId() == stdin && process != null) {
                    try {
                        process.stdin().close();
                    } catch (IOException e) {
                        // closed already
                    }
                }
            }
            case SpdyPingFrame ping -> send(new DefaultSpdyPingFrame(ping.id()));
            default -> {
                // SETTINGS, WINDOW_UPDATE, HEADERS, GOAWAY (the reader sees the connection end)
            }
        }
    }

    // the resize stream is a sequence of JSON objects (Go's json.Decoder on the stream), possibly split across frames
    private void resize(StreamingProcess p, String chunk) {
        resizeBuffer.append(chunk);
        int end;
        while ((end = resizeBuffer.indexOf("}")) >= 0) {
            String one = resizeBuffer.substring(0, end + 1).strip();
            resizeBuffer.delete(0, end + 1);
            try {
                Map<?, ?> size = Json.read(one, Map.class);
                if (size.get("Width") instanceof Number w && size.get("Height") instanceof Number h) {
                    p.resize(w.intValue(), h.intValue());
                }
            } catch (RuntimeException e) {
                log.debug("ignoring a resize message {}: {}", one, e.getMessage());
            }
        }
    }

    private void start() {
        StreamingProcess p;
        try {
            p = options.attach()
                    ? target.kubelet().runtime().attach(target.containerId(), options.stdin(), options.tty())
                    : target.kubelet().runtime().execStreaming(target.containerId(), options.command(), options.tty());
        } catch (RuntimeException e) {
            finish(RemoteCommandHandler.internalError(e.getMessage()));
            return;
        }
        process = p;
        if (!options.stdin() && !options.attach()) {
            try {
                p.stdin().close();
            } catch (IOException e) {
                // closed already
            }
        }
        List<Thread> pumps = new ArrayList<>();
        Integer stdout = streams.get("stdout");
        pumps.add(pump(p.stdout(), stdout));
        if (p.stderr() != null) {
            pumps.add(pump(p.stderr(), streams.get("stderr")));
        }
        Thread.ofVirtual().name("spdy-exec-wait").start(() -> {
            Status status;
            try {
                int code = p.waitFor();
                for (Thread t : pumps) {
                    t.join();
                }
                status = RemoteCommandHandler.endStatus(options.attach(), options.command(), code);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = RemoteCommandHandler.internalError("interrupted");
            }
            finish(status);
        });
    }

    // copies one output of the process to its stream (or drops it when the client did not ask for it)
    private Thread pump(InputStream in, Integer stream) {
        return Thread.ofVirtual().name("spdy-exec-out").start(() -> {
            byte[] buf = new byte[32 * 1024];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (stream != null && n > 0) {
                        send(new DefaultSpdyDataFrame(stream, Unpooled.copiedBuffer(buf, 0, n)));
                    }
                }
            } catch (IOException e) {
                // the process or the client is gone
            }
        });
    }

    // the Status on the error stream, every stream finished, then the connection closed (the kubelet's conn.Close)
    private void finish(Status status) {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
        }
        Integer error = streams.get("error");
        if (error != null) {
            send(new DefaultSpdyDataFrame(error, Unpooled.copiedBuffer(Json.write(status), StandardCharsets.UTF_8)));
        }
        for (Integer id : streams.values()) {
            DefaultSpdyDataFrame fin = new DefaultSpdyDataFrame(id);
            fin.setLast(true);
            send(fin);
        }
        send(new DefaultSpdyGoAwayFrame(0));
        closeConnection.run();
    }

    /** The connection ended: a process nobody reads from is ended at once. */
    void clientGone() {
        StreamingProcess p = process;
        if (p != null) {
            p.close();
        }
        synchronized (codec) {
            codec.finishAndReleaseAll();
        }
    }

    private void send(Object frame) {
        synchronized (codec) {
            codec.writeOutbound(frame);
            ByteBuf out;
            while ((out = codec.readOutbound()) != null) {
                try {
                    byte[] b = new byte[out.readableBytes()];
                    out.readBytes(b);
                    if (sink.isOpen()) {
                        sink.send(b);
                    }
                } catch (IOException e) {
                    log.debug("exec over SPDY: the client is gone: {}", e.getMessage());
                } finally {
                    out.release();
                }
            }
        }
    }
}
