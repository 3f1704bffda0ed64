package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.CertificateSigningRequest;
import io.kube4j.api.CertificateSigningRequest.CertificateSigningRequestCondition;
import io.kube4j.apiserver.validation.FieldErrors;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The validation of CertificateSigningRequests, as {@code pkg/apis/certificates/validation/validation.go} (Kubernetes
 * 1.32): {@code validateCertificateSigningRequest} with its {@code certificateValidationOptions} (the tolerances an
 * update gets for what the stored object already has), {@code validateConditions}, {@code validateCertificate},
 * {@code validateCertificateSigningRequestUpdate} and {@code ValidateSignerName}
 * ({@code pkg/apis/core/validation/validation.go}). Messages and field paths are Kubernetes'.
 */
public final class CertificateSigningRequestValidation {
    private CertificateSigningRequestValidation() {
    }

    /** Which write is validated: they differ in what they may change (the options allowSetting*). */
    public enum Path {
        /** Create or an update of the main resource: neither approval conditions nor the certificate. */
        MAIN,
        /** The {@code status} subresource: the certificate (once), not Approved/Denied. */
        STATUS,
        /** The {@code approval} subresource: Approved/Denied conditions, not the certificate. */
        APPROVAL
    }

    /** allValidUsages (KeyUsage values), sorted as sets.String.List() sorts them for NotSupported. */
    public static final List<String> VALID_USAGES = List.of("any", "cert sign", "client auth", "code signing", "content commitment",
            "crl sign", "data encipherment", "decipher only", "digital signature", "email protection", "encipher only",
            "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement", "key encipherment", "microsoft sgc",
            "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing", "timestamping");

    /** Approved, Denied and Failed may only be True. */
    private static final Set<String> TRUE_CONDITION_TYPES = Set.of(CertificateSigningRequest.APPROVED, CertificateSigningRequest.DENIED,
            CertificateSigningRequest.FAILED);

    private static final Pattern DNS1123_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    private static final String DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    private static final String DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    /** certificateValidationOptions: what one write may do or is tolerated for compatibility. */
    record Options(boolean allowSettingApprovalConditions, boolean allowSettingCertificate, boolean allowBothApprovedAndDenied,
                   boolean allowResettingCertificate, boolean allowLegacySignerName, boolean allowDuplicateConditionTypes,
                   boolean allowEmptyConditionType, boolean allowArbitraryCertificate, boolean allowUnknownUsages,
                   boolean allowDuplicateUsages) {
    }

    /** ValidateCertificateSigningRequestCreate (metadata is the registry's). */
    public static void validateCreate(CertificateSigningRequest csr, FieldErrors errs) {
        validate(csr, options(csr, null, Path.MAIN), errs);
    }

    /**
     * ValidateCertificateSigningRequestUpdate / StatusUpdate / ApprovalUpdate: the object with the options the stored
     * one earns, then what the update may not change (metadata is the registry's).
     */
    public static void validateUpdate(CertificateSigningRequest now, CertificateSigningRequest old, Path path, FieldErrors errs) {
        Options opts = options(now, old, path);
        validate(now, opts, errs);
        updateRules(now, old, opts, errs);
    }

    /** Only the rules an update adds to the object's own validation (for a caller that validated the object already). */
    public static void validateUpdateOnly(CertificateSigningRequest now, CertificateSigningRequest old, Path path, FieldErrors errs) {
        updateRules(now, old, options(now, old, path), errs);
    }

    /** getValidationOptions plus the subresource's allowSetting* option. */
    static Options options(CertificateSigningRequest now, CertificateSigningRequest old, Path path) {
        return new Options(
                path == Path.APPROVAL,
                path == Path.STATUS,
                old != null && hasCondition(old, CertificateSigningRequest.APPROVED) && hasCondition(old, CertificateSigningRequest.DENIED),
                false,
                old != null && CertificateSigningRequest.LEGACY_UNKNOWN_SIGNER.equals(old.spec.signerName),
                old != null && hasDuplicateConditionTypes(old),
                old != null && old.status.conditions.stream().anyMatch(c -> c.type == null || c.type.isEmpty()),
                old != null && (sameBytes(certificate(now), certificate(old)) || validateCertificate(certificate(old)) != null),
                old != null && old.spec.usages.stream().anyMatch(u -> !VALID_USAGES.contains(u)),
                old != null && new HashSet<>(old.spec.usages).size() != old.spec.usages.size());
    }

    /** validateCertificateSigningRequest. */
    static void validate(CertificateSigningRequest csr, Options opts, FieldErrors errs) {
        String error = validateCsr(csr.spec.request);
        if (error != null) {
            errs.invalid("spec.request", new GoBytes(requestBytes(csr.spec.request)), error);
        }
        List<String> usages = csr.spec.usages;
        if (usages.isEmpty()) {
            errs.required("spec.usages", null);
        }
        if (!opts.allowUnknownUsages()) {
            for (int i = 0; i < usages.size(); i++) {
                if (!VALID_USAGES.contains(usages.get(i))) {
                    errs.notSupported("spec.usages[" + i + "]", usages.get(i), VALID_USAGES);
                }
            }
        }
        if (!opts.allowDuplicateUsages()) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < usages.size(); i++) {
                if (!seen.add(usages.get(i))) {
                    errs.duplicate("spec.usages[" + i + "]", usages.get(i));
                }
            }
        }
        if (!opts.allowLegacySignerName() && CertificateSigningRequest.LEGACY_UNKNOWN_SIGNER.equals(csr.spec.signerName)) {
            errs.invalid("spec.signerName", csr.spec.signerName, "the legacy signerName is not allowed via this API version");
        } else {
            validateSignerName("spec.signerName", csr.spec.signerName, errs);
        }
        if (csr.spec.expirationSeconds != null && csr.spec.expirationSeconds < 600) {
            errs.invalid("spec.expirationSeconds", csr.spec.expirationSeconds, "may not specify a duration less than 600 seconds (10 minutes)");
        }
        validateConditions(csr, opts, errs);
        if (!opts.allowArbitraryCertificate()) {
            String certError = validateCertificate(certificate(csr));
            if (certError != null) {
                errs.invalid("status.certificate", "<certificate data>", certError);
            }
        }
    }

    /** validateConditions. */
    private static void validateConditions(CertificateSigningRequest csr, Options opts, FieldErrors errs) {
        Set<String> seen = new HashSet<>();
        boolean approved = false;
        boolean denied = false;
        List<CertificateSigningRequestCondition> conditions = csr.status.conditions;
        for (int i = 0; i < conditions.size(); i++) {
            CertificateSigningRequestCondition c = conditions.get(i);
            String path = "status.conditions[" + i + "]";
            String type = c.type == null ? "" : c.type;
            if (!opts.allowEmptyConditionType() && type.isEmpty()) {
                errs.required(path + ".type", null);
            }
            List<String> allowed = TRUE_CONDITION_TYPES.contains(type) ? List.of("True") : List.of("False", "True", "Unknown");
            if (c.status == null || c.status.isEmpty()) {
                errs.required(path + ".status", null);
            } else if (!allowed.contains(c.status)) {
                errs.notSupported(path + ".status", c.status, allowed);
            }
            if (!opts.allowBothApprovedAndDenied()) {
                if (type.equals(CertificateSigningRequest.APPROVED)) {
                    approved = true;
                    if (denied) {
                        errs.invalid(path + ".type", type, "Approved and Denied conditions are mutually exclusive");
                    }
                } else if (type.equals(CertificateSigningRequest.DENIED)) {
                    denied = true;
                    if (approved) {
                        errs.invalid(path + ".type", type, "Approved and Denied conditions are mutually exclusive");
                    }
                }
            }
            if (!opts.allowDuplicateConditionTypes() && !seen.add(type)) {
                errs.duplicate(path + ".type", type);
            }
        }
    }

    /** validateCertificateSigningRequestUpdate's own rules. */
    private static void updateRules(CertificateSigningRequest now, CertificateSigningRequest old, Options opts, FieldErrors errs) {
        for (String t : List.of(CertificateSigningRequest.APPROVED, CertificateSigningRequest.DENIED, CertificateSigningRequest.FAILED)) {
            if (find(now, t).size() < find(old, t).size()) {
                errs.forbidden("status.conditions", "updates may not remove a condition of type \"" + t + "\"");
            }
        }
        if (!opts.allowSettingApprovalConditions()) {
            for (String t : List.of(CertificateSigningRequest.APPROVED, CertificateSigningRequest.DENIED)) {
                List<CertificateSigningRequestCondition> o = find(old, t);
                List<CertificateSigningRequestCondition> n = find(now, t);
                if (n.size() > o.size()) {
                    errs.forbidden("status.conditions", "updates may not add a condition of type \"" + t + "\"");
                } else if (n.size() == o.size() && !sameConditions(o, n)) {
                    // Kubernetes appends a cmp.Diff of the two lists; kube4j names the changed fields instead
                    errs.forbidden("status.conditions", "updates may not modify a condition of type \"" + t + "\"\n" + diff(o, n));
                }
            }
        }
        if (!sameBytes(certificate(now), certificate(old))) {
            if (!opts.allowSettingCertificate()) {
                errs.forbidden("status.certificate", "updates may not set certificate content");
            } else if (!opts.allowResettingCertificate() && certificate(old) != null) {
                errs.forbidden("status.certificate", "updates may not modify existing certificate content");
            }
        }
    }

    /**
     * ValidateSignerName: {@code <domain>/<path>}, the domain DNS-1123 labels with at least one dot (at most 253),
     * the path DNS-1123 subdomains separated by dots, the whole at most 571.
     */
    public static void validateSignerName(String field, String signerName, FieldErrors errs) {
        if (signerName == null || signerName.isEmpty()) {
            errs.required(field, null);
            return;
        }
        String[] segments = signerName.split("/", -1);
        if (segments.length != 2) {
            errs.invalid(field, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'");
            return;
        }
        if (segments[0].length() > 253) {
            errs.tooLong(field, 253);
        }
        String[] domainLabels = segments[0].split("\\.", -1);
        for (String lbl : domainLabels) {
            List<String> problems = new ArrayList<>();
            if (lbl.length() > 63) {
                problems.add("must be no more than 63 characters");
            }
            if (!DNS1123_LABEL.matcher(lbl).matches()) {
                problems.add(DNS1123_LABEL_MSG);
            }
            if (!problems.isEmpty()) {
                problems.forEach(p -> errs.invalid(field, segments[0], "validating label \"" + lbl + "\": " + p));
                break;
            }
        }
        if (domainLabels.length < 2) {
            errs.invalid(field, segments[0], "should be a domain with at least two segments separated by dots");
        }
        for (String lbl : segments[1].split("\\.", -1)) {
            List<String> problems = new ArrayList<>();
            if (lbl.length() > 253) {
                problems.add("must be no more than 253 characters");
            }
            if (!DNS1123_SUBDOMAIN.matcher(lbl).matches()) {
                problems.add(DNS1123_SUBDOMAIN_MSG);
            }
            if (!problems.isEmpty()) {
                problems.forEach(p -> errs.invalid(field, segments[1], "validating label \"" + lbl + "\": " + p));
                break;
            }
        }
        int maxSignerNameLength = 253 + (253 + 63 + 1) + 1;
        if (signerName.length() > maxSignerNameLength) {
            errs.tooLong(field, maxSignerNameLength);
        }
    }

    /**
     * validateCSR via certificates.ParseCSR and CheckSignature: the request must be a PEM {@code CERTIFICATE REQUEST}
     * block holding a PKCS#10 request whose signature verifies with its own key; null when it is, else the error.
     */
    static String validateCsr(String requestBase64) {
        byte[] pem = requestBytes(requestBase64);
        PemObject block = firstPemBlock(pem);
        if (block == null || !"CERTIFICATE REQUEST".equals(block.getType())) {
            return "PEM block type must be CERTIFICATE REQUEST";
        }
        PKCS10CertificationRequest req;
        try {
            req = new PKCS10CertificationRequest(block.getContent());
        } catch (IOException | RuntimeException e) {
            // Go's x509.ParseCertificateRequest reports the ASN.1 problem; the wording differs
            return "x509: malformed certificate request";
        }
        SubjectPublicKeyInfo spki = req.getSubjectPublicKeyInfo();
        String alg = spki.getAlgorithm().getAlgorithm().getId();
        try {
            if (req.isSignatureValid(new JcaContentVerifierProviderBuilder().build(spki))) {
                return null;
            }
        } catch (Exception e) {
            return "x509: cannot verify signature: " + e.getMessage();
        }
        // Go's crypto errors for a bad signature: ecdsa.VerifyASN1 false, rsa.VerifyPKCS1v15's ErrVerification
        return switch (alg) {
            case "1.2.840.10045.2.1" -> "x509: ECDSA verification failure";
            case "1.3.101.112" -> "x509: Ed25519 verification failure";
            default -> "crypto/rsa: verification error";
        };
    }

    /**
     * validateCertificate: empty is fine; else only PEM {@code CERTIFICATE} blocks without headers, each one
     * certificate, at least one. Null when valid, else the error.
     */
    static String validateCertificate(byte[] pemData) {
        if (pemData == null || pemData.length == 0) {
            return null;
        }
        int blocks = 0;
        try (PemReader reader = new PemReader(new StringReader(new String(pemData, StandardCharsets.ISO_8859_1)))) {
            PemObject block;
            while ((block = reader.readPemObject()) != null) {
                if (!"CERTIFICATE".equals(block.getType())) {
                    return "only CERTIFICATE PEM blocks are allowed, found \"" + block.getType() + "\"";
                }
                if (!block.getHeaders().isEmpty()) {
                    return "no PEM block headers are permitted";
                }
                blocks++;
                try {
                    new X509CertificateHolder(block.getContent());
                } catch (IOException | RuntimeException e) {
                    return "x509: malformed certificate";
                }
            }
        } catch (IOException | RuntimeException e) {
            // a block Go's pem.Decode would not recognise ends the scan there
        }
        return blocks == 0 ? "must contain at least one CERTIFICATE PEM block" : null;
    }

    private static PemObject firstPemBlock(byte[] pem) {
        if (pem == null) {
            return null;
        }
        try (PemReader reader = new PemReader(new StringReader(new String(pem, StandardCharsets.ISO_8859_1)))) {
            return reader.readPemObject();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static byte[] requestBytes(String base64) {
        if (base64 == null || base64.isEmpty()) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return base64.getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    private static byte[] certificate(CertificateSigningRequest csr) {
        String c = csr.status.certificate;
        return c == null || c.isEmpty() ? null : requestBytes(c);
    }

    private static boolean sameBytes(byte[] a, byte[] b) {
        return java.util.Arrays.equals(a, b);
    }

    private static boolean hasCondition(CertificateSigningRequest csr, String type) {
        return csr.status.conditions.stream().anyMatch(c -> type.equals(c.type));
    }

    private static boolean hasDuplicateConditionTypes(CertificateSigningRequest csr) {
        Set<String> seen = new HashSet<>();
        return csr.status.conditions.stream().anyMatch(c -> !seen.add(c.type == null ? "" : c.type));
    }

    private static List<CertificateSigningRequestCondition> find(CertificateSigningRequest csr, String type) {
        return csr.status.conditions.stream().filter(c -> type.equals(c.type)).toList();
    }

    private static boolean sameConditions(List<CertificateSigningRequestCondition> a, List<CertificateSigningRequestCondition> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!fields(a.get(i)).equals(fields(b.get(i)))) {
                return false;
            }
        }
        return true;
    }

    private static List<String> fields(CertificateSigningRequestCondition c) {
        return java.util.Arrays.asList(c.type, c.status, nz(c.reason), nz(c.message), nz(c.lastUpdateTime), nz(c.lastTransitionTime));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String diff(List<CertificateSigningRequestCondition> o, List<CertificateSigningRequestCondition> n) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"Type", "Status", "Reason", "Message", "LastUpdateTime", "LastTransitionTime"};
        for (int i = 0; i < o.size(); i++) {
            List<String> a = fields(o.get(i));
            List<String> b = fields(n.get(i));
            for (int f = 0; f < names.length; f++) {
                if (!Objects.equals(a.get(f), b.get(f))) {
                    sb.append("  {").append(i).append("}.").append(names[f]).append(": \"").append(a.get(f)).append("\" -> \"").append(b.get(f)).append("\"\n");
                }
            }
        }
        return sb.toString();
    }

    /** A []byte as Go's %#v prints it in a field error ({@code []byte{0x2d, 0x2d}}). */
    record GoBytes(byte[] bytes) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("[]byte{");
            for (int i = 0; i < bytes.length; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(String.format("0x%x", bytes[i] & 0xff));
            }
            return sb.append('}').toString();
        }
    }
}
