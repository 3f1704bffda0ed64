package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/**
 * A container's security settings (core/v1 SecurityContext, Kubernetes 1.32): modelled field by field
 * so strict field validation refuses an unknown one, as Kubernetes does.
 */
public class SecurityContext {
    public Capabilities capabilities;
    public Boolean privileged;
    public SELinuxOptions seLinuxOptions;
    public WindowsSecurityContextOptions windowsOptions;
    public Long runAsUser;
    public Long runAsGroup;
    public Boolean runAsNonRoot;
    public Boolean readOnlyRootFilesystem;
    public Boolean allowPrivilegeEscalation;
    public String procMount;
    public SeccompProfile seccompProfile;
    public AppArmorProfile appArmorProfile;

    /** Linux capabilities to add and drop. */
    public static class Capabilities {
        public List<String> add = new ArrayList<>();
        public List<String> drop = new ArrayList<>();
    }

    /** SELinux labels. */
    public static class SELinuxOptions {
        public String user;
        public String role;
        public String type;
        public String level;
    }

    /** Windows-specific options. */
    public static class WindowsSecurityContextOptions {
        public String gmsaCredentialSpecName;
        public String gmsaCredentialSpec;
        public String runAsUserName;
        public Boolean hostProcess;
    }

    /** A seccomp profile: RuntimeDefault, Unconfined or Localhost with a profile path. */
    public static class SeccompProfile {
        public String type;
        public String localhostProfile;
    }

    /** An AppArmor profile: RuntimeDefault, Unconfined or Localhost with a profile name. */
    public static class AppArmorProfile {
        public String type;
        public String localhostProfile;
    }
}
