package io.kube4j.kubelet.network;

/**
 * A CNI plugin failed, or could not be run. For a plugin's own error the fields are the CNI spec's error result
 * ({@code {"cniVersion", "code", "msg", "details"}} on stdout with a non-zero exit, SPEC.md "Error"); the message
 * is libcni's {@code plugin type="bridge" failed (add): <msg>} so events read as containerd's do.
 */
public class CniException extends RuntimeException {
    /** The spec's well-known codes (SPEC.md "Error"): 1 incompatible CNI version ... 11 try again later. */
    public static final int INCOMPATIBLE_CNI_VERSION = 1;
    public static final int UNSUPPORTED_FIELD = 2;
    public static final int UNKNOWN_CONTAINER = 3;
    public static final int INVALID_ENVIRONMENT_VARIABLES = 4;
    public static final int IO_FAILURE = 5;
    public static final int DECODING_FAILURE = 6;
    public static final int INVALID_NETWORK_CONFIG = 7;
    public static final int TRY_AGAIN_LATER = 11;
    /** Not a plugin's answer: the binary was missing, could not start, timed out, or printed something not JSON. */
    public static final int NOT_A_PLUGIN_ERROR = -1;

    private final int code;
    private final String msg;
    private final String details;

    /** A plugin's answer: {@code message} for people, {@code code}/{@code msg}/{@code details} as the plugin gave them. */
    public CniException(String message, int code, String msg, String details) {
        super(message);
        this.code = code;
        this.msg = msg;
        this.details = details;
    }

    /** Not a plugin's answer (it could not be run or read): code {@link #NOT_A_PLUGIN_ERROR}. */
    public CniException(String message, Throwable cause) {
        super(message, cause);
        this.code = NOT_A_PLUGIN_ERROR;
        this.msg = message;
        this.details = "";
    }

    /** The plugin's error code (the spec's {@code code}), or {@link #NOT_A_PLUGIN_ERROR}. */
    public int code() {
        return code;
    }

    /** The plugin's own message (the spec's {@code msg}). */
    public String msg() {
        return msg;
    }

    /** The plugin's {@code details}, empty when it gave none. */
    public String details() {
        return details;
    }
}
