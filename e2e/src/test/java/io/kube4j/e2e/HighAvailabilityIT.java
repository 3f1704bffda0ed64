package io.kube4j.e2e;

import io.kube4j.api.Deployment;
import io.kube4j.api.Lease;
import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.ComponentProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * High availability: a three-member etcd cluster, two apiservers, and every other component given both
 * apiserver URLs. One etcd member and one apiserver die; the cluster keeps scheduling and running pods
 * and no object written before or after is lost.
 */
class HighAvailabilityIT {
    static Network network;
    static final List<GenericContainer<?>> etcd = new ArrayList<>();
    static ApiServerProcess apiserver1;
    static ApiServerProcess apiserver2;
    static final List<ComponentProcess> components = new ArrayList<>();
    static ApiClient api;

    @BeforeAll
    static void start() {
        network = Network.newNetwork();
        String cluster = "etcd0=http://etcd0:2380,etcd1=http://etcd1:2380,etcd2=http://etcd2:2380";
        for (int i = 0; i < 3; i++) {
            String name = "etcd" + i;
            GenericContainer<?> member = new GenericContainer<>(DockerImageName.parse(EtcdContainer.IMAGE))
                    .withNetwork(network)
                    .withNetworkAliases(name)
                    .withExposedPorts(2379)
                    .withCommand("etcd", "--name", name, "--data-dir", "/tmp/etcd-data",
                            "--listen-client-urls", "http://0.0.0.0:2379", "--advertise-client-urls", "http://" + name + ":2379",
                            "--listen-peer-urls", "http://0.0.0.0:2380", "--initial-advertise-peer-urls", "http://" + name + ":2380",
                            "--initial-cluster", cluster, "--initial-cluster-state", "new")
                    .waitingFor(Wait.forLogMessage(".*ready to serve client requests.*", 1).withStartupTimeout(Duration.ofSeconds(90)));
            if (EtcdContainer.IMAGE.startsWith("local/")) {
                member.withImagePullPolicy(EtcdContainer.NEVER_PULL);
            }
            etcd.add(member);
        }
        // members wait for a quorum before they serve: start them together
        Startables.deepStart(etcd).join();
        String endpoints = etcd.stream().map(c -> "http://" + c.getHost() + ":" + c.getMappedPort(2379)).collect(Collectors.joining(","));
        apiserver1 = new ApiServerProcess(endpoints).start();
        apiserver2 = new ApiServerProcess(endpoints).start();
        String urls = apiserver1.url() + "," + apiserver2.url();
        api = new ApiClient(urls);
        components.add(component("scheduler", "ha-scheduler", urls, List.of("--kube4j.scheduler.leader-elect=true")));
        components.add(component("controller-manager", "ha-controller-manager", urls, List.of("--kube4j.controller-manager.leader-elect=true")));
        for (String node : List.of("ha-1", "ha-2")) {
            components.add(component("kubelet", "kubelet-" + node, urls, List.of("--kube4j.kubelet.node-name=" + node,
                    "--kube4j.kubelet.runtime=fake", "--kube4j.kubelet.address=127.0.0.1",
                    "--kube4j.kubelet.capacity.cpu=8", "--kube4j.kubelet.capacity.memory=16Gi")));
        }
    }

    static ComponentProcess component(String module, String name, String urls, List<String> args) {
        List<String> all = new ArrayList<>(List.of("--kube4j.apiserver.url=" + urls));
        all.addAll(args);
        ComponentProcess p = new ComponentProcess(module, name, ApiServerProcess.freePort(), "/actuator/health", all);
        // the kubelet's port is HTTPS only (Kubernetes' 10250)
        return (module.equals("kubelet") ? p.https() : p).start();
    }

    @AfterAll
    static void stop() {
        components.forEach(ComponentProcess::close);
        if (apiserver1 != null) {
            apiserver1.close();
        }
        if (apiserver2 != null) {
            apiserver2.close();
        }
        etcd.forEach(GenericContainer::stop);
        if (network != null) {
            network.close();
        }
    }

    static Lease lease(String name) {
        Lease l = new Lease();
        l.metadata.namespace = "default";
        l.metadata.name = name;
        l.spec.holderIdentity = name;
        return l;
    }

    static long runningWebPods() {
        return api.list(Pod.class, "default", ListOptions.labels("app=web")).items.stream()
                .filter(p -> "Running".equals(p.status.phase) && p.metadata.deletionTimestamp == null).count();
    }

    @Test
    void losingAnEtcdMemberAndAnApiserverLosesNothingAndPodsStillRun() {
        for (int i = 0; i < 20; i++) {
            api.create(lease("before-" + i));
        }
        api.create(PodFlowIT.web(3, "busybox:1.36"));
        await().atMost(Duration.ofSeconds(90)).until(() -> runningWebPods() == 3);

        etcd.get(1).getDockerClient().stopContainerCmd(etcd.get(1).getContainerId()).withTimeout(2).exec();
        apiserver1.kill();

        // the client fails over to the second apiserver, which works on the remaining etcd quorum
        for (int i = 0; i < 20; i++) {
            api.create(lease("after-" + i));
        }
        api.updateScale(Deployment.class, "default", "web", 5);
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(runningWebPods()).isEqualTo(5));

        Set<String> leases = api.list(Lease.class, "default").items.stream().map(l -> l.metadata.name).collect(Collectors.toSet());
        for (int i = 0; i < 20; i++) {
            assertThat(leases).contains("before-" + i, "after-" + i);
        }
        assertThat(api.baseUrl()).isEqualTo(apiserver2.url());
    }
}
