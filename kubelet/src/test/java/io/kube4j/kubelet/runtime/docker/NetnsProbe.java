package io.kube4j.kubelet.runtime.docker;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Run inside a container by {@link NetworkNamespaceDialerInContainerIT}: dials {@code 127.0.0.1:<port>} in the
 * network namespace of process {@code <pid>} with the kubelet's {@link NetworkNamespaceDialer}, sends an HTTP
 * request and prints {@code OK <status line>}, or {@code FAIL <exception>}.
 */
public final class NetnsProbe {
    private NetnsProbe() {
    }

    /** Arguments: the host pid of the pod's sandbox, the port. */
    public static void main(String[] args) {
        try (SocketChannel ch = NetworkNamespaceDialer.dial(Long.parseLong(args[0]), Integer.parseInt(args[1]), 3000)) {
            ch.write(ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer b = ByteBuffer.allocate(4096);
            ch.read(b);
            System.out.println("OK " + new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).lines().findFirst().orElse(""));
        } catch (Exception e) {
            System.out.println("FAIL " + e);
        }
    }
}
