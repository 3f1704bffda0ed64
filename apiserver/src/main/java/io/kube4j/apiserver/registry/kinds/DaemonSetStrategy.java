package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.DaemonSet;
import io.kube4j.api.IntOrString;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.Defaults;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * DaemonSets (apps/v1): RollingUpdate with maxUnavailable 1 and maxSurge 0 by default, 10 revisions
 * kept, immutable selector. Kubernetes: {@code pkg/apis/apps/v1/defaults.go} SetDefaults_DaemonSet,
 * {@code pkg/apis/apps/validation/validation.go} ValidateDaemonSet.
 */
@Component
public class DaemonSetStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.DAEMONSETS;
    }

    /** Generation 1 on create, one more on each spec change ({@code pkg/registry/apps/daemonset/strategy.go}). */
    @Override
    public boolean tracksGeneration() {
        return true;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        DaemonSet ds = (DaemonSet) obj;
        if (ds.spec.updateStrategy == null) {
            ds.spec.updateStrategy = new DaemonSet.DaemonSetUpdateStrategy();
        }
        if (ds.spec.updateStrategy.type == null) {
            ds.spec.updateStrategy.type = "RollingUpdate";
        }
        if ("RollingUpdate".equals(ds.spec.updateStrategy.type)) {
            if (ds.spec.updateStrategy.rollingUpdate == null) {
                ds.spec.updateStrategy.rollingUpdate = new DaemonSet.RollingUpdateDaemonSet();
            }
            if (ds.spec.updateStrategy.rollingUpdate.maxUnavailable == null) {
                ds.spec.updateStrategy.rollingUpdate.maxUnavailable = IntOrString.of(1);
            }
            if (ds.spec.updateStrategy.rollingUpdate.maxSurge == null) {
                ds.spec.updateStrategy.rollingUpdate.maxSurge = IntOrString.of(0);
            }
        }
        if (ds.spec.revisionHistoryLimit == null) {
            ds.spec.revisionHistoryLimit = 10;
        }
        if (ds.spec.template != null) {
            Defaults.podSpec(ds.spec.template.spec);
        }
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        DaemonSet ds = (DaemonSet) obj;
        Validation.selectorAndTemplate(errs, ds.spec.selector, ds.spec.template);
        var st = ds.spec.updateStrategy;
        if (st != null && st.type != null && !List.of("RollingUpdate", "OnDelete").contains(st.type)) {
            errs.notSupported("spec.updateStrategy.type", st.type, List.of("OnDelete", "RollingUpdate"));
        }
        if (st != null && st.rollingUpdate != null) {
            int unavailable = Validation.nonNegativeIntOrPercent(errs, "spec.updateStrategy.rollingUpdate.maxUnavailable", st.rollingUpdate.maxUnavailable);
            int surge = Validation.nonNegativeIntOrPercent(errs, "spec.updateStrategy.rollingUpdate.maxSurge", st.rollingUpdate.maxSurge);
            if (unavailable == 0 && surge == 0) {
                errs.invalid("spec.updateStrategy.rollingUpdate.maxUnavailable", st.rollingUpdate.maxUnavailable.toJson(), "may not be 0 when `maxSurge` is 0");
            }
        }
    }

    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        Validation.immutableSelector(errs, ((DaemonSet) obj).spec.selector, ((DaemonSet) old).spec.selector);
    }

    /** ValidateDaemonSetStatusUpdate ({@link WorkloadStatusValidation}). */
    @Override
    public void validateStatusUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        WorkloadStatusValidation.daemonSet(errs, obj, old);
    }
}
