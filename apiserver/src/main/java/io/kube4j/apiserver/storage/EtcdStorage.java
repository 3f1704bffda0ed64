package io.kube4j.apiserver.storage;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.kube4j.apiserver.ApiServerProperties;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Objects in etcd through jetcd, one key per object. Every write is a transaction guarded by the key's
 * revision, so two writers can never both win: create needs {@code createRevision == 0}, update and
 * delete need {@code modRevision ==} the revision the writer read. The etcd revision of a write is the
 * object's resourceVersion.
 */
public final class EtcdStorage implements AutoCloseable {
    /** A stored value and the revision it was last written at. */
    public record Stored(String key, byte[] value, long modRevision) {
    }

    /** One page of a range read, at a fixed revision. */
    public record Page(List<Stored> items, long revision, boolean more) {
    }

    private final Client client;
    private final KV kv;
    private final Duration timeout;
    private final MeterRegistry meters;

    public EtcdStorage(ApiServerProperties props, MeterRegistry meters) {
        String[] endpoints = Arrays.stream(props.etcd().endpoints().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
        this.client = Client.builder()
                .endpoints(endpoints)
                // fail fast while etcd is down (503 to the caller) instead of queueing requests
                .waitForReady(false)
                .connectTimeout(Duration.ofSeconds(3))
                .retryMaxAttempts(2)
                .build();
        this.kv = client.getKVClient();
        this.timeout = props.etcd().requestTimeout();
        this.meters = meters;
    }

    public Client client() {
        return client;
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    /** Creates the key; {@link StorageException.Kind#KEY_EXISTS} if it is there already. Returns the revision. */
    public long create(String key, byte[] value) {
        ByteSequence k = bytes(key);
        TxnResponse r = call("create", () -> kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(k, ByteSequence.from(value), PutOption.DEFAULT))
                .commit(), key);
        if (!r.isSucceeded()) {
            throw new StorageException(StorageException.Kind.KEY_EXISTS, key, "key exists: " + key, null);
        }
        return r.getHeader().getRevision();
    }

    /** Replaces the key if it was last written at {@code expectedModRevision}. Returns the new revision. */
    public long update(String key, byte[] value, long expectedModRevision) {
        ByteSequence k = bytes(key);
        TxnResponse r = call("update", () -> kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision)))
                .Then(Op.put(k, ByteSequence.from(value), PutOption.DEFAULT))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(), key);
        if (!r.isSucceeded()) {
            throw conflictOrMissing(key, r);
        }
        return r.getHeader().getRevision();
    }

    /** Deletes the key if it was last written at {@code expectedModRevision}. Returns the revision of the delete. */
    public long delete(String key, long expectedModRevision) {
        ByteSequence k = bytes(key);
        TxnResponse r = call("delete", () -> kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision)))
                .Then(Op.delete(k, DeleteOption.DEFAULT))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(), key);
        if (!r.isSucceeded()) {
            throw conflictOrMissing(key, r);
        }
        return r.getHeader().getRevision();
    }

    private static StorageException conflictOrMissing(String key, TxnResponse r) {
        boolean exists = !r.getGetResponses().isEmpty() && !r.getGetResponses().get(0).getKvs().isEmpty();
        return exists
                ? new StorageException(StorageException.Kind.CONFLICT, key, "modified concurrently: " + key, null)
                : new StorageException(StorageException.Kind.NOT_FOUND, key, "not found: " + key, null);
    }

    /** Runs several puts and deletes atomically, each guarded by the given comparisons (e.g. a Service and its IP allocation). */
    public long transaction(List<Cmp> guards, List<Op> ops, String what) {
        TxnResponse r = call("txn", () -> kv.txn().If(guards.toArray(Cmp[]::new)).Then(ops.toArray(Op[]::new)).commit(), what);
        if (!r.isSucceeded()) {
            throw new StorageException(StorageException.Kind.CONFLICT, what, "modified concurrently: " + what, null);
        }
        return r.getHeader().getRevision();
    }

    public Optional<Stored> get(String key) {
        GetResponse r = call("get", () -> kv.get(bytes(key)), key);
        if (r.getKvs().isEmpty()) {
            return Optional.empty();
        }
        KeyValue kvp = r.getKvs().get(0);
        return Optional.of(new Stored(key, kvp.getValue().getBytes(), kvp.getModRevision()));
    }

    /**
     * Reads keys under {@code prefix} starting at {@code fromKey} (inclusive; null: the prefix's start),
     * at {@code revision} (0: now), at most {@code limit} (0: all).
     */
    public Page range(String prefix, String fromKey, long revision, int limit) {
        ByteSequence start = bytes(fromKey == null ? prefix : fromKey);
        GetOption.Builder opt = GetOption.builder().withRange(prefixEnd(prefix)).withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND);
        if (revision > 0) {
            opt.withRevision(revision);
        }
        if (limit > 0) {
            opt.withLimit(limit);
        }
        GetResponse r = call("range", () -> kv.get(start, opt.build()), prefix);
        List<Stored> items = new ArrayList<>(r.getKvs().size());
        for (KeyValue kvp : r.getKvs()) {
            items.add(new Stored(kvp.getKey().toString(StandardCharsets.UTF_8), kvp.getValue().getBytes(), kvp.getModRevision()));
        }
        return new Page(items, r.getHeader().getRevision(), r.isMore());
    }

    /** etcd's current revision (a count-only read, cheap). */
    public long currentRevision() {
        GetResponse r = call("revision", () -> kv.get(bytes("/registry/"), GetOption.builder().withCountOnly(true).build()), "revision");
        return r.getHeader().getRevision();
    }

    public void compact(long revision) {
        call("compact", () -> kv.compact(revision), "compact");
    }

    static ByteSequence prefixEnd(String prefix) {
        byte[] b = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] end = Arrays.copyOf(b, b.length);
        end[end.length - 1]++;
        return ByteSequence.from(end);
    }

    /** Waits for an etcd call with the configured timeout and maps failures to {@link StorageException}. */
    private <T> T call(String op, Supplier<CompletableFuture<T>> request, String key) {
        Timer.Sample sample = Timer.start(meters);
        String result = "ok";
        try {
            return request.get().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result = "error";
            // a write that timed out may still be applied when etcd answers again: say so (504), don't claim it failed
            boolean write = op.equals("create") || op.equals("update") || op.equals("delete") || op.equals("txn");
            throw new StorageException(write ? StorageException.Kind.TIMEOUT : StorageException.Kind.UNAVAILABLE, key,
                    "etcd did not answer within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            result = "error";
            Throwable cause = e.getCause();
            String msg = cause == null ? e.toString() : cause.toString();
            if (msg.contains("compacted")) {
                throw new StorageException(StorageException.Kind.COMPACTED, key, msg, cause);
            }
            throw new StorageException(StorageException.Kind.UNAVAILABLE, key, "etcd request failed: " + msg, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = "error";
            throw new StorageException(StorageException.Kind.UNAVAILABLE, key, "interrupted", e);
        } finally {
            sample.stop(Timer.builder("etcd_request_duration_seconds").description("etcd request latency")
                    .tag("operation", op).tag("result", result).publishPercentileHistogram(false).register(meters));
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
