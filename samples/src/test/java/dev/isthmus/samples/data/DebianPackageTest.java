package dev.isthmus.samples.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebianPackageTest {

    private static final String MEMBER = "/usr/share/doc/fake/data.txt";

    /** Places a member by hand, as a previous extraction would have, with its checksum file. */
    private static Path place(DebianPackage pkg, String content) throws IOException {
        Path local = pkg.localPath(MEMBER);
        Files.createDirectories(local.getParent());
        Files.writeString(local, content);
        Files.writeString(DebianPackage.checksumFile(local),
                DebianPackage.sha256(local) + "  " + local.getFileName() + "\n");
        return local;
    }

    @Test
    void extractRunsNothingWhenFilesMatchTheirChecksums(@TempDir Path tmp) throws IOException {
        // The package does not exist: any download attempt would throw.
        DebianPackage pkg = new DebianPackage(new DatasetCache(tmp), "isthmus-no-such-package");
        Path local = place(pkg, "hello\n");
        assertTrue(pkg.isExtracted(List.of(MEMBER)));
        Map<String, Path> files = pkg.extract(List.of(MEMBER));
        assertEquals(local, files.get(MEMBER));
        assertEquals(tmp.resolve("debian/isthmus-no-such-package/files/usr/share/doc/fake/data.txt"), local);
    }

    @Test
    void fileWhoseContentNoLongerMatchesItsChecksumIsNotExtracted(@TempDir Path tmp) throws IOException {
        DebianPackage pkg = new DebianPackage(new DatasetCache(tmp), "isthmus-no-such-package");
        Path local = place(pkg, "hello\n");
        Files.writeString(local, "tampered\n");
        assertFalse(pkg.isExtracted(List.of(MEMBER)));
        Files.delete(DebianPackage.checksumFile(local));
        Files.writeString(local, "hello\n");
        assertFalse(pkg.isExtracted(List.of(MEMBER)), "a file without a checksum file is not trusted");
    }

    @Test
    void checksumIsTheSha256OfTheContents(@TempDir Path tmp) throws IOException {
        Path f = Files.writeString(tmp.resolve("abc"), "abc");
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", DebianPackage.sha256(f));
    }

    @Test
    void rejectsBadPackageNamesAndMembersOutsideThePackage(@TempDir Path tmp) {
        DatasetCache cache = new DatasetCache(tmp);
        assertThrows(IllegalArgumentException.class, () -> new DebianPackage(cache, "-o Debug=1"));
        assertThrows(IllegalArgumentException.class, () -> new DebianPackage(cache, "Upper"));
        DebianPackage pkg = new DebianPackage(cache, "fine-name2.0+x");
        assertThrows(IllegalArgumentException.class, () -> pkg.localPath("../../etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> pkg.localPath("/"));
    }
}
