package io.kube4j.kubelet.pod;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** Kubernetes' expansion table (third_party/forked/golang/expansion/expand_test.go), the cases kube4j relies on. */
class ExpansionTest {
    private static final UnaryOperator<String> MAPPING = Expansion.mappingFor(List.of(
            Map.of("VAR_A", "A", "VAR_B", "B", "VAR_REF", "$(VAR_A)", "VAR_EMPTY", ""),
            Map.of("VAR_C", "C", "VAR_A", "shadowed")));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "$(VAR_A)|A",
            "___$(VAR_B)___|___B___",
            "___$(VAR_C)|___C",
            "$(VAR_A)-$(VAR_A)|A-A",
            "$(VAR_A)_$(VAR_B)_$(VAR_C)|A_B_C",
            "$$(VAR_B)_$(VAR_A)|$(VAR_B)_A",
            "$$(VAR_B)_$$(VAR_A)|$(VAR_B)_$(VAR_A)",
            "f000-$$VAR_A|f000-$VAR_A",
            "foo\\$(VAR_C)bar|foo\\Cbar",
            "$(VAR_REF)|$(VAR_A)",
            "'$(VAR_EMPTY)'|''",
            "$(VAR_A|$(VAR_A",
            "$(VAR_DNE)|$(VAR_DNE)",
            "$$$$$$(BIG_MONEY)|$$$(BIG_MONEY)",
            "$$$$$$$(VAR_A)|$$$A",
            "$(VAR_A)$$|A$",
            "$|$",
            "$$|$",
            "$VAR_A|$VAR_A",
            "$()|$()",
            "$(|$(",
            "$($(VAR_A))|$($(VAR_A))",
            "no references|no references",
    })
    void expandsAsKubernetes(String input, String expected) {
        assertThat(Expansion.expand(input, MAPPING)).isEqualTo(expected);
    }
}
