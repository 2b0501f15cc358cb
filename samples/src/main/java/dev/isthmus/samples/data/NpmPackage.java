package dev.isthmus.samples.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Fetches an npm package's tarball into the dataset cache and extracts chosen member files from
 * it, without installing it and without running any Node program.
 *
 * <p>The tarball is fetched with {@code npm pack NAME@VERSION --ignore-scripts}, run in a
 * temporary folder of the cache (npm checks the registry's integrity hash), and kept as
 * {@code <cache>/npm/NAME/VERSION/NAME-VERSION.tgz} (a scoped name {@code @scope/name} becomes the
 * folder {@code @scope+name}). Members are named relative to the tarball's top folder (which npm
 * calls {@code package/}), such as {@code test/fixtures/imdb.json}; they are read with
 * commons-compress and only the requested files are written to
 * {@code <cache>/npm/NAME/VERSION/files/MEMBER}. Next to each one a {@code MEMBER.sha256} file in
 * {@code sha256sum} format records its SHA-256.
 *
 * <p>Idempotent: when every requested file is present and matches its checksum, nothing is run
 * and the network is not touched. A file with a missing or mismatching checksum is re-extracted
 * from the kept tarball (downloaded again only if that is absent or unreadable).
 */
public final class NpmPackage extends PackageArchive {

    /** npm package names: lower case, optionally scoped; no leading dot, dash or underscore. */
    private static final Pattern NAME =
            Pattern.compile("(@[a-z0-9~][a-z0-9._~-]*/)?[a-z0-9~][a-z0-9._~-]*");
    /** An exact semantic version (no ranges or tags, so that the cache is deterministic). */
    private static final Pattern VERSION =
            Pattern.compile("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");
    private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(10);

    private final DatasetCache cache;
    private final String name;
    private final String version;

    /**
     * @param cache   the dataset cache
     * @param name    the package name, such as {@code sentiment} or {@code @scope/name}
     * @param version the exact version, such as {@code 5.0.2}
     */
    public NpmPackage(DatasetCache cache, String name, String version) {
        this.cache = Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        if (!NAME.matcher(name).matches() || name.length() > 214) {
            throw new IllegalArgumentException("not an npm package name: '" + name + "'");
        }
        if (!VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("not an exact package version: '" + version
                    + "' (ranges and tags are not accepted)");
        }
        this.name = name;
        this.version = version;
    }

    /** The package name. */
    public String name() {
        return name;
    }

    /** The package version. */
    public String version() {
        return version;
    }

    /** {@code NAME@VERSION}, as given to {@code npm pack}. */
    public String spec() {
        return name + "@" + version;
    }

    /** {@code <cache>/npm/NAME/VERSION}: the kept tarball and the {@code files} folder. */
    @Override
    public Path folder() {
        return cache.resolveName("npm", folderName(), version);
    }

    private String folderName() {
        return name.replace('/', '+');
    }

    @Override
    boolean isArchive(String fileName) {
        return fileName.endsWith(".tgz");
    }

    @Override
    String label() {
        return spec();
    }


    // ---------------------------------------------------------------- download

    /** The command that fetches the tarball. */
    List<String> packCommand() {
        return List.of("npm", "pack", spec(), "--ignore-scripts", "--loglevel=warn");
    }

    @Override
    Path download(List<String> members) {
        Path tmp = cache.tempFolder("download-", "npm", folderName(), version);
        ExternalCommand command = ExternalCommand.of(packCommand()).in(tmp)
                .with("npm_config_update_notifier", "false").with("npm_config_fund", "false");
        try {
            ExternalCommand.Outcome out = command.run(DOWNLOAD_TIMEOUT);
            if (!out.succeeded()) {
                throw new DatasetUnavailableException(spec(), "Cannot download npm package " + spec()
                        + ": `" + command + "` (run in a temporary folder under " + folder() + ") " + out.report()
                        + "\nWhat to do: " + downloadAdvice(out.tail(), out.startFailed())
                        + "\n" + manualAdvice(members));
            }
            List<Path> tarballs;
            try (Stream<Path> files = Files.list(tmp)) {
                tarballs = files.filter(p -> p.getFileName().toString().endsWith(".tgz")).toList();
            }
            if (tarballs.size() != 1) {
                throw new DatasetUnavailableException(spec(), "`" + command
                        + "` succeeded but left " + tarballs.size() + " .tgz files in " + tmp
                        + " (expected one): " + tarballs + "; its output ends with:\n" + out.tail());
            }
            return CachedFiles.replaceDownload(tarballs.getFirst(), folder(), ".tgz");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the download of " + spec() + " in " + folder(), e);
        } finally {
            CachedFiles.deleteTree(tmp);
        }
    }

    private String downloadAdvice(String tail, boolean notStarted) {
        if (notStarted) {
            return "npm was not found on the PATH; install Node.js and npm (for example "
                    + "`apt-get install npm` as root), then retry.";
        }
        if (tail.contains("E404") || tail.contains("ETARGET") || tail.contains("404 Not Found")
                || tail.contains("No matching version")) {
            return "the registry has no " + spec() + "; check the name and version with `npm view "
                    + name + " versions` (and `npm config get registry`).";
        }
        if (tail.contains("ENOTFOUND") || tail.contains("EAI_AGAIN") || tail.contains("ECONNREFUSED")
                || tail.contains("ETIMEDOUT") || tail.contains("ECONNRESET") || tail.contains("ENETUNREACH")
                || tail.contains("network")) {
            return "the npm registry could not be reached; check the network, the proxy settings "
                    + "(`npm config get proxy`, `npm config get https-proxy`) and `npm config get registry`, "
                    + "then retry.";
        }
        if (tail.contains("CERT") || tail.contains("certificate")) {
            return "the registry's TLS certificate was refused; configure npm's `cafile` for a "
                    + "proxy that intercepts TLS, then retry.";
        }
        if (tail.contains("EINTEGRITY")) {
            return "the downloaded tarball does not match the registry's integrity hash; run "
                    + "`npm cache verify` and retry.";
        }
        if (tail.contains("EACCES") || tail.contains("EPERM") || tail.contains("Permission denied")) {
            return "a permission was refused; check that npm's cache folder (`npm config get cache`, "
                    + "usually ~/.npm) and the dataset cache are writable (choose another with --cache DIR, -D"
                    + DatasetCache.PROPERTY + "=DIR or " + DatasetCache.ENV + ").";
        }
        return "read npm's message above; the full log is in npm's _logs folder (`npm config get cache`).";
    }

    private String manualAdvice(List<String> members) {
        StringBuilder sb = new StringBuilder("Alternatively, on a machine with access to the registry run `npm pack ")
                .append(spec()).append("` and copy the .tgz into ").append(folder())
                .append(", or copy the file(s) from the tarball's package/ folder by hand to:");
        for (String m : members) {
            Path local = localPath(m);
            sb.append("\n  ").append(local).append("   (then, in that folder: sha256sum ")
                    .append(local.getFileName()).append(" > ")
                    .append(CachedFiles.checksumFile(local).getFileName()).append(")");
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- extraction


    @Override
    void unpack(Path tgz, List<String> members) throws UnreadableArchiveException {
        Path tmp = cache.tempFolder("extract-", "npm", folderName(), version);
        try {
            Set<String> wanted = new LinkedHashSet<>(members);
            Set<String> found = new LinkedHashSet<>();
            List<String> seen = new ArrayList<>();
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                    new BufferedInputStream(Files.newInputStream(tgz))))) {
                for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                    String member = memberName(entry.getName());
                    if (member == null) {
                        continue;
                    }
                    if (seen.size() < 20 && !entry.isDirectory()) {
                        seen.add(member);
                    }
                    if (!wanted.contains(member)) {
                        continue;
                    }
                    if (!entry.isFile() || entry.isSymbolicLink() || entry.isLink()) {
                        throw new DatasetUnavailableException(spec(), "Member " + member + " of " + tgz
                                + " is not a regular file" + (entry.isSymbolicLink() || entry.isLink()
                                ? " but a link to " + entry.getLinkName() + "; ask for the link's target instead."
                                : "."));
                    }
                    Path out = tmp.resolve(member);
                    Files.createDirectories(out.getParent());
                    // A later entry of the same name replaces an earlier one, as with tar -x.
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                    found.add(member);
                }
            } catch (IOException | IllegalArgumentException e) {
                throw new UnreadableArchiveException("Cannot read " + tgz + " as a gzip-compressed tar archive: "
                        + e.getMessage(), e);
            }
            List<String> absent = members.stream().filter(m -> !found.contains(m)).toList();
            if (!absent.isEmpty()) {
                throw new DatasetUnavailableException(spec(), "The tarball " + tgz + " of " + spec()
                        + " lacks " + absent + " (member paths are relative to its package/ folder; it holds, "
                        + "among others: " + seen + ").\nWhat to do: list its contents with `tar tzf " + tgz
                        + "`; the files may live elsewhere in this version.");
            }
            for (String m : members) {
                CachedFiles.storeVerified(tmp.resolve(m), localPath(m));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + members + " of " + spec() + " into " + folder(), e);
        } finally {
            CachedFiles.deleteTree(tmp);
        }
    }

    /**
     * The member name of a tar entry: its path without the top folder ({@code package/} in
     * tarballs made by npm), or {@code null} for the top folder itself and for unsafe paths.
     */
    static String memberName(String entryName) {
        String s = entryName.replace('\\', '/');
        while (s.startsWith("./")) {
            s = s.substring(2);
        }
        int slash = s.indexOf('/');
        if (slash < 0 || slash == s.length() - 1) {
            return null;
        }
        try {
            return CachedFiles.memberPath(s.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
