package io.kube4j.kubelet.runtime.docker;

import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A minimal HTTP/1.1 client of the Docker Engine API over its unix socket, with the JDK only
 * ({@code java.net.http} cannot do unix sockets). One connection per request ({@code Connection: close}),
 * so a body ends at Content-Length, at the last chunk, or at EOF (a hijacked exec stream). A request
 * with a timeout has its socket closed when the timeout passes, which unblocks any read.
 */
public final class DockerClient {
    /** The API version this client speaks; Docker 20.10 serves 1.41. */
    public static final String API_VERSION = "v1.41";
    private static final ScheduledExecutorService TIMEOUTS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "docker-timeouts");
        t.setDaemon(true);
        return t;
    });

    private final Path socket;

    public DockerClient(Path socket) {
        this.socket = socket;
    }

    /** A response whose body is read as it arrives; close it to free the connection. */
    public static final class Response implements Closeable {
        private final int status;
        private final Map<String, String> headers;
        private final InputStream body;
        private final SocketChannel channel;
        private final ScheduledFuture<?> timeout;

        Response(int status, Map<String, String> headers, InputStream body, SocketChannel channel, ScheduledFuture<?> timeout) {
            this.status = status;
            this.headers = headers;
            this.body = body;
            this.channel = channel;
            this.timeout = timeout;
        }

        public int status() {
            return status;
        }

        /** A header by lower-case name, or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public InputStream body() {
            return body;
        }

        /**
         * The connection's sending side after the daemon hijacked it (exec start, attach): what is
         * written here is the process's stdin.
         */
        public OutputStream hijackedStdin() {
            return new java.io.FilterOutputStream(Channels.newOutputStream(channel)) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                // closing stdin half-closes the connection: the daemon closes the process's stdin
                @Override
                public void close() throws IOException {
                    if (channel.isOpen()) {
                        channel.shutdownOutput();
                    }
                }
            };
        }

        public byte[] readAll() throws IOException {
            return body.readAllBytes();
        }

        @Override
        public void close() {
            if (timeout != null) {
                timeout.cancel(false);
            }
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /**
     * Sends a request to {@code /v1.41} + {@code pathAndQuery}; {@code timeout} null means none (a
     * followed log). Throws IOException when the daemon cannot be reached or the timeout passes.
     */
    public Response request(String method, String pathAndQuery, Object jsonBody, Duration timeout) throws IOException {
        byte[] body = jsonBody == null ? null : Json.writeBytes(jsonBody);
        SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        ScheduledFuture<?> timer = timeout == null ? null : TIMEOUTS.schedule(() -> {
            try {
                channel.close();
            } catch (IOException e) {
                // already closed
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            OutputStream out = Channels.newOutputStream(channel);
            StringBuilder head = new StringBuilder();
            head.append(method).append(' ').append('/').append(API_VERSION).append(pathAndQuery).append(" HTTP/1.1\r\n");
            head.append("Host: docker\r\nUser-Agent: kube4j-kubelet\r\nConnection: close\r\n");
            if (body != null) {
                head.append("Content-Type: application/json\r\n");
            }
            head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 16384);
            String statusLine = readLine(in);
            if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
                throw new IOException("bad response from docker: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            String line;
            while ((line = readLine(in)) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            InputStream bodyIn;
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                bodyIn = new ChunkedInputStream(in);
            } else if (headers.containsKey("content-length")) {
                bodyIn = new BoundedInputStream(in, Long.parseLong(headers.get("content-length")));
            } else if (status == 204 || status == 304 || "HEAD".equals(method)) {
                bodyIn = InputStream.nullInputStream();
            } else {
                bodyIn = in; // until the daemon closes the connection
            }
            return new Response(status, headers, bodyIn, channel, timer);
        } catch (IOException | RuntimeException e) {
            if (timer != null) {
                timer.cancel(false);
            }
            channel.close();
            if (timeout != null && !channel.isOpen() && e instanceof java.nio.channels.ClosedChannelException) {
                throw new IOException(method + " " + pathAndQuery + " timed out after " + timeout.toMillis() + "ms", e);
            }
            throw e;
        }
    }

    /** A request whose whole answer is JSON (or empty); an answer of 400 or more throws {@link DockerException}. */
    public JsonNode call(String method, String pathAndQuery, Object jsonBody, Duration timeout) {
        try (Response r = request(method, pathAndQuery, jsonBody, timeout)) {
            byte[] bytes = r.readAll();
            if (r.status() >= 400) {
                throw new DockerException(r.status(), message(bytes));
            }
            if (bytes.length == 0) {
                return Json.mapper().missingNode();
            }
            return Json.tree(bytes);
        } catch (IOException e) {
            throw new DockerException(0, "cannot talk to docker at " + socket + ": " + e.getMessage());
        }
    }

    /** Docker's error body is {@code {"message": "..."}}. */
    static String message(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        try {
            JsonNode n = Json.tree(body);
            if (n.has("message")) {
                return n.get("message").asString();
            }
        } catch (RuntimeException e) {
            // not JSON
        }
        return text;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b < 0 && line.size() == 0) {
            return null;
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** An answer of the daemon with status 400 or more (or 0 when it could not be reached). */
    public static class DockerException extends RuntimeException {
        private final int status;

        public DockerException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** Reads a body of known length. */
    static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(buf, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }

    /** Decodes {@code Transfer-Encoding: chunked}: hex size line, data, CRLF, ..., a zero-size chunk. */
    static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private long chunkLeft;
        private boolean done;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        private boolean nextChunk() throws IOException {
            if (done) {
                return false;
            }
            String sizeLine = readLine(in);
            while (sizeLine != null && sizeLine.isEmpty()) {
                sizeLine = readLine(in); // the CRLF that ends the previous chunk
            }
            if (sizeLine == null) {
                done = true;
                return false;
            }
            int semi = sizeLine.indexOf(';');
            long size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            if (size == 0) {
                // trailers until an empty line
                String t;
                while ((t = readLine(in)) != null && !t.isEmpty()) {
                    // ignored
                }
                done = true;
                return false;
            }
            chunkLeft = size;
            return true;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (chunkLeft == 0 && !nextChunk()) {
                return -1;
            }
            int n = in.read(buf, off, (int) Math.min(len, chunkLeft));
            if (n < 0) {
                done = true;
                return -1;
            }
            chunkLeft -= n;
            return n;
        }
    }
}
