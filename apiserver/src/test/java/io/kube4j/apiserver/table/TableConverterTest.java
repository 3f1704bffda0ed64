package io.kube4j.apiserver.table;

import io.kube4j.api.ResourceTypes;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TableConverterTest {

    static JsonNode json(String s) {
        return Json.tree(s.replace('\'', '"'));
    }

    static List<String> header(JsonNode table) {
        List<String> out = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> out.add(c.path("name").asString() + (c.path("priority").asInt() > 0 ? "*" : "")));
        return out;
    }

    @Test
    void tableIsWantedOnlyWhenTheFirstJsonRangeAsksForIt() {
        MockHttpServletRequest kubectl = new MockHttpServletRequest();
        kubectl.addHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json");
        MockHttpServletRequest plain = new MockHttpServletRequest();
        plain.addHeader("Accept", "application/json, application/json;as=Table;v=v1;g=meta.k8s.io");

        assertThat(TableConverter.wanted(kubectl)).isTrue();
        assertThat(TableConverter.wanted(plain)).isFalse();
        assertThat(TableConverter.wanted(new MockHttpServletRequest())).isFalse();
    }

    @Test
    void podListBecomesATableWithKubectlsColumnsAndPartialMetadata() {
        JsonNode list = json("""
                {'kind':'PodList','apiVersion':'v1','metadata':{'resourceVersion':'42'},'items':[
                 {'metadata':{'name':'p','namespace':'default','labels':{'app':'x'},'creationTimestamp':'2020-01-01T00:00:00Z','managedFields':[{}]},
                  'spec':{'nodeName':'n1','containers':[{'name':'a'},{'name':'b'}]},
                  'status':{'phase':'Running','podIP':'10.1.0.7','containerStatuses':[
                    {'name':'a','ready':true,'restartCount':2,'state':{'running':{}}},
                    {'name':'b','ready':false,'restartCount':1,'state':{'waiting':{'reason':'CrashLoopBackOff'}}}]}}]}""");

        JsonNode table = TableConverter.toTable(ResourceTypes.PODS, list, null, true);

        assertThat(table.path("kind").asString()).isEqualTo("Table");
        assertThat(table.path("metadata").path("resourceVersion").asString()).isEqualTo("42");
        assertThat(header(table)).containsExactly("Name", "Ready", "Status", "Restarts", "Age", "IP*", "Node*", "Nominated Node*", "Readiness Gates*");
        JsonNode row = table.path("rows").get(0);
        assertThat(row.path("cells").get(0).asString()).isEqualTo("p");
        assertThat(row.path("cells").get(1).asString()).isEqualTo("1/2");
        assertThat(row.path("cells").get(2).asString()).isEqualTo("CrashLoopBackOff");
        assertThat(row.path("cells").get(3).asString()).isEqualTo("3");
        assertThat(row.path("cells").get(5).asString()).isEqualTo("10.1.0.7");
        assertThat(row.path("cells").get(6).asString()).isEqualTo("n1");
        assertThat(row.path("object").path("kind").asString()).isEqualTo("PartialObjectMetadata");
        assertThat(row.path("object").path("metadata").path("labels").path("app").asString()).isEqualTo("x");
        assertThat(row.path("object").path("metadata").has("managedFields")).isFalse();
    }

    @Test
    void deletedPodShowsTerminatingAndInitContainersShowProgress() {
        JsonNode deleting = json("{'metadata':{'name':'p','deletionTimestamp':'2020-01-01T00:00:00Z'},'spec':{'containers':[{}]},'status':{'phase':'Running'}}");
        JsonNode initializing = json("{'metadata':{'name':'p'},'spec':{'initContainers':[{},{}],'containers':[{}]},"
                + "'status':{'phase':'Pending','initContainerStatuses':[{'state':{'terminated':{'exitCode':0}}},{'state':{'running':{}}}]}}");

        assertThat(RowPrinters.pod(deleting, Instant.now()).get(2)).isEqualTo("Terminating");
        assertThat(RowPrinters.pod(initializing, Instant.now()).get(2)).isEqualTo("Init:1/2");
    }

    @Test
    void singleObjectsAndOtherResourcesGetTheirOwnColumns() {
        JsonNode deploy = json("{'kind':'Deployment','metadata':{'name':'web','resourceVersion':'7'},'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web'}},"
                + "'template':{'spec':{'containers':[{'name':'a','image':'nginx'}]}}},'status':{'readyReplicas':2,'updatedReplicas':3,'availableReplicas':2}}");
        JsonNode svc = json("{'kind':'Service','metadata':{'name':'s'},'spec':{'type':'NodePort','clusterIP':'10.96.0.9','ports':[{'port':80,'nodePort':30080,'protocol':'TCP'}],'selector':{'app':'web'}}}");

        JsonNode dt = TableConverter.toTable(ResourceTypes.DEPLOYMENTS, deploy, "None", true);
        JsonNode st = TableConverter.toTable(ResourceTypes.SERVICES, svc, null, true);

        assertThat(header(dt)).containsExactly("Name", "Ready", "Up-to-date", "Available", "Age", "Containers*", "Images*", "Selector*");
        assertThat(dt.path("rows").get(0).path("cells").toString()).startsWith("[\"web\",\"2/3\",3,2,");
        assertThat(dt.path("rows").get(0).path("cells").toString()).endsWith("\"a\",\"nginx\",\"app=web\"]");
        assertThat(dt.path("rows").get(0).has("object")).isFalse();
        assertThat(st.path("rows").get(0).path("cells").get(4).asString()).isEqualTo("80:30080/TCP");
        assertThat(st.path("rows").get(0).path("cells").get(1).asString()).isEqualTo("NodePort");
    }

    @Test
    void statusBodiesAreNotTables() {
        assertThat(TableConverter.toTable(ResourceTypes.PODS, json("{'kind':'Status','code':404}"), null, true)).isNull();
    }
}
