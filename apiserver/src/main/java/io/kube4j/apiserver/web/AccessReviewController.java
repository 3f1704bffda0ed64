package io.kube4j.apiserver.web;

import io.kube4j.api.Role;
import io.kube4j.apiserver.auth.Authorizer;
import io.kube4j.apiserver.auth.RequestAttributes;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.auth.rbac.RbacState;
import io.kube4j.apiserver.auth.node.NodeAuthorizer;
import io.kube4j.apiserver.auth.rbac.RulesReview;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.api.Status;
import io.kube4j.json.Json;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * authorization.k8s.io/v1 access reviews, created and answered, never stored (Kubernetes'
 * pkg/registry/authorization/*): SelfSubjectAccessReview ({@code kubectl auth can-i}) for the caller,
 * SubjectAccessReview for any user, LocalSubjectAccessReview for any user in one namespace, and
 * SelfSubjectRulesReview ({@code kubectl auth can-i --list}). Answers 201 with the review and its
 * status (allowed, denied, reason). Who may create them is decided by the authorization filter like any
 * other request (system:basic-user grants the self reviews). With security off there is no user and
 * every access review is allowed, as every request is.
 */
@RestController
class AccessReviewController {
    private static final String API_VERSION = "authorization.k8s.io/v1";
    private final Authorizer authorizer;
    private final RbacState rbac;
    private final long maxBody;

    AccessReviewController(Authorizer authorizer, RbacState rbac, io.kube4j.apiserver.ApiServerProperties props) {
        this.authorizer = authorizer;
        this.rbac = rbac;
        this.maxBody = props.maxRequestBytes();
    }

    @PostMapping("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
    ResponseEntity<byte[]> selfSubjectAccessReview(HttpServletRequest req) {
        ObjectNode review = RequestBodies.object(req, maxBody, API_VERSION, "SelfSubjectAccessReview");
        UserInfo user = UserInfo.of(req);
        return answer(review, "SelfSubjectAccessReview", user, null);
    }

    @PostMapping("/apis/authorization.k8s.io/v1/subjectaccessreviews")
    ResponseEntity<byte[]> subjectAccessReview(HttpServletRequest req) {
        ObjectNode review = RequestBodies.object(req, maxBody, API_VERSION, "SubjectAccessReview");
        return answer(review, "SubjectAccessReview", subject(review.path("spec")), null);
    }

    @PostMapping("/apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews")
    ResponseEntity<byte[]> localSubjectAccessReview(@PathVariable String namespace, HttpServletRequest req) {
        ObjectNode review = RequestBodies.object(req, maxBody, API_VERSION, "LocalSubjectAccessReview");
        return answer(review, "LocalSubjectAccessReview", subject(review.path("spec")), namespace);
    }

    @PostMapping("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
    ResponseEntity<byte[]> selfSubjectRulesReview(HttpServletRequest req) {
        ObjectNode review = RequestBodies.object(req, maxBody, API_VERSION, "SelfSubjectRulesReview");
        String namespace = review.path("spec").path("namespace").asString("");
        UserInfo user = UserInfo.of(req);
        review.put("apiVersion", API_VERSION);
        review.put("kind", "SelfSubjectRulesReview");
        ObjectNode status = review.putObject("status");
        ArrayNode resourceRules = status.putArray("resourceRules");
        ArrayNode nonResourceRules = status.putArray("nonResourceRules");
        if (user == null) {
            resourceRules.add(rule(List.of("*"), List.of("*"), List.of("*"), List.of(), null));
            nonResourceRules.add(rule(List.of("*"), null, null, null, List.of("*")));
            status.put("incomplete", false);
        } else {
            RulesReview r = RulesReview.of(rbac, user, namespace);
            for (Role.PolicyRule p : r.resourceRules()) resourceRules.add(rule(p.verbs, p.apiGroups, p.resources, p.resourceNames, null));
            for (Role.PolicyRule p : r.nonResourceRules()) nonResourceRules.add(rule(p.verbs, null, null, null, p.nonResourceURLs));
            // the union of the rule resolvers in Node,RBAC order (unionAuthzRulesHandler.RulesFor): the Node authorizer
            // lists no rules for a node and says so (NodeAuthorizer.RulesFor), so a node's review is incomplete
            List<String> errors = new ArrayList<>();
            if (NodeAuthorizer.nodeName(user) != null) errors.add(NodeAuthorizer.RULES_NOT_RESOLVED);
            if (!r.evaluationError().isEmpty()) errors.add(r.evaluationError());
            status.put("incomplete", r.incomplete() || !errors.isEmpty());
            if (!errors.isEmpty()) status.put("evaluationError", errors.size() == 1 ? errors.getFirst() : "[" + String.join(", ", errors) + "]");
        }
        return created(review);
    }

    private static ObjectNode rule(List<String> verbs, List<String> groups, List<String> resources, List<String> names, List<String> urls) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.set("verbs", Json.mapper().valueToTree(verbs));
        if (groups != null && !groups.isEmpty()) n.set("apiGroups", Json.mapper().valueToTree(groups));
        if (resources != null && !resources.isEmpty()) n.set("resources", Json.mapper().valueToTree(resources));
        if (names != null && !names.isEmpty()) n.set("resourceNames", Json.mapper().valueToTree(names));
        if (urls != null && !urls.isEmpty()) n.set("nonResourceURLs", Json.mapper().valueToTree(urls));
        return n;
    }

    /** The user a (Local)SubjectAccessReview asks about: spec.user, spec.groups, spec.uid, spec.extra. */
    private static UserInfo subject(JsonNode spec) {
        String user = spec.path("user").asString("");
        List<String> groups = new ArrayList<>();
        spec.path("groups").forEach(g -> groups.add(g.asString()));
        if (user.isEmpty() && groups.isEmpty()) {
            throw invalid("SubjectAccessReview", "spec.user", "\"\"", "at least one of user or group must be specified");
        }
        Map<String, List<String>> extra = new LinkedHashMap<>();
        spec.path("extra").properties().forEach(e -> {
            List<String> values = new ArrayList<>();
            e.getValue().forEach(v -> values.add(v.asString()));
            extra.put(e.getKey(), values);
        });
        return new UserInfo(user, spec.path("uid").asString(""), groups, extra);
    }

    private ResponseEntity<byte[]> answer(ObjectNode review, String kind, UserInfo user, String localNamespace) {
        JsonNode spec = review.path("spec");
        JsonNode ra = spec.path("resourceAttributes");
        JsonNode nra = spec.path("nonResourceAttributes");
        if (ra.isMissingNode() == nra.isMissingNode() || ra.isNull() || nra.isNull()) {
            throw invalid(kind, "spec.resourceAttributes", "null", "exactly one of nonResourceAttributes or resourceAttributes must be specified");
        }
        RequestAttributes attrs;
        if (!ra.isMissingNode()) {
            String ns = ra.path("namespace").asString("");
            if (localNamespace != null) {
                if (ns.isEmpty()) ns = localNamespace;
                else if (!ns.equals(localNamespace)) {
                    throw ApiError.badRequest("spec.resourceAttributes.namespace must match namespace: " + localNamespace);
                }
            }
            attrs = new RequestAttributes(user, ra.path("verb").asString(""), true, "", ra.path("group").asString(""), ra.path("version").asString(""),
                    ra.path("resource").asString(""), ra.path("subresource").asString(""), ns, ra.path("name").asString(""));
        } else {
            attrs = RequestAttributes.nonResource(user, nra.path("verb").asString(""), nra.path("path").asString(""));
        }
        review.put("apiVersion", API_VERSION);
        review.put("kind", kind);
        ObjectNode status = review.putObject("status");
        if (user == null) {
            status.put("allowed", true);
        } else {
            Authorizer.Decision d = authorizer.authorize(attrs);
            status.put("allowed", d.allowed());
            if (d.kind() == Authorizer.Decision.Kind.DENY) status.put("denied", true);
            if (!d.reason().isEmpty()) status.put("reason", d.reason());
        }
        return created(review);
    }

    private static ResponseEntity<byte[]> created(ObjectNode review) {
        if (!review.has("metadata")) review.putObject("metadata");
        ((ObjectNode) review.path("metadata")).putNull("creationTimestamp");
        return ResponseEntity.status(201).header(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE).body(Json.writeBytes(review));
    }

    /** 422 as Kubernetes' validation of access reviews words it. */
    private static ApiError invalid(String kind, String field, String value, String detail) {
        Status.Cause c = new Status.Cause();
        c.reason = "FieldValueInvalid";
        c.field = field;
        c.message = "Invalid value: " + value + ": " + detail;
        return ApiError.invalid("authorization.k8s.io", kind, "", List.of(c));
    }
}
