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
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.kube4j.apiserver.ApiServerProperties;

import io.kube4j.json.Json;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
public final class EtcdStorage implements Storage {
    private final java.util.concurrent.atomic.AtomicLong lastWrite = new java.util.concurrent.atomic.AtomicLong();

    private final Client client;
    private final KV kv;
    private final Duration timeout;
    private final MeterRegistry meters;
    // etcd_request_duration_seconds per "operation/result", resolved once: building and registering the Timer
    // on every call (tag sorting, id hashing, the registry's lookup) is per-request overhead (issue #18); the
    // operations and results are a closed set, so the map stays small
    private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

    private final String[] endpoints;
    // null until every endpoint has told its version
    private volatile Boolean requestProgressSupported;

    public EtcdStorage(ApiServerProperties props, MeterRegistry meters) {
        String[] endpoints = Arrays.stream(props.etcd().endpoints().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
        this.endpoints = endpoints;
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

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Override
    public long create(String key, byte[] value) {
        ByteSequence k = bytes(key);
        TxnResponse r = call("create", () -> kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(k, ByteSequence.from(value), PutOption.DEFAULT))
                .commit(), key);
        if (!r.isSucceeded()) {
            throw new StorageException(StorageException.Kind.KEY_EXISTS, key, "key exists: " + key, null);
        }
        return written(r);
    }

    @Override
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
        return written(r);
    }

    @Override
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
        return written(r);
    }

    /** The revision of a successful write, remembered as {@link #lastWriteRevision()}. */
    private long written(TxnResponse r) {
        long rev = r.getHeader().getRevision();
        lastWrite.accumulateAndGet(rev, Math::max);
        return rev;
    }

    @Override
    public long lastWriteRevision() {
        return lastWrite.get();
    }

    private static StorageException conflictOrMissing(String key, TxnResponse r) {
        boolean exists = !r.getGetResponses().isEmpty() && !r.getGetResponses().get(0).getKvs().isEmpty();
        return exists
                ? new StorageException(StorageException.Kind.CONFLICT, key, "modified concurrently: " + key, null)
                : new StorageException(StorageException.Kind.NOT_FOUND, key, "not found: " + key, null);
    }

    @Override
    public long transaction(List<Guard> guards, List<Write> writes, String what) {
        Cmp[] cmps = guards.stream().map(g -> new Cmp(bytes(g.key()), Cmp.Op.EQUAL,
                g.modRevision() == 0 ? CmpTarget.createRevision(0) : CmpTarget.modRevision(g.modRevision()))).toArray(Cmp[]::new);
        Op[] ops = writes.stream().map(w -> w.value() == null
                ? Op.delete(bytes(w.key()), DeleteOption.DEFAULT)
                : Op.put(bytes(w.key()), ByteSequence.from(w.value()), PutOption.DEFAULT)).toArray(Op[]::new);
        TxnResponse r = call("txn", () -> kv.txn().If(cmps).Then(ops).commit(), what);
        if (!r.isSucceeded()) {
            throw new StorageException(StorageException.Kind.CONFLICT, what, "modified concurrently: " + what, null);
        }
        return written(r);
    }

    @Override
    public Optional<Stored> get(String key) {
        GetResponse r = call("get", () -> kv.get(bytes(key)), key);
        if (r.getKvs().isEmpty()) {
            return Optional.empty();
        }
        KeyValue kvp = r.getKvs().get(0);
        return Optional.of(new Stored(key, kvp.getValue().getBytes(), kvp.getModRevision()));
    }

    @Override
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
        return new Page(items, r.getHeader().getRevision(), r.isMore(), r.getCount());
    }

    /** etcd's current revision (a count-only read, cheap). */
    @Override
    public long currentRevision() {
        GetResponse r = call("revision", () -> kv.get(bytes("/registry/"), GetOption.builder().withCountOnly(true).build()), "revision");
        return r.getHeader().getRevision();
    }

    @Override
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
            if (msg.contains("request is too large")) {
                // a client's fault, not etcd's: never retry it as if etcd were down
                throw new StorageException(StorageException.Kind.TOO_LARGE, key, "etcdserver: request is too large", cause);
            }
            if (msg.contains("future revision")) {
                throw new StorageException(StorageException.Kind.FUTURE_REVISION, key, "mvcc: required revision is a future revision", cause);
            }
            throw new StorageException(StorageException.Kind.UNAVAILABLE, key, "etcd request failed: " + msg, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = "error";
            throw new StorageException(StorageException.Kind.UNAVAILABLE, key, "interrupted", e);
        } finally {
            String operation = op;
            String outcome = result;
            sample.stop(timers.computeIfAbsent(op + "/" + result, k -> Timer.builder("etcd_request_duration_seconds").description("etcd request latency")
                    .tag("operation", operation).tag("result", outcome).publishPercentileHistogram(false).register(meters)));
        }
    }

    /**
     * One etcd watch on the prefix with progress notifications; each jetcd response becomes one
     * {@link WatchListener#onEvents} call (jetcd delivers them in revision order on its own thread).
     */
    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
        WatchOption opt = WatchOption.builder()
                .withRange(prefixEnd(prefix))
                .withRevision(fromRevision)
                .withProgressNotify(true)
                .build();
        io.etcd.jetcd.Watch.Watcher w = client.getWatchClient().watch(bytes(prefix), opt, io.etcd.jetcd.Watch.listener(response -> {
            List<Event> events = new ArrayList<>(response.getEvents().size());
            for (WatchEvent e : response.getEvents()) {
                KeyValue kvp = e.getKeyValue();
                String key = kvp.getKey().toString(StandardCharsets.UTF_8);
                switch (e.getEventType()) {
                    case PUT -> events.add(new Event(key, kvp.getValue().getBytes(), kvp.getModRevision()));
                    case DELETE -> events.add(new Event(key, null, kvp.getModRevision()));
                    default -> {
                    }
                }
            }
            listener.onEvents(events, response.getHeader() == null ? 0 : response.getHeader().getRevision());
        }, listener::onError));
        return w::close;
    }

    @Override
    public void requestProgress() {
        client.getWatchClient().requestProgress();
    }

    /**
     * True when every endpoint runs etcd 3.4.31+ (3.4.x) or 3.5.13+ (3.5 and later), as Kubernetes'
     * feature support checker decides; asked once per process from etcd's {@code /version} (plain-HTTP
     * endpoints, as kube4j's), false while an endpoint has not answered.
     */
    @Override
    public boolean supportsRequestProgress() {
        Boolean known = requestProgressSupported;
        if (known != null) {
            return known;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        boolean all = true;
        for (String endpoint : endpoints) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint.replaceAll("/+$", "") + "/version"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                String version = Json.tree(r.body()).path("etcdserver").asString("");
                all &= requestProgressInOrder(version);
            } catch (IOException | RuntimeException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        requestProgressSupported = all;
        LoggerFactory.getLogger(EtcdStorage.class).info("etcd {} requested watch progress in order with events", all ? "sends" : "does not send");
        return all;
    }

    /** etcd {@code version} (e.g. 3.4.23) sends requested progress in order: 3.4.31+ in 3.4, 3.5.13+ from 3.5 on. */
    static boolean requestProgressInOrder(String version) {
        String[] p = version.split("[.+-]");
        try {
            int major = Integer.parseInt(p[0]);
            int minor = Integer.parseInt(p[1]);
            int patch = Integer.parseInt(p[2]);
            if (major != 3) {
                return major > 3;
            }
            if (minor < 4) {
                return false;
            }
            if (minor == 4) {
                return patch >= 31;
            }
            return minor > 5 || patch >= 13;
        } catch (RuntimeException e) {
            // unparsable: assume not, as Kubernetes does
            return false;
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
