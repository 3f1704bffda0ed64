package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.CertificateSigningRequest;
import io.kube4j.api.CertificateSigningRequest.CertificateSigningRequestCondition;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import io.kube4j.json.Json;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * CertificateSigningRequests (certificates.k8s.io/v1), as {@code pkg/registry/certificates/certificates/strategy.go}:
 * <ul>
 * <li>create: {@code spec.username/uid/groups/extra} come from the requesting user (a client's values are dropped),
 *     the status is cleared, so nobody creates a pre-approved request;</li>
 * <li>update of the main resource: spec and status stay as stored (csrStrategy.PrepareForUpdate), only metadata moves;</li>
 * <li>{@code status}: the spec stays, Approved/Denied conditions stay as stored (preserveConditionInstances), the
 *     certificate may be set once;</li>
 * <li>{@code approval}: only {@code status.conditions} move (Approved, Denied, ...), the certificate stays;</li>
 * <li>conditions without times get {@code lastUpdateTime} now and {@code lastTransitionTime} from the stored
 *     condition of the same type and status, else now (populateConditionTimestamps).</li>
 * </ul>
 * Validation is {@link CertificateSigningRequestValidation} ({@code pkg/apis/certificates/validation}).
 * Field selectors also support {@code spec.signerName} (certificates/v1 conversion's field label function).
 */
@Component
public class CertificateSigningRequestStrategy implements Strategy {
    private final Supplier<UserInfo> currentUser;
    private final Clock clock;

    @Autowired
    public CertificateSigningRequestStrategy() {
        this(CertificateSigningRequestStrategy::requestUser, Clock.systemUTC());
    }

    /** For tests: who is asking (null: nobody, as an internal write) and what time it is. */
    CertificateSigningRequestStrategy(Supplier<UserInfo> currentUser, Clock clock) {
        this.currentUser = currentUser == null ? CertificateSigningRequestStrategy::requestUser : currentUser;
        this.clock = clock == null ? Clock.systemUTC() : clock;
    }

    private static UserInfo requestUser() {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes sra) {
            return UserInfo.of(sra.getRequest());
        }
        return null;
    }

    @Override
    public ResourceType type() {
        return ResourceTypes.CERTIFICATESIGNINGREQUESTS;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    @Override
    public List<String> subresources() {
        return List.of("approval");
    }

    /** ValidateCertificateRequestName accepts any name; only the path-segment rule every name obeys applies. */
    @Override
    public Validation.NameRule nameRule() {
        return Validation.NameRule.PATH_SEGMENT;
    }

    @Override
    public Set<String> fieldLabels() {
        return Strategy.withMetadata("spec.signerName");
    }

    @Override
    public String unsupportedFieldLabel(String label) {
        return "field label not supported: " + label;
    }

    /** PrepareForCreate: the requestor from the request's user, an empty status. */
    @Override
    public void prepareForCreate(ObjectNode obj) {
        ObjectNode spec = obj.get("spec") instanceof ObjectNode s ? s : obj.putObject("spec");
        spec.remove(List.of("username", "uid", "groups", "extra"));
        UserInfo user = currentUser.get();
        if (user != null) {
            spec.put("username", user.name());
            if (!user.uid().isEmpty()) {
                spec.put("uid", user.uid());
            }
            if (!user.groups().isEmpty()) {
                var groups = spec.putArray("groups");
                user.groups().forEach(groups::add);
            }
            if (!user.extra().isEmpty()) {
                ObjectNode extra = spec.putObject("extra");
                user.extra().forEach((k, v) -> {
                    var values = extra.putArray(k);
                    v.forEach(values::add);
                });
            }
        }
        obj.putObject("status");
    }

    /** csrStrategy.PrepareForUpdate: a write of the main resource changes neither spec nor status. */
    @Override
    public void prepareForUpdate(ObjectNode next, ObjectNode current) {
        if (current.has("spec")) {
            next.set("spec", current.get("spec").deepCopy());
        } else {
            next.remove("spec");
        }
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        CertificateSigningRequestValidation.validateCreate((CertificateSigningRequest) obj, errs);
    }

    /**
     * ValidateCertificateSigningRequestUpdate for the main resource: {@link #validate} has checked the object; what an
     * update adds (no condition removed, Approved/Denied and the certificate untouched) cannot fire here since spec and
     * status are kept as stored, but is checked all the same so the rule holds whatever the registry keeps.
     */
    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        CertificateSigningRequestValidation.validateUpdateOnly((CertificateSigningRequest) obj, (CertificateSigningRequest) old,
                CertificateSigningRequestValidation.Path.MAIN, errs);
    }

    /** csrStatusStrategy: keep the stored Approved/Denied conditions, fill in times, ValidateCertificateSigningRequestStatusUpdate. */
    @Override
    public void prepareStatusUpdate(ObjectNode next, ObjectNode current, FieldErrors errs) {
        CertificateSigningRequest now = Json.convert(next, CertificateSigningRequest.class);
        CertificateSigningRequest old = Json.convert(current, CertificateSigningRequest.class);
        preserveConditionInstances(now, old, CertificateSigningRequest.APPROVED);
        preserveConditionInstances(now, old, CertificateSigningRequest.DENIED);
        populateConditionTimestamps(now, old);
        CertificateSigningRequestValidation.validateUpdate(now, old, CertificateSigningRequestValidation.Path.STATUS, errs);
        next.set("status", Json.toTree(now).get("status"));
    }

    /** csrApprovalStrategy: fill in times, ValidateCertificateSigningRequestApprovalUpdate. */
    @Override
    public void prepareApprovalUpdate(ObjectNode next, ObjectNode current, FieldErrors errs) {
        CertificateSigningRequest now = Json.convert(next, CertificateSigningRequest.class);
        CertificateSigningRequest old = Json.convert(current, CertificateSigningRequest.class);
        populateConditionTimestamps(now, old);
        CertificateSigningRequestValidation.validateUpdate(now, old, CertificateSigningRequestValidation.Path.APPROVAL, errs);
        next.set("status", Json.toTree(now).get("status"));
    }

    /** preserveConditionInstances: the stored instances of {@code type} replace the new ones when their number is unchanged. */
    static void preserveConditionInstances(CertificateSigningRequest now, CertificateSigningRequest old, String type) {
        List<Integer> oldIdx = indices(old, type);
        List<Integer> newIdx = indices(now, type);
        if (oldIdx.size() != newIdx.size()) {
            // added or removed: validation refuses the change
            return;
        }
        for (int i = 0; i < oldIdx.size(); i++) {
            now.status.conditions.set(newIdx.get(i), copy(old.status.conditions.get(oldIdx.get(i))));
        }
    }

    private static List<Integer> indices(CertificateSigningRequest csr, String type) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < csr.status.conditions.size(); i++) {
            if (type.equals(csr.status.conditions.get(i).type)) {
                out.add(i);
            }
        }
        return out;
    }

    private static CertificateSigningRequestCondition copy(CertificateSigningRequestCondition c) {
        return Json.convert(Json.toTree(c), CertificateSigningRequestCondition.class);
    }

    /** populateConditionTimestamps: lastUpdateTime now when unset; lastTransitionTime from the stored same type+status, else now. */
    void populateConditionTimestamps(CertificateSigningRequest now, CertificateSigningRequest old) {
        String ts = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        for (CertificateSigningRequestCondition c : now.status.conditions) {
            if (c.lastUpdateTime == null || c.lastUpdateTime.isEmpty()) {
                c.lastUpdateTime = ts;
            }
            if (c.lastTransitionTime == null || c.lastTransitionTime.isEmpty()) {
                String transition = ts;
                for (CertificateSigningRequestCondition o : old.status.conditions) {
                    if (Objects.equals(o.type, c.type) && Objects.equals(o.status, c.status)
                            && o.lastTransitionTime != null && !o.lastTransitionTime.isEmpty()) {
                        transition = o.lastTransitionTime;
                        break;
                    }
                }
                c.lastTransitionTime = transition;
            }
        }
    }

}
