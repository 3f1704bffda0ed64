package io.kube4j.apiserver.protobuf;

/** A body that cannot be converted between protobuf and JSON; the message says where and why. */
public class ProtobufException extends RuntimeException {
    public ProtobufException(String message) {
        super(message);
    }
}
