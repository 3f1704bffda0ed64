package io.kube4j.apiserver.protobuf;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Admissionregistration;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1Authorization;
import io.kubernetes.client.proto.V1Autoscaling;
import io.kubernetes.client.proto.V1Batch;
import io.kubernetes.client.proto.V1Coordination;
import io.kubernetes.client.proto.V1Discovery;
import io.kubernetes.client.proto.V1Events;
import io.kubernetes.client.proto.V1Flowcontrol;
import io.kubernetes.client.proto.V1Networking;
import io.kubernetes.client.proto.V1Policy;
import io.kubernetes.client.proto.V1Rbac;
import io.kubernetes.client.proto.V1Scheduling;
import io.kubernetes.client.proto.V1Storage;
import io.kubernetes.client.proto.V2Autoscaling;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The protobuf message of every kind kube4j can put on the wire, looked up by {@code apiVersion} and
 * {@code kind}: the messages Kubernetes generates from its Go types ({@code k8s.io/api/<group>/<version>/generated.proto},
 * {@code k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto}), as compiled by the Kubernetes Java client
 * project ({@code io.kubernetes:client-java-proto}). Every top-level message of a group-version's file
 * counts, so the list kinds ({@code PodList}), subresource kinds ({@code Scale}, {@code Eviction},
 * {@code Binding}) and {@code Status} resolve as well as the resources themselves.
 */
public final class ProtobufSchemas {
    /** The proto files of the group-versions kube4j serves, plus meta/v1 for Status, WatchEvent, DeleteOptions. */
    private static final List<FileDescriptor> FILES = List.of(
            V1.getDescriptor(), V1Apps.getDescriptor(), V1Batch.getDescriptor(), V1Policy.getDescriptor(),
            V1Scheduling.getDescriptor(), V1Discovery.getDescriptor(), V1Storage.getDescriptor(),
            V1Networking.getDescriptor(), V1Rbac.getDescriptor(), V1Autoscaling.getDescriptor(),
            V2Autoscaling.getDescriptor(), V1Coordination.getDescriptor(), V1Admissionregistration.getDescriptor(),
            V1Flowcontrol.getDescriptor(), V1Events.getDescriptor(), io.kubernetes.client.proto.V1Certificates.getDescriptor(),
            io.kubernetes.client.proto.V1Authentication.getDescriptor(),
            // authorization.k8s.io access reviews, which kubectl auth can-i sends as protobuf
            V1Authorization.getDescriptor());

    /** The proto package of meta/v1, whose kinds (Status, WatchEvent, ...) every group-version serves as {@code v1}. */
    static final String META_V1 = "k8s.io.apimachinery.pkg.apis.meta.v1";

    private static final Map<String, Descriptor> BY_KIND = index();

    private ProtobufSchemas() {
    }

    /** The message of {@code apiVersion}/{@code kind} ({@code "apps/v1"}, {@code "Deployment"}), if Kubernetes has one. */
    public static Optional<Descriptor> forKind(String apiVersion, String kind) {
        if (apiVersion == null || kind == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(BY_KIND.get(apiVersion + "/" + kind));
    }

    /** The proto files of every group-version kube4j can put on the wire (for tests that walk all messages). */
    static List<FileDescriptor> files() {
        return FILES;
    }

    /** The meta/v1 message named {@code name} ({@code "WatchEvent"}, {@code "Status"}). */
    static Descriptor meta(String name) {
        return Meta.getDescriptor().findMessageTypeByName(name);
    }

    private static Map<String, Descriptor> index() {
        Map<String, Descriptor> byKind = new HashMap<>();
        for (FileDescriptor file : FILES) {
            String apiVersion = apiVersion(file.getPackage());
            for (Descriptor message : file.getMessageTypes()) {
                byKind.put(apiVersion + "/" + message.getName(), message);
            }
            // metav1.AddToGroupVersion registers the option kinds in every group-version: a typed
            // client's DELETE body is a DeleteOptions of the resource's own apiVersion
            byKind.put(apiVersion + "/DeleteOptions", meta("DeleteOptions"));
        }
        byKind.put("meta.k8s.io/v1/DeleteOptions", meta("DeleteOptions"));
        // Status is served as v1 by every group-version (metav1.Status registered with "v1")
        byKind.put("v1/Status", meta("Status"));
        return Map.copyOf(byKind);
    }

    /**
     * The apiVersion of a proto package {@code k8s.io.api.<dir>.<version>}: the directory names the API
     * group the way k8s.io/api lays them out ({@code core} is the legacy group, {@code rbac} is
     * {@code rbac.authorization.k8s.io}, the historic groups have no domain).
     */
    static String apiVersion(String protoPackage) {
        String rest = protoPackage.substring("k8s.io.api.".length());
        int dot = rest.indexOf('.');
        String dir = rest.substring(0, dot);
        String version = rest.substring(dot + 1);
        String group = switch (dir) {
            case "core" -> "";
            case "apps", "batch", "policy", "autoscaling" -> dir;
            case "rbac" -> "rbac.authorization.k8s.io";
            case "flowcontrol" -> "flowcontrol.apiserver.k8s.io";
            default -> dir + ".k8s.io";
        };
        return group.isEmpty() ? version : group + "/" + version;
    }
}
