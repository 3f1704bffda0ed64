package io.kube4j.scheduler.framework;

/** A topology domain: a node label key and one of its values (e.g. zone=a). */
public record TopologyPair(String key, String value) {
}
