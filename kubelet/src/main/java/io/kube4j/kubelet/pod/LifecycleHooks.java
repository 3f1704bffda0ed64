package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.Probe;
import io.kube4j.kubelet.probe.ProbeAction;
import io.kube4j.kubelet.probe.ProbeResult;

import java.time.Duration;

/**
 * Runs postStart and preStop handlers (exec, httpGet, sleep) the way Kubernetes'
 * {@code pkg/kubelet/lifecycle/handlers.go} does, with its failure messages.
 */
final class LifecycleHooks {
    private LifecycleHooks() {
    }

    /**
     * Runs {@code handler} for container instance {@code containerId}; null when it succeeded, else Kubernetes'
     * message, e.g. {@code Exec lifecycle hook ([sh -c exit 1]) for Container "app" in Pod "web_default(uid)" failed - ...}.
     */
    static String run(KubeletContext ctx, Pod pod, Container spec, String containerId, String podIp, Probe.Handler handler, Duration timeout) {
        ProbeResult r = ctx.probeRunner().run(ProbeAction.of(handler), spec, containerId, podIp, timeout);
        if (r.success()) {
            return null;
        }
        if (handler.httpGet != null && r.message() != null && r.message().startsWith(io.kube4j.kubelet.probe.ProbeRunner.HTTP_STATUS_FAILURE)) {
            // runHTTPHandler (pkg/kubelet/lifecycle/handlers.go) discards the body and fails only on a transport
            // error: unlike a probe, a hook answered with any status code has succeeded
            return null;
        }
        String where = " for Container \"" + spec.name + "\" in Pod \"" + PodActionsPlanner.formatPod(pod) + "\" failed - error: ";
        if (handler.exec != null) {
            return "Exec lifecycle hook (" + PodStatusGenerator.goList(handler.exec.command) + ")" + where + r.message();
        }
        if (handler.httpGet != null) {
            return "HTTP lifecycle hook (" + (handler.httpGet.path == null ? "" : handler.httpGet.path) + ")" + where + r.message();
        }
        return "Lifecycle hook" + where + r.message();
    }
}
