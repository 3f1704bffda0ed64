package io.kube4j.apiserver.protobuf;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.kube4j.api.ResourceTypes;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every example manifest of the Kubernetes website (shared/corpus/k8s-website-examples) of a kind kube4j
 * serves goes JSON → protobuf → JSON (strictly: a field the messages lack fails) and comes back with every
 * field, apart from the differences Kubernetes itself has between its JSON and protobuf forms: empty
 * lists, maps and strings and omitempty zeros disappear, quantities written as YAML numbers come back as
 * their strings, times come back in UTC with metav1's precision.
 */
class ProtobufCorpusTest {
    /**
     * Fields of website examples that are newer than Kubernetes 1.32 and than the protobuf messages
     * (the website documents newer releases): strict encoding must keep reporting them.
     */
    static final Set<String> NEWER_THAN_THE_MESSAGES = Set.of(
            "pods/emptydir-volume-mode.yaml (v1/Pod): spec.volumes[0].emptyDir.mode: no such field in k8s.io.api.core.v1.EmptyDirVolumeSource",
            "pods/security/security-context-7.yaml (v1/Pod): spec.containers[0].securityContext.cgroupOptions: no such field in k8s.io.api.core.v1.SecurityContext");

    private static final Set<String> KINDS = ResourceTypes.ALL.stream().map(rt -> rt.apiVersion() + "/" + rt.kind()).collect(Collectors.toSet());

    static Path corpus() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("corpus").resolve("k8s-website-examples");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return fail("no shared/corpus/k8s-website-examples above " + Path.of("").toAbsolutePath());
    }

    @Test
    void everyWebsiteExampleOfAServedKindSurvivesProtobuf() throws IOException {
        Path root = corpus();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        }
        List<String> problems = new ArrayList<>();
        Map<String, Integer> checked = new TreeMap<>();
        for (Path file : files) {
            List<JsonNode> docs = new ArrayList<>();
            try (MappingIterator<JsonNode> it = Json.yaml().readerFor(JsonNode.class).readValues(Files.readString(file))) {
                while (it.hasNextValue()) {
                    docs.add(it.nextValue());
                }
            } catch (RuntimeException e) {
                continue; // CorpusTypesTest reports unparsable files
            }
            for (JsonNode doc : docs) {
                if (doc == null || !doc.isObject()) {
                    continue;
                }
                String gvk = doc.path("apiVersion").asString("") + "/" + doc.path("kind").asString("");
                if (!KINDS.contains(gvk)) {
                    continue;
                }
                String where = root.relativize(file) + " (" + gvk + ")";
                checked.merge(gvk, 1, Integer::sum);
                ObjectNode back;
                try {
                    back = ProtobufCodec.toJson(ProtobufCodec.envelope(ProtobufCodec.encode(doc, true)), null, null);
                } catch (ProtobufException e) {
                    problems.add(where + ": " + e.getMessage());
                    continue;
                }
                Descriptor type = ProtobufSchemas.forKind(doc.path("apiVersion").asString(), doc.path("kind").asString()).orElseThrow();
                compare(where, "", type, doc, back, problems);
            }
        }
        assertThat(checked.values().stream().mapToInt(Integer::intValue).sum()).as("documents checked: %s", checked).isGreaterThan(150);
        assertThat(checked.keySet().stream().map(k -> k.substring(k.lastIndexOf('/') + 1)).toList())
                .as("kinds with examples").contains("Pod", "Deployment", "Service", "StatefulSet", "Job", "Ingress", "NetworkPolicy");
        assertThat(problems).as("documents checked: %s", checked).containsExactlyInAnyOrderElementsOf(NEWER_THAN_THE_MESSAGES);
    }

    /** {@code expected} (the manifest) against {@code actual} (after protobuf), field by field. */
    static void compare(String where, String path, Descriptor type, JsonNode expected, JsonNode actual, List<String> problems) {
        for (Map.Entry<String, JsonNode> e : expected.properties()) {
            String name = e.getKey();
            JsonNode want = e.getValue();
            JsonNode got = actual.get(name);
            String at = path + "/" + name;
            if ((name.equals("apiVersion") || name.equals("kind")) && path.isEmpty()) {
                if (!want.equals(got)) {
                    problems.add(where + ": " + at + " is " + got + ", was " + want);
                }
                continue;
            }
            FieldDescriptor field = leaf(type, name);
            if (field == null) {
                problems.add(where + ": " + at + " has no proto field");
                continue;
            }
            if (got == null) {
                boolean dropsLikeKubernetes = want.isNull()
                        || (want.isString() && want.asString().isEmpty() && !field.isRepeated())
                        || ((want.isArray() || want.isObject()) && want.isEmpty() && field.isRepeated())
                        || (ProtobufJson.OMIT_ZERO.contains(field.getFullName()) && (want.isBoolean() ? !want.asBoolean() : want.isNumber() && want.asDouble() == 0));
                if (!dropsLikeKubernetes) {
                    problems.add(where + ": " + at + " lost (was " + want + ")");
                }
                continue;
            }
            if (field.isMapField()) {
                FieldDescriptor value = field.getMessageType().findFieldByName("value");
                for (Map.Entry<String, JsonNode> entry : want.properties()) {
                    compareValue(where, at + "/" + entry.getKey(), value, entry.getValue(), got.get(entry.getKey()), problems);
                }
                if (got.size() != want.size()) {
                    problems.add(where + ": " + at + " has " + got.size() + " entries, had " + want.size());
                }
            } else if (field.isRepeated()) {
                if (!got.isArray() || got.size() != want.size()) {
                    problems.add(where + ": " + at + " is " + got + ", was " + want);
                    continue;
                }
                for (int i = 0; i < want.size(); i++) {
                    compareValue(where, at + "/" + i, field, want.get(i), got.get(i), problems);
                }
            } else {
                compareValue(where, at, field, want, got, problems);
            }
        }
        for (String name : actual.propertyNames()) {
            if (!expected.has(name)) {
                problems.add(where + ": " + path + "/" + name + " appeared: " + actual.get(name));
            }
        }
    }

    static void compareValue(String where, String at, FieldDescriptor field, JsonNode want, JsonNode got, List<String> problems) {
        if (got == null) {
            problems.add(where + ": " + at + " lost (was " + want + ")");
            return;
        }
        if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
            boolean same = want.isNumber() && got.isNumber() ? want.decimalValue().compareTo(got.decimalValue()) == 0 : want.equals(got);
            if (!same) {
                problems.add(where + ": " + at + " is " + got + ", was " + want);
            }
            return;
        }
        Descriptor type = field.getMessageType();
        switch (type.getFullName()) {
            case ProtobufJson.QUANTITY -> {
                String text = want.isNumber() ? new BigDecimal(want.asString()).toPlainString() : want.asString();
                if (!got.asString().equals(text) && !got.asString().equals(want.asString())) {
                    problems.add(where + ": " + at + " is " + got + ", was " + want);
                }
            }
            case ProtobufJson.TIME, ProtobufJson.MICRO_TIME -> {
                ChronoUnit unit = type.getFullName().equals(ProtobufJson.TIME) ? ChronoUnit.SECONDS : ChronoUnit.MICROS;
                if (!OffsetDateTime.parse(want.asString()).toInstant().truncatedTo(unit).equals(OffsetDateTime.parse(got.asString()).toInstant())) {
                    problems.add(where + ": " + at + " is " + got + ", was " + want);
                }
            }
            case ProtobufJson.INT_OR_STRING, ProtobufJson.RAW_EXTENSION, ProtobufJson.FIELDS_V1 -> {
                if (!want.equals(got)) {
                    problems.add(where + ": " + at + " is " + got + ", was " + want);
                }
            }
            default -> compare(where, at, type, want, got, problems);
        }
    }

    /** The field that holds JSON property {@code name} in {@code type}, looking through inline messages. */
    static FieldDescriptor leaf(Descriptor type, String name) {
        FieldDescriptor f = ProtobufJson.fieldFor(type, name);
        while (f != null && ProtobufJson.inline(f)) {
            f = ProtobufJson.fieldFor(f.getMessageType(), name);
        }
        return f;
    }
}
