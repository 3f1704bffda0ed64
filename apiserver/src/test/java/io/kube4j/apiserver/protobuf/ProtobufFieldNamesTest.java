package io.kube4j.apiserver.protobuf;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JSON names the converter gives proto fields ({@link ProtobufJson#INLINE}, {@link ProtobufJson#RENAMED},
 * otherwise the proto name) are exactly the JSON names of Kubernetes 1.32, as the OpenAPI-generated models
 * of the Kubernetes Java client ({@code io.kubernetes:client-java-api} 24, {@code SERIALIZED_NAME_*}) list
 * them, for every message reachable from a served kind.
 */
class ProtobufFieldNamesTest {
    private static final String MODELS = "io.kubernetes.client.openapi.models.";
    /** Models whose class name is not version + message name (the name is taken by another group). */
    private static final Map<String, String> MODEL_NAMES = Map.of(
            "k8s.io.api.core.v1.Event", "CoreV1Event",
            "k8s.io.api.core.v1.EventSeries", "CoreV1EventSeries",
            "k8s.io.api.core.v1.EndpointPort", "CoreV1EndpointPort",
            "k8s.io.api.discovery.v1.EndpointPort", "DiscoveryV1EndpointPort",
            "k8s.io.api.rbac.v1.Subject", "RbacV1Subject",
            "k8s.io.api.flowcontrol.v1.Subject", "FlowcontrolV1Subject");

    /** Messages whose model class of the same name is another message (core/v1 Preconditions vs meta/v1's). */
    private static final Set<String> NO_MODEL = Set.of("k8s.io.api.core.v1.Preconditions");

    @Test
    void everyKubernetesJsonNameHasItsProtoFieldAndNoFieldIsMisnamed() {
        Deque<Descriptor> todo = new ArrayDeque<>();
        for (ResourceType rt : ResourceTypes.ALL) {
            todo.add(ProtobufSchemas.forKind(rt.apiVersion(), rt.listKind()).orElseThrow());
        }
        for (String extra : List.of("v1/Status", "autoscaling/v1/Scale", "policy/v1/Eviction", "v1/Binding", "v1/DeleteOptions")) {
            int slash = extra.lastIndexOf('/');
            todo.add(ProtobufSchemas.forKind(extra.substring(0, slash), extra.substring(slash + 1)).orElseThrow());
        }
        // every top-level message of the served files too: the review and request kinds (TokenRequest,
        // TokenReview, SubjectAccessReview, ...) are no ResourceType but arrive as protobuf all the same
        for (var file : ProtobufSchemas.files()) {
            todo.addAll(file.getMessageTypes());
        }
        Set<String> seen = new HashSet<>();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        while (!todo.isEmpty()) {
            Descriptor d = todo.poll();
            if (!seen.add(d.getFullName())) {
                continue;
            }
            for (FieldDescriptor f : d.getFields()) {
                if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                    todo.add(f.getMessageType());
                }
            }
            Set<String> kubernetes = NO_MODEL.contains(d.getFullName()) ? null : modelJsonNames(d);
            if (kubernetes == null) {
                continue;
            }
            checked++;
            Set<String> ours = jsonNames(d);
            for (String name : kubernetes) {
                if (!ours.contains(name) && !name.equals("apiVersion") && !name.equals("kind")) {
                    problems.add(d.getFullName() + ": Kubernetes' JSON field " + name + " has no proto field");
                }
            }
            for (String name : ours) {
                if (!kubernetes.contains(name) && kubernetes.stream().anyMatch(k -> k.equalsIgnoreCase(name))) {
                    problems.add(d.getFullName() + ": " + name + " is spelled differently in Kubernetes' JSON");
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(checked).as("messages compared with a Kubernetes model").isGreaterThan(250);
    }

    @Test
    void theExceptionTablesNameRealFields() {
        Set<String> all = new TreeSet<>();
        all.addAll(ProtobufJson.INLINE);
        all.addAll(ProtobufJson.RENAMED.keySet());
        all.addAll(ProtobufJson.OMIT_ZERO);
        for (String field : all) {
            int dot = field.lastIndexOf('.');
            String message = field.substring(0, dot);
            String apiVersion = message.startsWith("k8s.io.api.")
                    ? ProtobufSchemas.apiVersion(message.substring(0, message.lastIndexOf('.'))) : null;
            Descriptor d = apiVersion != null
                    ? ProtobufSchemas.forKind(apiVersion, message.substring(message.lastIndexOf('.') + 1)).orElse(null)
                    : ProtobufSchemas.meta(message.substring(message.lastIndexOf('.') + 1));
            assertThat(d).as(message).isNotNull();
            assertThat(d.findFieldByName(field.substring(dot + 1))).as(field).isNotNull();
        }
    }

    /** The JSON names the converter reads and writes for a message, inline messages flattened. */
    static Set<String> jsonNames(Descriptor d) {
        Set<String> names = new TreeSet<>();
        for (FieldDescriptor f : d.getFields()) {
            if (ProtobufJson.inline(f)) {
                names.addAll(jsonNames(f.getMessageType()));
            } else {
                names.add(ProtobufJson.jsonName(f));
            }
        }
        return names;
    }

    /** The JSON names of the message's Kubernetes 1.32 model, or null when the model has no class of its own. */
    static Set<String> modelJsonNames(Descriptor d) {
        String pkg = d.getFile().getPackage();
        String version = pkg.substring(pkg.lastIndexOf('.') + 1);
        String simple = MODEL_NAMES.getOrDefault(d.getFullName(), Character.toUpperCase(version.charAt(0)) + version.substring(1) + d.getName());
        Class<?> model;
        try {
            model = Class.forName(MODELS + simple, false, ProtobufFieldNamesTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
        Set<String> names = new TreeSet<>();
        for (Field f : model.getFields()) {
            if (f.getName().startsWith("SERIALIZED_NAME_") && Modifier.isStatic(f.getModifiers())) {
                try {
                    names.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return names;
    }
}
