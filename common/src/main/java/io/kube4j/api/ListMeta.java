package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** metadata of a list: the revision it was read at and the pagination token. */
public class ListMeta {
    public String resourceVersion;
    /** {@code continue} is a Java keyword, hence the trailing underscore. */
    @JsonProperty("continue")
    public String continue_;
    public Long remainingItemCount;
}
