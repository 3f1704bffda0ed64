package io.kube4j.apiserver;

import io.kube4j.api.Lease;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Optimistic concurrency: etcd transactions on the object's revision let exactly one stale writer win. */
class ConcurrentUpdateIT {
    static ApiServerFixture fx;
    static ApiClient api;

    @BeforeAll
    static void start() {
        fx = new ApiServerFixture().start();
        api = fx.client;
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    static Lease counter(String name) {
        Lease l = new Lease();
        l.metadata.name = name;
        l.metadata.namespace = "default";
        l.spec.leaseTransitions = 0;
        return api.create(l);
    }

    @Test
    void twentyWritersWithTheSameResourceVersionExactlyOneWins() throws Exception {
        Lease base = counter("race");
        AtomicInteger wins = new AtomicInteger();
        AtomicInteger conflicts = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int me = i;
                all.add(pool.submit(() -> {
                    Lease mine = Json.copy(base);
                    mine.spec.holderIdentity = "writer-" + me;
                    go.await();
                    try {
                        api.update(mine);
                        wins.incrementAndGet();
                    } catch (ApiException e) {
                        if (e.code() == 409) {
                            conflicts.incrementAndGet();
                        } else {
                            throw e;
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : all) {
                f.get();
            }
        }
        assertThat(wins.get()).isEqualTo(1);
        assertThat(conflicts.get()).isEqualTo(19);
    }

    @Test
    void withRetryOnConflictAllTwentyIncrementsLand() throws Exception {
        counter("increments");
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger retries = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                all.add(pool.submit(() -> {
                    go.await();
                    while (true) {
                        Lease cur = api.get(Lease.class, "default", "increments");
                        cur.spec.leaseTransitions = cur.spec.leaseTransitions + 1;
                        try {
                            api.update(cur);
                            return null;
                        } catch (ApiException e) {
                            if (!e.isConflict()) {
                                throw e;
                            }
                            retries.incrementAndGet();
                        }
                    }
                }));
            }
            go.countDown();
            for (Future<?> f : all) {
                f.get();
            }
        }
        assertThat(api.get(Lease.class, "default", "increments").spec.leaseTransitions).isEqualTo(20);
        assertThat(retries.get()).isPositive();
    }
}
