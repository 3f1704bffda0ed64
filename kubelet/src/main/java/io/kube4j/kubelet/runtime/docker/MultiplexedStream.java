package io.kube4j.kubelet.runtime.docker;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Docker's multiplexed stream (logs and exec of containers without a TTY): frames of an 8-byte header
 * ({@code [stream, 0, 0, 0, size as 4 bytes big-endian]}, stream 1 stdout, 2 stderr) and the payload.
 * stdout and stderr are written to the same output, as {@code kubectl logs} shows them.
 */
public final class MultiplexedStream {
    private MultiplexedStream() {
    }

    /** Copies every frame's payload from {@code in} to {@code out} until EOF; flushes after each frame. */
    public static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] header = new byte[8];
        byte[] buf = new byte[8192];
        while (true) {
            int read = readFully(in, header, 0, 8);
            if (read == 0) {
                return;
            }
            if (read < 8) {
                throw new EOFException("truncated frame header");
            }
            long size = ((header[4] & 0xffL) << 24) | ((header[5] & 0xffL) << 16) | ((header[6] & 0xffL) << 8) | (header[7] & 0xffL);
            while (size > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, size));
                if (n < 0) {
                    throw new EOFException("truncated frame");
                }
                out.write(buf, 0, n);
                size -= n;
            }
            out.flush();
        }
    }

    /** Copies each frame's payload to {@code stdout} (stream 1) or {@code stderr} (stream 2) until EOF; flushes after each frame. */
    public static void demux(InputStream in, OutputStream stdout, OutputStream stderr) throws IOException {
        byte[] header = new byte[8];
        byte[] buf = new byte[8192];
        while (true) {
            int read = readFully(in, header, 0, 8);
            if (read == 0) {
                return;
            }
            if (read < 8) {
                throw new EOFException("truncated frame header");
            }
            OutputStream out = header[0] == 2 ? stderr : stdout;
            long size = ((header[4] & 0xffL) << 24) | ((header[5] & 0xffL) << 16) | ((header[6] & 0xffL) << 8) | (header[7] & 0xffL);
            while (size > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, size));
                if (n < 0) {
                    throw new EOFException("truncated frame");
                }
                out.write(buf, 0, n);
                size -= n;
            }
            out.flush();
        }
    }

    // how many bytes were read before EOF (0: clean end between frames)
    private static int readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int n = in.read(b, off + total, len - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
