package io.kube4j.api;

/** A Binding: the scheduler's request to put a pod on a node (POST pods/{name}/binding). */
public class Binding extends KubeObject {
    public ObjectReference target = new ObjectReference();

    public Binding() {
        super("v1", "Binding");
    }

    public static Binding of(String namespace, String podName, String nodeName) {
        Binding b = new Binding();
        b.metadata.namespace = namespace;
        b.metadata.name = podName;
        b.target.kind = "Node";
        b.target.name = nodeName;
        return b;
    }
}
