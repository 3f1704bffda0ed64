package io.kube4j.apiserver;

import io.kube4j.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input on a real apiserver and etcd (the "Reliability under faults and hostile input" issue): every
 * request below is the client's fault, so each must be answered with a Kubernetes {@code Status} of the
 * code and reason Kubernetes gives (never a 5xx, never HTML, never Spring's error JSON), and nothing of
 * it may be stored. Expected values come from Kubernetes' sources named at each case: decoding errors
 * (Go's encoding/json and time.Parse), ValidateService/ValidateEndpoints/ValidateNode, labels.Parse,
 * path.IsValidPathSegmentName, the warning recorder's 4 KB budget, the parameter codec's booleans.
 */
class HostileInputIT {
    static ApiServerFixture fx;
    static final List<Integer> codes = new ArrayList<>();

    @BeforeAll
    static void start() {
        fx = new ApiServerFixture().start();
    }

    @AfterAll
    static void stop() {
        // the bar: 0 answers of 5xx among all the bad requests sent here
        assertThat(codes).isNotEmpty().allMatch(c -> c < 500);
        fx.close();
    }

    static HttpResponse<String> send(String method, String path, String body) {
        HttpResponse<String> r = fx.send(method, path, body == null ? null : "application/json", body);
        codes.add(r.statusCode());
        return r;
    }

    /** Asserts a Status of {@code code}/{@code reason} whose message contains {@code message}. */
    static JsonNode status(HttpResponse<String> r, int code, String reason, String message) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(code);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode s = Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
        assertThat(s.path("kind").asString()).isEqualTo("Status");
        assertThat(s.path("status").asString()).isEqualTo("Failure");
        assertThat(s.path("code").asInt()).isEqualTo(code);
        if (reason == null) {
            assertThat(s.has("reason")).as(r.body()).isFalse();
        } else {
            assertThat(s.path("reason").asString()).isEqualTo(reason);
        }
        assertThat(s.path("message").asString()).contains(message);
        return s;
    }

    static void absent(String path) {
        assertThat(fx.send("GET", path, null, null).statusCode()).as("nothing stored at " + path).isEqualTo(404);
    }

    @Test
    void wronglyTypedTimestampsAreDecodingErrorsAndNothingIsStored() {
        // metav1.Time.UnmarshalJSON: time.Parse(time.RFC3339, ...)
        status(send("POST", "/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"never\",\"creationTimestamp\":\"never\"}}"),
                400, "BadRequest", "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: parsing time \"never\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"never\" as \"2006\"");
        absent("/api/v1/namespaces/default/configmaps/never");
        // metav1.MicroTime: RFC3339Micro
        status(send("POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases", "{\"metadata\":{\"name\":\"yesterday\"},\"spec\":{\"renewTime\":\"yesterday\"}}"),
                400, "BadRequest", "parsing time \"yesterday\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"yesterday\" as \"2006\"");
        absent("/apis/coordination.k8s.io/v1/namespaces/default/leases/yesterday");
        // and Go's encoding/json for numbers and strings of the wrong type
        status(send("POST", "/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"lbl\",\"labels\":{\"a\":1}}}"),
                400, "BadRequest", "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string");
        absent("/api/v1/namespaces/default/configmaps/lbl");
    }

    /** test/integration/apiserver/field_validation_test.go: duplicate keys are strict decoding errors, warnings by default. */
    @Test
    void duplicateKeysAreStrictDecodingErrorsUnderStrictAndWarningsOtherwise() {
        String dup = "{\"metadata\":{\"name\":\"dupe\",\"labels\":{\"a\":\"1\",\"a\":\"2\"}},\"data\":{\"k\":\"v\"},\"data\":{\"k\":\"w\"}}";
        status(send("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", dup), 400, "BadRequest",
                "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: duplicate field \"metadata.labels.a\", duplicate field \"data\"");
        absent("/api/v1/namespaces/default/configmaps/dupe");
        HttpResponse<String> warned = send("POST", "/api/v1/namespaces/default/configmaps", dup);
        assertThat(warned.statusCode()).as(warned.body()).isEqualTo(201);
        assertThat(warned.headers().allValues("Warning")).containsExactly("299 - \"duplicate field \\\"metadata.labels.a\\\"\"", "299 - \"duplicate field \\\"data\\\"\"");
        // as Go's decoder, the last value wins
        JsonNode stored = Json.tree(warned.body().getBytes(StandardCharsets.UTF_8));
        assertThat(stored.path("data").path("k").asString()).isEqualTo("w");
        assertThat(stored.path("metadata").path("labels").path("a").asString()).isEqualTo("2");
    }

    /** apimachinery's ValidateDeleteOptions: 422 before the delete, so nothing is deleted. */
    @Test
    void contradictoryOrUnknownDeleteOptionsAre422AndDeleteNothing() {
        assertThat(send("POST", "/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"keepme\"}}").statusCode()).isEqualTo(201);
        JsonNode both = status(send("DELETE", "/api/v1/namespaces/default/configmaps/keepme", "{\"orphanDependents\":true,\"propagationPolicy\":\"Foreground\"}"),
                422, "Invalid", "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Invalid value: \"Foreground\": orphanDependents and deletionPropagation cannot be both set");
        assertThat(both.path("details").path("kind").asString()).isEqualTo("DeleteOptions");
        status(send("DELETE", "/api/v1/namespaces/default/configmaps/keepme?propagationPolicy=Sometimes", null),
                422, "Invalid", "propagationPolicy: Unsupported value: \"Sometimes\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"");
        assertThat(fx.send("GET", "/api/v1/namespaces/default/configmaps/keepme", null, null).statusCode()).as("still there").isEqualTo(200);
    }

    /** apiserver/pkg/server/routes/index.go: GET / lists the served paths (metav1.RootPaths), sorted. */
    @Test
    void theRootListsTheServedPaths() {
        HttpResponse<String> r = fx.send("GET", "/", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        List<String> paths = new ArrayList<>();
        Json.tree(r.body().getBytes(StandardCharsets.UTF_8)).path("paths").forEach(p -> paths.add(p.asString()));
        assertThat(paths).contains("/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/apis/batch/v1", "/livez", "/openapi/v3", "/version")
                .isSorted();
    }

    @Test
    void invalidSelectorsAddressesAndCidrsAre422WithKubernetesFieldPaths() {
        JsonNode svc = status(send("POST", "/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"badkey\"},\"spec\":{\"selector\":{\"BAD KEY\":\"x\"},\"ports\":[{\"port\":80}]}}"),
                422, "Invalid", "Service \"badkey\" is invalid: spec.selector: Invalid value: \"BAD KEY\": name part must consist of alphanumeric characters");
        assertThat(svc.path("details").path("causes").get(0).path("field").asString()).isEqualTo("spec.selector");
        absent("/api/v1/namespaces/default/services/badkey");

        JsonNode ep = status(send("POST", "/api/v1/namespaces/default/endpoints", "{\"metadata\":{\"name\":\"badip\"},\"subsets\":[{\"addresses\":[{\"ip\":\"999.999.999.999\"}],\"ports\":[{\"port\":80}]}]}"),
                422, "Invalid", "subsets[0].addresses[0].ip: Invalid value: \"999.999.999.999\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
        assertThat(ep.path("details").path("causes").get(0).path("reason").asString()).isEqualTo("FieldValueInvalid");
        absent("/api/v1/namespaces/default/endpoints/badip");

        status(send("POST", "/api/v1/nodes", "{\"metadata\":{\"name\":\"badcidr\"},\"spec\":{\"podCIDR\":\"abc\"}}"),
                422, "Invalid", "Node \"badcidr\" is invalid: spec.podCIDRs[0]: Invalid value: \"abc\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
        absent("/api/v1/nodes/badcidr");
        // valid ones still pass
        assertThat(send("POST", "/api/v1/nodes", "{\"metadata\":{\"name\":\"goodcidr\"},\"spec\":{\"podCIDR\":\"10.244.1.0/24\"}}").statusCode()).isEqualTo(201);
        assertThat(send("POST", "/api/v1/namespaces/default/endpoints", "{\"metadata\":{\"name\":\"goodip\"},\"subsets\":[{\"addresses\":[{\"ip\":\"2001:db8::1\"}],\"ports\":[{\"port\":80}]}]}").statusCode()).isEqualTo(201);
    }

    @Test
    void badLabelSelectorsAre400AndAnyWatchValueButFalseIsAWatch() throws Exception {
        status(send("GET", "/api/v1/namespaces/default/configmaps?labelSelector=a%3E", null),
                400, "BadRequest", "values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, the value must be an integer");
        status(send("GET", "/api/v1/namespaces/default/configmaps?labelSelector=a%3E1x", null),
                400, "BadRequest", "for 'Gt', 'Lt' operators, the value must be an integer");
        status(send("GET", "/api/v1/namespaces/default/configmaps?labelSelector=" + "k".repeat(300), null),
                400, "BadRequest", "name part must be no more than 63 characters");
        status(send("GET", "/api/v1/namespaces/default/configmaps?labelSelector=%ff%fe", null), 400, "BadRequest", "UTF-8");
        // Convert_Slice_string_To_bool: only absent, "0" and "false" are false, so watch=maybe is a watch
        HttpRequest watch = HttpRequest.newBuilder(URI.create(fx.apiserver.url() + "/api/v1/namespaces/default/configmaps?watch=maybe&timeoutSeconds=1")).build();
        HttpResponse<String> w = fx.http.send(watch, HttpResponse.BodyHandlers.ofString());
        codes.add(w.statusCode());
        assertThat(w.statusCode()).isEqualTo(200);
        assertThat(w.body()).doesNotContain("ConfigMapList");
        HttpResponse<String> list = send("GET", "/api/v1/namespaces/default/configmaps?watch=false", null);
        assertThat(list.body()).contains("\"kind\":\"ConfigMapList\"");
        status(send("GET", "/api/v1/namespaces/default/configmaps?resourceVersion=abc", null), 400, "BadRequest", "abc");
    }

    /** ValidateListOptions / validateWatchOptions and the watch cache's start for sendInitialEvents=false. */
    @Test
    void watchListOptionsAreValidatedAndSendInitialEventsFalseReplaysNothing() throws Exception {
        assertThat(send("POST", "/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"existing\"}}").statusCode()).isEqualTo(201);
        status(send("GET", "/api/v1/namespaces/default/configmaps?watch=1&resourceVersionMatch=NotOlderThan&resourceVersion=0", null),
                422, "Invalid", "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided");
        status(send("GET", "/api/v1/namespaces/default/configmaps?sendInitialEvents=true", null),
                422, "Invalid", "sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list");
        HttpRequest quiet = HttpRequest.newBuilder(URI.create(fx.apiserver.url()
                + "/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=2")).build();
        HttpResponse<String> w = fx.http.send(quiet, HttpResponse.BodyHandlers.ofString());
        codes.add(w.statusCode());
        assertThat(w.statusCode()).isEqualTo(200);
        assertThat(w.body()).doesNotContain("\"ADDED\"").doesNotContain("existing");
        // a GET at a version the server has not reached: the cache waits, then 504 as for lists
        // (504 is Kubernetes' answer here, so it is kept out of the no-5xx tally of client faults)
        status(fx.send("GET", "/api/v1/namespaces/default/configmaps/existing?resourceVersion=999999999", null, null), 504, "Timeout", "Too large resource version");
    }

    @Test
    void pathSegmentNamesAndConnectorRefusalsAreStatuses() throws Exception {
        // NamespaceKeyFunc: path.IsValidPathSegmentName on the name in the URL
        status(send("GET", "/api/v1/namespaces/default/configmaps/%2E%2E", null), 400, "BadRequest", "Name parameter invalid: \"..\": may not be '..'");
        status(send("DELETE", "/api/v1/namespaces/default/configmaps/%2E", null), 400, "BadRequest", "may not be '.'");
        // refused by the HTTP connector before any servlet: still a Status, not Tomcat's HTML page
        for (String path : List.of("/api/v1/namespaces/default/configmaps/a%2Fb", "/api/v1/namespaces/default/configmaps/a%5Cb",
                "/api/v1/namespaces/default/configmaps/a%00b")) {
            status(raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), 400, "BadRequest", "");
        }
        status(raw("GET /api/v1/namespaces/default/configmaps/{x} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), 400, "BadRequest", "");
        // a long name is no connector problem (Kubernetes reads headers up to 1 MiB, kube4j up to 64 KiB): a plain 404
        status(send("GET", "/api/v1/namespaces/default/configmaps/" + "a".repeat(20_000), null), 404, "NotFound", "not found");
        HttpResponse<String> bigHeader = fx.http.send(HttpRequest.newBuilder(URI.create(fx.apiserver.url() + "/api/v1/namespaces/default/configmaps"))
                .header("X-Padding", "a".repeat(20_000)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bigHeader.statusCode()).isEqualTo(200);
        // over kube4j's 64 KiB header limit (server.max-http-request-header-size; Kubernetes' is 1 MiB): refused by the
        // connector with Go's status and Connection: close (net/http/server.go conn.serve: errTooLarge is
        // "431 Request Header Fields Too Large", there as plain text, here as a Status with that message), before the
        // handler chain, so without Audit-Id or Cache-Control, as in Kubernetes
        HttpResponse<String> huge = raw("GET /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: localhost\r\nX-Padding: "
                + "a".repeat(100_000) + "\r\nConnection: close\r\n\r\n");
        status(huge, 431, null, "431 Request Header Fields Too Large");
        assertThat(huge.headers().firstValue("Connection")).contains("close");
        assertThat(huge.headers().map()).doesNotContainKeys("Audit-Id", "Cache-Control");
        // Go's limit covers the request line too (its read limit starts before it): a query over the limit is the same 431
        status(raw("GET /api/v1/namespaces/default/configmaps?labelSelector=" + "a".repeat(70_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                431, null, "431 Request Header Fields Too Large");
    }

    /** The names as Go writes them on HTTP/1.1 (Header().Set canonicalizes auditinternal.HeaderAuditID "Audit-ID" to Audit-Id). */
    @Test
    void answersCarryAuditIdAndCacheControlInGosSpelling() throws Exception {
        RawResponse r = raw("GET /api/v1/namespaces/default/configmaps/absent HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        status(r, 404, "NotFound", "not found");
        assertThat(r.headerMap()).containsKeys("Audit-Id", "Cache-Control");
        assertThat(r.headerMap().get("Cache-Control")).containsExactly("no-cache, private");
        // the request header is matched whatever its case (Go's Header.Get) and echoed as is
        RawResponse echoed = raw("GET /version HTTP/1.1\r\nHost: localhost\r\naudit-id: abc-123\r\nConnection: close\r\n\r\n");
        assertThat(echoed.statusCode()).isEqualTo(200);
        assertThat(echoed.headerMap().get("Audit-Id")).containsExactly("abc-123");
    }

    @Test
    void hundredsOfUnknownFieldsGive201WithWarningsTruncatedToTheBudget() {
        StringBuilder body = new StringBuilder("{\"metadata\":{\"name\":\"unknowns\"},\"data\":{}");
        for (int i = 0; i < 150; i++) {
            body.append(",\"unknownField").append(i).append("_with_some_padding_to_make_it_long\":").append(i);
        }
        body.append('}');
        HttpResponse<String> r = send("POST", "/api/v1/namespaces/default/configmaps", body.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        List<String> warnings = r.headers().allValues("Warning");
        assertThat(warnings).isNotEmpty().hasSizeLessThan(150);
        assertThat(warnings.get(0)).isEqualTo("299 - \"unknown field \\\"unknownField0_with_some_padding_to_make_it_long\\\"\"");
        int runes = warnings.stream().mapToInt(w -> w.length() - "299 - \"\"".length()).sum();
        assertThat(runes).isLessThanOrEqualTo(4096 + warnings.size() * 4);
        assertThat(fx.send("GET", "/api/v1/namespaces/default/configmaps/unknowns", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void anObjectOverEtcdsLimitIs413AndAFutureContinueTokenIs400() {
        String env = "a".repeat(1_700_000);
        String deployment = "{\"metadata\":{\"name\":\"huge\"},\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":{\"a\":\"b\"}},"
                + "\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"env\":[{\"name\":\"X\",\"value\":\""
                + env + "\"}]}]}}}}";
        status(send("POST", "/apis/apps/v1/namespaces/default/deployments", deployment), 413, "RequestEntityTooLarge", "Request entity too large");
        absent("/apis/apps/v1/namespaces/default/deployments/huge");
        // over the 3 MiB request body limit Kubernetes itself has: 413 before decoding
        status(send("POST", "/apis/apps/v1/namespaces/default/deployments", deployment.replace(env, env + env)), 413, "RequestEntityTooLarge", "");

        String token = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"rv\":999999999,\"start\":\"/registry/configmaps/default/x\"}".getBytes(StandardCharsets.UTF_8));
        status(send("GET", "/api/v1/namespaces/default/configmaps?limit=1&continue=" + token, null), 400, "BadRequest", "continue");
        String outside = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"rv\":1,\"start\":\"/registry/\"}".getBytes(StandardCharsets.UTF_8));
        status(send("GET", "/api/v1/namespaces/default/pods?limit=1&continue=" + outside, null), 400, "BadRequest", "continue");
        status(send("DELETE", "/api/v1/namespaces/default/configmaps/x?dryRun=true", null), 400, "BadRequest", "dryRun");
    }

    /** One raw HTTP/1.1 exchange, for request targets java.net.http would refuse to send. */
    static RawResponse raw(String request) throws Exception {
        URI base = URI.create(fx.apiserver.url());
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
            OutputStream out = s.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (java.io.IOException e) {
                // the server may answer and close before the whole request is written
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int code = Integer.parseInt(text.substring(9, 12));
            int split = text.indexOf("\r\n\r\n");
            String head = text.substring(0, split);
            String body = text.substring(split + 4);
            if (head.toLowerCase().contains("transfer-encoding: chunked")) {
                body = dechunk(body);
            }
            codes.add(code);
            // the header names as sent (java.net.http's HttpHeaders would hide their spelling)
            java.util.Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
            head.lines().skip(1).filter(l -> l.indexOf(':') > 0).forEach(l -> headers.computeIfAbsent(l.substring(0, l.indexOf(':')), k -> new ArrayList<>())
                    .add(l.substring(l.indexOf(':') + 1).trim()));
            return new RawResponse(code, body, headers);
        }
    }

    static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < body.length()) {
            int eol = body.indexOf("\r\n", i);
            int size = Integer.parseInt(body.substring(i, eol).trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(body, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }

    record RawResponse(int statusCode, String body, java.util.Map<String, List<String>> headerMap) implements HttpResponse<String> {
        public HttpRequest request() {
            return null;
        }

        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        public java.net.http.HttpHeaders headers() {
            return java.net.http.HttpHeaders.of(headerMap, (a, b) -> true);
        }

        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return java.util.Optional.empty();
        }

        public URI uri() {
            return null;
        }

        public java.net.http.HttpClient.Version version() {
            return java.net.http.HttpClient.Version.HTTP_1_1;
        }
    }
}
