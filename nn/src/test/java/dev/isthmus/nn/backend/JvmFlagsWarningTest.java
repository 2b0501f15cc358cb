package dev.isthmus.nn.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One WARNING, with the exact flags to add, when a class-path JVM lacks them; none when it has them. */
class JvmFlagsWarningTest {
    private static final String MARK = "Isthmus: add the JVM flags";

    private static String runChild(String... flags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TouchCpuBackendTwice.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        return log;
    }

    private static long warnings(String log) {
        return log.lines().filter(l -> l.contains(MARK)).count();
    }

    @Test
    void withoutTheVectorModuleOneWarningNamesTheFlagToAdd() throws Exception {
        String log = runChild("--enable-native-access=ALL-UNNAMED");
        assertEquals(1, warnings(log), log);
        String line = log.lines().filter(l -> l.contains(MARK)).findFirst().orElseThrow();
        assertTrue(line.startsWith("WARNING") && line.contains("--add-modules jdk.incubator.vector")
                && !line.contains("--enable-native-access"), line);
    }

    @Test
    void withoutEitherFlagTheWarningNamesBoth() throws Exception {
        String log = runChild();
        assertEquals(1, warnings(log), log);
        assertTrue(log.contains("add the JVM flags --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"), log);
    }

    @Test
    void withBothFlagsThereIsNoWarning() throws Exception {
        String log = runChild("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED");
        assertEquals(0, warnings(log), log);
        assertTrue(log.contains("missing: []"), log);
    }
}
