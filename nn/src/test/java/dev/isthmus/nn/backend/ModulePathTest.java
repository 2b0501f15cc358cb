package dev.isthmus.nn.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * On the module path, {@code dev.isthmus.nn} brings {@code jdk.incubator.vector} with it: a JVM
 * given no {@code --add-modules jdk.incubator.vector} still runs the vector GEMM and warns of
 * nothing once native access is granted to {@code dev.isthmus.cuda}.
 */
class ModulePathTest {

    @Test
    void theNnModuleBringsTheVectorApiWithoutFlags() throws Exception {
        List<String> entries = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        String modulePath = entries.stream()
                .filter(e -> e.matches(".*(native-bindings|kernels|nn)[/\\\\]target[/\\\\]classes.*") || e.contains("isthmus-native-bindings")
                        || e.contains("isthmus-kernels") || e.contains("jackson-core") || e.contains("protobuf-java"))
                .filter(e -> !e.contains("test-classes") && !e.contains("tests.jar"))
                .collect(Collectors.joining(File.pathSeparator));
        String testClasses = entries.stream().filter(e -> e.replace('\\', '/').endsWith("nn/target/test-classes"))
                .findFirst().orElseThrow(() -> new AssertionError("no nn test-classes on " + entries));
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", modulePath, "--add-modules", "dev.isthmus.nn", "--enable-native-access=dev.isthmus.cuda",
                "-cp", testClasses, "modulecheck.ModulePathMain");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), cmd + "\n" + log);
        assertTrue(log.contains("module dev.isthmus.nn"), log);
        assertTrue(log.contains("vectorized true"), log);
        assertTrue(log.contains("missing: []"), log);
        assertTrue(!log.contains("Isthmus: add the JVM flags"), log);
    }
}
