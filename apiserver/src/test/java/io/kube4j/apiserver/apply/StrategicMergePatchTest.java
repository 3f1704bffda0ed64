package io.kube4j.apiserver.apply;

import io.kube4j.api.Deployment;
import io.kube4j.api.Pod;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StrategicMergePatchTest {

    static ObjectNode json(String s) {
        return (ObjectNode) Json.tree(s.replace('\'', '"'));
    }

    static final String DEPLOYMENT = """
            {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','labels':{'app':'web','tier':'front'}},
             'spec':{'replicas':2,'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}},
              'template':{'spec':{'containers':[
                {'name':'a','image':'x:1','args':['old'],'ports':[{'containerPort':80},{'containerPort':81}],'env':[{'name':'A','value':'1'}]},
                {'name':'b','image':'y:1'}]}}}}""";

    @Test
    void appliesKubectlsApplyPatchWithDirectives() {
        ObjectNode patch = json("""
                {'metadata':{'labels':{'tier':null}},
                 'spec':{'strategy':{'$retainKeys':['type'],'rollingUpdate':null,'type':'Recreate'},
                  'template':{'spec':{'$setElementOrder/containers':[{'name':'a'}],
                   'containers':[{'$setElementOrder/ports':[{'containerPort':80}],'args':['x'],'name':'a','ports':[{'$patch':'delete','containerPort':81}]},
                                 {'$patch':'delete','name':'b'}]}}}}""");

        ObjectNode out = StrategicMergePatch.apply(json(DEPLOYMENT), patch, Deployment.class);

        assertThat(out.path("metadata").path("labels").toString()).isEqualTo("{\"app\":\"web\"}");
        assertThat(out.path("spec").path("strategy").toString()).isEqualTo("{\"type\":\"Recreate\"}");
        assertThat(out.path("spec").path("template").path("spec").path("containers").toString())
                .isEqualTo("[{\"name\":\"a\",\"image\":\"x:1\",\"args\":[\"x\"],\"ports\":[{\"containerPort\":80}],\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}]");
        assertThat(out.path("spec").path("replicas").asInt()).isEqualTo(2);
    }

    @Test
    void mergesListElementsByKeyAndAppendsNewOnes() {
        ObjectNode patch = json("{'spec':{'template':{'spec':{'containers':[{'name':'b','image':'y:2'},{'name':'c','image':'z:1'}]}}}}");

        ObjectNode out = StrategicMergePatch.apply(json(DEPLOYMENT), patch, Deployment.class);

        var containers = out.path("spec").path("template").path("spec").path("containers");
        assertThat(containers).hasSize(3);
        assertThat(containers.get(0).path("image").asString()).isEqualTo("x:1");
        assertThat(containers.get(1).path("image").asString()).isEqualTo("y:2");
        assertThat(containers.get(2).path("name").asString()).isEqualTo("c");
    }

    @Test
    void replacesListsWithoutMergeKeyAndListsOfScalars() {
        ObjectNode pod = json("{'spec':{'containers':[{'name':'a','args':['1','2']}],'tolerations':[{'key':'k1'}]}}");
        ObjectNode patch = json("{'spec':{'containers':[{'name':'a','args':['3']}],'tolerations':[{'key':'k2'}]}}");

        ObjectNode out = StrategicMergePatch.apply(pod, patch, Pod.class);

        assertThat(out.path("spec").path("containers").get(0).path("args").toString()).isEqualTo("[\"3\"]");
        assertThat(out.path("spec").path("tolerations").toString()).isEqualTo("[{\"key\":\"k2\"}]");
    }

    @Test
    void mergesFinalizersAsASetAndDeletesFromPrimitiveLists() {
        ObjectNode pod = json("{'metadata':{'finalizers':['a','b']}}");

        ObjectNode added = StrategicMergePatch.apply(pod, json("{'metadata':{'finalizers':['b','c']}}"), Pod.class);
        ObjectNode removed = StrategicMergePatch.apply(pod, json("{'metadata':{'$deleteFromPrimitiveList/finalizers':['a']}}"), Pod.class);

        assertThat(added.path("metadata").path("finalizers").toString()).isEqualTo("[\"a\",\"b\",\"c\"]");
        assertThat(removed.path("metadata").path("finalizers").toString()).isEqualTo("[\"b\"]");
    }

    @Test
    void replaceDirectiveReplacesAMapWhole() {
        ObjectNode out = StrategicMergePatch.apply(json(DEPLOYMENT), json("{'metadata':{'labels':{'$patch':'replace','x':'y'}}}"), Deployment.class);

        assertThat(out.path("metadata").path("labels").toString()).isEqualTo("{\"x\":\"y\"}");
    }

    @Test
    void setElementOrderReordersTheMergedList() {
        ObjectNode patch = json("{'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}],'containers':[{'name':'a','image':'x:2'}]}}}}");

        ObjectNode out = StrategicMergePatch.apply(json(DEPLOYMENT), patch, Deployment.class);

        var containers = out.path("spec").path("template").path("spec").path("containers");
        assertThat(containers.get(0).path("name").asString()).isEqualTo("b");
        assertThat(containers.get(1).path("image").asString()).isEqualTo("x:2");
    }

    @Test
    void leavesTheOriginalUntouched() {
        ObjectNode original = json(DEPLOYMENT);
        String before = original.toString();

        StrategicMergePatch.apply(original, json("{'spec':{'replicas':5}}"), Deployment.class);

        assertThat(original.toString()).isEqualTo(before);
    }

    @Test
    void refusesElementsWithoutTheirMergeKeyAndUnknownDirectives() {
        assertThatThrownBy(() -> StrategicMergePatch.apply(json(DEPLOYMENT), json("{'spec':{'template':{'spec':{'containers':[{'image':'z'}]}}}}"), Deployment.class))
                .isInstanceOf(ApiError.class).hasMessageContaining("merge key \"name\"");
        assertThatThrownBy(() -> StrategicMergePatch.apply(json(DEPLOYMENT), json("{'metadata':{'$patch':'explode'}}"), Deployment.class))
                .isInstanceOf(ApiError.class).hasMessageContaining("explode");
    }
}
