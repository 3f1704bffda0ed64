package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.ArrayList;
import java.util.List;

/** A list of objects of one kind, e.g. a PodList. */
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "items"})
public class KubeList<T> {
    public String apiVersion;
    public String kind;
    public ListMeta metadata = new ListMeta();
    public List<T> items = new ArrayList<>();
}
