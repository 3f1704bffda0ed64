package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.StatefulSet;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.Defaults;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import io.kube4j.json.Json;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * StatefulSets (apps/v1): OrderedReady, RollingUpdate with partition 0, one replica, 10 revisions and
 * Retain/Retain claim retention by default; after creation only replicas, ordinals, template,
 * updateStrategy, persistentVolumeClaimRetentionPolicy, minReadySeconds and revisionHistoryLimit may
 * change. Kubernetes: {@code pkg/apis/apps/v1/defaults.go} SetDefaults_StatefulSet,
 * {@code pkg/apis/apps/validation/validation.go} ValidateStatefulSet(Update).
 */
@Component
public class StatefulSetStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.STATEFULSETS;
    }

    /** Generation 1 on create, one more on each spec change ({@code pkg/registry/apps/statefulset/strategy.go}). */
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
        StatefulSet.StatefulSetSpec spec = ((StatefulSet) obj).spec;
        if (spec.podManagementPolicy == null) {
            spec.podManagementPolicy = "OrderedReady";
        }
        if (spec.updateStrategy == null) {
            spec.updateStrategy = new StatefulSet.StatefulSetUpdateStrategy();
        }
        if (spec.updateStrategy.type == null) {
            spec.updateStrategy.type = "RollingUpdate";
        }
        if ("RollingUpdate".equals(spec.updateStrategy.type)) {
            if (spec.updateStrategy.rollingUpdate == null) {
                spec.updateStrategy.rollingUpdate = new StatefulSet.RollingUpdateStatefulSetStrategy();
            }
            if (spec.updateStrategy.rollingUpdate.partition == null) {
                spec.updateStrategy.rollingUpdate.partition = 0;
            }
        }
        if (spec.persistentVolumeClaimRetentionPolicy == null) {
            spec.persistentVolumeClaimRetentionPolicy = new StatefulSet.StatefulSetPersistentVolumeClaimRetentionPolicy();
        }
        if (spec.persistentVolumeClaimRetentionPolicy.whenDeleted == null) {
            spec.persistentVolumeClaimRetentionPolicy.whenDeleted = "Retain";
        }
        if (spec.persistentVolumeClaimRetentionPolicy.whenScaled == null) {
            spec.persistentVolumeClaimRetentionPolicy.whenScaled = "Retain";
        }
        if (spec.replicas == null) {
            spec.replicas = 1;
        }
        if (spec.revisionHistoryLimit == null) {
            spec.revisionHistoryLimit = 10;
        }
        if (spec.template != null) {
            Defaults.podSpec(spec.template.spec);
        }
        for (var claim : spec.volumeClaimTemplates) {
            if (claim.spec.volumeMode == null) {
                claim.spec.volumeMode = "Filesystem";
            }
        }
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        StatefulSet.StatefulSetSpec spec = ((StatefulSet) obj).spec;
        Validation.replicas(errs, "spec.replicas", spec.replicas);
        // volumeMounts may name a volumeClaimTemplate: validate the template as the pods will be, with a volume
        // per claim template (ValidateStatefulSetSpec adds them the same way)
        io.kube4j.api.PodTemplateSpec template = spec.template;
        if (template != null && !spec.volumeClaimTemplates.isEmpty()) {
            template = Json.copy(template);
            for (var claim : spec.volumeClaimTemplates) {
                io.kube4j.api.Volume v = new io.kube4j.api.Volume();
                v.name = claim.metadata.name;
                v.emptyDir = new io.kube4j.api.Volume.EmptyDir();
                template.spec.volumes.add(v);
            }
        }
        Validation.selectorAndTemplate(errs, spec.selector, template);
        if (spec.podManagementPolicy != null && !List.of("OrderedReady", "Parallel").contains(spec.podManagementPolicy)) {
            errs.invalid("spec.podManagementPolicy", spec.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'");
        }
        if (spec.updateStrategy != null && spec.updateStrategy.type != null && !List.of("RollingUpdate", "OnDelete").contains(spec.updateStrategy.type)) {
            errs.notSupported("spec.updateStrategy.type", spec.updateStrategy.type, List.of("OnDelete", "RollingUpdate"));
        }
        if (spec.updateStrategy != null && spec.updateStrategy.rollingUpdate != null && spec.updateStrategy.rollingUpdate.partition != null
                && spec.updateStrategy.rollingUpdate.partition < 0) {
            errs.invalid("spec.updateStrategy.rollingUpdate.partition", spec.updateStrategy.rollingUpdate.partition, "must be greater than or equal to 0");
        }
    }

    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        StatefulSet.StatefulSetSpec a = Json.copy(((StatefulSet) obj).spec);
        StatefulSet.StatefulSetSpec b = Json.copy(((StatefulSet) old).spec);
        for (StatefulSet.StatefulSetSpec s : List.of(a, b)) {
            s.replicas = null;
            s.ordinals = null;
            s.template = null;
            s.updateStrategy = null;
            s.persistentVolumeClaimRetentionPolicy = null;
            s.minReadySeconds = null;
            s.revisionHistoryLimit = null;
        }
        if (!Json.write(a).equals(Json.write(b))) {
            errs.forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
        }
    }

    @Override
    public List<String> subresources() {
        return List.of("scale");
    }

    /** ValidateStatefulSetStatusUpdate ({@link WorkloadStatusValidation}). */
    @Override
    public void validateStatusUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        WorkloadStatusValidation.statefulSet(errs, obj, old);
    }
}
