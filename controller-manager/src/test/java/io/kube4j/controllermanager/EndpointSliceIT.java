package io.kube4j.controllermanager;

import io.kube4j.api.EndpointSlice;
import io.kube4j.api.Endpoints;
import io.kube4j.api.IntOrString;
import io.kube4j.api.Namespace;
import io.kube4j.api.Pod;
import io.kube4j.api.Service;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.controllermanager.endpointslice.EndpointSliceController;
import io.kube4j.controllermanager.endpointslice.EndpointSliceMirroringController;
import io.kube4j.controllermanager.testing.SimulatedNodes;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * The EndpointSlice and EndpointSliceMirroring controllers in the controller-manager against a real
 * apiserver on a real etcd (simulated nodes run the pods), checked through the API and through the
 * real kubectl 1.32, whose {@code describe service} reads EndpointSlices.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndpointSliceIT {
    EtcdContainer etcd;
    ApiServerProcess apiServer;
    ApiClient client;
    SimulatedNodes nodes;
    ConfigurableApplicationContext manager;

    @BeforeAll
    void startCluster() throws Exception {
        ControllerManagerIT.useCopyOfApiServerJar();
        etcd = new EtcdContainer();
        etcd.start();
        apiServer = new ApiServerProcess(etcd.endpoint()).start();
        client = new ApiClient(apiServer.url());
        nodes = new SimulatedNodes(client, "node-1", "node-2").start();
        manager = new SpringApplicationBuilder(ControllerManagerApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=" + apiServer.url(),
                "--kube4j.controller-manager.leader-elect=false");
    }

    @AfterAll
    void stopCluster() {
        if (manager != null) {
            manager.close();
        }
        if (nodes != null) {
            nodes.close();
        }
        if (apiServer != null) {
            apiServer.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    void namespace(String name) {
        Namespace ns = new Namespace();
        ns.metadata.name = name;
        client.create(ns);
    }

    List<EndpointSlice> slicesOf(String ns, String service) {
        return client.list(EndpointSlice.class, ns, ListOptions.labels(EndpointSlice.LABEL_SERVICE_NAME + "=" + service)).items;
    }

    @Test
    void aServicesSliceListsItsReadyPodsAndKubectlDescribeShowsThem(@TempDir Path dir) {
        namespace("slices");
        Service svc = new Service();
        svc.metadata.namespace = "slices";
        svc.metadata.name = "web";
        svc.spec.selector.putAll(ControllerManagerIT.WEB);
        Service.ServicePort sp = new Service.ServicePort();
        sp.name = "http";
        sp.port = 80;
        sp.targetPort = IntOrString.of("http");
        svc.spec.ports.add(sp);
        client.create(svc);
        client.create(ControllerManagerIT.deployment("slices", "web", 3, "web:1"));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<String> podIps = client.list(Pod.class, "slices").items.stream()
                    .filter(p -> p.status.podIP != null && p.metadata.deletionTimestamp == null).map(p -> p.status.podIP).sorted().toList();
            assertThat(podIps).hasSize(3);
            assertThat(slicesOf("slices", "web")).singleElement().satisfies(s -> {
                assertThat(s.metadata.name).startsWith("web-").hasSize("web-".length() + 5);
                assertThat(s.metadata.labels).containsEntry("endpointslice.kubernetes.io/managed-by", EndpointSliceController.CONTROLLER_NAME);
                assertThat(s.metadata.ownerReferences).singleElement().satisfies(o -> assertThat(o.kind).isEqualTo("Service"));
                assertThat(s.addressType).isEqualTo("IPv4");
                assertThat(s.ports).singleElement().satisfies(p -> {
                    assertThat(p.name).isEqualTo("http");
                    assertThat(p.port).isEqualTo(8080);
                });
                assertThat(s.endpoints).allSatisfy(e -> {
                    assertThat(e.conditions.ready).isTrue();
                    assertThat(e.targetRef.kind).isEqualTo("Pod");
                    assertThat(e.nodeName).startsWith("node-");
                });
                assertThat(s.endpoints.stream().map(e -> e.addresses.getFirst()).sorted().toList()).isEqualTo(podIps);
            });
        });

        EndpointSlice slice = slicesOf("slices", "web").getFirst();
        String expected = slice.endpoints.stream().map(e -> e.addresses.getFirst() + ":8080").collect(Collectors.joining(","));
        String out = kubectl(dir, "describe", "service", "web", "-n", "slices");
        assertThat(out).containsPattern("(?m)^Endpoints:\\s+" + expected.replace(".", "\\.") + "$");
    }

    @Test
    void theEndpointsOfASelectorlessServiceAreMirroredAndDescribed(@TempDir Path dir) {
        namespace("mirror");
        Service svc = new Service();
        svc.metadata.namespace = "mirror";
        svc.metadata.name = "db";
        Service.ServicePort sp = new Service.ServicePort();
        sp.name = "pg";
        sp.port = 5432;
        svc.spec.ports.add(sp);
        client.create(svc);
        Endpoints eps = new Endpoints();
        eps.metadata.namespace = "mirror";
        eps.metadata.name = "db";
        Endpoints.EndpointSubset ss = new Endpoints.EndpointSubset();
        Endpoints.EndpointAddress a = new Endpoints.EndpointAddress();
        a.ip = "192.168.5.5";
        ss.addresses.add(a);
        Endpoints.EndpointPort p = new Endpoints.EndpointPort();
        p.name = "pg";
        p.port = 5432;
        p.protocol = "TCP";
        ss.ports.add(p);
        eps.subsets.add(ss);
        client.create(eps);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(slicesOf("mirror", "db")).singleElement().satisfies(s -> {
            assertThat(s.metadata.labels).containsEntry("endpointslice.kubernetes.io/managed-by", EndpointSliceMirroringController.CONTROLLER_NAME);
            assertThat(s.endpoints).singleElement().satisfies(e -> assertThat(e.addresses).containsExactly("192.168.5.5"));
        }));
        assertThat(kubectl(dir, "describe", "service", "db", "-n", "mirror")).containsPattern("(?m)^Endpoints:\\s+192\\.168\\.5\\.5:5432$");
    }

    /**
     * Runs the real kubectl against the apiserver with a fresh cache and no kubeconfig (as the
     * apiserver's KubectlIT does). Without kubectl the test is skipped and says why; under CI it fails.
     */
    String kubectl(Path dir, String... args) {
        Path bin = locateKubectl();
        if (bin == null) {
            String why = "kubectl (v1.32) was not found on PATH, in $KUBECTL or at /usr/bin/kubectl";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " (CI=true: a missing kubectl is a failure, not a skip)");
            }
            Assumptions.abort(why);
        }
        List<String> cmd = new java.util.ArrayList<>(List.of(bin.toString(), "--server=" + apiServer.url(),
                "--cache-dir=" + dir.resolve("cache"), "--request-timeout=30s"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("KUBECONFIG", dir.resolve("no-kubeconfig").toString());
        pb.environment().put("HOME", dir.toString());
        try {
            Process proc = pb.start();
            proc.getOutputStream().close();
            byte[] out = proc.getInputStream().readAllBytes();
            if (!proc.waitFor(60, TimeUnit.SECONDS)) {
                proc.destroyForcibly();
                fail("kubectl did not finish within 60 s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            assertThat(proc.exitValue()).as("kubectl %s:%n%s", String.join(" ", args), text).isZero();
            return text;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path locateKubectl() {
        String env = System.getenv("KUBECTL");
        if (env != null && !env.isEmpty() && Files.isExecutable(Path.of(env))) {
            return Path.of(env);
        }
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "kubectl"))) {
                return Path.of(d, "kubectl");
            }
        }
        return Files.isExecutable(Path.of("/usr/bin/kubectl")) ? Path.of("/usr/bin/kubectl") : null;
    }

}
