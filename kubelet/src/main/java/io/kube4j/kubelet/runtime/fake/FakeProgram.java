package io.kube4j.kubelet.runtime.fake;

import io.kube4j.kubelet.runtime.ContainerConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a hollow container "does", read from its command so that the documentation's example pods behave
 * on a hollow node as on a real one: {@code sh -c "echo hi; sleep 5; exit 3"} prints {@code hi}, runs
 * 5 s and exits 3. Understood: {@code sleep N} (seconds, or {@code infinity}), {@code exit N},
 * {@code echo}/{@code printf} (log lines), {@code true}, {@code false}, and quick file and info commands
 * (cat, date, env, hostname, ls, mkdir, touch, cp, mv, rm); statements separated by {@code ;},
 * {@code &&}, {@code ||} or new lines, {@code exec} ignored. Anything else (a loop, {@code tail -F}, a
 * server binary) runs until stopped. A container without a command runs until stopped, except a regular
 * init container, which completes after {@code initRunTime} (as does one whose command is not understood).
 *
 * @param runTime  how long it runs before exiting on its own; null: until stopped
 * @param exitCode its exit code when it exits on its own
 * @param output   the lines it logs when it starts
 */
public record FakeProgram(Duration runTime, int exitCode, List<String> output) {
    private static final Set<String> QUICK = Set.of("cat", "date", "env", "hostname", "ls", "mkdir", "touch", "cp", "mv", "rm", "true", ":");
    private static final Pattern SEPARATORS = Pattern.compile("\\s*(?:;|&&|\\|\\||\\n)\\s*");

    /** Runs until stopped. */
    public static FakeProgram forever() {
        return new FakeProgram(null, 0, List.of());
    }

    /** The program of a container config. */
    public static FakeProgram of(ContainerConfig config, Duration initRunTime) {
        List<String> words = new ArrayList<>(config.command());
        words.addAll(config.args());
        if (words.isEmpty()) {
            return config.kind() == ContainerConfig.Kind.INIT ? new FakeProgram(initRunTime, 0, List.of()) : forever();
        }
        String script;
        String first = words.get(0);
        boolean shell = first.equals("sh") || first.equals("bash") || first.endsWith("/sh") || first.endsWith("/bash") || first.equals("ash");
        if (shell && words.size() >= 3 && words.get(1).equals("-c")) {
            script = words.get(2);
        } else if (shell && words.size() == 1) {
            return forever();
        } else {
            script = String.join(" ", words);
        }
        FakeProgram program = parse(script);
        // a regular init container is meant to finish: one whose work is not understood (wget, git clone, ...)
        // completes after initRunTime instead of holding the pod in Init forever
        if (program.runTime() == null && config.kind() == ContainerConfig.Kind.INIT) {
            return new FakeProgram(initRunTime, 0, program.output());
        }
        return program;
    }

    /** Interprets a shell script as described above. */
    static FakeProgram parse(String script) {
        Duration time = Duration.ZERO;
        int status = 0;
        List<String> output = new ArrayList<>();
        for (String raw : SEPARATORS.split(script.strip())) {
            String stmt = raw.strip();
            if (stmt.startsWith("exec ")) {
                stmt = stmt.substring(5).strip();
            }
            if (stmt.isEmpty()) {
                continue;
            }
            String[] w = stmt.split("\\s+", 2);
            String cmd = w[0].contains("/") ? w[0].substring(w[0].lastIndexOf('/') + 1) : w[0];
            String rest = w.length > 1 ? w[1].strip() : "";
            switch (cmd) {
                case "sleep" -> {
                    Duration d = seconds(rest);
                    if (d == null) {
                        return new FakeProgram(null, 0, output);
                    }
                    time = time.plus(d);
                    status = 0;
                }
                case "exit" -> {
                    int code = rest.isEmpty() ? status : parseInt(rest, status);
                    return new FakeProgram(time, code, output);
                }
                case "echo", "printf" -> {
                    output.add(unquote(rest));
                    status = 0;
                }
                case "false" -> status = 1;
                default -> {
                    if (!QUICK.contains(cmd)) {
                        return new FakeProgram(null, 0, output); // a loop or a server: runs until stopped
                    }
                    status = 0;
                }
            }
        }
        return new FakeProgram(time, status, output);
    }

    private static Duration seconds(String s) {
        String v = s.split("\\s+")[0];
        if (v.isEmpty() || v.equals("infinity")) {
            return null;
        }
        if (v.endsWith("s")) {
            v = v.substring(0, v.length() - 1);
        }
        try {
            return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int parseInt(String s, int dflt) {
        try {
            return Integer.parseInt(s.split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }
}
