package io.kube4j.controllermanager.deployment;

import io.kube4j.api.PodTemplateSpec;
import io.kube4j.json.Json;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;

/**
 * The {@code pod-template-hash} label value that names a Deployment's ReplicaSet for one pod
 * template: FNV-1a over the template (without the label) and the collision count, encoded with
 * Kubernetes' safe alphabet (no vowels, so no accidental words).
 */
final class PodTemplateHash {
    static final String LABEL = "pod-template-hash";
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private PodTemplateHash() {
    }

    static String of(PodTemplateSpec template, int collisionCount) {
        byte[] bytes = Json.write(withoutHash(template)).getBytes(StandardCharsets.UTF_8);
        int hash = 0x811c9dc5;
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= 0x01000193;
        }
        if (collisionCount > 0) {
            for (byte b : Integer.toString(collisionCount).getBytes(StandardCharsets.UTF_8)) {
                hash ^= b & 0xff;
                hash *= 0x01000193;
            }
        }
        String digits = Long.toString(Integer.toUnsignedLong(hash));
        StringBuilder out = new StringBuilder(digits.length());
        for (char c : digits.toCharArray()) {
            out.append(ALPHABET.charAt(c % ALPHABET.length()));
        }
        return out.toString();
    }

    /** Whether two templates are the same apart from the hash label (Kubernetes' EqualIgnoreHash). */
    static boolean equalIgnoringHash(PodTemplateSpec a, PodTemplateSpec b) {
        if (a == null || b == null) {
            return a == b;
        }
        return withoutHash(a).equals(withoutHash(b));
    }

    private static ObjectNode withoutHash(PodTemplateSpec template) {
        ObjectNode tree = Json.toTree(template);
        if (tree.path("metadata").path("labels").isObject()) {
            ObjectNode labels = (ObjectNode) tree.get("metadata").get("labels");
            labels.remove(LABEL);
            if (labels.isEmpty()) {
                ((ObjectNode) tree.get("metadata")).remove("labels");
            }
        }
        if (tree.path("metadata").isObject() && tree.get("metadata").isEmpty()) {
            tree.remove("metadata");
        }
        return tree;
    }
}
