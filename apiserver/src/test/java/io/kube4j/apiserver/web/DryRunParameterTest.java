package io.kube4j.apiserver.web;

import io.kube4j.apiserver.errors.ApiError;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DryRunParameterTest {
    static MockHttpServletRequest with(String... values) {
        MockHttpServletRequest r = new MockHttpServletRequest("DELETE", "/apis/apps/v1/namespaces/default/deployments/web");
        if (values.length > 0) {
            r.setParameter("dryRun", values);
        }
        return r;
    }

    @Test
    void onlyAllIsADryRunAndAnythingElseIsRefusedRatherThanWritten() {
        assertThat(ResourceController.dryRun(with())).isFalse();
        assertThat(ResourceController.dryRun(with("All"))).isTrue();
        assertThatThrownBy(() -> ResourceController.dryRun(with("true")))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo("dryRun: Unsupported value: []string{\"true\"}: supported values: \"All\"");
                });
    }
}
