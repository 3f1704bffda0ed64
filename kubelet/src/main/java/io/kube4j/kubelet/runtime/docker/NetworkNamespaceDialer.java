package io.kube4j.kubelet.runtime.docker;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Connects to {@code localhost:port} inside the network namespace of a process (a pod's sandbox), as
 * Kubernetes' runtimes do for port-forward (containerd's {@code portForward}: {@code netns.Do} then
 * {@code net.Dial("tcp4", "localhost:port")}), so a server bound to 127.0.0.1 in the pod is reachable. A
 * fresh platform thread joins the namespace with {@code setns(2)} (libc through the JDK's foreign function
 * API; a network namespace is per thread), opens and connects the socket there (a socket belongs to the
 * namespace it was created in), and ends, so no other work ever runs in the pod's namespace. Needs
 * CAP_SYS_ADMIN and the process visible in {@code /proc} under its host pid (Docker's {@code State.Pid}): a kubelet
 * on the host, or in a container sharing the host's pid namespace ({@code pid: host} in docker-compose.yml).
 */
final class NetworkNamespaceDialer {
    private static final int O_RDONLY = 0;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final MethodHandle OPEN;
    private static final MethodHandle SETNS;
    private static final MethodHandle CLOSE;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        OPEN = linker.downcallHandle(libc.find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        SETNS = linker.downcallHandle(libc.find("setns").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        CLOSE = linker.downcallHandle(libc.find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    private NetworkNamespaceDialer() {
    }

    /**
     * A blocking channel connected to {@code 127.0.0.1:port} in the network namespace of process {@code pid}.
     *
     * @throws IOException when the namespace cannot be joined (no such process, no privilege) or nothing accepts
     */
    static SocketChannel dial(long pid, int port, int timeoutMillis) throws IOException {
        CompletableFuture<SocketChannel> result = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().name("netns-dial-" + pid + ":" + port).daemon().start(() -> {
            try {
                join(pid);
                SocketChannel ch = SocketChannel.open();
                try {
                    ch.socket().connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
                } catch (IOException e) {
                    ch.close();
                    throw e;
                }
                result.complete(ch);
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            t.interrupt();
            throw new IOException("interrupted while connecting to port " + port + " in the pod", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    private static void join(long pid) throws IOException {
        String path = "/proc/" + pid + "/ns/net";
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(path);
            fd = (int) OPEN.invokeExact(p, O_RDONLY);
        } catch (Throwable e) {
            throw new IOException("cannot open " + path + ": " + e.getMessage(), e);
        }
        if (fd < 0) {
            throw new IOException("cannot open " + path);
        }
        try {
            int rc = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
            if (rc != 0) {
                throw new IOException("cannot enter the network namespace of process " + pid + " (setns failed; the kubelet needs CAP_SYS_ADMIN)");
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException("setns: " + e.getMessage(), e);
        } finally {
            try {
                int ignored = (int) CLOSE.invokeExact(fd);
            } catch (Throwable e) {
                // nothing more to release
            }
        }
    }
}
