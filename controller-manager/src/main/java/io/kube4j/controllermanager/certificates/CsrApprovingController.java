package io.kube4j.controllermanager.certificates;

import io.kube4j.api.CertificateSigningRequest;
import io.kube4j.api.CertificateSigningRequest.CertificateSigningRequestCondition;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.runtime.SubjectAccess;
import io.kube4j.json.Json;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * Auto-approves kubelet client certificate requests (kube-controller-manager's {@code csrapproving} controller,
 * {@code pkg/controller/certificates/approver/sarapprove.go}): a CSR for the signer
 * {@code kubernetes.io/kube-apiserver-client-kubelet} whose request is a node client certificate ({@code CN=system:node:<name>},
 * {@code O=system:nodes} only, no SANs, client usages) is approved when a SubjectAccessReview says its requestor may
 * {@code create certificatesigningrequests/selfnodeclient} (the requestor is the node itself, renewing) or
 * {@code .../nodeclient} (e.g. a bootstrap token in {@code system:bootstrappers:kubeadm:default-node-token}). Approval appends
 * the condition {@code Approved}/{@code True}, reason {@code AutoApproved}, through the {@code approval} subresource.
 *
 * <p>Requests already issued, approved or denied are left alone; requests of other kinds are never denied (another
 * approver, or a human with {@code kubectl certificate approve}, may take them).
 */
public final class CsrApprovingController extends CertificateController {
    /** The reason Kubernetes gives its automatic approvals. */
    public static final String REASON = "AutoApproved";

    /** csrRecognizer: which requests, the permission asked of a SubjectAccessReview, and the approval's message. */
    record Recognizer(BiPredicate<CertificateSigningRequest, PKCS10CertificationRequest> recognize, String subresource, String successMessage) {
    }

    /** recognizers(): self first, so a renewing node gets the "self" message. */
    static final List<Recognizer> RECOGNIZERS = List.of(
            new Recognizer(CsrApprovingController::isSelfNodeClientCert, "selfnodeclient",
                    "Auto approving self kubelet client certificate after SubjectAccessReview."),
            new Recognizer(CsrApprovingController::isNodeClientCert, "nodeclient",
                    "Auto approving kubelet client certificate after SubjectAccessReview."));

    public CsrApprovingController(SharedInformers informers, ControllerClient client) {
        super("csrapproving", informers, client);
    }

    /**
     * sarApprover.handle. A request that cannot be parsed, or whose SubjectAccessReviews were all refused, is retried with
     * backoff as Kubernetes does (an RBAC binding created later may allow it).
     */
    @Override
    protected Result handle(CertificateSigningRequest cached) {
        String name = cached.metadata.name;
        if (cached.status.condition(CertificateSigningRequest.APPROVED) != null || cached.status.condition(CertificateSigningRequest.DENIED) != null) {
            return Result.done();
        }
        PKCS10CertificationRequest request;
        try {
            request = CertificateRequests.parse(cached);
        } catch (IllegalArgumentException e) {
            return Result.retry("unable to parse csr \"" + name + "\": " + e.getMessage());
        }
        List<String> tried = new ArrayList<>();
        for (Recognizer r : RECOGNIZERS) {
            if (!r.recognize().test(cached, request)) {
                continue;
            }
            tried.add(r.subresource());
            SubjectAccess access = new SubjectAccess(cached.spec.username, cached.spec.uid, cached.spec.groups, cached.spec.extra,
                    "create", "certificates.k8s.io", "certificatesigningrequests", r.subresource());
            if (client.subjectAccessReview(access)) {
                // copy: never mutate the cached object
                CertificateSigningRequest approved = Json.copy(cached);
                approved.status.conditions.add(new CertificateSigningRequestCondition(CertificateSigningRequest.APPROVED, "True", REASON,
                        r.successMessage(), null));
                client.updateSubresource(approved, "approval");
                return Result.done();
            }
        }
        if (!tried.isEmpty()) {
            return Result.retry("recognized csr \"" + name + "\" as [" + String.join(" ", tried) + "] but subject access review was not approved");
        }
        return Result.done();
    }

    /** isNodeClientCert: the kubelet client signer and a valid kubelet client request. */
    static boolean isNodeClientCert(CertificateSigningRequest csr, PKCS10CertificationRequest request) {
        if (!CertificateSigningRequest.KUBE_APISERVER_CLIENT_KUBELET_SIGNER.equals(csr.spec.signerName)) {
            return false;
        }
        return CertificateRequests.validateKubeletClient(request, new HashSet<>(csr.spec.usages)) == null;
    }

    /** isSelfNodeClientCert: a node client request made by the node it names. */
    static boolean isSelfNodeClientCert(CertificateSigningRequest csr, PKCS10CertificationRequest request) {
        if (!CertificateRequests.commonName(request).equals(csr.spec.username)) {
            return false;
        }
        return isNodeClientCert(csr, request);
    }
}
