package io.kube4j.allinone;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link AllInOne#main} in a JVM of its own, as {@code java -jar all-in-one.jar --help} runs it: exit codes and output. */
class AllInOneMainTest {

    record Result(int exit, String out, String err) {
    }

    private static Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AllInOne.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsEveryOptionAndExitsZero() throws Exception {
        for (String flag : List.of("--help", "-h")) {
            Result r = run(flag);
            assertThat(r.exit()).isZero();
            assertThat(r.out()).isEqualTo(AllInOneOptions.usage());
            assertThat(r.err()).isEmpty();
        }
    }

    @Test
    void anUnknownOptionPrintsOneLineAndExitsTwo() throws Exception {
        Result r = run("--port=17443", "--bogus=1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("kube4j all-in-one: unknown option --bogus; see --help" + System.lineSeparator());
        assertThat(r.out()).isEmpty();
    }
}
