package io.kube4j.apiserver.admission.podsecurity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Pod Security Standards' vocabulary: levels, versions, level:version pairs, a namespace's policy
 * (enforce, audit, warn) and how it is read from the {@code pod-security.kubernetes.io/*} labels.
 * Kubernetes: {@code staging/src/k8s.io/pod-security-admission/api/constants.go} and {@code api/helpers.go}.
 */
public final class PodSecurityApi {
    private PodSecurityApi() {
    }

    static final String LABEL_PREFIX = "pod-security.kubernetes.io/";
    /** The namespace label naming the level pods must meet to be admitted. */
    public static final String ENFORCE_LEVEL_LABEL = LABEL_PREFIX + "enforce";
    /** The namespace label pinning the enforce level to a Kubernetes version. */
    public static final String ENFORCE_VERSION_LABEL = LABEL_PREFIX + "enforce-version";
    /** The namespace label naming the level whose violations are audited. */
    public static final String AUDIT_LEVEL_LABEL = LABEL_PREFIX + "audit";
    /** The audit version label. */
    public static final String AUDIT_VERSION_LABEL = LABEL_PREFIX + "audit-version";
    /** The namespace label naming the level whose violations are returned as warnings. */
    public static final String WARN_LEVEL_LABEL = LABEL_PREFIX + "warn";
    /** The warn version label. */
    public static final String WARN_VERSION_LABEL = LABEL_PREFIX + "warn-version";

    /** A Pod Security Standards level, from least to most restrictive. */
    public enum Level {
        PRIVILEGED("privileged"), BASELINE("baseline"), RESTRICTED("restricted");

        final String label;

        Level(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }

        /** ParseLevel: an unknown value is an error and reads as restricted (fail closed). */
        static Level parse(String value, List<String> error) {
            for (Level l : values()) {
                if (l.label.equals(value)) {
                    return l;
                }
            }
            error.add("must be one of privileged, baseline, restricted");
            return RESTRICTED;
        }
    }

    /**
     * A policy version: {@code v1.<minor>} or {@code latest} (newer than every numbered version).
     * Kubernetes' {@code api.Version}; the major is always 1.
     */
    public record Version(int minor, boolean latest) implements Comparable<Version> {
        /** The version {@code latest}. */
        public static final Version LATEST = new Version(0, true);
        private static final Pattern V1 = Pattern.compile("^v1\\.([0-9]|[1-9][0-9]*)$");

        /** {@code v1.<minor>}. */
        public static Version of(int minor) {
            return new Version(minor, false);
        }

        /** ParseVersion: an invalid value is an error and reads as latest. */
        static Version parse(String value, List<String> error) {
            if ("latest".equals(value)) {
                return LATEST;
            }
            Matcher m = V1.matcher(value);
            if (m.matches()) {
                try {
                    return of(Integer.parseInt(m.group(1)));
                } catch (NumberFormatException tooBig) {
                    // falls through to the error Kubernetes' strconv.Atoi failure gives
                }
            }
            error.add("must be \"latest\" or \"v1.x\"");
            return LATEST;
        }

        @Override
        public int compareTo(Version o) {
            if (latest || o.latest) {
                return Boolean.compare(latest, o.latest);
            }
            return Integer.compare(minor, o.minor);
        }

        @Override
        public String toString() {
            return latest ? "latest" : "v1." + minor;
        }
    }

    /** A level at a version, printed {@code restricted:latest}. */
    public record LevelVersion(Level level, Version version) {
        @Override
        public String toString() {
            return level + ":" + version;
        }
    }

    /** What a namespace asks for in each mode. */
    public record Policy(LevelVersion enforce, LevelVersion audit, LevelVersion warn) {
        /** Kubernetes' built-in default: privileged:latest in every mode (no effect). */
        public static final Policy DEFAULT = new Policy(new LevelVersion(Level.PRIVILEGED, Version.LATEST),
                new LevelVersion(Level.PRIVILEGED, Version.LATEST), new LevelVersion(Level.PRIVILEGED, Version.LATEST));

        /** True when no mode asks for more than privileged. */
        public boolean fullyPrivileged() {
            return enforce.level == Level.PRIVILEGED && audit.level == Level.PRIVILEGED && warn.level == Level.PRIVILEGED;
        }
    }

    /** A label value that does not parse: {@code field} is {@code metadata.labels[<label>]}. */
    public record LabelError(String field, String value, String detail) {
    }

    /** A namespace's policy and the label errors found reading it. */
    public record ParsedPolicy(Policy policy, List<LabelError> errors) {
    }

    /**
     * PolicyToEvaluate: the policy of a namespace with {@code labels}. An invalid enforce level reads as
     * restricted (fail closed), an invalid audit or warn level as privileged (fail open); warn defaults
     * to the enforce level (and version) when only enforce is set and is stricter.
     */
    public static ParsedPolicy policyToEvaluate(Map<String, String> labels, Policy defaults) {
        List<LabelError> errs = new ArrayList<>();
        if (labels == null || labels.isEmpty()) {
            return new ParsedPolicy(defaults, errs);
        }
        Level enforceLevel = defaults.enforce.level;
        Version enforceVersion = defaults.enforce.version;
        Level auditLevel = defaults.audit.level;
        Version auditVersion = defaults.audit.version;
        Level warnLevel = defaults.warn.level;
        Version warnVersion = defaults.warn.version;
        boolean hasEnforceLevel = false;
        boolean hasWarnLevel = false;
        boolean hasWarnVersion = false;
        List<String> e = new ArrayList<>();
        String v;
        if ((v = labels.get(ENFORCE_LEVEL_LABEL)) != null) {
            enforceLevel = Level.parse(v, e);
            hasEnforceLevel = e.isEmpty();
            collect(errs, e, ENFORCE_LEVEL_LABEL, v);
        }
        if ((v = labels.get(ENFORCE_VERSION_LABEL)) != null) {
            enforceVersion = Version.parse(v, e);
            collect(errs, e, ENFORCE_VERSION_LABEL, v);
        }
        if ((v = labels.get(AUDIT_LEVEL_LABEL)) != null) {
            auditLevel = Level.parse(v, e);
            if (!e.isEmpty()) {
                auditLevel = Level.PRIVILEGED;
            }
            collect(errs, e, AUDIT_LEVEL_LABEL, v);
        }
        if ((v = labels.get(AUDIT_VERSION_LABEL)) != null) {
            auditVersion = Version.parse(v, e);
            collect(errs, e, AUDIT_VERSION_LABEL, v);
        }
        if ((v = labels.get(WARN_LEVEL_LABEL)) != null) {
            hasWarnLevel = true;
            warnLevel = Level.parse(v, e);
            if (!e.isEmpty()) {
                warnLevel = Level.PRIVILEGED;
            }
            collect(errs, e, WARN_LEVEL_LABEL, v);
        }
        if ((v = labels.get(WARN_VERSION_LABEL)) != null) {
            hasWarnVersion = true;
            warnVersion = Version.parse(v, e);
            collect(errs, e, WARN_VERSION_LABEL, v);
        }
        // warn at least as strictly as enforce, so users see what enforce would deny on workload resources
        if (!hasWarnLevel && hasEnforceLevel && enforceLevel.compareTo(warnLevel) > 0) {
            warnLevel = enforceLevel;
            if (!hasWarnVersion) {
                warnVersion = enforceVersion;
            }
        }
        return new ParsedPolicy(new Policy(new LevelVersion(enforceLevel, enforceVersion),
                new LevelVersion(auditLevel, auditVersion), new LevelVersion(warnLevel, warnVersion)), errs);
    }

    private static void collect(List<LabelError> errs, List<String> e, String label, String value) {
        for (String detail : e) {
            errs.add(new LabelError("metadata.labels[" + label + "]", value, detail));
        }
        e.clear();
    }
}
