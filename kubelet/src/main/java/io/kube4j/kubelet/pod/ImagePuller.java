package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Pod;
import io.kube4j.kubelet.runtime.ImagePullException;

import java.time.Duration;
import java.time.Instant;

/**
 * Makes sure a container's image is there before it is created (Kubernetes' {@code pkg/kubelet/images/
 * image_manager.go} EnsureImageExists): honours imagePullPolicy, pulls with ImagePullBackOff between
 * failed pulls (10 s doubling to 5 min, per pod and image), and records Kubernetes' events.
 */
final class ImagePuller {
    private final KubeletContext ctx;

    ImagePuller(KubeletContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Null when the image is present (pulled if needed), else the container's waiting state:
     * InvalidImageName, ErrImageNeverPull, ErrImagePull (the pull failed now) or ImagePullBackOff.
     */
    ContainerStatus.Waiting ensure(Pod pod, Container c) {
        String image = c.image;
        if (image == null || image.isBlank()) {
            return waiting("InvalidImageName", "container " + c.name + " has no image");
        }
        String policy = c.imagePullPolicy != null ? c.imagePullPolicy : defaultPullPolicy(image);
        if (!"Always".equals(policy)) {
            if (ctx.runtime().imagePresent(image)) {
                ctx.events().normal(pod, "Pulled", "Container image \"" + image + "\" already present on machine");
                return null;
            }
            if ("Never".equals(policy)) {
                String message = "Container image \"" + image + "\" is not present with pull policy of Never";
                ctx.events().warning(pod, "ErrImageNeverPull", message);
                return waiting("ErrImageNeverPull", message);
            }
        }
        String key = pod.metadata.uid + "_" + image;
        Instant now = ctx.clock().instant();
        if (ctx.pullBackoff().inBackOffSinceUpdate(key, now)) {
            String message = "Back-off pulling image \"" + image + "\"";
            ctx.events().normal(pod, "BackOff", message);
            return waiting("ImagePullBackOff", message);
        }
        ctx.events().normal(pod, "Pulling", "Pulling image \"" + image + "\"");
        try {
            ctx.runtime().pullImage(image);
        } catch (ImagePullException e) {
            ctx.pullBackoff().next(key, now, now);
            ctx.events().warning(pod, "Failed", "Failed to pull image \"" + image + "\": " + e.getMessage());
            ctx.events().warning(pod, "Failed", "Error: ErrImagePull");
            return waiting("ErrImagePull", e.getMessage());
        }
        ctx.pullBackoff().reset(key);
        Duration took = Duration.between(now, ctx.clock().instant());
        ctx.events().normal(pod, "Pulled", "Successfully pulled image \"" + image + "\" in " + took.toMillis() + "ms");
        return null;
    }

    /** Kubernetes' default: Always for {@code :latest} or no tag, IfNotPresent otherwise (digests included). */
    static String defaultPullPolicy(String image) {
        if (image.contains("@")) {
            return "IfNotPresent";
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        boolean tagged = colon > slash;
        return !tagged || image.endsWith(":latest") ? "Always" : "IfNotPresent";
    }

    static ContainerStatus.Waiting waiting(String reason, String message) {
        ContainerStatus.Waiting w = new ContainerStatus.Waiting();
        w.reason = reason;
        w.message = message;
        return w;
    }
}
