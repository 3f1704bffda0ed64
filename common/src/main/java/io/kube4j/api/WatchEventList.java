package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.ArrayList;
import java.util.List;

/** The answer to a long-poll watch ({@code watch=poll}): the events after a revision, and the revision to poll from next. */
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "items"})
public class WatchEventList<T> {
    public String apiVersion = "v1";
    public String kind = "WatchEventList";
    public ListMeta metadata = new ListMeta();
    public List<WatchEvent<T>> items = new ArrayList<>();
}
