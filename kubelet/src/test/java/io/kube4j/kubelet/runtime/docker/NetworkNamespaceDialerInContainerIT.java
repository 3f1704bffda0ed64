package io.kube4j.kubelet.runtime.docker;

import io.kube4j.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Port-forward's namespace dial from a kubelet that runs in a container, as in docker-compose.yml: a "sandbox"
 * (busybox httpd bound to 127.0.0.1 only) and, in a JRE container with the compose kubelets' settings (the host's
 * pid namespace, CAP_SYS_ADMIN and CAP_SYS_PTRACE, AppArmor unconfined), the kubelet's {@link NetworkNamespaceDialer}
 * given the sandbox's Docker {@code State.Pid} (a host pid). Without the host's pid namespace the same dial cannot
 * find {@code /proc/<pid>/ns/net}, which is what made port-forward fall back to the pod IP (connection refused).
 * Kubernetes' runtimes dial {@code localhost:port} in the sandbox's network namespace (containerd's portForward).
 */
class NetworkNamespaceDialerInContainerIT {
    private static final String JRE = System.getenv().getOrDefault("KUBE4J_JRE_IMAGE", "eclipse-temurin:25-jre");
    private static final String SANDBOX = "it-netns-" + UUID.randomUUID().toString().substring(0, 8);
    private static String pid;

    @BeforeAll
    static void startSandbox() throws Exception {
        docker("run", "-d", "--name", SANDBOX, "--network", "bridge", TestImages.BUSYBOX,
                "sh", "-c", "mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www");
        pid = docker("inspect", "-f", "{{.State.Pid}}", SANDBOX).strip();
        Thread.sleep(500);
    }

    @AfterAll
    static void removeSandbox() throws Exception {
        docker("rm", "-f", SANDBOX);
    }

    @Test
    void aKubeletWithTheComposeSettingsReachesAServerBoundToLoopbackInThePod() throws Exception {
        String compose = Files.readString(Path.of("..", "docker-compose.yml"));
        assertThat(compose).contains("  pid: host\n", "  cap_add: [SYS_ADMIN, SYS_PTRACE, SYSLOG]\n", "  security_opt: [\"apparmor:unconfined\"]\n");
        String out = probe("--pid", "host", "--cap-add", "SYS_ADMIN", "--cap-add", "SYS_PTRACE", "--security-opt", "apparmor:unconfined");
        assertThat(out).startsWith("OK HTTP/1.").contains(" 200 OK");
    }

    @Test
    void withoutTheHostsPidNamespaceTheSandboxsNamespaceIsNotFound() throws Exception {
        String out = probe("--cap-add", "SYS_ADMIN");
        assertThat(out).startsWith("FAIL java.io.IOException: cannot open /proc/" + pid + "/ns/net");
    }

    @Test
    void withoutCapSysAdminSetnsIsRefused() throws Exception {
        String out = probe("--pid", "host");
        assertThat(out).contains("setns failed");
    }

    // runs NetnsProbe in a JRE container with the kubelet's classes and the given docker run flags
    private static String probe(String... flags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("run", "--rm", "--network", "bridge",
                "-v", Path.of("target/classes").toAbsolutePath() + ":/k:ro",
                "-v", Path.of("target/test-classes").toAbsolutePath() + ":/t:ro"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of(JRE, "java", "--enable-native-access=ALL-UNNAMED", "-cp", "/k:/t", NetnsProbe.class.getName(), pid, "8080"));
        return docker(cmd.toArray(String[]::new)).strip();
    }

    private static String docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("docker %s", args[0]).isTrue();
        return out;
    }
}
