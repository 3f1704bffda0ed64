package io.kube4j.client;

import io.kube4j.api.Binding;
import io.kube4j.api.DeleteOptions;
import io.kube4j.api.KubeList;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.Scale;
import io.kube4j.api.Status;
import io.kube4j.api.WatchEventList;
import io.kube4j.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JavaType;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A typed client of the kube4j (or any Kubernetes) apiserver over HTTP or HTTPS. Takes one or more
 * apiserver URLs and fails over to the next when one cannot be reached (a write only when it never reached the
 * first: client-go never sends a write again after a connection error). With a {@link Kubeconfig}, every
 * request (CRUD, long-poll watches, streams) uses its TLS setup (the cluster CA, the client certificate)
 * and carries its bearer token, as a client-go rest.Config built from a kubeconfig. Optionally every request but a
 * long-poll watch first waits for a token of a {@link TokenBucketRateLimiter} (client-go's QPS/Burst),
 * see {@link #withRateLimiter}.
 *
 * <p>Transport, as client-go's one shared transport per rest.Config: over HTTPS every request offers HTTP/2
 * by ALPN (falling back to HTTP/1.1 when the server does not take it), so requests in flight are multiplexed as
 * streams on a few kept-alive connections instead of one TCP connection and one TLS handshake each; plain
 * {@code http://} URLs use HTTP/1.1 with kept-alive connections (Go's transport does not speak h2c either).
 * The JDK client fails a request outright ("too many concurrent streams") when its connection is at the
 * server's SETTINGS_MAX_CONCURRENT_STREAMS where Go's transport opens another connection, so this client
 * spreads its requests over {@link #MAX_STREAMS_PER_CONNECTION}-stream lanes (one JDK client, so one
 * connection, each), opening a lane only when every one is full.
 */
public class ApiClient {
    private static final Logger log = LoggerFactory.getLogger(ApiClient.class);
    // client-go logs waits longer than these (request.go longThrottleLatency / extraLongThrottleLatency)
    private static final Duration LONG_THROTTLE = Duration.ofMillis(50);
    private static final Duration EXTRA_LONG_THROTTLE = Duration.ofSeconds(1);

    /**
     * Requests in flight per lane (one JDK client, so one HTTP/2 connection): Tomcat's and most HTTP/2 servers'
     * default SETTINGS_MAX_CONCURRENT_STREAMS (100); kube-apiserver's is 250, kube4j's apiserver's too.
     */
    static final int MAX_STREAMS_PER_CONNECTION = 100;
    /**
     * How long TCP connect plus TLS handshake may take (the JDK's connect timeout spans both): Go's
     * DefaultTransport, which client-go uses, allows 30 s to dial and 10 s for the TLS handshake.
     */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Retries of a request answered 429 or 5xx with {@code Retry-After}: client-go's default {@code maxRetries} (10). */
    static final int MAX_RETRIES = 10;

    private final List<String> baseUrls;
    private final AtomicInteger current;
    // per apiserver URL
    private final java.util.concurrent.ConcurrentMap<String, Lanes> lanes;
    private final java.util.function.Supplier<HttpClient> transport;
    private final String userAgent;
    // null: no credentials (plain HTTP, or HTTPS trusting the JVM's roots, anonymous)
    private final Kubeconfig credentials;
    // null: no client-side limit
    private final TokenBucketRateLimiter rateLimiter;

    /** {@code urls} is one URL or a comma-separated list, e.g. {@code http://127.0.0.1:8080}. */
    public ApiClient(String urls) {
        this(urls, "kube4j");
    }

    public ApiClient(String urls, String userAgent) {
        this(urls, userAgent, null);
    }

    /**
     * A client of {@code urls} (one URL or a comma-separated list) identifying as {@code userAgent} and
     * authenticating with {@code credentials}' client certificate and/or bearer token, trusting its CA
     * (null: no credentials, as the other constructors). The URLs are taken as given: see
     * {@link Kubeconfig#apiServerUrl} for falling back to the kubeconfig's server.
     */
    public ApiClient(String urls, String userAgent, Kubeconfig credentials) {
        this.baseUrls = Arrays.stream(urls.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.endsWith("/") ? s.substring(0, s.length() - 1) : s).toList();
        if (baseUrls.isEmpty()) {
            throw new IllegalArgumentException("no apiserver URL given");
        }
        this.userAgent = userAgent;
        this.credentials = credentials;
        this.current = new AtomicInteger();
        this.rateLimiter = null;
        javax.net.ssl.SSLContext ssl = credentials == null ? null : credentials.sslContext();
        this.lanes = new java.util.concurrent.ConcurrentHashMap<>();
        this.transport = () -> {
            HttpClient.Builder builder = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_2)
                    .connectTimeout(CONNECT_TIMEOUT)
                    .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            if (ssl != null) {
                builder.sslContext(ssl);
            }
            return builder.build();
        };
    }

    private ApiClient(ApiClient base, TokenBucketRateLimiter rateLimiter) {
        this.baseUrls = base.baseUrls;
        this.current = base.current;
        this.lanes = base.lanes;
        this.transport = base.transport;
        this.userAgent = base.userAgent;
        this.credentials = base.credentials;
        this.rateLimiter = rateLimiter;
    }

    /**
     * A client that shares this one's connections and failover state but makes every request except
     * long-poll watches ({@link #poll}) wait for a token of {@code limiter} (null: none). Kubernetes
     * throttles its streaming watches too, but a stream is one request for minutes while a long-poll is
     * one per batch of events, so throttling polls would starve the writes the limit is meant for.
     */
    public ApiClient withRateLimiter(TokenBucketRateLimiter limiter) {
        return new ApiClient(this, limiter);
    }

    /** The limiter every request waits for, or null. */
    public TokenBucketRateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** The credentials every request carries, or null. */
    public Kubeconfig credentials() {
        return credentials;
    }

    /** The apiserver URL in use now. */
    public String baseUrl() {
        return baseUrls.get(Math.floorMod(current.get(), baseUrls.size()));
    }

    // ---- typed CRUD ---------------------------------------------------------------------------

    public <T extends KubeObject> T create(T obj) {
        ResourceType rt = ResourceTypes.of(obj.getClass());
        return send("POST", rt.collectionPath(obj.metadata.namespace), obj, typeOf(obj));
    }

    public <T extends KubeObject> T get(Class<T> type, String namespace, String name) {
        return send("GET", ResourceTypes.of(type).objectPath(namespace, name), null, Json.type(type));
    }

    /** The object, or empty when it does not exist. */
    public <T extends KubeObject> Optional<T> find(Class<T> type, String namespace, String name) {
        try {
            return Optional.of(get(type, namespace, name));
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** PUT: a stale {@code metadata.resourceVersion} gives 409 Conflict. */
    public <T extends KubeObject> T update(T obj) {
        ResourceType rt = ResourceTypes.of(obj.getClass());
        return send("PUT", rt.objectPath(obj.metadata.namespace, obj.metadata.name), obj, typeOf(obj));
    }

    /** PUT to the status subresource: only status changes, generation does not move. */
    public <T extends KubeObject> T updateStatus(T obj) {
        ResourceType rt = ResourceTypes.of(obj.getClass());
        return send("PUT", rt.objectPath(obj.metadata.namespace, obj.metadata.name) + "/status", obj, typeOf(obj));
    }

    /** PUT to a subresource that takes the whole object, e.g. {@code namespaces/{name}/finalize}. */
    public <T extends KubeObject> T updateSubresource(T obj, String subresource) {
        ResourceType rt = ResourceTypes.of(obj.getClass());
        return send("PUT", rt.objectPath(obj.metadata.namespace, obj.metadata.name) + "/" + subresource, obj, typeOf(obj));
    }

    /** PATCH with the given content type (merge-patch, json-patch, strategic-merge-patch). */
    public <T extends KubeObject> T patch(Class<T> type, String namespace, String name, String contentType, String body) {
        return sendRaw("PATCH", ResourceTypes.of(type).objectPath(namespace, name), contentType, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), Json.type(type));
    }

    /** PATCH the status subresource. */
    public <T extends KubeObject> T patchStatus(Class<T> type, String namespace, String name, String contentType, String body) {
        return sendRaw("PATCH", ResourceTypes.of(type).objectPath(namespace, name) + "/status", contentType, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), Json.type(type));
    }

    public void delete(Class<? extends KubeObject> type, String namespace, String name) {
        delete(type, namespace, name, null);
    }

    public void delete(Class<? extends KubeObject> type, String namespace, String name, DeleteOptions options) {
        send("DELETE", ResourceTypes.of(type).objectPath(namespace, name), options, Json.type(Object.class));
    }

    /** Deletes with the given grace period (0 removes a pod at once). */
    public void delete(Class<? extends KubeObject> type, String namespace, String name, long gracePeriodSeconds) {
        DeleteOptions o = new DeleteOptions();
        o.gracePeriodSeconds = gracePeriodSeconds;
        delete(type, namespace, name, o);
    }

    public <T extends KubeObject> KubeList<T> list(Class<T> type, String namespace, ListOptions options) {
        return list(ResourceTypes.of(type), type, namespace, options);
    }

    /**
     * Lists the objects of {@code resource}, read as {@code type}: for resources without a Java class
     * of their own (custom resources), {@code type} is an untyped holder whose unknown fields keep the rest.
     */
    public <T extends KubeObject> KubeList<T> list(ResourceType resource, Class<T> type, String namespace, ListOptions options) {
        String path = resource.collectionPath(namespace);
        String q = options == null ? "" : options.query();
        return send("GET", q.isEmpty() ? path : path + "?" + q, null, Json.type(KubeList.class, type));
    }

    public <T extends KubeObject> KubeList<T> list(Class<T> type, String namespace) {
        return list(type, namespace, ListOptions.ALL);
    }

    /**
     * One long-poll watch: the events after {@code resourceVersion}, waiting up to
     * {@code timeoutSeconds} for the first one. Throws 410 ({@link ApiException#isGone()}) when the
     * revision is older than the server's window.
     */
    public <T extends KubeObject> WatchEventList<T> poll(Class<T> type, String namespace, ListOptions options, String resourceVersion, int timeoutSeconds) {
        return poll(ResourceTypes.of(type), type, namespace, options, resourceVersion, timeoutSeconds);
    }

    /** {@link #poll(Class, String, ListOptions, String, int)} on {@code resource}, its objects read as {@code type}. */
    public <T extends KubeObject> WatchEventList<T> poll(ResourceType resource, Class<T> type, String namespace, ListOptions options, String resourceVersion, int timeoutSeconds) {
        String path = resource.collectionPath(namespace);
        StringJoiner q = new StringJoiner("&");
        q.add("watch=poll");
        ListOptions.add(q, "resourceVersion", resourceVersion);
        q.add("timeoutSeconds=" + timeoutSeconds);
        String sel = options == null ? "" : new ListOptions(options.labelSelector(), options.fieldSelector(), null, null, null).query();
        if (!sel.isEmpty()) {
            q.add(sel);
        }
        HttpResponse<byte[]> r = exchange("GET", path + "?" + q, null, null, Duration.ofSeconds(timeoutSeconds + 15L), false);
        return Json.read(r.body(), Json.type(WatchEventList.class, type));
    }

    /** Binds a pod to a node; 409 when it is already bound. */
    public void bind(String namespace, String podName, String nodeName) {
        bind(Binding.of(namespace, podName, nodeName));
    }

    /** POSTs a Binding; with {@code metadata.uid} set, 409 also when the pod was replaced by one of the same name. */
    public void bind(Binding binding) {
        send("POST", ResourceTypes.PODS.objectPath(binding.metadata.namespace, binding.metadata.name) + "/binding", binding, Json.type(Object.class));
    }

    public Scale getScale(Class<? extends KubeObject> type, String namespace, String name) {
        return send("GET", ResourceTypes.of(type).objectPath(namespace, name) + "/scale", null, Json.type(Scale.class));
    }

    public Scale updateScale(Class<? extends KubeObject> type, String namespace, String name, int replicas) {
        return sendRaw("PATCH", ResourceTypes.of(type).objectPath(namespace, name) + "/scale", "application/merge-patch+json",
                ("{\"spec\":{\"replicas\":" + replicas + "}}").getBytes(java.nio.charset.StandardCharsets.UTF_8), Json.type(Scale.class));
    }

    /** GET of any path as text (logs, /version, discovery). */
    public String getText(String pathAndQuery) {
        HttpResponse<byte[]> r = exchange("GET", pathAndQuery, null, null, Duration.ofSeconds(30), true);
        return new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * An untyped request for resources without a Java class (custom resources, discovery): sends
     * {@code body} (JSON text or null) with {@code contentType} (null: {@code application/json}) and
     * returns the answer's body as text. An HTTP error answer throws {@link ApiException} as every
     * typed call does.
     */
    public String sendJson(String method, String pathAndQuery, String contentType, String body) {
        byte[] bytes = body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<byte[]> r = exchange(method, pathAndQuery, bytes == null ? null : (contentType == null ? "application/json" : contentType),
                bytes, Duration.ofSeconds(30), true);
        return new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A streaming GET (e.g. {@code pods/x/log?follow=true}); the caller closes the stream. */
    public InputStream stream(String pathAndQuery) {
        throttle("GET", pathAndQuery);
        IOException last = null;
        for (int attempt = 0; attempt < baseUrls.size(); attempt++) {
            String base = baseUrl();
            Lane lane;
            try {
                lane = lane(base);
            } catch (IOException e) {
                last = e;
                current.incrementAndGet();
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(0, null, "interrupted", e);
            }
            boolean handedOver = false;
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).header("User-Agent", userAgent).GET();
                version(b, base);
                authorize(b);
                HttpRequest req = b.build();
                HttpResponse<InputStream> r = lane.http().send(req, HttpResponse.BodyHandlers.ofInputStream());
                if (r.statusCode() >= 300) {
                    byte[] body;
                    try (InputStream in = r.body()) {
                        body = in.readAllBytes();
                    }
                    throw error(r.statusCode(), body);
                }
                handedOver = true;
                // the stream stays open on the lane until the caller closes it
                return new java.io.FilterInputStream(r.body()) {
                    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

                    @Override
                    public void close() throws IOException {
                        try {
                            super.close();
                        } finally {
                            if (closed.compareAndSet(false, true)) {
                                lane.release();
                            }
                        }
                    }
                };
            } catch (java.net.http.HttpConnectTimeoutException e) {
                last = connectTimedOut(base, e);
                current.incrementAndGet();
            } catch (IOException e) {
                last = e;
                current.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(0, null, "interrupted", e);
            } finally {
                if (!handedOver) {
                    lane.release();
                }
            }
        }
        throw new ApiException(0, null, "no apiserver reachable at " + baseUrls + ": " + last, last);
    }

    // ---- transport ----------------------------------------------------------------------------

    private static JavaType typeOf(KubeObject obj) {
        return Json.type(obj.getClass());
    }

    private <R> R send(String method, String path, Object body, JavaType resultType) {
        return send(method, path, body, resultType, Duration.ofSeconds(30));
    }

    private <R> R send(String method, String path, Object body, JavaType resultType, Duration timeout) {
        byte[] bytes = body == null ? null : Json.writeBytes(body);
        HttpResponse<byte[]> r = exchange(method, path, bytes == null ? null : "application/json", bytes, timeout, true);
        return Json.read(r.body(), resultType);
    }

    private <R> R sendRaw(String method, String path, String contentType, byte[] body, JavaType resultType) {
        HttpResponse<byte[]> r = exchange(method, path, contentType, body, Duration.ofSeconds(30), true);
        return Json.read(r.body(), resultType);
    }

    /** Adds {@code Authorization: Bearer <token>} when the credentials have a token (client-go's bearerAuthRoundTripper). */
    private void authorize(HttpRequest.Builder b) {
        if (credentials != null) {
            String token = credentials.bearerToken();
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
        }
    }

    /** Waits for a token of the rate limiter, if any; logs long waits as client-go does. */
    private void throttle(String method, String path) {
        if (rateLimiter == null) {
            return;
        }
        Duration waited;
        try {
            waited = rateLimiter.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, null, "interrupted while waiting for client-side throttling", e);
        }
        if (waited.compareTo(LONG_THROTTLE) > 0) {
            String message = "Waited for " + waited.toMillis() + " ms due to client-side throttling, request: " + method + ":" + path;
            if (waited.compareTo(EXTRA_LONG_THROTTLE) > 0) {
                log.info(message);
            } else {
                log.debug(message);
            }
        }
    }

    /**
     * Sends the request to the current apiserver; on a connection failure moves on to the next one, but sends a
     * request other than a GET again only when the failure proves it never reached the server (connection refused,
     * connect timeout, TLS handshake failed; see {@link #resendable}, {@link #neverSent}): a write whose connection
     * broke after it was sent throws {@link ApiException} (status 0) instead, as client-go does, since the first
     * apiserver may have done it. An HTTP error answer is not a reason to fail over: it is the cluster's answer,
     * thrown as {@link ApiException}, unless it is a 429 or 5xx with {@code Retry-After}: then the same request is
     * sent again after that many seconds, at most {@link #MAX_RETRIES} times, as client-go does
     * ({@code rest/request.go} {@code request()}, {@code with_retry.go} {@code IsNextRetry}).
     */
    private HttpResponse<byte[]> exchange(String method, String path, String contentType, byte[] body, Duration timeout, boolean throttled) {
        for (int retries = 0; ; retries++) {
            // client-go throttles every attempt, a retry too (with_retry.go Before: tryThrottleWithInfo)
            if (throttled) {
                throttle(method, path);
            }
            HttpResponse<byte[]> r = sendOnce(method, path, contentType, body, timeout);
            if (r.statusCode() < 300) {
                return r;
            }
            long wait = retryAfterSeconds(r);
            if (wait < 0 || retries >= MAX_RETRIES) {
                throw error(r.statusCode(), r.body());
            }
            log.info("Got a Retry-After {}s response for attempt {} to {} {} ({})", wait, retries + 1, method, path, r.statusCode());
            try {
                Thread.sleep(Duration.ofSeconds(wait));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(0, null, "interrupted", e);
            }
        }
    }

    /**
     * The seconds an answer asks to wait before the same request is sent again, or -1 when it asks for no retry:
     * client-go's {@code checkWait} ({@code rest/request.go}): only a 429 or a 5xx, and only with a {@code Retry-After}
     * header holding a whole number of seconds. Whatever the method: the server says it did not do the request (429:
     * throttled before it ran) or that it may be repeated (a 5xx it marks so, e.g. kube-apiserver's ServerTimeout).
     */
    static long retryAfterSeconds(HttpResponse<?> r) {
        int code = r.statusCode();
        if (code != 429 && code < 500) {
            return -1;
        }
        Optional<String> h = r.headers().firstValue("Retry-After");
        if (h.isEmpty() || h.get().isEmpty()) {
            return -1;
        }
        try {
            // Go's strconv.Atoi: an optional sign and decimal digits, nothing else
            return Math.max(0, Integer.parseInt(h.get()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One attempt: the request to the current apiserver, failing over as {@link #exchange} says; any HTTP answer is returned. */
    private HttpResponse<byte[]> sendOnce(String method, String path, String contentType, byte[] body, Duration timeout) {
        IOException last = null;
        for (int attempt = 0; attempt < baseUrls.size(); attempt++) {
            String base = baseUrl();
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(timeout)
                    .header("Accept", "application/json")
                    .header("User-Agent", userAgent);
            if (contentType != null) {
                b.header("Content-Type", contentType);
            }
            version(b, base);
            authorize(b);
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            Lane lane;
            try {
                lane = lane(base);
            } catch (IOException e) {
                last = e;
                current.incrementAndGet();
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(0, null, "interrupted", e);
            }
            try {
                return lane.http().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (java.net.http.HttpConnectTimeoutException e) {
                // nothing was sent: a connection failure like a refused one, so the next apiserver is tried
                last = connectTimedOut(base, e);
                current.incrementAndGet();
            } catch (java.net.http.HttpTimeoutException e) {
                throw new ApiException(0, null, method + " " + path + " timed out after " + timeout.toSeconds() + "s (no complete response)", e);
            } catch (IOException e) {
                last = e;
                // later requests start at the next apiserver
                current.incrementAndGet();
                if (!resendable(method) && !neverSent(e)) {
                    // the server may have done it (a create with generateName twice is two objects): client-go
                    // sends a write once, whatever the connection error, and leaves the retry to its caller
                    throw new ApiException(0, null, method + " " + path + " to " + base + " failed after it was sent, so it was not sent again: " + e, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(0, null, "interrupted", e);
            } finally {
                lane.release();
            }
        }
        throw new ApiException(0, null, "no apiserver reachable at " + baseUrls + ": " + last, last);
    }

    /**
     * Whether a request may be sent again, to the next apiserver, after a connection error that left it unknown
     * whether the server got it: only a GET (HEAD too, which no call here makes), as client-go's
     * {@code rest/request.go} {@code request()} retries on "connection reset", EOF and a lost HTTP/2 connection
     * only when {@code req.Method == "GET"}; a POST, PUT, PATCH or DELETE is never repeated there.
     */
    static boolean resendable(String method) {
        return method.equals("GET") || method.equals("HEAD");
    }

    /**
     * Whether the failure proves the request never reached a server: the connection was refused or its TLS
     * handshake failed (a connect timeout is caught on its own). Anything else (a reset or end of stream after the
     * request was written, a broken HTTP/2 connection) leaves it unknown. A stream the server refused unprocessed
     * (HTTP/2 GOAWAY past its last stream id, REFUSED_STREAM) the JDK's client already sends again itself, as Go's
     * HTTP/2 transport does ({@code canRetryError} in {@code golang.org/x/net/http2/transport.go}).
     */
    static boolean neverSent(IOException e) {
        return e instanceof java.net.ConnectException || e instanceof javax.net.ssl.SSLHandshakeException;
    }

    /**
     * HTTP/2 over TLS (negotiated by ALPN, HTTP/1.1 when the server does not offer it); HTTP/1.1 on plain
     * {@code http://}, where the JDK would otherwise try an h2c upgrade that Go's transport never makes.
     */
    private static void version(HttpRequest.Builder b, String base) {
        b.version(base.regionMatches(true, 0, "https:", 0, 6) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1);
    }

    /** The connect timeout said as what it is (TCP connect and TLS handshake), not as the request's timeout. */
    static IOException connectTimedOut(String base, java.net.http.HttpConnectTimeoutException e) {
        IOException x = new java.net.http.HttpConnectTimeoutException("connect to " + base + " timed out after "
                + CONNECT_TIMEOUT.toSeconds() + "s (TCP connect and TLS handshake)");
        x.initCause(e);
        return x;
    }

    /**
     * One JDK client, hence its own HTTP/2 connection, with {@code slots} for the requests in flight on it.
     * The JDK opens a connection for every request that finds none pooled, so a burst on a lane without a live
     * connection would make as many TLS handshakes as requests (the storm this transport exists to avoid); Go's
     * HTTP/2 pool dials once per host and lets the other requests wait for that dial. A lane does the same: the
     * first request of a lane that has no connection (never used, or idle longer than the JDK keeps one) opens it
     * with a small probe ({@code GET /version}, answered to anyone) while the others wait; a connection failure of
     * the probe is theirs too, as Go hands its dial error to every waiter.
     */
    static final class Lane {
        // the JDK closes an HTTP/2 connection idle for 30 s (jdk.httpclient.keepalive.timeout.h2); reopen before
        private static final long IDLE_NANOS = Duration.ofSeconds(25).toNanos();
        private final HttpClient http;
        private final java.util.concurrent.Semaphore slots;
        private int inFlight;
        private boolean open;
        private long idleSince;
        private java.util.concurrent.CompletableFuture<Void> opening;

        Lane(HttpClient http, int streams) {
            this.http = http;
            this.slots = new java.util.concurrent.Semaphore(streams);
        }

        HttpClient http() {
            return http;
        }

        java.util.concurrent.Semaphore slots() {
            return slots;
        }

        /**
         * Enters the lane (after taking a slot): true when the caller must open its connection and then call
         * {@link #opened}; otherwise waits while another request opens it.
         *
         * @throws IOException the connection failure of the request that opened it
         */
        boolean enter() throws IOException, InterruptedException {
            java.util.concurrent.CompletableFuture<Void> wait;
            synchronized (this) {
                inFlight++;
                if (opening == null) {
                    if (open && !(inFlight == 1 && System.nanoTime() - idleSince > IDLE_NANOS)) {
                        return false;
                    }
                    open = false;
                    opening = new java.util.concurrent.CompletableFuture<>();
                    return true;
                }
                wait = opening;
            }
            try {
                wait.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
            return false;
        }

        /** The opener's outcome: null when the connection is up, else the connection failure the waiters get. */
        void opened(IOException failure) {
            java.util.concurrent.CompletableFuture<Void> f;
            synchronized (this) {
                f = opening;
                opening = null;
                open = failure == null;
            }
            if (f != null) {
                if (failure == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(failure);
                }
            }
        }

        void release() {
            synchronized (this) {
                if (--inFlight == 0) {
                    idleSince = System.nanoTime();
                }
            }
            slots.release();
        }
    }

    /**
     * The lanes of one apiserver URL for one client (shared with its rate-limited copies): a request takes a slot
     * of the first lane with one free, and a new lane is opened only when all are full, so a process uses one
     * connection until it has more than {@code streamsPerLane} requests in flight (client-go: one HTTP/2
     * connection per host, another when the server's stream limit is reached).
     */
    static final class Lanes {
        private final java.util.function.Supplier<HttpClient> factory;
        private final int streamsPerLane;
        private final java.util.concurrent.CopyOnWriteArrayList<Lane> all = new java.util.concurrent.CopyOnWriteArrayList<>();

        Lanes(java.util.function.Supplier<HttpClient> factory, int streamsPerLane) {
            this.factory = factory;
            this.streamsPerLane = streamsPerLane;
        }

        /** A lane with a slot taken for the caller, who must {@link Lane#release} it. */
        Lane acquire() {
            for (Lane lane : all) {
                if (lane.slots().tryAcquire()) {
                    return lane;
                }
            }
            synchronized (this) {
                // another thread may have opened a lane meanwhile: look again before opening one
                for (Lane lane : all) {
                    if (lane.slots().tryAcquire()) {
                        return lane;
                    }
                }
                Lane lane = new Lane(factory.get(), streamsPerLane);
                lane.slots().acquireUninterruptibly();
                all.add(lane);
                if (all.size() > 1) {
                    log.debug("{} requests in flight: opened client lane {}", (long) streamsPerLane * (all.size() - 1), all.size());
                }
                return lane;
            }
        }

        /** Lanes opened so far. */
        int size() {
            return all.size();
        }
    }

    /**
     * Takes a slot of a lane to {@code base} and, when the lane has no connection, opens it (or waits while another
     * request does). The caller releases the lane.
     */
    private Lane lane(String base) throws IOException, InterruptedException {
        Lane lane = lanes.computeIfAbsent(base, b -> new Lanes(transport, MAX_STREAMS_PER_CONNECTION)).acquire();
        boolean ok = false;
        try {
            if (lane.enter()) {
                open(lane, base);
            }
            ok = true;
            return lane;
        } finally {
            if (!ok) {
                lane.release();
            }
        }
    }

    private void open(Lane lane, String base) throws IOException, InterruptedException {
        if (!base.regionMatches(true, 0, "https:", 0, 6)) {
            // HTTP/1.1: a connection per request in flight whatever we do
            lane.opened(null);
            return;
        }
        HttpRequest.Builder probe = HttpRequest.newBuilder(URI.create(base + "/version")).timeout(CONNECT_TIMEOUT.plusSeconds(5))
                .header("User-Agent", userAgent).version(HttpClient.Version.HTTP_2).GET();
        authorize(probe);
        try {
            lane.http().send(probe.build(), HttpResponse.BodyHandlers.discarding());
            lane.opened(null);
        } catch (java.net.http.HttpConnectTimeoutException e) {
            IOException failure = connectTimedOut(base, e);
            lane.opened(failure);
            throw failure;
        } catch (java.net.ConnectException | javax.net.ssl.SSLException e) {
            lane.opened(e);
            throw e;
        } catch (IOException e) {
            // connected, but the probe got no answer in time: the request itself may still get one
            lane.opened(null);
        } catch (InterruptedException e) {
            lane.opened(new IOException("interrupted while opening a connection to " + base));
            throw e;
        }
    }

    private static ApiException error(int code, byte[] body) {
        Status status;
        try {
            status = Json.read(body, Status.class);
        } catch (RuntimeException e) {
            status = Status.failure(code, "Unknown", new String(body, java.nio.charset.StandardCharsets.UTF_8));
        }
        if (status.code == null) {
            status.code = code;
        }
        return new ApiException(code, status, code + " " + status.reason + ": " + status.message, null);
    }
}
