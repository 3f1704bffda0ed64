package io.kube4j.controllermanager.certificates;

import io.kube4j.api.CertificateSigningRequest;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reading and classifying a CSR's PKCS#10 request, as Kubernetes' {@code pkg/apis/certificates/helpers.go}
 * ({@code ParseCSR}, {@code ValidateKubeletClientCSR}, {@code ValidateKubeletServingCSR}) and the signer's
 * {@code validAPIServerClientUsages}; the error messages are Kubernetes'.
 */
public final class CertificateRequests {
    /** Usages of a kubelet client certificate (with an RSA key / without key encipherment). */
    static final Set<String> KUBELET_CLIENT_USAGES = Set.of("digital signature", "key encipherment", "client auth");
    static final Set<String> KUBELET_CLIENT_USAGES_NO_RSA = Set.of("digital signature", "client auth");
    /** Usages of a kubelet serving certificate (with an RSA key / without key encipherment). */
    static final Set<String> KUBELET_SERVING_USAGES = Set.of("digital signature", "key encipherment", "server auth");
    static final Set<String> KUBELET_SERVING_USAGES_NO_RSA = Set.of("digital signature", "server auth");

    private CertificateRequests() {
    }

    /**
     * The PKCS#10 request of {@code spec.request}.
     *
     * @throws IllegalArgumentException {@code PEM block type must be CERTIFICATE REQUEST} when it is not one, or the parse error
     */
    public static PKCS10CertificationRequest parse(CertificateSigningRequest csr) {
        String pem = csr.spec.request == null ? "" : csr.spec.requestPem();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            if (o instanceof PKCS10CertificationRequest request) {
                return request;
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("PEM block type must be CERTIFICATE REQUEST: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("PEM block type must be CERTIFICATE REQUEST");
    }

    /** The subject's common name ("" without one). */
    public static String commonName(PKCS10CertificationRequest request) {
        List<String> cn = values(request.getSubject(), BCStyle.CN);
        return cn.isEmpty() ? "" : cn.getFirst();
    }

    /** The subject's organizations, in order. */
    public static List<String> organizations(PKCS10CertificationRequest request) {
        return values(request.getSubject(), BCStyle.O);
    }

    private static List<String> values(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
        List<String> out = new ArrayList<>();
        for (RDN rdn : name.getRDNs(type)) {
            out.add(IETFUtils.valueToString(rdn.getFirst().getValue()));
        }
        return out;
    }

    /** The requested subject alternative names (from the PKCS#9 extension request), or none. */
    public static List<GeneralName> subjectAlternativeNames(PKCS10CertificationRequest request) {
        List<GeneralName> out = new ArrayList<>();
        for (var attribute : request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (ASN1Encodable value : attribute.getAttrValues()) {
                Extensions extensions = Extensions.getInstance(value);
                GeneralNames names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
                if (names != null) {
                    out.addAll(List.of(names.getNames()));
                }
            }
        }
        return out;
    }

    private static boolean hasSan(List<GeneralName> sans, int tag) {
        return sans.stream().anyMatch(n -> n.getTagNo() == tag);
    }

    /**
     * helpers.go {@code ValidateKubeletClientCSR}: O exactly {@code system:nodes}, no SANs, CN {@code system:node:*}, usages
     * exactly {digital signature, key encipherment, client auth} or {digital signature, client auth}.
     *
     * @return null when valid, else Kubernetes' message
     */
    public static String validateKubeletClient(PKCS10CertificationRequest request, Set<String> usages) {
        if (!List.of("system:nodes").equals(organizations(request))) {
            return "subject organization is not system:nodes";
        }
        List<GeneralName> sans = subjectAlternativeNames(request);
        if (hasSan(sans, GeneralName.dNSName)) {
            return "DNS subjectAltNames are not allowed";
        }
        if (hasSan(sans, GeneralName.rfc822Name)) {
            return "Email subjectAltNames are not allowed";
        }
        if (hasSan(sans, GeneralName.iPAddress)) {
            return "IP subjectAltNames are not allowed";
        }
        if (hasSan(sans, GeneralName.uniformResourceIdentifier)) {
            return "URI subjectAltNames are not allowed";
        }
        if (!commonName(request).startsWith("system:node:")) {
            return "subject common name does not begin with system:node:";
        }
        if (!KUBELET_CLIENT_USAGES.equals(usages) && !KUBELET_CLIENT_USAGES_NO_RSA.equals(usages)) {
            return "usages did not match " + goList(KUBELET_CLIENT_USAGES);
        }
        return null;
    }

    /**
     * helpers.go {@code ValidateKubeletServingCSR}: O exactly {@code system:nodes}, a DNS or IP SAN, no email or URI SANs,
     * serving usages, CN {@code system:node:*}.
     *
     * @return null when valid, else Kubernetes' message
     */
    public static String validateKubeletServing(PKCS10CertificationRequest request, Set<String> usages) {
        if (!List.of("system:nodes").equals(organizations(request))) {
            return "subject organization is not system:nodes";
        }
        List<GeneralName> sans = subjectAlternativeNames(request);
        if (!hasSan(sans, GeneralName.dNSName) && !hasSan(sans, GeneralName.iPAddress)) {
            return "DNS or IP subjectAltName is required";
        }
        if (hasSan(sans, GeneralName.rfc822Name)) {
            return "Email subjectAltNames are not allowed";
        }
        if (hasSan(sans, GeneralName.uniformResourceIdentifier)) {
            return "URI subjectAltNames are not allowed";
        }
        if (!KUBELET_SERVING_USAGES.equals(usages) && !KUBELET_SERVING_USAGES_NO_RSA.equals(usages)) {
            return "usages did not match " + goList(KUBELET_SERVING_USAGES);
        }
        if (!commonName(request).startsWith("system:node:")) {
            return "subject common name does not begin with system:node:";
        }
        return null;
    }

    /**
     * signer.go {@code validAPIServerClientUsages}: client auth required; digital signature and key encipherment optional;
     * nothing else.
     *
     * @return null when valid, else Kubernetes' message
     */
    public static String validateApiServerClientUsages(List<String> usages) {
        boolean clientAuth = false;
        for (String u : usages) {
            switch (u) {
                case "digital signature", "key encipherment" -> {
                }
                case "client auth" -> clientAuth = true;
                default -> {
                    return "invalid usage for client certificate: " + u;
                }
            }
        }
        return clientAuth ? null : "missing required usage for client certificate: client auth";
    }

    /** Go's {@code %v} of a sorted {@code sets.String.List()}: {@code [a b c]}. */
    static String goList(Set<String> values) {
        return "[" + String.join(" ", new TreeSet<>(values)) + "]";
    }
}
