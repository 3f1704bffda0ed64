package io.kube4j.apiserver.web;

import io.kube4j.apiserver.protobuf.ProtobufCodec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses the representation of a response from the request's Accept header, as Kubernetes'
 * NegotiateMediaTypeOptions (apiserver/pkg/endpoints/handlers/negotiation/negotiate.go) does: the Accept
 * clauses are ordered by quality, then by specificity (goautoneg), and the first clause that names a
 * supported type (or a wildcard, which takes the first supported one, JSON) wins. The clause order of
 * the client decides between equals: kubectl's typed commands send
 * {@code application/vnd.kubernetes.protobuf,application/json} and get protobuf. Without an Accept
 * header, or with no clause that matches, the answer is JSON (Kubernetes never answers 406 here).
 */
public final class MediaTypes {
    /** A response representation. */
    public enum Format {
        JSON("application/json"),
        YAML("application/yaml"),
        PROTOBUF(ProtobufCodec.MEDIA_TYPE);

        private final String mediaType;

        Format(String mediaType) {
            this.mediaType = mediaType;
        }

        public String mediaType() {
            return mediaType;
        }
    }

    /** One clause of an Accept header. */
    private record Clause(String type, String subType, double q, int position) {
    }

    private MediaTypes() {
    }

    private static final List<String> FORMATS = java.util.Arrays.stream(Format.values()).map(Format::mediaType).toList();

    /** The format for {@code accept} (the Accept header's value; null for none). */
    public static Format negotiate(String accept) {
        if (accept == null || accept.isBlank()) {
            return Format.JSON;
        }
        int chosen = choose(accept, FORMATS);
        return chosen < 0 ? Format.JSON : Format.values()[chosen];
    }

    /**
     * The index in {@code supported} of the media type the first matching Accept clause picks (a
     * wildcard picks the first supported type), or -1 when no clause matches.
     */
    public static int choose(String accept, List<String> supported) {
        for (Clause c : clauses(accept)) {
            for (int i = 0; i < supported.size(); i++) {
                String[] s = supported.get(i).split("/", 2);
                boolean typeMatches = c.type().equals(s[0]) || c.type().equals("*");
                boolean subTypeMatches = c.subType().equals(s[1]) || c.subType().equals("*");
                if (typeMatches && subTypeMatches) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** goautoneg's ParseAccept: clauses by descending quality, specific before wildcard, else in header order. */
    private static List<Clause> clauses(String accept) {
        List<Clause> out = new ArrayList<>();
        String[] parts = accept.split(",");
        for (int i = 0; i < parts.length; i++) {
            String[] params = parts[i].split(";");
            String mediaRange = params[0].trim().toLowerCase();
            if (mediaRange.isEmpty()) {
                continue;
            }
            int slash = mediaRange.indexOf('/');
            String type = slash < 0 ? mediaRange : mediaRange.substring(0, slash);
            String subType = slash < 0 ? "*" : mediaRange.substring(slash + 1);
            double q = 1.0;
            for (int p = 1; p < params.length; p++) {
                String[] kv = params[p].trim().split("=", 2);
                if (kv.length == 2 && kv[0].trim().equals("q")) {
                    try {
                        q = Double.parseDouble(kv[1].trim());
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            out.add(new Clause(type, subType, q, i));
        }
        out.sort(Comparator.comparingDouble((Clause c) -> -c.q())
                .thenComparingInt(c -> c.type().equals("*") ? 1 : 0)
                .thenComparingInt(c -> c.subType().equals("*") ? 1 : 0)
                .thenComparingInt(Clause::position));
        return out;
    }
}
