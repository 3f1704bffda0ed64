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
        SCHEMA.validate(Json.tree("{\"spec\":{\"name\":\"new\",\"replicas\":1,\"minReplicas\":1,\"tags\":[]}}"),
                Json.tree("{\"spec\":{\"name\":\"old\",\"replicas\":1,\"minReplicas\":1}}"), causes);
        assertThat(causes).extracting(c -> c.field + ": " + c.message).containsExactly("spec.name: Invalid value: \"string\": Value is immutable");
        List<Status.Cause> same = new ArrayList<>();
        SCHEMA.validate(Json.tree("{\"spec\":{\"name\":\"old\",\"replicas\":1,\"minReplicas\":1,\"tags\":[]}}"),
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

    static List<String> rule(String rule, String self) {
        StructuralSchema schema = new StructuralSchema(Json.tree("""
                {"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true,
                  "x-kubernetes-validations":[{"rule":%s}]}}}""".formatted(Json.write(rule))));
        List<Status.Cause> causes = new ArrayList<>();
        schema.validate(Json.tree("{\"spec\":" + self + "}"), causes);
        return causes.stream().map(c -> c.field + ": " + c.message).toList();
    }

    @Test
    void kubernetesListRegexUrlAndQuantityFunctionsAreThere() {
        String self = """
                {"n":[1,2,2,5],"d":[3.5,1.0],"s":["a","b","c"],"u":"https://user@example.com:8443/a%20b?x=1&x=2&y=3","q":"1500m","name":"pod-42-xy-7"}""";
        for (String ok : List.of(
                "self.n.isSorted() && !self.d.isSorted() && self.s.isSorted()",
                "self.n.sum() == 10 && self.d.sum() == 4.5 && [].sum() == 0",
                "self.n.min() == 1 && self.n.max() == 5 && self.s.max() == 'c'",
                "self.n.indexOf(2) == 1 && self.n.lastIndexOf(2) == 2 && self.s.indexOf('z') == -1",
                "self.name.find('[0-9]+') == '42' && self.name.findAll('[0-9]+') == ['42', '7'] && self.name.findAll('[0-9]+', 1) == ['42']",
                "self.name.find('z+') == ''",
                "isURL(self.u) && url(self.u).getScheme() == 'https' && url(self.u).getHost() == 'example.com:8443'",
                "url(self.u).getHostname() == 'example.com' && url(self.u).getPort() == '8443' && url(self.u).getEscapedPath() == '/a%20b'",
                "url(self.u).getQuery() == {'x': ['1', '2'], 'y': ['3']} && !isURL('not a url') && isURL('/relative/path')",
                "quantity(self.q).isLessThan(quantity('2')) && quantity('2').isGreaterThan(quantity(self.q)) && quantity('1Ki').asInteger() == 1024",
                "isQuantity('10Gi') && !isQuantity('ten') && quantity('1.5').sign() == 1 && !quantity(self.q).isInteger()",
                "quantity(self.q).add(quantity('500m')).compareTo(quantity('2')) == 0 && quantity('3').sub(1) == quantity('2')",
                "quantity(self.q).asApproximateFloat() == 1.5",
                // cel-go extensions in Kubernetes' base environment: sets, two-variable comprehensions, cross-type comparisons
                "sets.contains(self.n, [1, 5]) && self.s.all(i, v, i < 3 && v != '') && 1 < 1.5",
                "isIP('10.0.0.1') && !isIP('10.0.0.256') && !isIP('example.com') && ip('10.0.0.1').family() == 4 && ip('fd00::1').family() == 6",
                "ip('127.0.0.1').isLoopback() && ip('0.0.0.0').isUnspecified() && ip('169.254.1.1').isLinkLocalUnicast() && ip('224.0.0.1').isLinkLocalMulticast()",
                "ip('8.8.8.8').isGlobalUnicast() && !ip('255.255.255.255').isGlobalUnicast() && ip('10.0.0.1') == ip('10.0.0.1')",
                "cidr('10.0.0.0/8').containsIP('10.1.2.3') && !cidr('10.0.0.0/8').containsIP(ip('11.0.0.1')) && cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')",
                "!cidr('10.1.0.0/16').containsCIDR(cidr('10.0.0.0/8')) && cidr('10.1.2.3/8').masked() == cidr('10.0.0.0/8') && cidr('fd00::/64').prefixLength() == 64",
                "cidr('192.168.0.0/24').ip() == ip('192.168.0.0') && isCIDR('10.0.0.0/8') && !isCIDR('10.0.0.0/33') && !isCIDR('10.0.0.0')")) {
            assertThat(rule(ok, self)).as(ok).isEmpty();
        }
        assertThat(rule("[].min() == 0", self)).containsExactly("spec: Invalid value: \"object\": min called on empty list evaluating rule: [].min() == 0");
        assertThat(rule("ip('::ffff:1.2.3.4').family() == 4", self)).containsExactly(
                "spec: Invalid value: \"object\": IPv4-mapped IPv6 address \"::ffff:1.2.3.4\" is not allowed evaluating rule: ip('::ffff:1.2.3.4').family() == 4");
        assertThat(rule("ip('fe80::1%en0').family() == 6", self)).containsExactly(
                "spec: Invalid value: \"object\": IP address \"fe80::1%en0\" with zone value is not allowed evaluating rule: ip('fe80::1%en0').family() == 6");
        assertThat(rule("quantity('1.5').asInteger() == 1", self)).containsExactly(
                "spec: Invalid value: \"object\": cannot convert value to integer evaluating rule: quantity('1.5').asInteger() == 1");
    }

    @Test
    void aRuleOverItsCallLimitStopsValidationWithKubernetesMessage() {
        StringBuilder list = new StringBuilder("[");
        for (int i = 0; i < 200; i++) {
            list.append(i == 0 ? "" : ",").append(i);
        }
        list.append(']');
        String self = "{\"l\":" + list + "}";
        StructuralSchema schema = new StructuralSchema(Json.tree("""
                {"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true,
                  "x-kubernetes-validations":[
                    {"rule":"self.l.all(x, self.l.all(y, self.l.all(z, x + y + z >= 0)))","message":"too slow"},
                    {"rule":"false","message":"never reached"}]}}}"""));
        List<Status.Cause> causes = new ArrayList<>();
        schema.validate(Json.tree("{\"spec\":" + self + "}"), causes);
        assertThat(causes).extracting(c -> c.field + ": " + c.message).containsExactly(
                "spec: Invalid value: \"object\": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to "
                        + "call cost exceeds limit for rule: too slow");
    }

    @Test
    void rulesTogetherOverTheObjectsBudgetRunOutOfIt() {
        // each rule (40,000 inner steps) stays under the per-call limit; sixty of them exceed the 10,000,000 of one object
        StringBuilder list = new StringBuilder("[");
        for (int i = 0; i < 200; i++) {
            list.append(i == 0 ? "" : ",").append(i);
        }
        list.append(']');
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            rules.append(i == 0 ? "" : ",").append("{\"rule\":\"self.l.all(x, self.l.all(y, x + y >= 0))\"}");
        }
        StructuralSchema schema = new StructuralSchema(Json.tree("""
                {"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true,
                  "x-kubernetes-validations":[%s]}}}""".formatted(rules)));
        List<Status.Cause> causes = new ArrayList<>();
        schema.validate(Json.tree("{\"spec\":{\"l\":" + list + "}}"), causes);
        assertThat(causes).extracting(c -> c.field + ": " + c.message).containsExactly(
                "spec: Invalid value: \"object\": validation failed due to running out of cost budget, no further validation rules will be run");
    }

    static List<String> crdErrors(String schema) {
        List<Status.Cause> causes = new ArrayList<>();
        CelValidation.compileErrors(Json.tree(schema), "spec.versions[0].schema.openAPIV3Schema", causes);
        return causes.stream().map(c -> c.field + ": " + c.message).toList();
    }

    @Test
    void aRuleNestingComprehensionsOverUnboundedListsIsRefusedWithKubernetesCostMessage() {
        String unbounded = """
                {"type":"object","properties":{"spec":{"type":"object",
                  "x-kubernetes-validations":[{"rule":"self.l.all(x, self.l.all(y, x == y))"},{"rule":"self.l.all(x, x != '')"}],
                  "properties":{"l":{"type":"array","items":{"type":"string"}}}}}}""";
        assertThat(crdErrors(unbounded)).containsExactly(
                "spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget "
                        + "by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and "
                        + "strings are declared)");
        // with maxItems the same rule is cheap enough
        assertThat(crdErrors(unbounded.replace("\"type\":\"array\",", "\"type\":\"array\",\"maxItems\":100,"))).isEmpty();
    }

    static List<String> causes(StructuralSchema schema, String obj, String old) {
        List<Status.Cause> out = new ArrayList<>();
        schema.validate(Json.tree(obj), old == null ? null : Json.tree(old), out);
        return out.stream().map(c -> c.field + ": " + c.message).toList();
    }

    @Test
    void theRootSeesApiVersionKindAndMetadataNameAndGenerateNameOnly() {
        StructuralSchema schema = new StructuralSchema(Json.tree("""
                {"type":"object","x-kubernetes-validations":[
                  {"rule":"self.metadata.name.startsWith('lib-')","message":"name must start with lib-"},
                  {"rule":"self.apiVersion == 'example.com/v1' && self.kind == 'Widget'"},
                  {"rule":"!has(self.metadata.generateName) || self.metadata.generateName == 'lib-'"},
                  {"rule":"!has(self.metadata.labels)","message":"labels are not visible"}],
                 "properties":{"spec":{"type":"object"}}}"""));
        String obj = """
                {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"%s","namespace":"ns","labels":{"a":"b"},"generateName":"lib-"},"spec":{}}""";
        assertThat(causes(schema, obj.formatted("lib-a"), null)).isEmpty();
        assertThat(causes(schema, obj.formatted("app-a"), null)).containsExactly("<nil>: Invalid value: \"object\": name must start with lib-");
        // and on update, with the old object's metadata likewise reduced
        assertThat(causes(schema, obj.formatted("lib-a"), obj.formatted("lib-a"))).isEmpty();
    }

    static final StructuralSchema LISTS = new StructuralSchema(Json.tree("""
            {"type":"object","properties":{"spec":{"type":"object","properties":{
              "items":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
                "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},
                  "v":{"type":"integer","x-kubernetes-validations":[{"rule":"self >= oldSelf","message":"v may only grow"}]}}}},
              "set":{"type":"array","x-kubernetes-list-type":"set",
                "items":{"type":"integer","x-kubernetes-validations":[{"rule":"self >= oldSelf","message":"set items never correlate"}]}},
              "atomic":{"type":"array",
                "items":{"type":"integer","x-kubernetes-validations":[{"rule":"self >= oldSelf","message":"atomic items never correlate"}]}},
              "byKey":{"type":"object","additionalProperties":{"type":"integer",
                "x-kubernetes-validations":[{"rule":"self >= oldSelf","message":"map values may only grow"}]}}}}}}"""));

    @Test
    void transitionRulesUnderMapListsCorrelateItemsByTheirKeys() {
        assertThat(causes(LISTS, """
                {"spec":{"items":[{"name":"a","v":3},{"name":"b","v":1}]}}""", """
                {"spec":{"items":[{"name":"b","v":1},{"name":"a","v":5}]}}""")).containsExactly(
                "spec.items[0].v: Invalid value: \"integer\": v may only grow");
        // a new item has no oldSelf; growing is fine
        assertThat(causes(LISTS, """
                {"spec":{"items":[{"name":"a","v":6},{"name":"c","v":0}]}}""", """
                {"spec":{"items":[{"name":"a","v":5}]}}""")).isEmpty();
        // additionalProperties correlate by key
        assertThat(causes(LISTS, """
                {"spec":{"byKey":{"x":1,"y":9}}}""", """
                {"spec":{"byKey":{"x":2,"z":10}}}""")).containsExactly(
                "spec.byKey.x: Invalid value: \"integer\": map values may only grow");
    }

    @Test
    void transitionRulesUnderSetsAndAtomicListsDoNotRun() {
        assertThat(causes(LISTS, """
                {"spec":{"set":[1],"atomic":[1]}}""", """
                {"spec":{"set":[5],"atomic":[5]}}""")).isEmpty();
    }

    static final StructuralSchema OPTIONAL = new StructuralSchema(Json.tree("""
            {"type":"object","properties":{"spec":{"type":"object","properties":{
              "v":{"type":"integer","x-kubernetes-validations":[{"rule":"oldSelf.hasValue() ? self >= oldSelf.value() : self == 1",
                "optionalOldSelf":true,"message":"starts at 1 and only grows"}]}}}}}"""));

    @Test
    void optionalOldSelfRunsOnCreateWithNoneAndOnUpdateWithTheOldValue() {
        assertThat(causes(OPTIONAL, "{\"spec\":{\"v\":1}}", null)).isEmpty();
        assertThat(causes(OPTIONAL, "{\"spec\":{\"v\":2}}", null)).containsExactly("spec.v: Invalid value: \"integer\": starts at 1 and only grows");
        assertThat(causes(OPTIONAL, "{\"spec\":{\"v\":7}}", "{\"spec\":{\"v\":5}}")).isEmpty();
        assertThat(causes(OPTIONAL, "{\"spec\":{\"v\":4}}", "{\"spec\":{\"v\":5}}")).containsExactly("spec.v: Invalid value: \"integer\": starts at 1 and only grows");
        // on update a field that was absent before has oldSelf = none
        assertThat(causes(OPTIONAL, "{\"spec\":{\"v\":1}}", "{\"spec\":{}}")).isEmpty();
        // validate (create) followed by validateTransition (update) leaves only the update's result
        List<Status.Cause> out = new ArrayList<>();
        OPTIONAL.validate(Json.tree("{\"spec\":{\"v\":7}}"), out);
        assertThat(out).hasSize(1);
        OPTIONAL.validateTransition(Json.tree("{\"spec\":{\"v\":7}}"), Json.tree("{\"spec\":{\"v\":5}}"), out);
        assertThat(out).isEmpty();
    }

    static List<String> compile(String schema) {
        List<Status.Cause> out = new ArrayList<>();
        CelValidation.compileErrors(Json.tree(schema), "s", out);
        return out.stream().map(c -> c.field + ": " + c.message).toList();
    }

    @Test
    void rulesAreTypeCheckedAgainstTheSchemaWhenTheCrdIsWritten() {
        assertThat(compile("""
                {"type":"object","properties":{"spec":{"type":"object",
                  "x-kubernetes-validations":[{"rule":"self.nope > 1"},{"rule":"self.a > 1 && self.s.startsWith('x') && self.l.all(i, i.n >= 0)"},
                    {"rule":"self.m.all(k, self.m[k] == 'v')"},{"rule":"self.a == 'x'"},{"rule":"self.a + 1"},{"rule":"self.free.flag"}],
                  "properties":{"a":{"type":"integer"},"s":{"type":"string"},"m":{"type":"object","additionalProperties":{"type":"string"}},
                    "l":{"type":"array","items":{"type":"object","properties":{"n":{"type":"number"}}}},
                    "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"x-kubernetes-validations":[{"rule":"self.anything == 1"}]},
                    "t":{"type":"string","format":"date-time","x-kubernetes-validations":[{"rule":"self > timestamp('2020-01-01T00:00:00Z')"}]}}}},
                 "x-kubernetes-validations":[{"rule":"self.metadata.name.startsWith('lib-') && self.kind == 'W' && self.apiVersion != ''"},
                   {"rule":"has(self.metadata.labels)"}]}"""))
                .satisfiesExactlyInAnyOrder(
                        m -> assertThat(m).startsWith("s.properties[spec].x-kubernetes-validations[0].rule: Invalid value: \"self.nope > 1\": compilation failed: ERROR: <input>:1:5: undefined field 'nope'"),
                        m -> assertThat(m).startsWith("s.properties[spec].x-kubernetes-validations[3].rule: Invalid value: \"self.a == 'x'\": compilation failed: ERROR: <input>:1:8: found no matching overload for '_==_' applied to '(int, string)'"),
                        m -> assertThat(m).isEqualTo("s.properties[spec].x-kubernetes-validations[4].rule: Invalid value: \"self.a + 1\": cel expression must evaluate to a bool"),
                        m -> assertThat(m).startsWith("s.properties[spec].x-kubernetes-validations[5].rule: Invalid value: \"self.free.flag\": compilation failed: ERROR: <input>:1:10: undefined field 'flag'"),
                        m -> assertThat(m).startsWith("s.properties[spec].properties[free].x-kubernetes-validations[0].rule: Invalid value: \"self.anything == 1\": compilation failed: ERROR: <input>:1:5: undefined field 'anything'"),
                        m -> assertThat(m).startsWith("s.x-kubernetes-validations[1].rule: Invalid value: \"has(self.metadata.labels)\": compilation failed: ERROR: <input>:1:")
                                .contains("undefined field 'labels'"));
    }

    @Test
    void updatesRatchetErrorsOnValuesTheyDidNotChange() {
        StructuralSchema schema = new StructuralSchema(Json.tree("""
                {"type":"object","properties":{"spec":{"type":"object","properties":{
                  "name":{"type":"string","pattern":"^[a-z]{1,3}$"},
                  "size":{"type":"integer","x-kubernetes-validations":[{"rule":"self < 10","message":"size below 10"}]},
                  "other":{"type":"string"}}}}}"""));
        // a schema tightened after the object was stored: the old values no longer pass
        String old = "{\"spec\":{\"name\":\"toolong\",\"size\":20,\"other\":\"a\"}}";
        assertThat(causes(schema, old, null)).containsExactlyInAnyOrder(
                "spec.name: Invalid value: \"toolong\": spec.name in body should match '^[a-z]{1,3}$'", "spec.size: Invalid value: \"integer\": size below 10");
        // an update changing only other passes; changing name or size reports that field only
        assertThat(causes(schema, "{\"spec\":{\"name\":\"toolong\",\"size\":20,\"other\":\"b\"}}", old)).isEmpty();
        assertThat(causes(schema, "{\"spec\":{\"name\":\"toolong!\",\"size\":20,\"other\":\"a\"}}", old))
                .containsExactly("spec.name: Invalid value: \"toolong!\": spec.name in body should match '^[a-z]{1,3}$'");
        assertThat(causes(schema, "{\"spec\":{\"name\":\"toolong\",\"size\":21,\"other\":\"a\"}}", old))
                .containsExactly("spec.size: Invalid value: \"integer\": size below 10");
        // the strategy's order: validate (as a create) then validateTransition (the update) leaves only the update's
        List<Status.Cause> out = new ArrayList<>();
        schema.validate(Json.tree("{\"spec\":{\"name\":\"toolong\",\"size\":20,\"other\":\"b\"}}"), out);
        assertThat(out).hasSize(2);
        schema.validateTransition(Json.tree("{\"spec\":{\"name\":\"toolong\",\"size\":20,\"other\":\"b\"}}"), Json.tree(old), out);
        assertThat(out).isEmpty();
    }

    @Test
    void valuesHaveTheirSchemaTypesAtRuntime() {
        StructuralSchema schema = new StructuralSchema(Json.tree("""
                {"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[
                    {"rule":"self.ratio + 0.5 < 2.0","message":"ratio"},
                    {"rule":"self.when > timestamp('2020-01-01T00:00:00Z')","message":"when"},
                    {"rule":"self.day < timestamp('2030-01-01T00:00:00Z')","message":"day"},
                    {"rule":"self.every >= duration('1m')","message":"every"},
                    {"rule":"self.data == b'hi'","message":"data"}],
                  "properties":{"ratio":{"type":"number"},"when":{"type":"string","format":"date-time"},
                    "day":{"type":"string","format":"date"},"every":{"type":"string","format":"duration"},
                    "data":{"type":"string","format":"byte"}}}}}"""));
        assertThat(causes(schema, """
                {"spec":{"ratio":1,"when":"2024-05-01T10:00:00Z","day":"2024-05-01","every":"1h30m","data":"aGk="}}""", null)).isEmpty();
        assertThat(causes(schema, """
                {"spec":{"ratio":2,"when":"2019-05-01T10:00:00Z","day":"2031-05-01","every":"30s","data":"aG8="}}""", null)).containsExactlyInAnyOrder(
                "spec: Invalid value: \"object\": data",
                "spec: Invalid value: \"object\": ratio", "spec: Invalid value: \"object\": when",
                "spec: Invalid value: \"object\": day", "spec: Invalid value: \"object\": every");
        assertThat(CelValidation.parseDuration("-1.5h")).isEqualTo(java.time.Duration.ofMinutes(-90));
        assertThat(CelValidation.parseDuration("300ms")).isEqualTo(java.time.Duration.ofMillis(300));
        assertThat(CelValidation.parseDuration("5 minutes")).isNull();
    }

    @Test
    void onlyARuleReferringToTheOldSelfVariableIsATransitionRule() {
        assertThat(CelValidation.usesOldSelf("self == oldSelf", false)).isTrue();
        assertThat(CelValidation.usesOldSelf("oldSelf.hasValue()", true)).isTrue();
        assertThat(CelValidation.usesOldSelf("self.oldSelfCount > 0 && self.name != 'oldSelf'", false)).isFalse();
        // so such a rule runs on create
        assertThat(rule("self.oldSelfCount > 0", "{\"oldSelfCount\":0}")).containsExactly("spec: Invalid value: \"object\": failed rule: self.oldSelfCount > 0");
    }

    @Test
    void ruleAndMessageTextsAreCheckedAsKubernetesDoes() {
        assertThat(compile("""
                {"type":"object","x-kubernetes-validations":[{"rule":"  "},{"rule":"true","message":"   "},
                  {"rule":"true","message":"line\\nbreak"},{"rule":"true &&\\ntrue"},{"rule":"true &&\\ntrue","message":"ok"},
                  {"rule":"true","messageExpression":"42"},{"rule":"true","messageExpression":"'n: ' + self.metadata.name"}]}""")).containsExactly(
                "s.x-kubernetes-validations[0].rule: Required value: rule is not specified",
                "s.x-kubernetes-validations[1].message: Invalid value: \"   \": message must be non-empty if specified",
                "s.x-kubernetes-validations[2].message: Invalid value: \"line\\nbreak\": message must not contain line breaks",
                "s.x-kubernetes-validations[3].message: Required value: message must be specified if rule contains line breaks",
                "s.x-kubernetes-validations[5].messageExpression: Invalid value: \"42\": messageExpression must evaluate to a string");
    }

    @Test
    void rulesRunUnlessThisObjectsOwnSchemaErrorsBlockThem() {
        List<Status.Cause> out = new ArrayList<>();
        // a cause the registry found before (e.g. in metadata) does not keep the rules from running
        out.add(new Status.Cause("FieldValueRequired", "Required value: name or generateName is required", "metadata.name"));
        SCHEMA.validate(Json.tree("{\"spec\":{\"name\":\"ab\",\"replicas\":11,\"minReplicas\":1,\"tags\":[]}}"), out);
        assertThat(out).extracting(c -> c.field + ": " + c.message).containsExactly(
                "metadata.name: Required value: name or generateName is required",
                "spec: Invalid value: \"object\": replicas 11 is above 10");
    }

    @Test
    void propertyNamesAreEscapedAsKubernetesEscapesThem() {
        assertThat(CelSchemaTypes.escape("namespace")).isEqualTo("__namespace__");
        assertThat(CelSchemaTypes.escape("foo-bar")).isEqualTo("foo__dash__bar");
        assertThat(CelSchemaTypes.escape("a.b/c__d")).isEqualTo("a__dot__b__slash__c__underscores__d");
        assertThat(CelSchemaTypes.escape("plain_name")).isEqualTo("plain_name");
        assertThat(CelSchemaTypes.escape("1st")).isNull();
        String schema = """
                {"type":"object","properties":{"spec":{"type":"object",
                  "x-kubernetes-validations":[{"rule":"self.__namespace__ == 'prod' && self.max__dash__size > 0 && self.labels['app-name'] == 'x'","message":"escaped"}],
                  "properties":{"namespace":{"type":"string"},"max-size":{"type":"integer"},
                    "labels":{"type":"object","additionalProperties":{"type":"string"}}}}}}""";
        assertThat(compile(schema)).isEmpty();
        StructuralSchema s = new StructuralSchema(Json.tree(schema));
        assertThat(causes(s, "{\"spec\":{\"namespace\":\"prod\",\"max-size\":1,\"labels\":{\"app-name\":\"x\"}}}", null)).isEmpty();
        assertThat(causes(s, "{\"spec\":{\"namespace\":\"dev\",\"max-size\":1,\"labels\":{\"app-name\":\"x\"}}}", null))
                .containsExactly("spec: Invalid value: \"object\": escaped");
    }

    @Test
    void commonOperatorRulesPassTheTypeCheck() {
        assertThat(compile("""
                {"type":"object","properties":{"spec":{"type":"object",
                  "x-kubernetes-validations":[{"rule":"self.replicas > 0.5"},{"rule":"self.ratio >= 1"},{"rule":"!has(oldSelf.name) || has(self.name)"},
                    {"rule":"self.name.matches('^[a-z]+$')"},{"rule":"self.tags.all(t, t.size() < 10) && self.tags.exists_one(t, t == 'a')"},
                    {"rule":"self.port == 80 || self.port == 'http'"},{"rule":"self.items.map(i, i.n).sum() < 100"},
                    {"rule":"size(self.byName) <= 3 && 'a' in self.byName"},{"rule":"self.?name.orValue('') != 'x'"},
                    {"rule":"quantity(self.mem).isGreaterThan(quantity('1Mi'))"},
                    {"rule":"self.name == oldSelf.name","optionalOldSelf":false}],
                  "properties":{"replicas":{"type":"integer"},"ratio":{"type":"number"},"name":{"type":"string"},"mem":{"type":"string"},
                    "tags":{"type":"array","items":{"type":"string"}},"port":{"x-kubernetes-int-or-string":true},
                    "items":{"type":"array","items":{"type":"object","properties":{"n":{"type":"integer"}}}},
                    "byName":{"type":"object","additionalProperties":{"type":"integer"}}}}}}""")).isEmpty();
    }
}
