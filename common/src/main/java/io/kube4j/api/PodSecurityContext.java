package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A pod's security settings (core/v1 PodSecurityContext, Kubernetes 1.32), modelled field by field for strict validation. */
public class PodSecurityContext {
    public SecurityContext.SELinuxOptions seLinuxOptions;
    public SecurityContext.WindowsSecurityContextOptions windowsOptions;
    public Long runAsUser;
    public Long runAsGroup;
    public Boolean runAsNonRoot;
    public List<Long> supplementalGroups = new ArrayList<>();
    public String supplementalGroupsPolicy;
    public Long fsGroup;
    public List<Sysctl> sysctls = new ArrayList<>();
    public String fsGroupChangePolicy;
    public SecurityContext.SeccompProfile seccompProfile;
    public SecurityContext.AppArmorProfile appArmorProfile;
    public String seLinuxChangePolicy;

    /** A namespaced kernel parameter. */
    public static class Sysctl {
        public String name;
        public String value;
    }
}
