package io.kube4j.kubelet.streaming;

import io.kube4j.api.Status;
import io.kube4j.json.Json;
import io.kube4j.kubelet.runtime.StreamingProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.SubProtocolCapable;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code /exec/{ns}/{pod}/{container}} and {@code /attach/{ns}/{pod}/{container}} over WebSocket with the
 * channel protocols kubectl 1.32 speaks, {@code v5.channel.k8s.io} and {@code v4.channel.k8s.io}
 * ({@code k8s.io/apimachinery/pkg/util/httpstream/wsstream}, {@code pkg/kubelet/cri/streaming/remotecommand}):
 * every binary message starts with its channel, 0 stdin, 1 stdout, 2 stderr, 3 error (one Status when the
 * command ends: Success, or for an exec NonZeroExitCode with the code as an ExitCode cause; an attach always
 * ends with Success), 4 resize
 * ({@code {"Width":w,"Height":h}}); in v5, {@code [255, n]} closes the client's channel n (stdin's end).
 * The WebSocket framing is Spring's over Tomcat's JSR-356 implementation.
 */
public final class RemoteCommandHandler extends AbstractWebSocketHandler implements SubProtocolCapable {
    static final String V5 = "v5.channel.k8s.io";
    static final String V4 = "v4.channel.k8s.io";
    private static final Logger log = LoggerFactory.getLogger(RemoteCommandHandler.class);
    private static final byte STDIN = 0;
    private static final byte STDOUT = 1;
    private static final byte STDERR = 2;
    private static final byte ERROR = 3;
    private static final byte RESIZE = 4;
    private static final byte CLOSE = (byte) 255;
    private static final String PROCESS = "process";

    @Override
    public List<String> getSubProtocols() {
        return List.of(V5, V4);
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        Map<String, Object> attrs = session.getAttributes();
        StreamingTarget target = (StreamingTarget) attrs.get(StreamingHandshake.TARGET);
        StreamingHandshake.Options options = (StreamingHandshake.Options) attrs.get(StreamingHandshake.OPTIONS);
        StreamingProcess process;
        try {
            process = options.attach()
                    ? target.kubelet().runtime().attach(target.containerId(), options.stdin(), options.tty())
                    : target.kubelet().runtime().execStreaming(target.containerId(), options.command(), options.tty());
        } catch (RuntimeException e) {
            finish(session, internalError(e.getMessage()));
            return;
        }
        attrs.put(PROCESS, process);
        if (!options.stdin() && !options.attach()) {
            // an exec without stdin sees its end at once; an attach without stdin never had the container's
            closeQuietly(process.stdin());
        }
        List<Thread> pumps = new ArrayList<>();
        pumps.add(pump(session, process.stdout(), STDOUT, options.stdout()));
        if (process.stderr() != null) {
            pumps.add(pump(session, process.stderr(), STDERR, options.stderr()));
        }
        Thread.ofVirtual().name("exec-wait").start(() -> {
            Status status;
            try {
                int code = process.waitFor();
                for (Thread t : pumps) {
                    t.join();
                }
                status = endStatus(options.attach(), options.command(), code);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = internalError("interrupted");
            }
            finish(session, status);
        });
    }

    // copies one output stream of the process to its channel, as it comes
    private static Thread pump(WebSocketSession session, InputStream in, byte channel, boolean wanted) {
        return Thread.ofVirtual().name("exec-out-" + channel).start(() -> {
            byte[] buf = new byte[32 * 1024];
            try (in) {
                int n;
                while ((n = in.read(buf, 1, buf.length - 1)) >= 0) {
                    if (wanted && n > 0) {
                        buf[0] = channel;
                        send(session, ByteBuffer.wrap(buf, 0, n + 1));
                    }
                }
            } catch (IOException e) {
                // the process or the client is gone
            }
        });
    }

    private static void send(WebSocketSession session, ByteBuffer data) throws IOException {
        // one sender at a time: JSR-356 forbids concurrent sends on a session
        synchronized (session) {
            if (session.isOpen()) {
                session.sendMessage(new BinaryMessage(data, true));
            }
        }
    }

    private static void finish(WebSocketSession session, Status status) {
        byte[] json = Json.write(status).getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(json.length + 1).put(ERROR).put(json).flip();
        try {
            send(session, b);
            synchronized (session) {
                session.close(CloseStatus.NORMAL);
            }
        } catch (IOException e) {
            // the client is gone
        }
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) throws IOException {
        ByteBuffer b = message.getPayload();
        byte[] data = new byte[b.remaining()];
        b.get(data);
        receive(session, data);
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
        receive(session, message.asBytes());
    }

    private void receive(WebSocketSession session, byte[] data) throws IOException {
        StreamingProcess process = (StreamingProcess) session.getAttributes().get(PROCESS);
        if (process == null || data.length == 0) {
            return;
        }
        switch (data[0]) {
            case STDIN -> {
                if (data.length > 1) {
                    try {
                        OutputStream in = process.stdin();
                        in.write(data, 1, data.length - 1);
                        in.flush();
                    } catch (IOException e) {
                        // the process closed its stdin: what it did not read is dropped, as a pipe would
                    }
                }
            }
            case RESIZE -> {
                Map<?, ?> size = Json.read(new String(data, 1, data.length - 1, StandardCharsets.UTF_8), Map.class);
                if (size.get("Width") instanceof Number w && size.get("Height") instanceof Number h) {
                    process.resize(w.intValue(), h.intValue());
                }
            }
            case CLOSE -> {
                if (data.length > 1 && data[1] == STDIN) {
                    closeQuietly(process.stdin());
                }
            }
            default -> log.debug("ignoring a message on channel {}", data[0] & 0xff);
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        // the client went away (or the command ended): a process nobody reads from is ended at once
        StreamingProcess process = (StreamingProcess) session.getAttributes().get(PROCESS);
        if (process != null) {
            process.close();
        }
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            // already closed
        }
    }

    static Status success() {
        Status s = new Status();
        s.status = "Success";
        return s;
    }

    /**
     * The Status that ends a session whose process ended with {@code code}: an attach always ends with Success,
     * whatever the container's exit code (Kubernetes' {@code remotecommand.ServeAttach} writes Success when
     * AttachContainer returns; kubectl takes the exit code from the pod's status), an exec with Success or
     * NonZeroExitCode ({@code remotecommand.ServeExec}).
     */
    static Status endStatus(boolean attach, List<String> command, int code) {
        return attach || code == 0 ? success() : nonZeroExit(command, code);
    }

    /** As the kubelet's remotecommand writeStatus for an exit error: NonZeroExitCode with an ExitCode cause. */
    static Status nonZeroExit(List<String> command, int code) {
        Status s = new Status();
        s.status = "Failure";
        s.reason = "NonZeroExitCode";
        s.message = "command terminated with non-zero exit code: error executing command " + command.toString().replace(",", "") + ", exit code " + code;
        s.details = new Status.Details();
        s.details.causes = List.of(new Status.Cause("ExitCode", Integer.toString(code), null));
        return s;
    }

    /** apierrors.NewInternalError: 500 InternalError. */
    static Status internalError(String message) {
        Status s = Status.failure(500, "InternalError", "Internal error occurred: " + message);
        s.details = new Status.Details();
        s.details.causes = List.of(new Status.Cause(null, message, null));
        return s;
    }
}
