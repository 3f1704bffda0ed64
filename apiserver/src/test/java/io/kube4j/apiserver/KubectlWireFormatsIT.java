package io.kube4j.apiserver;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import io.kube4j.api.ConfigMap;
import io.kube4j.api.CronJob;
import io.kube4j.api.Deployment;
import io.kube4j.api.Job;
import io.kube4j.api.Namespace;
import io.kube4j.api.Secret;
import io.kube4j.api.Service;
import io.kube4j.apiserver.protobuf.ProtobufCodec;
import io.kube4j.json.Json;
import io.kubernetes.client.proto.Meta;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kubectl v1.32's typed commands ({@code create namespace|deployment|service|configmap|secret|job|cronjob|serviceaccount|role|quota})
 * send their objects in Kubernetes protobuf and accept protobuf answers; kubectl's client-side
 * validation reads {@code /openapi/v2} in protobuf. All of it against a real apiserver on a real etcd.
 */
class KubectlWireFormatsIT {
    static ApiServerFixture fx;

    @BeforeAll
    static void start() {
        fx = new ApiServerFixture().start();
        Namespace ns = new Namespace();
        ns.metadata.name = "wire";
        fx.client.create(ns);
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    static Kubectl kubectl(Path dir) {
        return Kubectl.forServer(fx.apiserver.url(), dir);
    }

    static void created(Kubectl.Result r, String line) {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out().trim()).as(r.toString()).isEqualTo(line);
    }

    @Test
    void typedCreateCommandsSendProtobufAndSucceed(@TempDir Path dir) {
        Kubectl k = kubectl(dir);

        created(k.run("create", "namespace", "wire-ns"), "namespace/wire-ns created");
        created(k.run("-n", "wire", "create", "deployment", "d", "--image=busybox"), "deployment.apps/d created");
        created(k.run("-n", "wire", "create", "service", "clusterip", "s", "--tcp=80:8080"), "service/s created");
        created(k.run("-n", "wire", "create", "configmap", "c", "--from-literal=a=b"), "configmap/c created");
        created(k.run("-n", "wire", "create", "secret", "generic", "s", "--from-literal=a=b"), "secret/s created");
        created(k.run("-n", "wire", "create", "job", "j", "--image=busybox"), "job.batch/j created");
        created(k.run("-n", "wire", "create", "cronjob", "cj", "--image=busybox", "--schedule=*/1 * * * *"), "cronjob.batch/cj created");
        created(k.run("-n", "wire", "create", "serviceaccount", "sa"), "serviceaccount/sa created");
        created(k.run("-n", "wire", "create", "role", "r", "--verb=get", "--resource=pods"), "role.rbac.authorization.k8s.io/r created");
        created(k.run("-n", "wire", "create", "quota", "q", "--hard=pods=2"), "resourcequota/q created");

        assertThat(fx.client.get(Namespace.class, null, "wire-ns").metadata.name).isEqualTo("wire-ns");
        Deployment d = fx.client.get(Deployment.class, "wire", "d");
        assertThat(d.spec.replicas).isEqualTo(1);
        assertThat(d.spec.template.spec.containers.getFirst().image).isEqualTo("busybox");
        assertThat(d.spec.selector.matchLabels).containsEntry("app", "d");
        Service s = fx.client.get(Service.class, "wire", "s");
        assertThat(s.spec.ports.getFirst().port).isEqualTo(80);
        assertThat(s.spec.ports.getFirst().targetPort.isInt()).isTrue();
        assertThat(s.spec.ports.getFirst().targetPort.intValue()).isEqualTo(8080);
        assertThat(s.spec.clusterIP).isNotBlank();
        assertThat(fx.client.get(ConfigMap.class, "wire", "c").data).containsEntry("a", "b");
        assertThat(fx.client.get(Job.class, "wire", "j").spec.template.spec.restartPolicy).isEqualTo("Never");
        assertThat(fx.client.get(CronJob.class, "wire", "cj").spec.schedule).isEqualTo("*/1 * * * *");

        // the secret's bytes went over protobuf as raw bytes and come back base64 in JSON
        Kubectl.Result data = k.run("-n", "wire", "get", "secret", "s", "-o", "jsonpath={.data.a}");
        assertThat(data.exitCode()).as(data.toString()).isZero();
        assertThat(data.out()).isEqualTo("Yg==");
        assertThat(fx.client.get(Secret.class, "wire", "s").data).containsEntry("a", "Yg==");
    }

    @Test
    void kubectlReallySpeaksProtobufBothWays(@TempDir Path dir) {
        Kubectl.Result r = kubectl(dir).run("-n", "wire", "create", "configmap", "verbose", "--from-literal=k=v", "-v=8");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err()).contains("Content-Type: application/vnd.kubernetes.protobuf")
                .contains("Accept: application/vnd.kubernetes.protobuf,application/json")
                .contains("Response Status: 201");
        // the answer is protobuf too: kubectl prints the response headers at -v=8
        assertThat(r.err()).containsPattern("(?s)Response Status: 201.*Content-Type: application/vnd.kubernetes.protobuf");
        assertThat(r.out().trim()).isEqualTo("configmap/verbose created");
    }

    /**
     * kubectl debug patches {@code pods/<name>/ephemeralcontainers} (strategic merge, by name): the
     * ephemeral container is added to the pod's spec, with the container defaults, and nothing else changes.
     */
    @Test
    void debugAddsAnEphemeralContainerThroughTheSubresource(@TempDir Path dir) {
        Kubectl k = kubectl(dir);
        created(k.run("-n", "wire", "run", "dbg", "--image=busybox", "--", "sleep", "1000"), "pod/dbg created");
        Kubectl.Result r = k.run("-n", "wire", "debug", "dbg", "--image=busybox:1.36", "--container=dbg-shell", "--profile=general");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        Kubectl.Result spec = k.run("-n", "wire", "get", "pod", "dbg", "-o",
                "jsonpath={.spec.ephemeralContainers[0].name} {.spec.ephemeralContainers[0].image} {.spec.ephemeralContainers[0].terminationMessagePolicy} {.spec.containers[0].image}");
        assertThat(spec.out().trim()).as(spec.toString()).isEqualTo("dbg-shell busybox:1.36 File busybox");
    }

    @Test
    void zeroReplicasStayZero(@TempDir Path dir) {
        created(kubectl(dir).run("-n", "wire", "create", "deployment", "zero", "--image=busybox", "--replicas=0"), "deployment.apps/zero created");

        assertThat(fx.client.get(Deployment.class, "wire", "zero").spec.replicas).isZero();
    }

    @Test
    void createJobFromCronJobReadsAndWritesProtobuf(@TempDir Path dir) {
        Kubectl k = kubectl(dir);
        created(k.run("-n", "wire", "create", "cronjob", "tmpl", "--image=busybox", "--schedule=0 * * * *", "--", "echo", "hi"), "cronjob.batch/tmpl created");

        created(k.run("-n", "wire", "create", "job", "manual", "--from=cronjob/tmpl"), "job.batch/manual created");

        Job job = fx.client.get(Job.class, "wire", "manual");
        assertThat(job.spec.template.spec.containers.getFirst().command).containsExactly("echo", "hi");
        assertThat(job.metadata.annotations).containsEntry("cronjob.kubernetes.io/instantiate", "manual");
        assertThat(job.metadata.ownerReferences.getFirst().kind).isEqualTo("CronJob");
    }

    @Test
    void errorsComeBackAsProtobufStatusAndReadAsUsual(@TempDir Path dir) {
        Kubectl k = kubectl(dir);
        created(k.run("-n", "wire", "create", "serviceaccount", "twice"), "serviceaccount/twice created");

        Kubectl.Result again = k.run("-n", "wire", "create", "serviceaccount", "twice", "-v=8");

        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).containsPattern("(?s)Response Status: 409.*Content-Type: application/vnd.kubernetes.protobuf");
        assertThat(again.err()).contains("error: failed to create serviceaccount: serviceaccounts \"twice\" already exists");
    }

    /**
     * An unknown kind: kubectl finds no GVK in /openapi/v3, reads /openapi/v2 in protobuf (it has no
     * JSON fallback), and then prints its usual mapping error.
     */
    @Test
    void applyOfAnUnknownKindPrintsKubectlsUsualMessage(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("old-cronjob.yaml");
        Files.writeString(f, """
                apiVersion: batch/v1beta1
                kind: CronJob
                metadata:
                  name: old
                spec:
                  schedule: "*/1 * * * *"
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          restartPolicy: OnFailure
                          containers:
                          - name: c
                            image: busybox
                """);

        Kubectl.Result r = kubectl(dir).run("apply", "-f", f.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: resource mapping not found for name: \"old\" namespace: \"\" from \"" + f
                + "\": no matches for kind \"CronJob\" in version \"batch/v1beta1\"\nensure CRDs are installed first\n");
    }

    @Test
    void openApiV2AnswersEachMediaTypeAsKubeOpenApiDoes() throws Exception {
        HttpResponse<byte[]> pb = get("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
        HttpResponse<byte[]> json = get("/openapi/v2", "application/json");
        HttpResponse<byte[]> none = get("/openapi/v2", "text/html");

        assertThat(pb.statusCode()).isEqualTo(200);
        assertThat(pb.headers().firstValue("Content-Type")).hasValue("application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
        assertThat(pb.body()[0]).as("a protobuf message, not JSON").isNotEqualTo((byte) '{');
        assertThat(json.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(Json.tree(json.body()).path("swagger").asString()).isEqualTo("2.0");
        assertThat(none.statusCode()).isEqualTo(406);
    }

    @Test
    void listsWatchesAndErrorsSpeakProtobufToAProtobufClient() throws Exception {
        ConfigMap watched = new ConfigMap();
        watched.metadata.name = "watched";
        watched.metadata.namespace = "wire";
        fx.client.create(watched);

        HttpResponse<byte[]> list = get("/api/v1/namespaces/wire/configmaps", "application/vnd.kubernetes.protobuf");
        assertThat(list.headers().firstValue("Content-Type")).hasValue("application/vnd.kubernetes.protobuf");
        ObjectNode decoded = ProtobufCodec.toJson(ProtobufCodec.envelope(list.body()), null, null);
        assertThat(decoded.path("kind").asString()).isEqualTo("ConfigMapList");
        assertThat(decoded.path("metadata").path("resourceVersion").asString()).isNotEmpty();

        HttpResponse<byte[]> missing = get("/api/v1/namespaces/wire/configmaps/nope", "application/vnd.kubernetes.protobuf");
        assertThat(missing.statusCode()).isEqualTo(404);
        ObjectNode status = ProtobufCodec.toJson(ProtobufCodec.envelope(missing.body()), null, null);
        assertThat(status.path("kind").asString()).isEqualTo("Status");
        assertThat(status.path("reason").asString()).isEqualTo("NotFound");
        assertThat(status.path("message").asString()).isEqualTo("configmaps \"nope\" not found");
        assertThat(status.path("code").asInt()).isEqualTo(404);

        // JSON stays first choice when the client lists it first
        HttpResponse<byte[]> jsonFirst = get("/api/v1/namespaces/wire/configmaps", "application/json, application/vnd.kubernetes.protobuf");
        assertThat(jsonFirst.headers().firstValue("Content-Type")).hasValue("application/json");

        HttpRequest watch = HttpRequest.newBuilder(URI.create(fx.apiserver.url() + "/api/v1/namespaces/wire/configmaps?watch=true&timeoutSeconds=5"))
                .header("Accept", "application/vnd.kubernetes.protobuf,application/json").build();
        HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(watch, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = stream.body()) {
            assertThat(stream.headers().firstValue("Content-Type")).hasValue("application/vnd.kubernetes.protobuf;stream=watch");
            byte[] head = in.readNBytes(4);
            int length = ((head[0] & 0xff) << 24) | ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
            Descriptor watchEvent = Meta.getDescriptor().findMessageTypeByName("WatchEvent");
            DynamicMessage event = DynamicMessage.parseFrom(watchEvent, in.readNBytes(length));
            assertThat(event.getField(watchEvent.findFieldByName("type"))).isEqualTo("ADDED");
            DynamicMessage raw = (DynamicMessage) event.getField(watchEvent.findFieldByName("object"));
            ByteString object = (ByteString) raw.getField(raw.getDescriptorForType().findFieldByName("raw"));
            assertThat(ProtobufCodec.toJson(ProtobufCodec.envelope(object.toByteArray()), null, null).path("kind").asString()).isEqualTo("ConfigMap");
        }
    }

    /** Kubernetes' PATCH handler takes only the patch media types: a protobuf body is 415, as there. */
    @Test
    void patchBodiesAreNeverProtobuf() {
        ConfigMap cm = new ConfigMap();
        cm.metadata.name = "patched";
        cm.metadata.namespace = "wire";
        fx.client.create(cm);

        HttpResponse<String> r = fx.send("PATCH", "/api/v1/namespaces/wire/configmaps/patched", ProtobufCodec.MEDIA_TYPE, "k8s");

        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(Json.tree(r.body()).path("reason").asString()).isEqualTo("UnsupportedMediaType");
    }

    static HttpResponse<byte[]> get(String path, String accept) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(fx.apiserver.url() + path)).header("Accept", accept).timeout(Duration.ofSeconds(10)).build();
        return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofByteArray());
    }
}
