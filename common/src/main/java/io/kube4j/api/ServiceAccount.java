package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A ServiceAccount (core/v1): an identity for processes in pods. */
public class ServiceAccount extends KubeObject {
    public List<ObjectReference> secrets = new ArrayList<>();
    public List<LocalObjectReference> imagePullSecrets = new ArrayList<>();
    public Boolean automountServiceAccountToken;

    public ServiceAccount() {
        super("v1", "ServiceAccount");
    }
}
