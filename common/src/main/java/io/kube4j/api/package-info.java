/**
 * Kubernetes-shaped API types. Fields are public and named exactly as in Kubernetes' JSON; empty
 * values are omitted on the wire (see {@link io.kube4j.json.Json}). Times are RFC 3339 strings, kept
 * verbatim so that a round trip never changes a client's bytes.
 */
package io.kube4j.api;
