package io.kube4j.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** A ControllerRevision (apps/v1): an immutable snapshot of a DaemonSet's or StatefulSet's template. */
public class ControllerRevision extends KubeObject {
    /** The snapshot, a raw JSON object (a patch of the owner's spec); kept as-is. */
    public Map<String, Object> data = new LinkedHashMap<>();
    public long revision;

    public ControllerRevision() {
        super("apps/v1", "ControllerRevision");
    }
}
