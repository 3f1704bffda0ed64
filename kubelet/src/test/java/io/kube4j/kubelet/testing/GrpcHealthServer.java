package io.kube4j.kubelet.testing;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server with only the standard health service (grpc-java's HealthStatusManager), on 127.0.0.1:
 * for gRPC probe tests, in-process or as a container's command on the process runtime
 * ({@code java -cp ... GrpcHealthServer <port> [servingSeconds]}: SERVING, then NOT_SERVING after
 * servingSeconds).
 */
public final class GrpcHealthServer implements AutoCloseable {
    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();

    public GrpcHealthServer(int port) throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)).addService(health.getHealthService()).build().start();
    }

    public int port() {
        return server.getPort();
    }

    /** Sets the status of the whole server ("") or of one service. */
    public void status(String service, HealthCheckResponse.ServingStatus status) {
        health.setStatus(service, status);
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    public static void main(String[] args) throws Exception {
        GrpcHealthServer s = new GrpcHealthServer(Integer.parseInt(args[0]));
        System.out.println("grpc health server on port " + s.port());
        if (args.length > 1) {
            Thread.sleep(Long.parseLong(args[1]) * 1000);
            s.status("", HealthCheckResponse.ServingStatus.NOT_SERVING);
            System.out.println("NOT_SERVING");
        }
        s.server.awaitTermination();
    }
}
