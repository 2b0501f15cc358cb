package dev.isthmus.samples.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCacheTest {

    private static final UnaryOperator<String> NONE = k -> null;

    private static UnaryOperator<String> props(String cache) {
        Map<String, String> m = cache == null ? Map.of("user.home", "/home/u")
                : Map.of("user.home", "/home/u", DatasetCache.PROPERTY, cache);
        return m::get;
    }

    @Test
    void optionWinsOverPropertyAndEnvironment() {
        DatasetCache c = DatasetCache.resolve("/opt/a", props("/opt/b"), k -> "/opt/c");
        assertEquals(Path.of("/opt/a"), c.root());
    }

    @Test
    void propertyWinsOverEnvironmentWhenNoOption() {
        assertEquals(Path.of("/opt/b"), DatasetCache.resolve(null, props("/opt/b"), k -> "/opt/c").root());
        assertEquals(Path.of("/opt/b"), DatasetCache.resolve("  ", props("/opt/b"), k -> "/opt/c").root());
    }

    @Test
    void environmentIsUsedWhenNoOptionOrProperty() {
        UnaryOperator<String> env = k -> k.equals(DatasetCache.ENV) ? "/opt/c" : null;
        assertEquals(Path.of("/opt/c"), DatasetCache.resolve(null, props(null), env).root());
    }

    @Test
    void defaultIsDotCacheIsthmusInTheHomeFolder() {
        assertEquals(Path.of("/home/u/.cache/isthmus"), DatasetCache.resolve(null, props(null), NONE).root());
    }

    @Test
    void leadingTildeMeansTheHomeFolder() {
        assertEquals(Path.of("/home/u/data"), DatasetCache.resolve("~/data", props(null), NONE).root());
    }

    @Test
    void subfolderIsCreatedAndRejectsPathTricks(@TempDir Path tmp) {
        DatasetCache c = new DatasetCache(tmp);
        Path sub = c.subfolder("debian", "pkg");
        assertEquals(tmp.resolve("debian").resolve("pkg"), sub);
        assertTrue(Files.isDirectory(sub));
        assertThrows(IllegalArgumentException.class, () -> c.subfolder(".."));
        assertThrows(IllegalArgumentException.class, () -> c.subfolder("a/b"));
        assertThrows(IllegalArgumentException.class, () -> c.subfolder(""));
    }
}
