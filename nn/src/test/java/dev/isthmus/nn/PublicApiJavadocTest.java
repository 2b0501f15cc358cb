package dev.isthmus.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every public and protected type, constructor, method, field and enum constant of {@code nn} has a doc
 * comment. doclint's "missing" group also asks for every {@code @param} and {@code @return}, which this
 * library's prose comments do not spell out, so the release profile keeps {@code -missing}; this test runs
 * javadoc with the group on and fails on its "no comment" warnings only.
 */
class PublicApiJavadocTest {

    @Test
    void everyPublicElementHasADocComment(@TempDir Path out) throws IOException {
        Path sources = Path.of("src/main/java");
        List<String> args = new ArrayList<>(List.of("-quiet", "-Xdoclint:missing", "-Xmaxwarns", "100000",
                "-d", out.toString(), "--add-modules", "jdk.incubator.vector",
                "--class-path", System.getProperty("java.class.path")));
        try (Stream<Path> files = Files.walk(sources)) {
            // the sources as packages on the class path: the module descriptor would ask for a module path
            files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("module-info.java"))
                    .forEach(f -> args.add(f.toString()));
        }
        StringWriter log = new StringWriter();
        ToolProvider javadoc = ToolProvider.findFirst("javadoc").orElseThrow();
        int rc;
        try (PrintWriter w = new PrintWriter(log)) {
            rc = javadoc.run(w, w, args.toArray(String[]::new));
        }
        List<String> undocumented = log.toString().lines()
                .filter(l -> l.contains("warning: no comment") || l.contains("warning: use of default constructor"))
                .toList();
        assertEquals(0, rc, log.toString());
        assertTrue(undocumented.isEmpty(), undocumented.size() + " public elements without a doc comment:\n"
                + String.join("\n", undocumented));
    }
}
