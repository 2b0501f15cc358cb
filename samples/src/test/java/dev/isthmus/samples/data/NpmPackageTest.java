package dev.isthmus.samples.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No test here runs npm or touches the network: tarballs are made and placed in the cache by hand. */
class NpmPackageTest {

    /** A package name that does not exist on the registry: any download attempt would fail. */
    private static final String NAME = "isthmus-no-such-package";

    /** Writes a gzip-compressed tar with the given entries (name → content; a name ending in / is a folder). */
    private static void tarball(Path file, Map<String, String> entries) throws IOException {
        Files.createDirectories(file.getParent());
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(
                new GzipCompressorOutputStream(Files.newOutputStream(file)))) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                byte[] bytes = e.getValue().getBytes(StandardCharsets.UTF_8);
                if (!e.getKey().endsWith("/")) {
                    entry.setSize(bytes.length);
                }
                tar.putArchiveEntry(entry);
                if (!e.getKey().endsWith("/")) {
                    tar.write(bytes);
                }
                tar.closeArchiveEntry();
            }
        }
    }

    @Test
    void extractsMembersFromTheKeptTarballWithChecksumsAndIsIdempotent(@TempDir Path tmp) throws IOException {
        NpmPackage pkg = new NpmPackage(new DatasetCache(tmp), NAME, "1.2.3");
        assertEquals(tmp.resolve("npm/isthmus-no-such-package/1.2.3"), pkg.folder());
        assertNull(pkg.keptArchive());
        Path tgz = pkg.folder().resolve(NAME + "-1.2.3.tgz");
        tarball(tgz, Map.of("package/", "", "package/package.json", "{}",
                "package/test/fixtures/a.json", "[1]", "package/test/fixtures/b.json", "[2]"));
        assertEquals(tgz, pkg.keptArchive());
        List<String> members = List.of("test/fixtures/a.json", "/test/fixtures/b.json");
        assertFalse(pkg.isExtracted(members));

        Map<String, Path> files = pkg.extract(members);
        Path a = files.get("test/fixtures/a.json");
        assertEquals(pkg.folder().resolve("files/test/fixtures/a.json"), a);
        assertEquals("[1]", Files.readString(a));
        assertEquals("[2]", Files.readString(files.get("/test/fixtures/b.json")));
        assertEquals(DebianPackage.sha256(a) + "  a.json\n", Files.readString(DebianPackage.checksumFile(a)));
        assertTrue(pkg.isExtracted(members));

        // Once extracted, the tarball is no longer needed: nothing is read or run.
        Files.delete(tgz);
        assertEquals(files, pkg.extract(members));
        try (var left = Files.list(pkg.folder())) {
            assertEquals(List.of("files"), left.map(p -> p.getFileName().toString()).toList(), "no temporary folders left");
        }
    }

    @Test
    void tamperedFileIsReExtractedFromTheKeptTarball(@TempDir Path tmp) throws IOException {
        NpmPackage pkg = new NpmPackage(new DatasetCache(tmp), NAME, "1.0.0");
        tarball(pkg.folder().resolve("x.tgz"), Map.of("package/data.txt", "original"));
        Path local = pkg.extract(List.of("data.txt")).get("data.txt");
        Files.writeString(local, "tampered");
        assertFalse(pkg.isExtracted(List.of("data.txt")));
        pkg.extract(List.of("data.txt"));
        assertEquals("original", Files.readString(local));
    }

    @Test
    void missingMemberNamesThePackageAndWhatTheTarballHolds(@TempDir Path tmp) throws IOException {
        NpmPackage pkg = new NpmPackage(new DatasetCache(tmp), NAME, "1.0.0");
        tarball(pkg.folder().resolve("x.tgz"), Map.of("package/present.json", "{}"));
        DatasetUnavailableException e = assertThrows(DatasetUnavailableException.class,
                () -> pkg.extract(List.of("absent.json")));
        assertEquals(NAME + "@1.0.0", e.packageName());
        assertTrue(e.getMessage().contains("absent.json") && e.getMessage().contains("present.json")
                && e.getMessage().contains("tar tzf"), e.getMessage());
    }

    @Test
    void memberNamesDropTheTopFolderAndRejectEscapes() {
        assertEquals("test/fixtures/imdb.json", NpmPackage.memberName("package/test/fixtures/imdb.json"));
        assertEquals("index.js", NpmPackage.memberName("./package/index.js"));
        assertEquals("index.js", NpmPackage.memberName("node/index.js"), "some old tarballs use another top folder");
        assertNull(NpmPackage.memberName("package/"));
        assertNull(NpmPackage.memberName("README"));
        assertNull(NpmPackage.memberName("package/../../etc/passwd"));
    }

    @Test
    void packCommandAndValidation(@TempDir Path tmp) {
        DatasetCache cache = new DatasetCache(tmp);
        NpmPackage pkg = new NpmPackage(cache, "sentiment", "5.0.2");
        assertEquals("sentiment@5.0.2", pkg.spec());
        assertEquals(List.of("npm", "pack", "sentiment@5.0.2", "--ignore-scripts", "--loglevel=warn"), pkg.packCommand());
        assertEquals(tmp.resolve("npm/@types+node/20.1.0"), new NpmPackage(cache, "@types/node", "20.1.0").folder());
        assertThrows(IllegalArgumentException.class, () -> new NpmPackage(cache, "--registry=http://x", "1.0.0"));
        assertThrows(IllegalArgumentException.class, () -> new NpmPackage(cache, "Upper", "1.0.0"));
        assertThrows(IllegalArgumentException.class, () -> new NpmPackage(cache, "../x", "1.0.0"));
        assertThrows(IllegalArgumentException.class, () -> new NpmPackage(cache, "sentiment", "^5.0.0"));
        assertThrows(IllegalArgumentException.class, () -> new NpmPackage(cache, "sentiment", "latest"));
        assertThrows(IllegalArgumentException.class, () -> pkg.localPath("../../etc/passwd"));
    }
}
