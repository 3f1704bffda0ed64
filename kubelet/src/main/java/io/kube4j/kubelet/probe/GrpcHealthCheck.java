package io.kube4j.kubelet.probe;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC probe: one {@code grpc.health.v1.Health/Check} call over a fresh plaintext connection, as
 * Kubernetes' {@code pkg/probe/grpc/grpc.go} makes it, with its failure messages.
 */
final class GrpcHealthCheck {
    private GrpcHealthCheck() {
    }

    /** Checks {@code grpc.service} (empty: the whole server) at {@code host:grpc.port} within {@code timeout}. */
    static ProbeResult check(String host, io.kube4j.api.Probe.GRPCAction grpc, Duration timeout) {
        if (grpc.port == null) {
            return ProbeResult.failure("probe has no port");
        }
        String addr = (host.contains(":") ? "[" + host + "]" : host) + ":" + grpc.port;
        String service = grpc.service == null ? "" : grpc.service;
        ManagedChannel channel = NettyChannelBuilder.forAddress(host, grpc.port)
                .usePlaintext()
                .userAgent("kube-probe/1.32")
                .build();
        try {
            HealthCheckResponse response = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .withWaitForReady()
                    .check(HealthCheckRequest.newBuilder().setService(service).build());
            if (response.getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
                return ProbeResult.failure("service unhealthy (responded with \"" + response.getStatus().name() + "\")");
            }
            return ProbeResult.ok();
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            return switch (code) {
                case UNIMPLEMENTED -> ProbeResult.failure("error: this server does not implement the grpc health protocol (grpc.health.v1.Health): "
                        + e.getStatus().getDescription());
                // waitForReady: a deadline before the connection came up is Kubernetes' dial timeout
                case DEADLINE_EXCEEDED -> ProbeResult.failure("timeout: failed to connect service \"" + addr + "\" within " + timeout.toSeconds() + "s: " + e.getMessage());
                default -> ProbeResult.failure("error: health rpc probe failed: " + e.getMessage());
            };
        } finally {
            channel.shutdownNow();
        }
    }
}
