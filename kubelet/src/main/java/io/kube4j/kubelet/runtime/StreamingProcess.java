package io.kube4j.kubelet.runtime;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * An interactive process in a container, what the CRI's streaming Exec and Attach hand the kubelet's
 * remotecommand server ({@code pkg/kubelet/cri/streaming/remotecommand}): its stdin, stdout and stderr
 * (null under a TTY, where both go to stdout), a terminal resize, and its exit code.
 */
public interface StreamingProcess extends AutoCloseable {

    /** Where the client's stdin goes; closing it closes the process's stdin. */
    OutputStream stdin();

    /** The process's stdout (its terminal under a TTY); ends when the process has exited. */
    InputStream stdout();

    /** The process's stderr, or null under a TTY. */
    InputStream stderr();

    /** Resizes the process's terminal to {@code width} columns and {@code height} rows; ignored without a TTY. */
    void resize(int width, int height);

    /** Waits for the exit and returns its code (a number, 0 when it succeeded). */
    int waitFor() throws InterruptedException;

    /** Ends the session: kills an exec'd process (the client went away); an attach leaves the container running. */
    @Override
    void close();
}
