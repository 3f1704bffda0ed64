package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A Namespace: Active, or Terminating while its contents are deleted. */
public class Namespace extends KubeObject {
    public NamespaceSpec spec = new NamespaceSpec();
    public NamespaceStatus status = new NamespaceStatus();

    public Namespace() {
        super("v1", "Namespace");
    }

    /** Finalizers that must run before the namespace goes. */
    public static class NamespaceSpec {
        public List<String> finalizers = new ArrayList<>();
    }

    /** Active or Terminating. */
    public static class NamespaceStatus {
        public String phase;
        public java.util.List<Condition> conditions = new java.util.ArrayList<>();
    }
}
