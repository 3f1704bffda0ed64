package io.kube4j.apiserver.admission;

import io.kube4j.api.CertificateSigningRequest;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.auth.Authorizer;
import io.kube4j.apiserver.auth.Forbidden;
import io.kube4j.apiserver.auth.RequestAttributes;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Admission;
import io.kube4j.json.Json;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.StringReader;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The admission plugins Kubernetes runs on CertificateSigningRequests ({@code plugin/pkg/admission/certificates}):
 * <ul>
 *   <li>CertificateApproval ({@code approval/admission.go}): an update of {@code certificatesigningrequests/approval}
 *       needs verb {@code approve} on resource {@code signers} of certificates.k8s.io named the stored request's
 *       signerName, or {@code <domain>/*} (certificates/authorization IsAuthorizedForSignerName), else 403
 *       {@code user not permitted to approve requests with signerName "<signer>"};</li>
 *   <li>CertificateSigning ({@code signing/admission.go}): an update of {@code /status} that changes the certificate
 *       or the conditions needs verb {@code sign} likewise, else {@code user not permitted to sign requests with
 *       signerName "<signer>"};</li>
 *   <li>CertificateSubjectRestriction ({@code subjectrestriction/admission.go}): a create for signer
 *       {@code kubernetes.io/kube-apiserver-client} whose request names organization {@code system:masters} is 403
 *       {@code use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed}.</li>
 * </ul>
 * Requests without a user (security off, or the apiserver's own writes) are not checked.
 */
@Component
@Order(450)
public class CertificateSigningRequestAdmission implements Admission {
    private final Supplier<Authorizer> authorizer;
    private final Supplier<UserInfo> currentUser;

    @Autowired
    public CertificateSigningRequestAdmission(ObjectProvider<io.kube4j.apiserver.auth.AuthorizerChain> authorizer) {
        this(authorizer::getIfAvailable, CertificateSigningRequestAdmission::requestUser);
    }

    /** For tests: the authorizer and who is asking. */
    public CertificateSigningRequestAdmission(Supplier<Authorizer> authorizer, Supplier<UserInfo> currentUser) {
        this.authorizer = authorizer;
        this.currentUser = currentUser;
    }

    private static UserInfo requestUser() {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes sra) {
            return UserInfo.of(sra.getRequest());
        }
        return null;
    }

    /** CertificateSubjectRestriction, on create. */
    @Override
    public void validate(Attributes a) {
        if (a.type() != ResourceTypes.CERTIFICATESIGNINGREQUESTS || a.operation() != Operation.CREATE || a.object() == null) {
            return;
        }
        JsonNode spec = a.object().path("spec");
        if (!CertificateSigningRequest.KUBE_APISERVER_CLIENT_SIGNER.equals(spec.path("signerName").asString(""))) {
            return;
        }
        CertificateSigningRequest csr = Json.convert(a.object(), CertificateSigningRequest.class);
        PKCS10CertificationRequest req;
        try (PemReader r = new PemReader(new StringReader(csr.spec.requestPem()))) {
            PemObject block = r.readPemObject();
            req = new PKCS10CertificationRequest(block.getContent());
        } catch (Exception e) {
            throw forbidden(a, "failed to parse CSR: PEM block type must be CERTIFICATE REQUEST");
        }
        for (RDN rdn : req.getSubject().getRDNs(BCStyle.O)) {
            if ("system:masters".equals(IETFUtils.valueToString(rdn.getFirst().getValue()))) {
                throw forbidden(a, "use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed");
            }
        }
    }

    /** CertificateApproval on {@code approval}, CertificateSigning on {@code status}. */
    @Override
    public void validateSubresourceOrDelete(Attributes a) {
        if (a.type() != ResourceTypes.CERTIFICATESIGNINGREQUESTS || a.operation() != Operation.UPDATE || a.old() == null) {
            return;
        }
        UserInfo user = currentUser.get();
        Authorizer authz = authorizer.get();
        if (user == null || authz == null) {
            return;
        }
        // the stored object's signer: an update cannot dodge the check by changing spec.signerName
        String signer = a.old().path("spec").path("signerName").asString("");
        if ("approval".equals(a.subresource())) {
            if (!isAuthorizedForSignerName(authz, user, "approve", signer)) {
                throw forbidden(a, "user not permitted to approve requests with signerName \"" + signer + "\"");
            }
        } else if ("status".equals(a.subresource())) {
            ObjectNode object = a.object();
            JsonNode oldStatus = a.old().path("status");
            JsonNode newStatus = object == null ? oldStatus : object.path("status");
            if (Objects.equals(oldStatus.path("certificate"), newStatus.path("certificate"))
                    && Objects.equals(oldStatus.path("conditions"), newStatus.path("conditions"))) {
                return;
            }
            if (!isAuthorizedForSignerName(authz, user, "sign", signer)) {
                throw forbidden(a, "user not permitted to sign requests with signerName \"" + signer + "\"");
            }
        }
    }

    /**
     * IsAuthorizedForSignerName ({@code plugin/pkg/admission/certificates/util.go}):
     * {@code verb} on {@code signers/<signerName>}, else on {@code signers/<domain>/*}.
     */
    static boolean isAuthorizedForSignerName(Authorizer authz, UserInfo user, String verb, String signerName) {
        if (authz.authorize(RequestAttributes.resource(user, verb, "certificates.k8s.io", "signers", "", "", signerName)).allowed()) {
            return true;
        }
        String domain = signerName.split("/", -1)[0];
        return authz.authorize(RequestAttributes.resource(user, verb, "certificates.k8s.io", "signers", "", "", domain + "/*")).allowed();
    }

    private static ApiError forbidden(Attributes a, String why) {
        String name = a.name() != null && !a.name().isEmpty() ? a.name()
                : a.object() != null ? a.object().path("metadata").path("name").asString("") : "";
        return Forbidden.error(a.type().group(), a.type().resource(), name, why);
    }
}
