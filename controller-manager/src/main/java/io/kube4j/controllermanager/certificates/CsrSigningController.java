package io.kube4j.controllermanager.certificates;

import io.kube4j.api.CertificateSigningRequest;
import io.kube4j.api.CertificateSigningRequest.CertificateSigningRequestCondition;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.json.Times;
import io.kube4j.json.Json;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Issues approved certificate requests with the cluster CA (kube-controller-manager's {@code csrsigning} controllers,
 * {@code pkg/controller/certificates/signer/signer.go}) for the signers {@code kubernetes.io/kube-apiserver-client-kubelet},
 * {@code kubernetes.io/kube-apiserver-client} and {@code kubernetes.io/kubelet-serving}, all with the one CA of
 * {@code kube4j.controller-manager.cluster-signing-cert-file}/{@code -key-file} as kube-controller-manager does with
 * {@code --cluster-signing-cert-file}. A request that is approved (and not denied or failed), not yet issued and for one of
 * these signers is checked against its signer's rules: a mismatch gets the condition {@code Failed}, reason
 * {@code SignerValidationFailure}; otherwise {@code status.certificate} is written through {@code status}. The certificate
 * lives for {@code cluster-signing-duration} (8760h), or the requested {@code spec.expirationSeconds} when shorter (at least
 * 10 minutes).
 */
public final class CsrSigningController extends CertificateController {
    /** The signers this controller issues for. */
    public static final Set<String> SIGNERS = Set.of(CertificateSigningRequest.KUBE_APISERVER_CLIENT_KUBELET_SIGNER,
            CertificateSigningRequest.KUBE_APISERVER_CLIENT_SIGNER, CertificateSigningRequest.KUBELET_SERVING_SIGNER);
    /** The reason of a request the signer's rules refuse. */
    public static final String SIGNER_VALIDATION_FAILURE = "SignerValidationFailure";
    /** signer.go duration(): the shortest certificate issued (twice the backdate). */
    static final Duration MIN_DURATION = Duration.ofMinutes(10);

    // the cluster CA
    private final CertificateAuthority ca;
    // the longest certificate issued (--cluster-signing-duration)
    private final Duration certTtl;
    private final Clock clock;

    /**
     * @param ca      the cluster CA
     * @param certTtl the signing duration; a request may ask for less
     */
    public CsrSigningController(SharedInformers informers, ControllerClient client, CertificateAuthority ca, Duration certTtl, Clock clock) {
        super("csrsigning", informers, client);
        this.ca = ca;
        this.certTtl = certTtl;
        this.clock = clock;
    }

    /** signer.handle. */
    @Override
    protected Result handle(CertificateSigningRequest cached) {
        String name = cached.metadata.name;
        // IsCertificateRequestApproved: Approved and not Denied; Failed requests are left alone
        if (!cached.status.has(CertificateSigningRequest.APPROVED) || cached.status.has(CertificateSigningRequest.DENIED)
                || cached.status.has(CertificateSigningRequest.FAILED)) {
            return Result.done();
        }
        if (!SIGNERS.contains(cached.spec.signerName)) {
            return Result.done();
        }
        PKCS10CertificationRequest request;
        try {
            request = CertificateRequests.parse(cached);
        } catch (IllegalArgumentException e) {
            return Result.retry("unable to parse csr \"" + name + "\": " + e.getMessage());
        }
        // copy: never mutate the cached object
        CertificateSigningRequest csr = Json.copy(cached);
        String invalid = switch (csr.spec.signerName) {
            case CertificateSigningRequest.KUBE_APISERVER_CLIENT_KUBELET_SIGNER ->
                    CertificateRequests.validateKubeletClient(request, new HashSet<>(csr.spec.usages));
            case CertificateSigningRequest.KUBELET_SERVING_SIGNER ->
                    CertificateRequests.validateKubeletServing(request, new HashSet<>(csr.spec.usages));
            default -> CertificateRequests.validateApiServerClientUsages(csr.spec.usages);
        };
        if (invalid != null) {
            csr.status.conditions.add(new CertificateSigningRequestCondition(CertificateSigningRequest.FAILED, "True", SIGNER_VALIDATION_FAILURE,
                    invalid, Times.format(clock.instant())));
            client.updateStatus(csr);
            return Result.done();
        }
        String certificate;
        try {
            certificate = ca.sign(request, csr.spec.usages, duration(csr.spec.expirationSeconds), clock.instant());
        } catch (RuntimeException e) {
            return Result.retry("error auto signing csr: " + e.getMessage());
        }
        csr.status.setCertificatePem(certificate);
        client.updateStatus(csr);
        return Result.done();
    }

    /** signer.duration: the signing duration, or the requested one when shorter, but at least 10 minutes. */
    Duration duration(Integer expirationSeconds) {
        if (expirationSeconds == null) {
            return certTtl;
        }
        Duration requested = Duration.ofSeconds(expirationSeconds);
        if (requested.compareTo(certTtl) > 0) {
            return certTtl;
        }
        if (requested.compareTo(MIN_DURATION) < 0) {
            return MIN_DURATION;
        }
        return requested;
    }
}
