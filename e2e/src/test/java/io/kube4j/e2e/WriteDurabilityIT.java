package io.kube4j.e2e;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No acknowledged write is lost when the parts under the apiserver fail ("Reliability under faults"):
 * <ul>
 *   <li>the etcd <b>leader</b> of a three-member cluster is killed while writers create objects: the
 *       cluster elects another leader and every write the apiserver acknowledged (201) is there;</li>
 *   <li>the apiserver is killed with SIGKILL while writers create objects and is started again on the
 *       same port: writers retry (a retry answered 409 AlreadyExists means an earlier, unacknowledged
 *       attempt was applied) and every acknowledged write is there.</li>
 * </ul>
 * Writers are plain HTTP clients, as a user's would be; figures (writes acknowledged, retries) are
 * printed.
 */
class WriteDurabilityIT {
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void losingTheEtcdLeaderLosesNoAcknowledgedWrite() throws Exception {
        try (Network network = Network.newNetwork()) {
            List<GenericContainer<?>> members = new ArrayList<>();
            String cluster = "d0=http://d0:2380,d1=http://d1:2380,d2=http://d2:2380";
            for (int i = 0; i < 3; i++) {
                String name = "d" + i;
                GenericContainer<?> m = new GenericContainer<>(DockerImageName.parse(EtcdContainer.IMAGE))
                        .withNetwork(network).withNetworkAliases(name).withExposedPorts(2379)
                        .withCommand("etcd", "--name", name, "--data-dir", "/tmp/etcd-data",
                                "--listen-client-urls", "http://0.0.0.0:2379", "--advertise-client-urls", "http://" + name + ":2379",
                                "--listen-peer-urls", "http://0.0.0.0:2380", "--initial-advertise-peer-urls", "http://" + name + ":2380",
                                "--initial-cluster", cluster, "--initial-cluster-state", "new")
                        .waitingFor(Wait.forLogMessage(".*ready to serve client requests.*", 1).withStartupTimeout(Duration.ofSeconds(90)));
                if (EtcdContainer.IMAGE.startsWith("local/")) {
                    m.withImagePullPolicy(EtcdContainer.NEVER_PULL);
                }
                members.add(m);
            }
            try {
                Startables.deepStart(members).join();
                List<String> endpoints = members.stream().map(c -> "http://" + c.getHost() + ":" + c.getMappedPort(2379)).toList();
                int leader = leaderIndex(endpoints);
                try (ApiServerProcess apiserver = new ApiServerProcess(String.join(",", endpoints)).start()) {
                    Writers writers = new Writers(apiserver.url(), 6).start();
                    writers.awaitAcknowledged(100, Duration.ofSeconds(60));
                    GenericContainer<?> gone = members.get(leader);
                    gone.getDockerClient().killContainerCmd(gone.getContainerId()).exec();
                    long killedAt = System.nanoTime();
                    int before = writers.acknowledged.get();
                    // writes must go on on the remaining quorum
                    writers.awaitAcknowledged(before + 200, Duration.ofSeconds(90));
                    writers.stop();
                    List<String> rest = new ArrayList<>(endpoints);
                    rest.remove(leader);
                    int newLeader = leaderIndex(rest);
                    System.out.printf("[WriteDurabilityIT] etcd leader d%d killed; %d writes acknowledged (%d after the kill, within %d ms), %d retries; new leader %s%n",
                            leader, writers.acknowledged.get(), writers.acknowledged.get() - before,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt), writers.retries.get(), rest.get(newLeader));
                    assertAllPresent(apiserver.url(), writers);
                }
            } finally {
                members.forEach(GenericContainer::stop);
            }
        }
    }

    @Test
    void killingTheApiserverLosesNoAcknowledgedWrite() throws Exception {
        try (EtcdContainer etcd = new EtcdContainer()) {
            etcd.start();
            int port = ApiServerProcess.freePort();
            ApiServerProcess first = new ApiServerProcess(port, etcd.endpoint()).start();
            Writers writers = new Writers(first.url(), 6).start();
            writers.awaitAcknowledged(150, Duration.ofSeconds(60));
            first.kill();
            int atKill = writers.acknowledged.get();
            try (ApiServerProcess second = new ApiServerProcess(port, etcd.endpoint()).start()) {
                writers.awaitAcknowledged(atKill + 150, Duration.ofSeconds(90));
                writers.stop();
                System.out.printf("[WriteDurabilityIT] apiserver killed (SIGKILL) after %d acknowledged writes; %d in all, %d retries, %d retries found their write already applied (409)%n",
                        atKill, writers.acknowledged.get(), writers.retries.get(), writers.appliedBeforeRetry.get());
                assertAllPresent(second.url(), writers);
            } finally {
                first.close();
            }
        }
    }

    /** Every name a writer saw acknowledged is listed by the apiserver (and, read back, by etcd through it). */
    static void assertAllPresent(String url, Writers writers) throws Exception {
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/namespaces/default/configmaps")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(list.statusCode()).isEqualTo(200);
        Set<String> names = new HashSet<>();
        Matcher m = Pattern.compile("\"name\":\"(w\\d+-\\d+)\"").matcher(list.body());
        while (m.find()) {
            names.add(m.group(1));
        }
        Set<String> lost = writers.acknowledgedNames.stream().filter(n -> !names.contains(n)).collect(Collectors.toSet());
        assertThat(writers.acknowledgedNames).isNotEmpty();
        assertThat(lost).as("acknowledged writes missing after the fault").isEmpty();
    }

    /** The index in {@code endpoints} of the etcd member that is the leader, by etcd's maintenance status. */
    static int leaderIndex(List<String> endpoints) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Client c = Client.builder().endpoints(endpoints.toArray(String[]::new)).build()) {
                for (int i = 0; i < endpoints.size(); i++) {
                    StatusResponse s = c.getMaintenanceClient().statusMember(endpoints.get(i)).get(5, TimeUnit.SECONDS);
                    if (s.getLeader() != 0 && s.getLeader() == s.getHeader().getMemberId()) {
                        return i;
                    }
                }
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no etcd leader among " + endpoints);
            }
            Thread.sleep(500);
        }
    }

    /**
     * Writer threads creating ConfigMaps {@code w<thread>-<n>} one after another; a write whose outcome is
     * unknown (connection refused or reset, 5xx) is retried with the same name until it is 201, or 409
     * AlreadyExists (an earlier attempt was applied: also acknowledged, as a client would conclude).
     */
    static final class Writers {
        final String url;
        final List<Thread> threads = new ArrayList<>();
        final AtomicInteger acknowledged = new AtomicInteger();
        final AtomicInteger retries = new AtomicInteger();
        final AtomicInteger appliedBeforeRetry = new AtomicInteger();
        final Set<String> acknowledgedNames = ConcurrentHashMap.newKeySet();
        volatile boolean stopped;

        Writers(String url, int count) {
            this.url = url;
            for (int t = 0; t < count; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().name("writer-" + t).unstarted(() -> run(id)));
            }
        }

        Writers start() {
            threads.forEach(Thread::start);
            return this;
        }

        void run(int id) {
            for (int n = 0; !stopped; n++) {
                String name = "w" + id + "-" + n;
                boolean retried = false;
                while (!stopped) {
                    int code = post(name);
                    if (code == 201 || (code == 409 && retried)) {
                        if (code == 409) {
                            appliedBeforeRetry.incrementAndGet();
                        }
                        acknowledgedNames.add(name);
                        acknowledged.incrementAndGet();
                        break;
                    }
                    retried = true;
                    retries.incrementAndGet();
                    sleep(100);
                }
            }
        }

        int post(String name) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/api/v1/namespaces/default/configmaps"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"k\":\"v\"}}"))
                    .build();
            try {
                return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
                return -1;
            }
        }

        void awaitAcknowledged(int count, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (acknowledged.get() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + acknowledged.get() + " of " + count + " writes acknowledged within " + timeout);
                }
                Thread.sleep(50);
            }
        }

        void stop() throws InterruptedException {
            stopped = true;
            for (Thread t : threads) {
                t.join(15_000);
            }
        }

        static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
