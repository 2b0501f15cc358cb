package dev.isthmus.samples.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
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
public final class DebianPackage {

    /** Debian package names: lower-case letters, digits, {@code + - .}; at least two characters. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
    private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration EXTRACT_TIMEOUT = Duration.ofMinutes(5);
    private static final int TAIL_LINES = 12;
    private static final int TAIL_CHARS = 2000;

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
    public Path folder() {
        return cache.resolveName("debian", name);
    }

    /** Where the given member is (or will be) extracted: {@code <cache>/debian/NAME/files/MEMBER}. */
    public Path localPath(String member) {
        return folder().resolve("files").resolve(normalise(member));
    }

    /** The checksum file kept next to an extracted member. */
    public static Path checksumFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".sha256");
    }

    /**
     * Whether every member is already extracted and matches its recorded checksum; runs nothing
     * and does not touch the network.
     */
    public boolean isExtracted(List<String> members) {
        for (String member : members) {
            if (!verified(localPath(member))) {
                return false;
            }
        }
        return true;
    }

    /** The kept {@code .deb}, if one has been downloaded. */
    public Path cachedDeb() {
        Path dir = folder();
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(name + "_")
                            && p.getFileName().toString().endsWith(".deb") && Files.isRegularFile(p))
                    .max(Comparator.comparing(p -> p.getFileName().toString()))
                    .orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /**
     * Extracts the given members (paths inside the package, such as
     * {@code /usr/share/doc/x/README}) into the cache, unless they already are, and returns
     * each member's local path, in the order given.
     *
     * @throws DatasetUnavailableException when the package cannot be downloaded or unpacked,
     *                                     or lacks a member
     */
    public Map<String, Path> extract(List<String> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("no members to extract from " + name);
        }
        Map<String, Path> result = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String member : members) {
            String m = normalise(member);
            Path local = localPath(m);
            result.put(member, local);
            if (!verified(local) && !missing.contains(m)) {
                missing.add(m);
            }
        }
        if (missing.isEmpty()) {
            return result;
        }
        Path deb = cachedDeb();
        if (deb != null) {
            try {
                unpack(deb, missing);
                return result;
            } catch (UnreadableDebException e) {
                // A damaged download: fetch it again below.
                deleteQuietly(deb);
            }
        }
        deb = download(missing);
        try {
            unpack(deb, missing);
        } catch (UnreadableDebException e) {
            throw new DatasetUnavailableException(name, e.getMessage()
                    + "\nThe freshly downloaded " + deb + " cannot be read; delete it and retry.");
        }
        return result;
    }

    // ---------------------------------------------------------------- download

    private Path download(List<String> members) {
        Path tmp = cache.tempFolder("download-", "debian", name);
        List<String> command = List.of("apt-get", "download", name);
        try {
            Outcome out = run(List.of(new ProcessBuilder(command)), tmp, DOWNLOAD_TIMEOUT);
            if (out.failure == null && out.exit[0] != 0 && out.tail(0).contains("Unable to locate package") && isRoot()) {
                // a fresh machine's package lists may be empty: refresh them once (saying so) and retry
                System.err.println("Debian package " + name + " is not in the package lists; running `apt-get update` and retrying");
                run(List.of(new ProcessBuilder("apt-get", "update")), tmp, DOWNLOAD_TIMEOUT);
                out = run(List.of(new ProcessBuilder(command)), tmp, DOWNLOAD_TIMEOUT);
            }
            if (out.failure != null || out.exit[0] != 0) {
                String tail = out.tail(0);
                throw new DatasetUnavailableException(name, "Cannot download Debian package " + name
                        + ": `" + String.join(" ", command) + "` (run in a temporary folder under " + folder() + ") "
                        + (out.failure != null ? out.failure : "exited with status " + out.exit[0])
                        + (tail.isEmpty() ? "" : "; its output ends with:\n" + tail)
                        + "\nWhat to do: " + downloadAdvice(tail, out.failure != null && out.startFailed)
                        + "\n" + manualAdvice(members));
            }
            List<Path> debs;
            try (Stream<Path> files = Files.list(tmp)) {
                debs = files.filter(p -> p.getFileName().toString().endsWith(".deb")).toList();
            }
            if (debs.size() != 1) {
                throw new DatasetUnavailableException(name, "`" + String.join(" ", command)
                        + "` succeeded but left " + debs.size() + " .deb files in " + tmp
                        + " (expected one): " + debs);
            }
            Path deb = debs.getFirst();
            Path dest = folder().resolve(deb.getFileName().toString());
            try (Stream<Path> old = Files.list(folder())) {
                for (Path p : old.filter(p -> p.getFileName().toString().endsWith(".deb")).toList()) {
                    if (!p.equals(dest)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            move(deb, dest);
            return dest;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the download of " + name + " in " + folder(), e);
        } finally {
            deleteTree(tmp);
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).strip().split("\\s+");
                    return f.length > 1 && f[1].equals("0"); // effective uid
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
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

    /** {@code dpkg-deb} could not read the {@code .deb}. */
    private static final class UnreadableDebException extends Exception {
        private static final long serialVersionUID = 1L;

        UnreadableDebException(String message) {
            super(message);
        }
    }

    private void unpack(Path deb, List<String> members) throws UnreadableDebException {
        Path tmp = cache.tempFolder("extract-", "debian", name);
        try {
            List<String> dpkg = List.of("dpkg-deb", "--fsys-tarfile", deb.toString());
            List<String> tar = new ArrayList<>(List.of("tar", "-x", "-f", "-", "--no-same-owner"));
            for (String m : members) {
                tar.add("./" + m);
            }
            String shown = String.join(" ", dpkg) + " | " + String.join(" ", tar);
            Outcome out = run(List.of(new ProcessBuilder(dpkg), new ProcessBuilder(tar)), tmp, EXTRACT_TIMEOUT);
            if (out.failure != null) {
                throw new DatasetUnavailableException(name, "Cannot unpack " + deb + ": `" + shown + "` "
                        + out.failure + "\nWhat to do: "
                        + (out.startFailed ? "install dpkg and tar (Debian or Ubuntu), or copy the files by hand.\n"
                                + manualAdvice(members) : "retry; delete " + deb + " if this persists."));
            }
            if (out.exit[0] != 0) {
                throw new UnreadableDebException("`" + shown + "`: dpkg-deb exited with status " + out.exit[0]
                        + ":\n" + out.tail(0));
            }
            if (out.exit[1] != 0) {
                throw new DatasetUnavailableException(name, "Cannot extract " + members + " from " + deb
                        + ": `" + shown + "` (in " + tmp + "): tar exited with status " + out.exit[1] + ":\n"
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
                            + " is not a regular file (`" + shown + "` gave no file at " + src + ").");
                }
                Path dest = localPath(m);
                Files.createDirectories(dest.getParent());
                move(src, dest);
                String line = sha256(dest) + "  " + dest.getFileName() + "\n";
                Path sumTmp = dest.resolveSibling(dest.getFileName() + ".sha256.tmp");
                Files.writeString(sumTmp, line, StandardCharsets.US_ASCII);
                move(sumTmp, checksumFile(dest));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + members + " of " + name + " into " + folder(), e);
        } finally {
            deleteTree(tmp);
        }
    }

    // ---------------------------------------------------------------- checksums

    private static boolean verified(Path file) {
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

    /** The lower-case hexadecimal SHA-256 of a file's contents. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    // ---------------------------------------------------------------- processes

    /** How a run of one process, or of a pipeline, went. */
    private static final class Outcome {
        final int[] exit;
        final String[] stderr;
        String stdout = "";
        String failure;
        boolean startFailed;

        Outcome(int stages) {
            exit = new int[stages];
            stderr = new String[stages];
            Arrays.fill(stderr, "");
        }

        /** The last lines of one stage's error output (the last stage's standard output if it is empty). */
        String tail(int stage) {
            String text = stderr[stage];
            if (text.isBlank() && stage == exit.length - 1) {
                text = stdout;
            }
            List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
            String joined = String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
            return joined.length() > TAIL_CHARS ? "..." + joined.substring(joined.length() - TAIL_CHARS) : joined;
        }
    }

    /**
     * Runs the builders as a pipeline with {@code dir} as working folder; their error output and
     * the last stage's standard output go to files in a sibling folder, read back and deleted.
     */
    private static Outcome run(List<ProcessBuilder> stages, Path dir, Duration timeout) throws IOException {
        Outcome out = new Outcome(stages.size());
        Path logs = Files.createTempDirectory(dir.getParent(), "log-");
        try {
            for (int i = 0; i < stages.size(); i++) {
                ProcessBuilder pb = stages.get(i);
                pb.directory(dir.toFile());
                pb.environment().put("LC_ALL", "C");
                pb.redirectError(logs.resolve("stderr-" + i).toFile());
            }
            stages.getLast().redirectOutput(logs.resolve("stdout").toFile());
            List<Process> processes;
            try {
                processes = stages.size() == 1 ? List.of(stages.getFirst().start())
                        : ProcessBuilder.startPipeline(stages);
            } catch (IOException e) {
                out.failure = "could not be started (" + e.getMessage() + ")";
                out.startFailed = true;
                return out;
            }
            processes.getFirst().getOutputStream().close();
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                for (int i = 0; i < processes.size(); i++) {
                    Process p = processes.get(i);
                    if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        processes.forEach(Process::destroyForcibly);
                        out.failure = "timed out after " + timeout.toSeconds() + " s";
                        break;
                    }
                    out.exit[i] = p.exitValue();
                }
            } catch (InterruptedException e) {
                processes.forEach(Process::destroyForcibly);
                Thread.currentThread().interrupt();
                out.failure = "was interrupted";
            }
            for (int i = 0; i < stages.size(); i++) {
                out.stderr[i] = readQuietly(logs.resolve("stderr-" + i));
            }
            out.stdout = readQuietly(logs.resolve("stdout"));
            return out;
        } finally {
            deleteTree(logs);
        }
    }

    // ---------------------------------------------------------------- files

    private static String normalise(String member) {
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

    private static void move(Path src, Path dest) throws IOException {
        try {
            Files.move(src, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(src, dest, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String readQuietly(Path file) {
        try {
            return file == null || !Files.exists(file) ? "" : Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void deleteTree(Path dir) {
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
