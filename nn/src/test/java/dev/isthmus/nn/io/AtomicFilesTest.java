package dev.isthmus.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    /** The mode a file created the ordinary way gets in {@code dir} under this process's umask. */
    static Set<PosixFilePermission> ordinaryPermissions(Path dir) throws IOException {
        Path plain = dir.resolve("ordinary-file");
        try (OutputStream out = Files.newOutputStream(plain)) {
            out.write(1);
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(plain);
        Files.delete(plain);
        return perms;
    }

    /** A temporary file as a killed writer would leave it: its process id no longer runs. */
    static Path staleTemporaryOf(Path target) throws IOException, InterruptedException {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path stale = target.resolveSibling("." + target.getFileName() + "." + gone.pid() + "-42.tmp");
        Files.write(stale, new byte[] {1, 2, 3});
        return stale;
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writtenFileGetsTheUmaskPermissionsOfAnOrdinaryFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.bin");
        AtomicFiles.write(file, new byte[] {7});
        assertEquals(ordinaryPermissions(dir), Files.getPosixFilePermissions(file));
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(file));
    }

    @Test
    void replacedFileKeepsItsPermissions(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.bin");
        Files.write(file, new byte[] {1});
        Set<PosixFilePermission> mode = PosixFilePermissions.fromString("rw-r-----");
        Files.setPosixFilePermissions(file, mode);
        AtomicFiles.write(file, new byte[] {2});
        assertEquals(mode, Files.getPosixFilePermissions(file));
        assertArrayEquals(new byte[] {2}, Files.readAllBytes(file));
    }

    @Test
    void staleTemporaryOfADeadWriterIsRemovedByTheNextWrite(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.safetensors");
        Path stale = staleTemporaryOf(file);
        Path ours = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "-7.tmp");
        Files.write(ours, new byte[] {1});
        Path otherTarget = dir.resolve(".other.safetensors." + ProcessHandle.current().pid() + "-7.tmp");
        Files.write(otherTarget, new byte[] {1});
        AtomicFiles.write(file, new byte[] {1});
        assertEquals(List.of(otherTarget.getFileName().toString(), "model.safetensors"), names(dir));
    }

    @Test
    void failedWriteLeavesNoTemporaryAndKeepsTheOldFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.bin");
        Files.write(file, new byte[] {1, 2});
        IOException full = new IOException("No space left on device");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
            out.write(new byte[1000]);
            throw full;
        }));
        assertEquals(full, thrown);
        assertEquals(List.of("a.bin"), names(dir));
        assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(file));
    }

    @Test
    void writeOverAFolderFailsAndLeavesNoTemporary(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.bin");
        Files.createDirectories(file.resolve("inside"));
        assertThrows(IOException.class, () -> AtomicFiles.write(file, new byte[] {1}));
        assertEquals(List.of("a.bin"), names(dir));
    }

    @Test
    void temporaryNamesAreRecognisedForTheirTargetOnly() {
        Path file = Path.of("/x/model.safetensors");
        assertTrue(AtomicFiles.isTemporaryOf(file, AtomicFiles.temporaryName(file, 123)));
        assertTrue(!AtomicFiles.isTemporaryOf(file, ".model.safetensors.bak"));
        assertTrue(!AtomicFiles.isTemporaryOf(file, AtomicFiles.temporaryName(Path.of("/x/model"), 1)));
    }
}
