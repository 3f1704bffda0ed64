package io.kube4j.kubelet;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The CRI runtime's settings ({@code kube4j.kubelet.cri.*}, used with {@code kube4j.kubelet.runtime=cri}); its sandbox
 * image is {@code kube4j.kubelet.sandbox-image}. Kept apart from {@link KubeletProperties} so that adding it changes
 * nothing there.
 *
 * @param endpoint    the CRI runtime's socket (Kubernetes' {@code --container-runtime-endpoint}), {@code unix:///path}
 *                    or a plain path
 * @param podLogsDir  where pod log directories {@code <namespace>_<name>_<uid>} go (Kubernetes: {@code /var/log/pods});
 *                    empty: {@code <root-dir>/<node>/logs/pods}
 */
@ConfigurationProperties("kube4j.kubelet.cri")
public record CriProperties(
        @DefaultValue("unix:///run/containerd/containerd.sock") String endpoint,
        @DefaultValue("") String podLogsDir) {

    /** The defaults. */
    public static final CriProperties DEFAULT = new CriProperties("unix:///run/containerd/containerd.sock", "");
}
