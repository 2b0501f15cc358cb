package dev.isthmus.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CudaLibrariesSearchTest {
    @TempDir
    Path root;

    private Path folder(String relative) throws IOException {
        return Files.createDirectories(root.resolve(relative));
    }

    private Path fake(String relative) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, "not a shared object");
    }

    private SearchEnvironment environment(Map<String, String> env, List<Path> ldconfig, String property) {
        return new SearchEnvironment(Optional.ofNullable(property), env, root, () -> ldconfig);
    }

    @Test
    void foldersAreSearchedInTheDocumentedOrder() throws IOException {
        Path prop = folder("prop");
        Path var = folder("var");
        Path ld = folder("ld");
        Path cached = fake("cache/libcuda.so.1");
        folder("usr/local/cuda/lib64");
        folder("usr/local/cuda-12.4/lib64");
        folder("usr/local/cuda-13.0/lib64");
        folder("usr/local/cuda-12.10/lib64");
        folder("usr/local/nvidia/lib64");
        Path venv = folder("venv");
        folder("venv/lib/python3.12/site-packages/nvidia/cublas/lib");
        folder("venv/lib/python3.12/site-packages/nvidia/cudnn/lib");
        folder("usr/lib/x86_64-linux-gnu");

        List<SearchPlace> places = CudaLibraries.places(CudaLibrary.DRIVER, environment(Map.of(
                CudaLibraries.PATH_VARIABLE, var.toString(),
                "LD_LIBRARY_PATH", ld + ":" + var,
                "VIRTUAL_ENV", venv.toString()), List.of(cached, root.resolve("elsewhere/libz.so.1")), prop.toString()));

        List<Path> expected = List.of(prop, var, ld, cached.getParent(),
                root.resolve("usr/local/cuda/lib64"), root.resolve("usr/local/cuda-13.0/lib64"),
                root.resolve("usr/local/cuda-12.10/lib64"), root.resolve("usr/local/cuda-12.4/lib64"),
                root.resolve("usr/local/nvidia/lib64"), root.resolve("usr/local/nvidia/lib"),
                venv.resolve("lib/python3.12/site-packages/nvidia/cublas/lib"),
                venv.resolve("lib/python3.12/site-packages/nvidia/cudnn/lib"),
                root.resolve("usr/lib/x86_64-linux-gnu"));
        List<Path> actual = places.stream().map(SearchPlace::folder).toList();
        assertEquals(expected, actual.subList(0, expected.size()), "search order");
        assertEquals("environment variable " + CudaLibraries.PATH_VARIABLE, places.get(1).rule());
        assertEquals("ldconfig cache", places.get(3).rule());
        assertTrue(places.get(10).rule().contains("nvidia/cublas"), places.get(10).rule());
        assertEquals(actual.size(), Set.copyOf(actual).size(), "a folder named twice is searched once");
    }

    @Test
    void aFileTheLoaderRefusesIsRecordedAndTheSearchGoesOn() throws IOException {
        Path refused = fake("var/libcuda.so.1");
        Path good = fake("usr/local/cuda/lib64/libcuda.so.1");
        List<Path> loaded = new ArrayList<>();
        CudaLibraries libs = CudaLibraries.search(environment(Map.of(CudaLibraries.PATH_VARIABLE,
                refused.getParent().toString()), List.of(), null), file -> {
                    if (file.equals(refused)) {
                        throw new UnsatisfiedLinkError(file + ": invalid ELF header");
                    }
                    loaded.add(file);
                });

        LibraryStatus driver = libs.status(CudaLibrary.DRIVER);
        assertEquals(Optional.of(good), driver.loadedFrom());
        assertTrue(driver.attempts().get(0).outcome().contains("invalid ELF header"), driver.describe());
        assertEquals(List.of(good), loaded);
        assertFalse(libs.isLoaded(CudaLibrary.CUDNN));
    }

    @Test
    void cublasIsTakenWithTheMajorVersionOfTheCublasLtThatLoaded() throws IOException {
        fake("pkgs/libcublasLt.so.12");
        fake("pkgs/libcublas.so.13");
        Path twelve = fake("pkgs/libcublas.so.12");
        CudaLibraries libs = CudaLibraries.search(environment(Map.of("LD_LIBRARY_PATH",
                root.resolve("pkgs").toString()), List.of(), null), file -> { });
        assertEquals(Optional.of(twelve), libs.status(CudaLibrary.CUBLAS).loadedFrom());
    }

    @Test
    void cudnnSubLibrariesLoadFromItsFolderBeforeIt() throws IOException {
        Path ops = fake("cudnn/lib/libcudnn_ops.so.9");
        Path graph = fake("cudnn/lib/libcudnn_graph.so.9");
        Path adv = fake("cudnn/lib/libcudnn_adv.so.9");
        Path main = fake("cudnn/lib/libcudnn.so.9");
        List<Path> order = new ArrayList<>();
        CudaLibraries libs = CudaLibraries.search(environment(Map.of(), List.of(), main.getParent().toString()),
                file -> {
                    if (file.equals(adv)) {
                        throw new UnsatisfiedLinkError("libnvrtc.so.12: cannot open shared object file");
                    }
                    order.add(file);
                });
        assertEquals(List.of(graph, ops, main), order);
        LibraryStatus cudnn = libs.status(CudaLibrary.CUDNN);
        assertTrue(cudnn.loaded());
        assertTrue(cudnn.describe().contains("libcudnn_adv.so.9 did not load"), cudnn.describe());
    }

    @Test
    void absenceNamesEveryPlaceLookedIn() throws IOException {
        Path empty = folder("empty");
        CudaLibraries libs = CudaLibraries.search(environment(Map.of("LD_LIBRARY_PATH",
                empty + ":" + root.resolve("missing")), List.of(), null), file -> { });
        String report = libs.status(CudaLibrary.DRIVER).describe();
        assertTrue(report.startsWith("CUDA driver: not loaded; looked for libcuda.so.1 or libcuda.so in:"), report);
        assertTrue(report.contains(empty + " (LD_LIBRARY_PATH): no libcuda.so.1 or libcuda.so there"), report);
        assertTrue(report.contains(root.resolve("missing") + " (LD_LIBRARY_PATH): no such folder"), report);
        assertTrue(report.contains(root.resolve("usr/local/nvidia/lib64").toString()), report);

        CudaUnavailableException e = org.junit.jupiter.api.Assertions.assertThrows(CudaUnavailableException.class,
                () -> libs.require(CudaLibrary.DRIVER, CudaLibrary.CUDNN));
        assertEquals(2, e.missing().size());
        assertTrue(e.getMessage().contains(CudaLibraries.PATH_PROPERTY), e.getMessage());
    }

    @Test
    void theSystemLoaderRefusingAFakeFileIsReportedWithItsMessage() throws IOException {
        Path fake = fake("fake/libcuda.so.1");
        CudaLibraries libs = CudaLibraries.search(environment(Map.of(CudaLibraries.PATH_VARIABLE,
                fake.getParent().toString()), List.of(), null), file -> System.load(file.toString()));
        LibraryStatus driver = libs.status(CudaLibrary.DRIVER);
        assertFalse(driver.loaded());
        String outcome = driver.attempts().get(0).outcome();
        assertTrue(outcome.startsWith("found libcuda.so.1 but the loader refused it: "), outcome);
        assertTrue(outcome.contains(fake.toString()), outcome);
    }

    @Test
    void ldconfigOutputIsParsedIntoPaths() {
        String out = """
                2 libs found in cache `/etc/ld.so.cache'
                \tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1
                \tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1
                """;
        assertEquals(List.of(Path.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1"), Path.of("/lib/x86_64-linux-gnu/libz.so.1")),
                SearchEnvironment.parseLdconfig(out));
    }

    @Test
    void searchingThisMachineNeverThrows() {
        CudaLibraries libs = CudaLibraries.system();
        for (CudaLibrary library : CudaLibrary.values()) {
            LibraryStatus status = libs.status(library);
            assertTrue(status.loaded() || !status.attempts().isEmpty(), status.describe());
        }
        assertFalse(libs.report().isBlank());
    }
}
