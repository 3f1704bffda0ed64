package io.kube4j.apiserver.apply;

import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManagedFieldsTest {

    static ObjectNode json(String s) {
        return (ObjectNode) Json.tree(s.replace('\'', '"'));
    }

    static JsonNode entry(ObjectNode obj, String manager) {
        for (JsonNode e : obj.path("metadata").path("managedFields")) {
            if (e.path("manager").asString().equals(manager)) {
                return e;
            }
        }
        return null;
    }

    static final String DEPLOY = "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{'replicas':%d,"
            + "'template':{'spec':{'containers':[{'name':'a','image':'%s'}]}}}}";

    @Test
    void createRecordsEveryFieldForTheCreatorButNotServerMetadata() {
        ObjectNode obj = ManagedFields.recordUpdate(null, json(DEPLOY.formatted(2, "x")), "kubectl-create", ResourceTypes.DEPLOYMENTS);

        JsonNode e = entry(obj, "kubectl-create");
        assertThat(e.path("operation").asString()).isEqualTo("Update");
        assertThat(e.path("fieldsV1").toString()).isEqualTo(
                "{\"f:spec\":{\"f:replicas\":{},\"f:template\":{\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"a\\\"}\":{\".\":{},\"f:name\":{},\"f:image\":{}}}}}}}");
    }

    @Test
    void anUpdateTakesTheFieldsItChangedFromOtherManagers() {
        ObjectNode created = ManagedFields.recordUpdate(null, json(DEPLOY.formatted(2, "x")), "creator", ResourceTypes.DEPLOYMENTS);
        ObjectNode next = json(DEPLOY.formatted(5, "x"));
        next.set("metadata", created.get("metadata").deepCopy());

        ObjectNode updated = ManagedFields.recordUpdate(created, next, "scaler", ResourceTypes.DEPLOYMENTS);

        assertThat(entry(updated, "scaler").path("fieldsV1").toString()).isEqualTo("{\"f:spec\":{\"f:replicas\":{}}}");
        assertThat(entry(updated, "creator").path("fieldsV1").path("f:spec").has("f:replicas")).isFalse();
        assertThat(entry(updated, "creator").path("fieldsV1").path("f:spec").has("f:template")).isTrue();
    }

    @Test
    void applyConflictsOnFieldsOwnedByOthersWithDifferentValuesUnlessForced() {
        ObjectNode live = ManagedFields.recordUpdate(null, json(DEPLOY.formatted(2, "x")), "creator", ResourceTypes.DEPLOYMENTS);
        ObjectNode sameImageMoreReplicas = json(DEPLOY.formatted(3, "x"));

        assertThatThrownBy(() -> ManagedFields.apply(live, sameImageMoreReplicas, "ssa", false, ResourceTypes.DEPLOYMENTS))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(409);
                    assertThat(e.status().details.causes).extracting(c -> c.field).containsExactly(".spec.replicas");
                    assertThat(e.getMessage()).isEqualTo("Apply failed with 1 conflict: conflict with \"creator\" using apps/v1: .spec.replicas");
                });

        ObjectNode forced = ManagedFields.apply(live, sameImageMoreReplicas, "ssa", true, ResourceTypes.DEPLOYMENTS);
        assertThat(forced.path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(entry(forced, "ssa").path("fieldsV1").path("f:spec").has("f:replicas")).isTrue();
        assertThat(entry(forced, "creator").path("fieldsV1").path("f:spec").has("f:replicas")).isFalse();
    }

    @Test
    void applyRemovesFieldsTheApplierNoLongerSetsUnlessOthersOwnThem() {
        ObjectNode first = ManagedFields.apply(null, json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','labels':{'a':'1','b':'2'}},"
                + "'spec':{'containers':[{'name':'c','image':'x'},{'name':'d','image':'y'}]}}"), "ssa", false, ResourceTypes.PODS);

        ObjectNode second = ManagedFields.apply(first, json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','labels':{'a':'1'}},"
                + "'spec':{'containers':[{'name':'c','image':'x'}]}}"), "ssa", false, ResourceTypes.PODS);

        assertThat(second.path("metadata").path("labels").toString()).isEqualTo("{\"a\":\"1\"}");
        assertThat(second.path("spec").path("containers")).hasSize(1);
        assertThat(FieldPaths.fromFieldsV1(entry(second, "ssa").path("fieldsV1")))
                .contains(List.of("f:metadata", "f:labels", "f:a"))
                .doesNotContain(List.of("f:metadata", "f:labels", "f:b"));
    }

    @Test
    void fieldsV1RoundTripsThroughLeafPaths() {
        JsonNode fields = Json.tree("{\"f:metadata\":{\"f:labels\":{\"f:a\":{}}},\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"c\\\"}\":{\".\":{},\"f:image\":{}}}}}");

        assertThat(FieldPaths.toFieldsV1(FieldPaths.fromFieldsV1(fields))).isEqualTo(fields);
        assertThat(FieldPaths.describe(List.of("f:spec", "f:containers", "k:{\"name\":\"c\"}", "f:image"))).isEqualTo(".spec.containers[name=\"c\"].image");
    }

    /**
     * Container ports are x-kubernetes-list-map-keys [containerPort, protocol] (and Service ports [port,
     * protocol]): applying 53/TCP and 53/UDP keeps two ports, a port without protocol is the TCP one, and
     * managedFields name both keys, as a real apiserver's do. (A strategic merge patch keys by
     * containerPort alone, which is Kubernetes' own behaviour there.)
     */
    @Test
    void applyMergesListsByTheirListMapKeysWithKeyDefaults() {
        String dns = "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'dns'},'spec':{'containers':[{'name':'c','image':'x','ports':[%s]}]}}";
        ObjectNode live = ManagedFields.apply(null, json(dns.formatted("{'containerPort':53}")), "first", false, ResourceTypes.PODS);
        ObjectNode both = ManagedFields.apply(live, json(dns.formatted("{'containerPort':53,'protocol':'TCP'},{'containerPort':53,'protocol':'UDP','name':'dns-udp'}")),
                "first", false, ResourceTypes.PODS);

        JsonNode ports = both.path("spec").path("containers").get(0).path("ports");
        assertThat(ports).hasSize(2);
        assertThat(ports.get(1).path("protocol").asString()).isEqualTo("UDP");
        assertThat(ports.get(1).path("name").asString()).isEqualTo("dns-udp");
        JsonNode owned = entry(both, "first").path("fieldsV1").path("f:spec").path("f:containers").path("k:{\"name\":\"c\"}").path("f:ports");
        assertThat(owned.has("k:{\"containerPort\":53,\"protocol\":\"TCP\"}")).isTrue();
        assertThat(owned.has("k:{\"containerPort\":53,\"protocol\":\"UDP\"}")).isTrue();

        // applying only the UDP port again drops the TCP one this manager no longer applies
        ObjectNode udpOnly = ManagedFields.apply(both, json(dns.formatted("{'containerPort':53,'protocol':'UDP'}")), "first", false, ResourceTypes.PODS);
        JsonNode left = udpOnly.path("spec").path("containers").get(0).path("ports");
        assertThat(left).hasSize(1);
        assertThat(left.get(0).path("protocol").asString()).isEqualTo("UDP");

        String svc = "{'apiVersion':'v1','kind':'Service','metadata':{'name':'dns'},'spec':{'ports':[%s]}}";
        ObjectNode s = ManagedFields.apply(null, json(svc.formatted("{'port':53,'name':'tcp'}")), "m", false, ResourceTypes.SERVICES);
        ObjectNode s2 = ManagedFields.apply(s, json(svc.formatted("{'port':53,'name':'tcp'},{'port':53,'protocol':'UDP','name':'udp'}")), "m", false, ResourceTypes.SERVICES);
        assertThat(s2.path("spec").path("ports")).hasSize(2);
    }
}
