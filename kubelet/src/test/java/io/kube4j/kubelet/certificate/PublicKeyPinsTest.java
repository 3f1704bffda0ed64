package io.kube4j.kubelet.certificate;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PublicKeyPinsTest {
    /** A CA made with {@code openssl req -x509 -newkey rsa:2048 -subj /CN=kubernetes}. */
    static final String CA = """
            -----BEGIN CERTIFICATE-----
            MIIDCzCCAfOgAwIBAgIUfgYBqhyJl1YKNLSG55HPSM6p4hUwDQYJKoZIhvcNAQEL
            BQAwFTETMBEGA1UEAwwKa3ViZXJuZXRlczAeFw0yNjEyMDEwMTE3NDJaFw0zNjEx
            MjgwMTE3NDJaMBUxEzARBgNVBAMMCmt1YmVybmV0ZXMwggEiMA0GCSqGSIb3DQEB
            AQUAA4IBDwAwggEKAoIBAQDECMDrzOVTE57HG8A/k6ZEROcQPgB3XWHZJHuWY0zv
            T04bpo0VTQK1QF8ODoGGCtGQIK8XfluRdhIFMT8iORD4xtwo1Yy4fLw8OCkaX3tN
            K7KexwPCylD6fUtQaKD/P8sRkunU50lyf6ycldRFFCYyPBajZgOg/OOxI8wzDv00
            ZNaXoAYE+2d/xtTGLAqdzGSUg9yiEk4UKjC/Te5rtLYrea+ZfdVXADzZd3JTvnP4
            StvGCVzsoLyA89O6ZnFlvB44I0Xk8cfMtKZKVUTPeivXizA0jXmX6BA8Ug0gMGsQ
            H+Rv5gVqzJ6+IOhTLCqryfdmFlFqPIAcwg2fNZ8Z1lznAgMBAAGjUzBRMB0GA1Ud
            DgQWBBTXkyWCldzlqCwYGdUr81CETwLPEDAfBgNVHSMEGDAWgBTXkyWCldzlqCwY
            GdUr81CETwLPEDAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQCY
            jrm8fGVXappcdcH5SrwVuhrQR5GPK+uSeQZEH9sFpT7/C4qKRPRzCCwEXbL2Rz38
            YjfGzA4tgKtn0mT7yO8Le+Vxt8LlOzBgLP7KxRgvk9+o/EeukMB+jg10ueFpWg6D
            3YmPz+guhj7WN0NNQdRda3WwJF9e+rFKdqwcE22BbOG67fwrr/eViqOXLU8WgzhW
            UirAHUz4sQQgljcP/ogpG/Kb8TsqzxjlKyiJ7qwcdPpwH4M8u9enueR5mYRZmGH/
            4L7sV1TzEa8hEJJaJ/6Zll4yhR2R51ll5XE7LJa6UgkqPT3xFBy5+VXWYKmoYokA
            bO8W3cPQxvIn2uDCaVKc
            -----END CERTIFICATE-----
            """;
    /**
     * What kubeadm's documented pipeline prints for {@link #CA}: {@code openssl x509 -pubkey -in ca.crt | openssl rsa -pubin
     * -outform der 2>/dev/null | openssl dgst -sha256 -hex | sed 's/^.* //'}.
     */
    static final String CA_HASH = "sha256:26ce2a8924725a841603d3f32e03dfafd7df9e447623f5fe0166ae35f06c6b31";

    @Test
    void hashIsSha256OfTheDerSubjectPublicKeyInfoAsOpensslComputesIt() {
        assertThat(PublicKeyPins.hash(TlsBootstrap.parseCertificates(CA).getFirst())).isEqualTo(CA_HASH);
    }

    @Test
    void aPinnedCaPassesWhateverTheCaseOfTheHexAndFormat() {
        assertThatCode(() -> new PublicKeyPins().allow(CA_HASH).checkAny(TlsBootstrap.parseCertificates(CA))).doesNotThrowAnyException();
        assertThatCode(() -> new PublicKeyPins().allow("SHA256:" + CA_HASH.substring(7).toUpperCase()).checkAny(TlsBootstrap.parseCertificates(CA)))
                .doesNotThrowAnyException();
    }

    @Test
    void anotherCaIsRefusedNamingItsHashAsKubeadmDoes() {
        String other = "sha256:" + "0".repeat(64);
        assertThatThrownBy(() -> new PublicKeyPins().allow(other).checkAny(TlsBootstrap.parseCertificates(CA)))
                .hasMessage("none of the public keys \"" + CA_HASH + "\" are pinned");
    }

    @Test
    void malformedPinsAreRejectedWithKubeadmsMessages() {
        assertThatThrownBy(() -> new PublicKeyPins().allow("26ce2a89"))
                .hasMessage("invalid hash, expected \"format:hex-value\". Known format(s) are: sha256");
        assertThatThrownBy(() -> new PublicKeyPins().allow("md5:abcd"))
                .hasMessage("unknown hash format \"md5\". Known format(s) are: sha256");
        assertThatThrownBy(() -> new PublicKeyPins().allow("sha256:abcd"))
                .hasMessage("invalid hash \"sha256:abcd\", expected a 32 byte SHA-256 hash, found 2 bytes");
        assertThatThrownBy(() -> new PublicKeyPins().allow("sha256:" + "zz".repeat(32)))
                .hasMessageStartingWith("invalid hash \"sha256:" + "zz".repeat(32) + "\", could not decode SHA-256 from hex");
    }

    @Test
    void anEmptySetPinsNothing() {
        assertThat(new PublicKeyPins().isEmpty()).isTrue();
        assertThat(new PublicKeyPins().allow(CA_HASH).isEmpty()).isFalse();
        assertThatThrownBy(() -> new PublicKeyPins().checkAny(List.of())).hasMessage("none of the public keys \"\" are pinned");
    }
}
