package dev.isthmus.samples.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Fetches a Debian package's {@code .deb} into the dataset cache and extracts chosen member
 * files from it, without installing it.
 *
 * <p>The {@code .deb} is fetched with {@code apt-get download NAME}, run in a temporary folder
 * of the cache, and kept as {@code <cache>/debian/NAME/NAME_VERSION_ARCH.deb}. Members are
 * unpacked with {@code dpkg-deb --fsys-tarfile X.deb | tar -x ./MEMBER...} (the data archive is
 * usually xz- or zstd-compressed, which Java cannot read unaided) into a temporary folder, and only
 * the requested files are moved to {@code <cache>/debian/NAME/files/MEMBER}. Next to each one a
 * {@code MEMBER.sha256} file in {@code sha256sum} format records its SHA-256.
 *
 * <p>Idempotent: when every requested file is present and matches its checksum, nothing is run
 * and the network is not touched. A file with a missing or mismatching checksum is re-extracted
 * from the kept {@code .deb} (downloaded again only if that is absent or unreadable).
 */
public final class DebianPackage extends PackageArchive {

    /** Debian package names: lower-case letters, digits, {@code + - .}; at least two characters. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
    private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration EXTRACT_TIMEOUT = Duration.ofMinutes(5);

    private final DatasetCache cache;
    private final String name;

    /**
     * @param cache the dataset cache
     * @param name  the binary package name, such as {@code python3-sklearn}
     */
    public DebianPackage(DatasetCache cache, String name) {
        this.cache = Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a Debian package name: '" + name + "'");
        }
        this.name = name;
    }

    /** The package name. */
    public String name() {
        return name;
    }

    /** {@code <cache>/debian/NAME}: the kept {@code .deb} and the {@code files} folder. */
    @Override
    public Path folder() {
        return cache.resolveName("debian", name);
    }

    /** The checksum file kept next to an extracted member. */
    public static Path checksumFile(Path file) {
        return CachedFiles.checksumFile(file);
    }

    @Override
    boolean isArchive(String fileName) {
        return fileName.startsWith(name + "_") && fileName.endsWith(".deb");
    }

    @Override
    String label() {
        return name;
    }


    // ---------------------------------------------------------------- download

    @Override
    Path download(List<String> members) {
        Path tmp = cache.tempFolder("download-", "debian", name);
        ExternalCommand command = ExternalCommand.of(List.of("apt-get", "download", name)).in(tmp);
        try {
            ExternalCommand.Outcome out = command.run(DOWNLOAD_TIMEOUT);
            if (out.failure() == null && out.exit() != 0 && out.tail().contains("Unable to locate package")
                    && ExternalCommand.runningAsRoot()) {
                // a fresh machine's package lists may be empty: refresh them once (saying so) and retry
                System.err.println("Debian package " + name + " is not in the package lists; running `apt-get update` and retrying");
                ExternalCommand.of(List.of("apt-get", "update")).in(tmp).run(DOWNLOAD_TIMEOUT);
                out = command.run(DOWNLOAD_TIMEOUT);
            }
            if (!out.succeeded()) {
                throw new DatasetUnavailableException(name, "Cannot download Debian package " + name
                        + ": `" + command + "` (run in a temporary folder under " + folder() + ") " + out.report()
                        + "\nWhat to do: " + downloadAdvice(out.tail(), out.startFailed())
                        + "\n" + manualAdvice(members));
            }
            List<Path> debs;
            try (Stream<Path> files = Files.list(tmp)) {
                debs = files.filter(p -> p.getFileName().toString().endsWith(".deb")).toList();
            }
            if (debs.size() != 1) {
                throw new DatasetUnavailableException(name, "`" + command
                        + "` succeeded but left " + debs.size() + " .deb files in " + tmp
                        + " (expected one): " + debs);
            }
            return CachedFiles.replaceDownload(debs.getFirst(), folder(), ".deb");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the download of " + name + " in " + folder(), e);
        } finally {
            CachedFiles.deleteTree(tmp);
        }
    }

    private String downloadAdvice(String tail, boolean notStarted) {
        if (notStarted) {
            return "apt-get was not found; this loader needs a Debian or Ubuntu system with apt.";
        }
        if (tail.contains("Unable to locate package") || tail.contains("has no installation candidate")
                || tail.contains("Can't select candidate version") || tail.contains("No packages found")) {
            return "the package index does not list " + name + "; run `apt-get update` (as root) first, "
                    + "then retry (and check that the `main` component is enabled in the apt sources).";
        }
        if (tail.contains("Temporary failure resolving") || tail.contains("Could not resolve")
                || tail.contains("Failed to fetch") || tail.contains("Could not connect")
                || tail.contains("unreachable") || tail.contains("Connection timed out")) {
            return "the package mirror could not be reached; check the network or the apt proxy "
                    + "settings and retry.";
        }
        if (tail.contains("Permission denied") || tail.contains("are you root")) {
            return "a permission was refused; choose a writable cache folder (--cache DIR, -D"
                    + DatasetCache.PROPERTY + "=DIR or " + DatasetCache.ENV + "), or check /var/lib/apt/lists.";
        }
        return "read apt-get's message above; `apt-get update` (as root) often helps.";
    }

    private String manualAdvice(List<String> members) {
        StringBuilder sb = new StringBuilder("Alternatively, copy the file(s) from the package by hand to:");
        for (String m : members) {
            Path local = localPath(m);
            sb.append("\n  ").append(local).append("   (then, in that folder: sha256sum ")
                    .append(local.getFileName()).append(" > ").append(checksumFile(local).getFileName())
                    .append(")");
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- extraction


    @Override
    void unpack(Path deb, List<String> members) throws UnreadableArchiveException {
        Path tmp = cache.tempFolder("extract-", "debian", name);
        try {
            List<String> tar = new ArrayList<>(List.of("tar", "-x", "-f", "-", "--no-same-owner"));
            for (String m : members) {
                tar.add("./" + m);
            }
            ExternalCommand command = ExternalCommand.pipeline(
                    List.of(List.of("dpkg-deb", "--fsys-tarfile", deb.toString()), tar)).in(tmp);
            ExternalCommand.Outcome out = command.run(EXTRACT_TIMEOUT);
            if (out.failure() != null) {
                throw new DatasetUnavailableException(name, "Cannot unpack " + deb + ": `" + command + "` "
                        + out.failure() + "\nWhat to do: "
                        + (out.startFailed() ? "install dpkg and tar (Debian or Ubuntu), or copy the files by hand.\n"
                                + manualAdvice(members) : "retry; delete " + deb + " if this persists."));
            }
            if (out.exit(0) != 0) {
                throw new UnreadableArchiveException("`" + command + "`: dpkg-deb exited with status " + out.exit(0)
                        + ":\n" + out.tail(0), null);
            }
            if (out.exit(1) != 0) {
                throw new DatasetUnavailableException(name, "Cannot extract " + members + " from " + deb
                        + ": `" + command + "` (in " + tmp + "): tar exited with status " + out.exit(1) + ":\n"
                        + out.tail(1) + "\nWhat to do: list the package contents with `dpkg-deb -c " + deb
                        + "`; the files may live elsewhere (or in another package) in this release.");
            }
            for (String m : members) {
                Path src = tmp.resolve(m);
                if (Files.isSymbolicLink(src)) {
                    throw new DatasetUnavailableException(name, "Member /" + m + " of " + deb
                            + " is a symbolic link to " + Files.readSymbolicLink(src)
                            + "; ask for the link's target instead.");
                }
                if (!Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS)) {
                    throw new DatasetUnavailableException(name, "Member /" + m + " of " + deb
                            + " is not a regular file (`" + command + "` gave no file at " + src + ").");
                }
                CachedFiles.storeVerified(src, localPath(m));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + members + " of " + name + " into " + folder(), e);
        } finally {
            CachedFiles.deleteTree(tmp);
        }
    }

    // ---------------------------------------------------------------- checksums

    /** The lower-case hexadecimal SHA-256 of a file's contents. */
    public static String sha256(Path file) throws IOException {
        return CachedFiles.sha256(file);
    }
}
