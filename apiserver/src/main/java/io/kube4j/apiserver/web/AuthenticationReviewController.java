package io.kube4j.apiserver.web;

import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.auth.AuthenticationFailure;
import io.kube4j.apiserver.auth.BearerTokenAuthenticator;
import io.kube4j.apiserver.auth.ServiceAccountTokenAuthenticator;
import io.kube4j.apiserver.auth.TokenAuthenticator;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The authentication.k8s.io/v1 review APIs, create-only and never stored.
 *
 * <p>{@code selfsubjectreviews} (kubectl auth whoami) answers with the user the request was
 * authenticated as (pkg/registry/authentication/selfsubjectreview/rest.go). With security off no request
 * is authenticated; it then answers as Kubernetes' old insecure port treated every request
 * ({@code InsecureSuperuser}: {@code system:unsecured} in {@code system:masters} and
 * {@code system:authenticated}), which is what such a request is allowed to do.
 *
 * <p>{@code tokenreviews} checks {@code spec.token} against the bearer token sources for
 * {@code spec.audiences} (default: the API audiences) and reports {@code status.authenticated},
 * {@code user}, {@code audiences} and {@code error} (pkg/registry/authentication/tokenreview/storage.go).
 * It works with security off too, for the token file and ServiceAccount tokens this apiserver issued.
 */
@RestController
class AuthenticationReviewController {
    private static final String API_VERSION = "authentication.k8s.io/v1";

    private final ResponseEncoder encoder;
    private final BearerTokenAuthenticator bearer;
    private final ApiServerProperties props;

    AuthenticationReviewController(ResponseEncoder encoder, BearerTokenAuthenticator bearer, ApiServerProperties props) {
        this.encoder = encoder;
        this.bearer = bearer;
        this.props = props;
    }

    @PostMapping("/apis/authentication.k8s.io/v1/selfsubjectreviews")
    void selfSubjectReview(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        req.setAttribute(ResourceController.VERB, "create");
        req.setAttribute(ResourceController.RESOURCE, "selfsubjectreviews");
        RequestBodies.object(req, props.maxRequestBytes(), API_VERSION, "SelfSubjectReview");
        UserInfo user = UserInfo.of(req);
        if (user == null) {
            user = new UserInfo("system:unsecured", "", List.of(UserInfo.SYSTEM_MASTERS, UserInfo.ALL_AUTHENTICATED), Map.of());
        }
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("kind", "SelfSubjectReview");
        out.put("apiVersion", API_VERSION);
        out.putObject("metadata").put("creationTimestamp", Times.now());
        userInfo(out.putObject("status").putObject("userInfo"), user);
        encoder.write(req, resp, 201, null, out);
    }

    @PostMapping("/apis/authentication.k8s.io/v1/tokenreviews")
    void tokenReview(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        req.setAttribute(ResourceController.VERB, "create");
        req.setAttribute(ResourceController.RESOURCE, "tokenreviews");
        ObjectNode review = RequestBodies.object(req, props.maxRequestBytes(), API_VERSION, "TokenReview");
        String token = review.path("spec").path("token").asString("");
        if (token.isEmpty()) {
            throw ApiError.badRequest("token is required for TokenReview in authentication");
        }
        List<String> requested = new ArrayList<>();
        review.path("spec").path("audiences").forEach(a -> requested.add(a.asString("")));
        List<String> auds = requested.isEmpty() ? props.security().audiences() : requested;
        ObjectNode out = review.deepCopy();
        out.put("kind", "TokenReview");
        out.put("apiVersion", API_VERSION);
        if (!out.path("metadata").isObject()) {
            out.putObject("metadata");
        }
        ObjectNode status = out.putObject("status");
        try {
            Optional<ServiceAccountTokenAuthenticator.Result> result = authenticate(token, auds);
            if (result.isPresent()) {
                status.put("authenticated", true);
                userInfo(status.putObject("user"), withAuthenticatedGroup(result.get().user()));
                ArrayNode a = status.putArray("audiences");
                result.get().audiences().forEach(a::add);
            } else {
                status.putObject("user");
                status.put("error", "invalid bearer token");
            }
        } catch (AuthenticationFailure e) {
            status.putObject("user");
            status.put("error", e.reason());
        }
        encoder.write(req, resp, 201, null, out);
    }

    /**
     * Every token source in order for {@code auds}: ServiceAccount tokens check the audiences themselves;
     * audience-agnostic sources (the token file) count only for the API audiences, as Kubernetes'
     * {@code WrapAudienceAgnosticToken}.
     */
    private Optional<ServiceAccountTokenAuthenticator.Result> authenticate(String token, List<String> auds) {
        List<String> implicit = auds.stream().filter(props.security().audiences()::contains).toList();
        for (TokenAuthenticator source : bearer.sources()) {
            if (source instanceof ServiceAccountTokenAuthenticator sa) {
                Optional<ServiceAccountTokenAuthenticator.Result> r = sa.authenticate(token, auds);
                if (r.isPresent()) {
                    return r;
                }
            } else if (!implicit.isEmpty()) {
                Optional<UserInfo> u = source.authenticateToken(token);
                if (u.isPresent()) {
                    return Optional.of(new ServiceAccountTokenAuthenticator.Result(u.get(), implicit));
                }
            }
        }
        return Optional.empty();
    }

    /** Kubernetes' AuthenticatedGroupAdder, which wraps the authenticator TokenReview uses. */
    private static UserInfo withAuthenticatedGroup(UserInfo u) {
        if (u.groups().contains(UserInfo.ALL_AUTHENTICATED) || u.name().equals(UserInfo.ANONYMOUS)) {
            return u;
        }
        List<String> groups = new ArrayList<>(u.groups());
        groups.add(UserInfo.ALL_AUTHENTICATED);
        return new UserInfo(u.name(), u.uid(), groups, u.extra());
    }

    /** authentication/v1 UserInfo, its fields omitted when empty as Go's omitempty does. */
    private static void userInfo(ObjectNode out, UserInfo u) {
        out.put("username", u.name());
        if (!u.uid().isEmpty()) {
            out.put("uid", u.uid());
        }
        if (!u.groups().isEmpty()) {
            ArrayNode g = out.putArray("groups");
            u.groups().forEach(g::add);
        }
        if (!u.extra().isEmpty()) {
            ObjectNode extra = out.putObject("extra");
            u.extra().forEach((k, v) -> {
                ArrayNode a = extra.putArray(k);
                v.forEach(a::add);
            });
        }
    }
}
