package io.kube4j.api;

import io.kube4j.quantity.Quantity;

/** A container's resource request or limit, such as {@code limits.cpu}, for env vars and downward API files. */
public class ResourceFieldSelector {
    public String containerName;
    public String resource;
    public Quantity divisor;
}
