package io.kube4j.e2e;

import io.kube4j.client.ApiClient;
import io.kube4j.client.Kubeconfig;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.ComponentProcess;
import io.kube4j.testing.EtcdContainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole kube4j cluster for one test class: a real etcd (container), and the apiserver, scheduler,
 * controller-manager and kubelets each as its own JVM process talking HTTPS, exactly as deployed: the
 * apiserver secure (its PKI in a temporary directory, kubelet credentials for the node names given to the
 * constructor), every component with its own kubeconfig and the role Kubernetes gives it, kubelets
 * accepting only client certificates of the cluster CA and asking the apiserver (Webhook) whom to serve;
 * the test's own client ({@link #api}) is the admin.
 */
final class Cluster implements AutoCloseable {
    final EtcdContainer etcd = new EtcdContainer();
    ApiServerProcess apiserver;
    ApiClient api;
    final List<ComponentProcess> controlPlane = new ArrayList<>();
    final Map<String, ComponentProcess> kubelets = new LinkedHashMap<>();
    /** JVM options for the apiserver, scheduler, controller-manager and kubelets started after they are set (benchmarks' switches). */
    final List<String> componentJvmArgs = new ArrayList<>();

    private final List<String> nodeNames;
    Path pki;

    private boolean insecure;

    /** A cluster whose kubelets will be the nodes named (the apiserver issues each one's credentials at start). */
    Cluster(String... nodeNames) {
        this.nodeNames = List.of(nodeNames);
    }

    /**
     * The whole cluster without security (plain HTTP, no credentials; {@code kube4j.security.insecure=true}),
     * for CorpusIT and the density benchmarks ({@link Density}: many hollow nodes behind one client). One documentation example, {@code admin/sched/clusterrole.yaml}, is the docs' snippet
     * for editing the {@code system:kube-scheduler} ClusterRole: applied as a file it replaces the role's rules
     * with three lease/endpoint rules, and the harness deletes it after its batch, so the scheduler (user
     * system:kube-scheduler) may bind nothing for the rest of the run, exactly as on a secure Kubernetes
     * cluster; session 5's secure run had 121 of 301 examples pending that way. Without RBAC the corpus
     * tests what it is for. Running it secure needs the harness to restore, not delete, the cluster's own
     * objects a file changed.
     */
    Cluster insecure() {
        this.insecure = true;
        return this;
    }

    Cluster startControlPlane(List<String> controllerManagerArgs) {
        etcd.start();
        try {
            pki = Files.createTempDirectory("kube4j-e2e-pki");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (insecure) {
            apiserver = new ApiServerProcess(etcd.endpoint()).jvmArgs(componentJvmArgs.toArray(String[]::new)).start();
            api = new ApiClient(apiserver.url(), "e2e/kube4j");
        } else {
            apiserver = new ApiServerProcess(etcd.endpoint(), "--kube4j.security.pki-dir=" + pki,
                    "--kube4j.security.nodes=" + String.join(",", nodeNames)).jvmArgs(componentJvmArgs.toArray(String[]::new)).https().start();
            api = new ApiClient(apiserver.url(), "e2e/kube4j", Kubeconfig.load(pki.resolve("admin.kubeconfig")));
        }
        controlPlane.add(start("scheduler", "scheduler", "kube-scheduler", List.of("--kube4j.scheduler.leader-elect=false")));
        List<String> cm = new ArrayList<>(List.of("--kube4j.controller-manager.leader-elect=false"));
        if (!insecure) {
            cm.add("--kube4j.security.root-ca-file=" + pki.resolve("ca.crt"));
            cm.add("--kube4j.controller-manager.service-account-private-key-file=" + pki.resolve("sa.key"));
        }
        cm.addAll(controllerManagerArgs);
        controlPlane.add(start("controller-manager", "controller-manager", "kube-controller-manager", cm));
        return this;
    }

    /** The admin's kubeconfig (kubernetes-admin, system:masters; server https://127.0.0.1:<port>), for kubectl. */
    Path adminKubeconfig() {
        return pki.resolve("admin.kubeconfig");
    }

    /** A raw HTTP client presenting the admin's certificate and trusting the cluster CA, for exact wire checks. */
    java.net.http.HttpClient adminHttp() {
        if (insecure) {
            return java.net.http.HttpClient.newHttpClient();
        }
        return java.net.http.HttpClient.newBuilder().sslContext(Kubeconfig.load(adminKubeconfig()).sslContext()).build();
    }

    /** A hollow node (fake runtime) in its own process, so the test can kill it like a lost machine. */
    ComponentProcess startHollowKubelet(String nodeName) {
        return startHollowKubelet(nodeName, "4", "8Gi");
    }

    /** A hollow node with the given cpu and memory capacity. */
    ComponentProcess startHollowKubelet(String nodeName, String cpu, String memory) {
        if (!nodeNames.contains(nodeName)) {
            throw new IllegalStateException("node " + nodeName + " has no credentials: name it in new Cluster(...)");
        }
        List<String> auth = insecure ? List.of() : List.of(
                "--kube4j.kubelet.authentication.client-ca-file=" + pki.resolve("ca.crt"),
                "--kube4j.kubelet.authentication.anonymous=false",
                "--kube4j.kubelet.authorization.mode=Webhook");
        List<String> args = new ArrayList<>(auth);
        args.addAll(List.of(
                "--kube4j.kubelet.node-name=" + nodeName,
                "--kube4j.kubelet.runtime=fake",
                "--kube4j.kubelet.address=127.0.0.1",
                "--kube4j.kubelet.capacity.cpu=" + cpu,
                "--kube4j.kubelet.capacity.memory=" + memory,
                "--kube4j.kubelet.status-interval=2s"));
        ComponentProcess k = start("kubelet", "kubelet-" + nodeName, "kubelet-" + nodeName, args);
        kubelets.put(nodeName, k);
        return k;
    }

    /**
     * {@code count} hollow nodes (fake runtime) in one kubelet process ({@code kube4j.kubelet.count}), named
     * {@code <base>-0} ... {@code <base>-<count-1>}, as kubemark packs many hollow nodes on a machine. One process
     * has one client identity, so they all use the admin's kubeconfig (system:masters) rather than one
     * {@code system:node:<name>} certificate each: the Node authorizer and NodeRestriction are not exercised, the
     * write path is. Node status every 10 s (the kubelet's default, Kubernetes' nodeStatusUpdateFrequency).
     */
    ComponentProcess startHollowKubelets(String base, int count, String cpu, String memory, String pods) {
        List<String> args = new ArrayList<>(insecure ? List.of() : List.of(
                "--kube4j.kubelet.authentication.client-ca-file=" + pki.resolve("ca.crt"),
                "--kube4j.kubelet.authentication.anonymous=false",
                "--kube4j.kubelet.authorization.mode=Webhook"));
        args.addAll(List.of(
                "--kube4j.kubelet.node-name=" + base,
                "--kube4j.kubelet.count=" + count,
                "--kube4j.kubelet.runtime=fake",
                "--kube4j.kubelet.address=127.0.0.1",
                "--kube4j.kubelet.capacity.cpu=" + cpu,
                "--kube4j.kubelet.capacity.memory=" + memory,
                "--kube4j.kubelet.capacity.pods=" + pods,
                "--logging.level.root=WARN"));
        ComponentProcess k = start("kubelet", "kubelets-" + base, "admin", args);
        kubelets.put(base, k);
        return k;
    }

    private ComponentProcess start(String module, String name, String identity, List<String> args) {
        List<String> all = new ArrayList<>();
        all.add("--kube4j.apiserver.url=" + apiserver.url());
        if (!insecure) {
            all.add("--kube4j.apiserver.kubeconfig=" + pki.resolve(identity + ".kubeconfig"));
        }
        all.addAll(args);
        ComponentProcess p = new ComponentProcess(module, name, ApiServerProcess.freePort(), "/actuator/health", all)
                .jvmArgs(componentJvmArgs.toArray(String[]::new));
        // the kubelet's port is HTTPS only (Kubernetes' 10250)
        return (module.equals("kubelet") ? p.https() : p).start();
    }

    @Override
    public void close() {
        kubelets.values().forEach(ComponentProcess::close);
        controlPlane.forEach(ComponentProcess::close);
        if (apiserver != null) {
            apiserver.close();
        }
        etcd.stop();
    }
}
