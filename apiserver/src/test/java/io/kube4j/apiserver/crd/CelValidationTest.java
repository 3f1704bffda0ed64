package io.kube4j.apiserver.crd;

import io.kube4j.api.Status;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** x-kubernetes-validations: CEL rules with Kubernetes' wording, messageExpression, reason, fieldPath and transition rules. */
class CelValidationTest {
    static final StructuralSchema SCHEMA = new StructuralSchema(Json.tree("""
            {"type":"object","properties":{"spec":{"type":"object",
              "x-kubernetes-validations":[
                {"rule":"self.minReplicas <= self.replicas","message":"replicas should be greater than or equal to minReplicas"},
                {"rule":"self.replicas <= 10","messageExpression":"'replicas ' + string(self.replicas) + ' is above 10'"},
                {"rule":"!has(self.forbidden)","reason":"FieldValueForbidden","fieldPath":".forbidden","message":"may not be set"},
                {"rule":"size(self.name) > 1"},
                {"rule":"self.name.lowerAscii() == self.name && self.tags.all(t, t.size() < 10)","message":"lower case"}],
              "properties":{
                "name":{"type":"string","x-kubernetes-validations":[{"rule":"self == oldSelf","message":"Value is immutable"}]},
                "replicas":{"type":"integer"},"minReplicas":{"type":"integer"},"forbidden":{"type":"string"},
                "tags":{"type":"array","items":{"type":"string","x-kubernetes-validations":[{"rule":"self.startsWith('t-')"}]}}}}}}"""));

    static List<String> validate(String spec) {
        List<Status.Cause> causes = new ArrayList<>();
        SCHEMA.validate(Json.tree("{\"spec\":" + spec + "}"), causes);
        return causes.stream().map(c -> c.field + ": " + c.reason + ": " + c.message).toList();
    }

    @Test
    void passingRulesGiveNoErrors() {
        assertThat(validate("{\"name\":\"ab\",\"replicas\":3,\"minReplicas\":1,\"tags\":[\"t-1\"]}")).isEmpty();
        assertThat(validate("{\"name\":\"AB\",\"replicas\":3,\"minReplicas\":1,\"tags\":[\"t-1\"]}")).containsExactly(
                "spec: FieldValueInvalid: Invalid value: \"object\": lower case");
    }

    @Test
    void failingRulesAreWordedAsKubernetes() {
        assertThat(validate("{\"name\":\"a\",\"replicas\":11,\"minReplicas\":12,\"forbidden\":\"x\",\"tags\":[\"t-1\",\"x\"]}")).containsExactlyInAnyOrder(
                "spec: FieldValueInvalid: Invalid value: \"object\": replicas should be greater than or equal to minReplicas",
                "spec: FieldValueInvalid: Invalid value: \"object\": replicas 11 is above 10",
                "spec.forbidden: FieldValueForbidden: Forbidden: may not be set",
                "spec: FieldValueInvalid: Invalid value: \"object\": failed rule: size(self.name) > 1",
                "spec.tags[1]: FieldValueInvalid: Invalid value: \"string\": failed rule: self.startsWith('t-')");
    }

    @Test
    void transitionRulesCompareWithTheOldObject() {
        List<Status.Cause> causes = new ArrayList<>();
        SCHEMA.validateTransition(Json.tree("{\"spec\":{\"name\":\"new\",\"replicas\":1,\"minReplicas\":1}}"),
                Json.tree("{\"spec\":{\"name\":\"old\",\"replicas\":1,\"minReplicas\":1}}"), causes);
        assertThat(causes).extracting(c -> c.field + ": " + c.message).containsExactly("spec.name: Invalid value: \"string\": Value is immutable");
        List<Status.Cause> same = new ArrayList<>();
        SCHEMA.validateTransition(Json.tree("{\"spec\":{\"name\":\"old\",\"replicas\":1,\"minReplicas\":1}}"),
                Json.tree("{\"spec\":{\"name\":\"old\",\"replicas\":1,\"minReplicas\":1}}"), same);
        assertThat(same).isEmpty();
    }

    @Test
    void rulesThatDoNotCompileAreRefusedOnTheCrd() {
        List<Status.Cause> out = new ArrayList<>();
        CelValidation.compileErrors(Json.tree("{\"type\":\"object\",\"x-kubernetes-validations\":[{\"rule\":\"self.a ==\"},{\"rule\":\"true\",\"reason\":\"Bogus\"}]}"), "s", out);
        assertThat(out).extracting(c -> c.field).containsExactly("s.x-kubernetes-validations[0].rule", "s.x-kubernetes-validations[1].reason");
        assertThat(out.getFirst().message).startsWith("Invalid value: \"self.a ==\": compilation failed: ");
    }
}
