package io.kube4j.json;

import io.kube4j.api.Container;
import io.kube4j.api.Deployment;
import io.kube4j.api.Pod;
import io.kube4j.quantity.Quantity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTest {

    @Test
    void podIsWrittenLikeKubernetesWithEmptyFieldsOmittedAndFieldsInOrder() {
        Pod pod = new Pod();
        pod.metadata.name = "web";
        pod.metadata.namespace = "default";
        Container c = new Container();
        c.name = "main";
        c.image = "busybox";
        pod.spec.containers.add(c);

        String json = Json.write(pod);

        assertThat(json).isEqualTo("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]},\"status\":{}}");
    }

    @Test
    void unknownFieldsAndAnnotationsSurviveARoundTrip() {
        String in = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\",\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"a\\\": 1}\\n\"},\"futureMeta\":7},"
                + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"stdin\":true}],\"futureField\":{\"a\":[1,2]}}}";

        Pod pod = Json.read(in, Pod.class);
        String out = Json.write(pod);

        assertThat(Json.tree(out).at("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration").asString()).isEqualTo("{\"a\": 1}\n");
        assertThat(Json.tree(out).at("/spec/futureField/a/1").asInt()).isEqualTo(2);
        assertThat(Json.tree(out).at("/spec/containers/0/stdin").asBoolean()).isTrue();
        assertThat(Json.tree(out).at("/metadata/futureMeta").asInt()).isEqualTo(7);
    }

    @Test
    void zeroReplicasIsKeptButAbsentReplicasIsOmitted() {
        Deployment d = new Deployment();
        d.metadata.name = "d";
        assertThat(Json.write(d)).doesNotContain("replicas");
        d.spec.replicas = 0;
        assertThat(Json.write(d)).contains("\"replicas\":0");
    }

    @Test
    void quantitiesAndYamlRoundTrip() {
        String yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: q\nspec:\n  containers:\n  - name: c\n    image: i\n    resources:\n      requests:\n        cpu: 500m\n        memory: 128Mi\n";
        Pod pod = Json.readYaml(yaml, Pod.class);
        Quantity cpu = pod.spec.containers.get(0).resources.requests.get("cpu");
        assertThat(cpu.milliValue()).isEqualTo(500);
        assertThat(Json.write(pod)).contains("\"cpu\":\"500m\"", "\"memory\":\"128Mi\"");
        assertThat(Json.writeYaml(pod)).contains("cpu: 500m");
    }
}
