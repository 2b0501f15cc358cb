package dev.isthmus.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the library search reads from the outside world, gathered in one value so that tests can
 * search a folder of fake files instead of this machine.
 *
 * @param folderProperty value of the system property {@value CudaLibraries#PATH_PROPERTY}, if set
 * @param environment    the process environment ({@value CudaLibraries#PATH_VARIABLE},
 *                       LD_LIBRARY_PATH, PATH, VIRTUAL_ENV, CONDA_PREFIX, HOME)
 * @param root           the file-system root the fixed places (/usr/local/cuda*, ...) are taken under
 * @param ldconfigCache  library paths listed by the dynamic linker's cache ({@code ldconfig -p})
 */
public record SearchEnvironment(Optional<String> folderProperty, Map<String, String> environment, Path root,
                                Supplier<List<Path>> ldconfigCache) {

    /** This process's environment, with the ldconfig cache read lazily from {@code ldconfig -p}. */
    public static SearchEnvironment ofThisProcess() {
        return new SearchEnvironment(Optional.ofNullable(System.getProperty(CudaLibraries.PATH_PROPERTY)),
                System.getenv(), Path.of("/"), SearchEnvironment::readLdconfigCache);
    }

    static List<Path> readLdconfigCache() {
        for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig")) {
            try {
                Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    continue;
                }
                return parseLdconfig(out);
            } catch (IOException e) {
                // not at this path; try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
        return List.of();
    }

    /** Parses {@code ldconfig -p} lines such as {@code libcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1}. */
    static List<Path> parseLdconfig(String output) {
        List<Path> paths = new ArrayList<>();
        for (String line : output.split("\n")) {
            int arrow = line.indexOf("=>");
            if (arrow > 0) {
                paths.add(Path.of(line.substring(arrow + 2).trim()));
            }
        }
        return paths;
    }
}
