package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.PriorityLevelConfiguration;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.json.Json;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * PriorityLevelConfigurations (flowcontrol.apiserver.k8s.io/v1, cluster-scoped, status subresource): type
 * Exempt (only for, and required of, {@code exempt}) or Limited; defaults of v1 (limited: 30 nominal
 * concurrency shares, lendablePercent 0; queuing: 64 queues, hand size 8, queue length 50; exempt: 0 and 0);
 * shares non-negative, lendablePercent within 0..100, queuing positive with handSize at most queues; the
 * mandatory {@code exempt} and {@code catch-all} levels keep their fixed spec. Kubernetes:
 * {@code pkg/apis/flowcontrol/v1/defaults.go}, {@code pkg/apis/flowcontrol/validation/validation.go}.
 */
@Component
public class PriorityLevelConfigurationStrategy implements Strategy {
    static final List<String> TYPES = List.of("Exempt", "Limited");
    static final List<String> LIMIT_RESPONSE_TYPES = List.of("Queue", "Reject");
    /** priorityLevelConfigurationQueuingMaxQueues: 10^7. */
    static final int MAX_QUEUES = 10_000_000;
    /** shufflesharding.MaxHashBits. */
    static final int MAX_HASH_BITS = 60;

    @Override
    public ResourceType type() {
        return ResourceTypes.PRIORITYLEVELCONFIGURATIONS;
    }

    /** Generation 1 on create, one more on each spec change ({@code pkg/registry/flowcontrol/prioritylevelconfiguration/strategy.go}). */
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
        PriorityLevelConfiguration.PriorityLevelConfigurationSpec spec = ((PriorityLevelConfiguration) obj).spec;
        if (spec.exempt != null) {
            if (spec.exempt.nominalConcurrencyShares == null) {
                spec.exempt.nominalConcurrencyShares = 0;
            }
            if (spec.exempt.lendablePercent == null) {
                spec.exempt.lendablePercent = 0;
            }
        }
        if (spec.limited != null) {
            if (spec.limited.nominalConcurrencyShares == null) {
                spec.limited.nominalConcurrencyShares = 30;
            }
            if (spec.limited.lendablePercent == null) {
                spec.limited.lendablePercent = 0;
            }
            PriorityLevelConfiguration.QueuingConfiguration q = spec.limited.limitResponse == null ? null : spec.limited.limitResponse.queuing;
            if (q != null) {
                q.handSize = q.handSize == 0 ? 8 : q.handSize;
                q.queues = q.queues == 0 ? 64 : q.queues;
                q.queueLengthLimit = q.queueLengthLimit == 0 ? 50 : q.queueLengthLimit;
            }
        }
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        PriorityLevelConfiguration pl = (PriorityLevelConfiguration) obj;
        PriorityLevelConfiguration.PriorityLevelConfigurationSpec spec = pl.spec;
        if ("exempt".equals(pl.metadata.name) != "Exempt".equals(spec.type)) {
            errs.invalid("spec.type", spec.type == null ? "" : spec.type, "type must be 'Exempt' if and only if name is 'exempt'");
        }
        String type = spec.type == null ? "" : spec.type;
        switch (type) {
            case "Exempt" -> {
                if (spec.limited != null) {
                    errs.forbidden("spec.limited", "must be nil if the type is not Limited");
                }
                if (spec.exempt != null) {
                    shares(spec.exempt.nominalConcurrencyShares, "spec.exempt", errs);
                    lendable(spec.exempt.lendablePercent, "spec.exempt", errs);
                }
            }
            case "Limited" -> {
                if (spec.exempt != null) {
                    errs.forbidden("spec.exempt", "must be nil if the type is Limited");
                }
                if (spec.limited == null) {
                    errs.required("spec.limited", "must not be empty when type is Limited");
                } else {
                    shares(spec.limited.nominalConcurrencyShares, "spec.limited", errs);
                    limitResponse(spec.limited.limitResponse, "spec.limited.limitResponse", errs);
                    lendable(spec.limited.lendablePercent, "spec.limited", errs);
                    if (spec.limited.borrowingLimitPercent != null && spec.limited.borrowingLimitPercent < 0) {
                        errs.invalid("spec.limited.borrowingLimitPercent", spec.limited.borrowingLimitPercent, "if specified, must be a non-negative integer");
                    }
                }
            }
            default -> errs.notSupported("spec.type", type, TYPES);
        }
        PriorityLevelConfiguration mandatory = FlowControlBootstrap.MANDATORY_PRIORITY_LEVELS.get(pl.metadata.name);
        if (mandatory != null && !Json.write(Json.toTree(pl.spec)).equals(Json.write(Json.toTree(mandatory.spec)))) {
            errs.invalid("spec", "{...}", "spec of '" + pl.metadata.name + "' must equal the fixed value");
        }
        FlowSchemaStrategy.conditions(pl.status.conditions.stream().map(c -> c.type).toList(), errs);
    }

    private static void shares(Integer shares, String path, FieldErrors errs) {
        if (shares != null && shares < 0) {
            errs.invalid(path + ".nominalConcurrencyShares", shares, "must be a non-negative integer");
        }
    }

    private static void lendable(Integer percent, String path, FieldErrors errs) {
        if (percent != null && (percent < 0 || percent > 100)) {
            errs.invalid(path + ".lendablePercent", percent, "must be between 0 and 100, inclusive");
        }
    }

    private static void limitResponse(PriorityLevelConfiguration.LimitResponse lr, String path, FieldErrors errs) {
        String type = lr == null || lr.type == null ? "" : lr.type;
        switch (type) {
            case "Reject" -> {
                if (lr.queuing != null) {
                    errs.forbidden(path + ".queuing", "must be nil if limited.limitResponse.type is not Limited");
                }
            }
            case "Queue" -> {
                if (lr.queuing == null) {
                    errs.required(path + ".queuing", "must not be empty if limited.limitResponse.type is Limited");
                } else {
                    queuing(lr.queuing, path + ".queuing", errs);
                }
            }
            default -> errs.notSupported(path + ".type", type, LIMIT_RESPONSE_TYPES);
        }
    }

    private static void queuing(PriorityLevelConfiguration.QueuingConfiguration q, String path, FieldErrors errs) {
        if (q.queueLengthLimit <= 0) {
            errs.invalid(path + ".queueLengthLimit", q.queueLengthLimit, "must be positive");
        }
        if (q.queues <= 0) {
            errs.invalid(path + ".queues", q.queues, "must be positive");
        } else if (q.queues > MAX_QUEUES) {
            errs.invalid(path + ".queues", q.queues, "must not be greater than " + MAX_QUEUES);
        }
        if (q.handSize <= 0) {
            errs.invalid(path + ".handSize", q.handSize, "must be positive");
        } else if (q.handSize > q.queues) {
            errs.invalid(path + ".handSize", q.handSize, "should not be greater than queues (" + q.queues + ")");
        } else if (requiredEntropyBits(q.queues, q.handSize) > MAX_HASH_BITS) {
            errs.invalid(path + ".handSize", q.handSize, "required entropy bits of deckSize " + q.queues + " and handSize " + q.handSize
                    + " should not be greater than " + MAX_HASH_BITS);
        }
    }

    /** shufflesharding.RequiredEntropyBits: ceil(log2(deckSize) * handSize). */
    static int requiredEntropyBits(int deckSize, int handSize) {
        return (int) Math.ceil(Math.log(deckSize) / Math.log(2) * handSize);
    }
}
