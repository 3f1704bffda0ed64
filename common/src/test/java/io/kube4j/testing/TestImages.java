package io.kube4j.testing;

/**
 * The container images the tests run, each the official, pullable image unless an environment variable
 * names another: a fresh machine with Docker and a registry runs {@code ./mvnw verify} as it is, and our
 * CI (no registry) points them at the images it builds locally ({@code .ci/run} sets the variables).
 * A {@code local/...} image is never pulled (see {@link EtcdContainer#NEVER_PULL}).
 */
public final class TestImages {
    /** etcd for the Testcontainers ITs: {@code KUBE4J_ETCD_IMAGE}, else {@code quay.io/coreos/etcd:v3.5.17} (as docker-compose.yml). */
    public static final String ETCD = env("KUBE4J_ETCD_IMAGE", "quay.io/coreos/etcd:v3.5.17");
    /** busybox for pods and sandboxes on the docker runtime: {@code KUBE4J_BUSYBOX_IMAGE}, else {@code busybox:1.36}. */
    public static final String BUSYBOX = env("KUBE4J_BUSYBOX_IMAGE", "busybox:1.36");

    private TestImages() {
    }

    private static String env(String name, String official) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? official : v.trim();
    }
}
