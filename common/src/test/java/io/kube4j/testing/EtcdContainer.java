package io.kube4j.testing;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.ImagePullPolicy;
import org.testcontainers.utility.DockerImageName;

import java.time.Duration;

/**
 * A real etcd in a container for tests. The image is {@link TestImages#ETCD}: the official
 * {@code quay.io/coreos/etcd:v3.5.17} unless {@code KUBE4J_ETCD_IMAGE} names another (our CI builds
 * {@code local/etcd:3.4} without a registry). A {@code local/} image is never pulled, so a missing one
 * fails fast; any other name is pulled as usual.
 */
public class EtcdContainer extends GenericContainer<EtcdContainer> {
    public static final String IMAGE = TestImages.ETCD;

    /** For locally built images: there is nothing to pull them from. */
    public static final ImagePullPolicy NEVER_PULL = imageName -> false;

    public EtcdContainer() {
        super(DockerImageName.parse(IMAGE));
        if (IMAGE.startsWith("local/")) {
            withImagePullPolicy(NEVER_PULL);
        }
        withExposedPorts(2379);
        withCommand("etcd",
                "--name", "etcd0",
                "--data-dir", "/tmp/etcd-data",
                "--listen-client-urls", "http://0.0.0.0:2379",
                "--advertise-client-urls", "http://127.0.0.1:2379",
                "--listen-peer-urls", "http://127.0.0.1:2380",
                "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
                "--initial-cluster", "etcd0=http://127.0.0.1:2380");
        waitingFor(Wait.forLogMessage(".*ready to serve client requests.*", 1).withStartupTimeout(Duration.ofSeconds(60)));
    }

    /** The client URL as seen from the host, e.g. {@code http://localhost:32771}. */
    public String endpoint() {
        return "http://" + getHost() + ":" + getMappedPort(2379);
    }
}
