package io.kube4j.api;

/** An IngressClass (networking.k8s.io/v1): the controller that implements Ingresses of this class. */
public class IngressClass extends KubeObject {
    public IngressClassSpec spec = new IngressClassSpec();

    public IngressClass() {
        super("networking.k8s.io/v1", "IngressClass");
    }

    /** The controller name and an optional parameters object. */
    public static class IngressClassSpec {
        public String controller;
        public IngressClassParametersReference parameters;
    }

    /** A cluster- or namespace-scoped object holding controller configuration. */
    public static class IngressClassParametersReference {
        public String apiGroup;
        public String kind;
        public String name;
        public String scope;
        public String namespace;
    }
}
