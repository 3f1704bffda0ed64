package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** The optional body of a DELETE. */
public class DeleteOptions {
    public String apiVersion;
    public String kind;
    public Long gracePeriodSeconds;
    public Preconditions preconditions;
    public String propagationPolicy;
    public Boolean orphanDependents;
    public List<String> dryRun = new ArrayList<>();

    /** The delete only goes ahead if uid / resourceVersion still match. */
    public static class Preconditions {
        public String uid;
        public String resourceVersion;
    }
}
