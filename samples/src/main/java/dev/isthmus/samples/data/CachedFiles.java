package dev.isthmus.samples.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Placing, checking and removing files in the dataset cache: atomic moves, best-effort deletes,
 * and SHA-256 checksum files in {@code sha256sum} format ({@code HEX  NAME}) kept next to the
 * files they describe.
 */
final class CachedFiles {

    private CachedFiles() {
    }

    /**
     * A member path inside a package ({@code /usr/share/x}, {@code ./x}, {@code x}) as a
     * normalised relative path with forward slashes.
     *
     * @throws IllegalArgumentException when it is empty or leaves the package
     */
    static String memberPath(String member) {
        Objects.requireNonNull(member, "member");
        String m = member.strip();
        while (m.startsWith("./")) {
            m = m.substring(2);
        }
        while (m.startsWith("/")) {
            m = m.substring(1);
        }
        Path p = Path.of(m).normalize();
        String s = p.toString().replace('\\', '/');
        if (s.isEmpty() || s.equals("..") || s.startsWith("../") || p.isAbsolute()) {
            throw new IllegalArgumentException("not a file path inside a package: '" + member + "'");
        }
        return s;
    }

    // ---------------------------------------------------------------- checksums

    /** The checksum file kept next to a file: {@code FILE.sha256}. */
    static Path checksumFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".sha256");
    }

    /** The lower-case hexadecimal SHA-256 of a file's contents. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256Digest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The lower-case hexadecimal SHA-256 of the bytes. */
    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256Digest().digest(bytes));
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /**
     * Whether the file and its checksum file exist and the recorded SHA-256 matches the
     * contents; false when either cannot be read.
     */
    static boolean verified(Path file) {
        Path sum = checksumFile(file);
        if (!Files.isRegularFile(file) || !Files.isRegularFile(sum)) {
            return false;
        }
        try {
            String recorded = Files.readString(sum, StandardCharsets.US_ASCII).strip();
            int space = recorded.indexOf(' ');
            String hex = space < 0 ? recorded : recorded.substring(0, space);
            return hex.equalsIgnoreCase(sha256(file));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Moves {@code src} to {@code dest} (creating its folder), then records its SHA-256 in
     * {@link #checksumFile(Path) dest's checksum file}, itself written to a temporary file and moved.
     */
    static void storeVerified(Path src, Path dest) throws IOException {
        Files.createDirectories(dest.getParent());
        move(src, dest);
        String line = sha256(dest) + "  " + dest.getFileName() + "\n";
        Path sumTmp = dest.resolveSibling(dest.getFileName() + ".sha256.tmp");
        Files.writeString(sumTmp, line, StandardCharsets.US_ASCII);
        move(sumTmp, checksumFile(dest));
    }

    // ---------------------------------------------------------------- moving and deleting

    /**
     * Moves a downloaded file into {@code folder}, keeping its name, after deleting the other
     * files there whose names end with {@code suffix} (earlier downloads); returns its new path.
     */
    static Path replaceDownload(Path download, Path folder, String suffix) throws IOException {
        Path dest = folder.resolve(download.getFileName().toString());
        try (Stream<Path> old = Files.list(folder)) {
            for (Path p : old.filter(p -> p.getFileName().toString().endsWith(suffix)).toList()) {
                if (!p.equals(dest)) {
                    Files.deleteIfExists(p);
                }
            }
        }
        move(download, dest);
        return dest;
    }

    /** Moves a file or folder, atomically where the file system allows, replacing {@code dest}. */
    static void move(Path src, Path dest) throws IOException {
        try {
            Files.move(src, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(src, dest, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes a file if it exists; best effort. */
    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Deletes a folder and everything in it without following links; best effort. */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                    for (Path entry : entries) {
                        deleteTree(entry);
                    }
                }
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // best effort: a leftover temporary folder does no harm
        }
    }
}
