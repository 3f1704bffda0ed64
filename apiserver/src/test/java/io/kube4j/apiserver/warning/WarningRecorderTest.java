package io.kube4j.apiserver.warning;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Kubernetes' TestTruncation (filters/warning_test.go) with its budget of 25 runes and items of 5. */
class WarningRecorderTest {

    @Test
    void truncatesAsKubernetesDoesOnceTheBudgetIsPassed() {
        MockHttpServletResponse resp = new MockHttpServletResponse();
        WarningRecorder r = new WarningRecorder(resp, 25, 5);
        r.add("aaaaaaaaaa");
        r.add("aaaaaaaaaa");
        r.add("bb");
        r.add("ccc");
        r.add("Iñtërnâtiô");
        assertThat(resp.getHeaders("Warning")).containsExactly(
                "299 - \"aaaaaaaaaa\"", "299 - \"bb\"", "299 - \"ccc\"", "299 - \"Iñtërnâtiô\"");
        r.add("e");
        r.add("ffffffffff");
        r.add("ffffffffff");
        r.add("gggggggggg");
        r.add("h");
        assertThat(resp.getHeaders("Warning")).containsExactly(
                "299 - \"aaaaa\"", "299 - \"bb\"", "299 - \"ccc\"", "299 - \"Iñtër\"", "299 - \"e\"",
                "299 - \"fffff\"", "299 - \"ggggg\"");
    }

    @Test
    void oneRecorderPerRequestAndQuotesEscaped() {
        MockHttpServletRequest req = new MockHttpServletRequest();
        MockHttpServletResponse resp = new MockHttpServletResponse();
        WarningRecorder.of(req, resp).add("unknown field \"spec.x\"");
        WarningRecorder.of(req, resp).add("unknown field \"spec.x\"");
        assertThat(resp.getHeaders("Warning")).containsExactly("299 - \"unknown field \\\"spec.x\\\"\"");
    }

    @Test
    void hundredsOfWarningsStayWithinTheDefaultBudget() {
        MockHttpServletResponse resp = new MockHttpServletResponse();
        WarningRecorder r = WarningRecorder.of(new MockHttpServletRequest(), resp);
        for (int i = 0; i < 500; i++) {
            r.add("unknown field \"unknownField" + i + "_padding_padding_padding_padding\"");
        }
        int total = resp.getHeaders("Warning").stream().mapToInt(String::length).sum();
        assertThat(total).isLessThan(2 * WarningRecorder.TRUNCATE_AT_TOTAL_RUNES);
        assertThat(resp.getHeaders("Warning")).hasSizeGreaterThan(50).hasSizeLessThan(500);
    }
}
