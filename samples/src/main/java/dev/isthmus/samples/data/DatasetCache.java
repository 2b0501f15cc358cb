package dev.isthmus.samples.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The folder where samples keep downloaded datasets.
 *
 * <p>Resolved, first match wins, from: the {@code --cache} command-line option value, the
 * system property {@value #PROPERTY}, the environment variable {@value #ENV}, and finally
 * {@code ~/.cache/isthmus}. A leading {@code ~} is expanded to the user's home folder.
 *
 * @param root the absolute, normalised cache folder (not necessarily existing yet)
 */
public record DatasetCache(Path root) {

    /** System property naming the cache folder. */
    public static final String PROPERTY = "isthmus.cache";
    /** Environment variable naming the cache folder. */
    public static final String ENV = "ISTHMUS_CACHE";

    public DatasetCache {
        Objects.requireNonNull(root, "root");
        root = root.toAbsolutePath().normalize();
    }

    /**
     * Resolves the cache folder from the option value (may be {@code null} or blank when the
     * option was not given), the system property, the environment, and the default.
     */
    public static DatasetCache resolve(String optionValue) {
        return resolve(optionValue, System::getProperty, System::getenv);
    }

    /**
     * As {@link #resolve(String)}, reading system properties and environment variables
     * through the given look-ups (for tests).
     */
    public static DatasetCache resolve(String optionValue, UnaryOperator<String> properties,
                                       UnaryOperator<String> environment) {
        String home = properties.apply("user.home");
        for (String candidate : new String[] {
                optionValue, properties.apply(PROPERTY), environment.apply(ENV)}) {
            if (candidate != null && !candidate.isBlank()) {
                return new DatasetCache(expandHome(candidate.strip(), home));
            }
        }
        if (home == null || home.isBlank()) {
            throw new IllegalStateException("cannot place the dataset cache: user.home is not set;"
                    + " pass --cache DIR, -D" + PROPERTY + "=DIR or set " + ENV);
        }
        return new DatasetCache(Path.of(home, ".cache", "isthmus"));
    }

    private static Path expandHome(String value, String home) {
        if (home != null && (value.equals("~") || value.startsWith("~/"))) {
            return Path.of(home + value.substring(1));
        }
        return Path.of(value);
    }

    /**
     * The path of a subfolder of the cache, such as {@code subfolder("debian", "python3-sklearn")};
     * created (with its parents) if absent. Each name must be one plain path element.
     */
    public Path subfolder(String... names) {
        Path dir = resolveName(names);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create cache folder " + dir
                    + " (choose another with --cache DIR, -D" + PROPERTY + "=DIR or " + ENV + ")", e);
        }
        return dir;
    }

    /** The path of a subfolder of the cache, without creating it. */
    public Path resolveName(String... names) {
        Path dir = root;
        for (String name : names) {
            if (name == null || name.isEmpty() || name.equals(".") || name.equals("..")
                    || name.indexOf('/') >= 0 || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("not a plain folder name: '" + name + "'");
            }
            dir = dir.resolve(name);
        }
        return dir;
    }

    /**
     * A fresh, empty, uniquely named folder inside {@code subfolder(names)}, for work in progress
     * (downloads, extraction) that is later moved into place. The caller deletes it.
     */
    public Path tempFolder(String prefix, String... names) {
        Path parent = subfolder(names);
        try {
            return Files.createTempDirectory(parent, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder in " + parent, e);
        }
    }
}
