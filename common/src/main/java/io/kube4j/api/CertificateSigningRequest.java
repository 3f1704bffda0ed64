package io.kube4j.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CertificateSigningRequest (certificates.k8s.io/v1, cluster-scoped): a PKCS#10 request for a certificate
 * from a named signer, approved or denied through the {@code approval} subresource and issued through
 * {@code status}. Mirrors {@code staging/src/k8s.io/api/certificates/v1/types.go}; byte fields ({@code request},
 * {@code certificate}) are base64 strings on the wire, as Go's {@code []byte}.
 */
public class CertificateSigningRequest extends KubeObject {
    /** Signer of kubelet client certificates (kubelet TLS bootstrap). */
    public static final String KUBE_APISERVER_CLIENT_KUBELET_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
    /** Signer of client certificates the apiserver honours. */
    public static final String KUBE_APISERVER_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client";
    /** Signer of kubelet serving certificates. */
    public static final String KUBELET_SERVING_SIGNER = "kubernetes.io/kubelet-serving";
    /** Signer Kubernetes reserves for legacy, never automatically signed requests. */
    public static final String LEGACY_UNKNOWN_SIGNER = "kubernetes.io/legacy-unknown";

    /** Condition types (RequestConditionType). */
    public static final String APPROVED = "Approved";
    public static final String DENIED = "Denied";
    public static final String FAILED = "Failed";

    public CertificateSigningRequestSpec spec = new CertificateSigningRequestSpec();
    public CertificateSigningRequestStatus status = new CertificateSigningRequestStatus();

    public CertificateSigningRequest() {
        super("certificates.k8s.io/v1", "CertificateSigningRequest");
    }

    /**
     * What is requested. {@code username}, {@code uid}, {@code groups} and {@code extra} are set by the apiserver
     * on create from the requesting user; a client's values are ignored.
     */
    public static class CertificateSigningRequestSpec {
        /** Base64 of a PEM {@code CERTIFICATE REQUEST} block. */
        public String request;
        public String signerName;
        /** Requested validity in seconds (minimum 600), honoured by the signer if it can. */
        public Integer expirationSeconds;
        /** Key usages, e.g. {@code digital signature}, {@code key encipherment}, {@code client auth}. */
        public List<String> usages = new ArrayList<>();
        public String username;
        public String uid;
        public List<String> groups = new ArrayList<>();
        public Map<String, List<String>> extra = new LinkedHashMap<>();

        /** The decoded PEM text of {@link #request}, or null when absent. */
        public String requestPem() {
            return request == null ? null : new String(Base64.getDecoder().decode(request), StandardCharsets.US_ASCII);
        }

        /** Sets {@link #request} to the base64 of {@code pem}. */
        public void setRequestPem(String pem) {
            request = Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Approval conditions and the issued certificate. */
    public static class CertificateSigningRequestStatus {
        public List<CertificateSigningRequestCondition> conditions = new ArrayList<>();
        /** Base64 of the issued PEM {@code CERTIFICATE} block(s), set by the signer through {@code status}. */
        public String certificate;

        /** The decoded PEM text of {@link #certificate}, or null when absent. */
        public String certificatePem() {
            return certificate == null ? null : new String(Base64.getDecoder().decode(certificate), StandardCharsets.US_ASCII);
        }

        /** Sets {@link #certificate} to the base64 of {@code pem}. */
        public void setCertificatePem(String pem) {
            certificate = Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
        }

        /** The condition of this type, or null. */
        public CertificateSigningRequestCondition condition(String type) {
            return conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
        }

        /** Whether a condition of this type has status True (an unset status counts as True, as in Kubernetes' helpers). */
        public boolean has(String type) {
            CertificateSigningRequestCondition c = condition(type);
            return c != null && (c.status == null || c.status.isEmpty() || "True".equals(c.status));
        }
    }

    /** One condition: Approved, Denied or Failed (or a signer's own type). Times are RFC 3339. */
    public static class CertificateSigningRequestCondition {
        public String type;
        public String status;
        public String reason;
        public String message;
        public String lastUpdateTime;
        public String lastTransitionTime;

        public CertificateSigningRequestCondition() {
        }

        public CertificateSigningRequestCondition(String type, String status, String reason, String message, String lastUpdateTime) {
            this.type = type;
            this.status = status;
            this.reason = reason;
            this.message = message;
            this.lastUpdateTime = lastUpdateTime;
        }
    }
}
