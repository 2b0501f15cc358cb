package dev.isthmus.nn.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file all at once: readers see the old contents or the new, never a mix, and a crash
 * at any moment leaves the old file in place. Every Isthmus writer (models, checkpoints,
 * tokenizers, WAV files) goes through here.
 *
 * <p>The contents go to {@code .<name>.<pid>-<random>.tmp} in the target's folder (a rename is
 * atomic only within one file system), are flushed to disk, and the temporary file is renamed over
 * the target. The temporary file is created as any new file would be, so the result has the
 * permissions the user's umask gives (or the old file's, when one is replaced) rather than the
 * 0600 of {@link Files#createTempFile}. A write that fails removes its temporary file; one left
 * behind by a killed process is removed by the next write of the same target.
 */
public final class AtomicFiles {
    private static final String SUFFIX = ".tmp";
    private static final long PID = ProcessHandle.current().pid();
    /** Temporary files this process is writing now, which a concurrent write of the same target must leave alone. */
    private static final Set<Path> IN_PROGRESS = ConcurrentHashMap.newKeySet();

    private AtomicFiles() {
    }

    /** Writes a file's contents to the stream it is given; closing that stream is allowed and harmless. */
    @FunctionalInterface
    public interface Contents {
        /**
         * Writes the whole contents to {@code out} (a stream into the temporary file).
         * @throws IOException if writing fails; the target is then left as it was
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Replaces {@code target} with what {@code contents} writes, creating missing parent folders. */
    public static void write(Path target, Contents contents) throws IOException {
        Path file = target.toAbsolutePath();
        Path dir = file.getParent();
        Files.createDirectories(dir);
        removeStaleTemporaries(file);
        Path tmp = dir.resolve(temporaryName(file, ThreadLocalRandom.current().nextLong() >>> 1));
        IN_PROGRESS.add(tmp);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                contents.writeTo(new FlushOnClose(out));
                out.flush();
                ch.force(true);
            }
            keepPermissionsOf(file, tmp);
            move(tmp, file);
            syncFolder(dir);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        } finally {
            IN_PROGRESS.remove(tmp);
        }
    }

    /** Writes {@code bytes} to {@code target} atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** The temporary files of {@code target} that a write may leave: {@code .<name>.<pid>-<n>.tmp}. */
    static boolean isTemporaryOf(Path file, String candidate) {
        String prefix = "." + file.getFileName() + ".";
        if (!candidate.startsWith(prefix) || !candidate.endsWith(SUFFIX)) {
            return false;
        }
        String middle = candidate.substring(prefix.length(), candidate.length() - SUFFIX.length());
        return middle.matches("[0-9]+-[0-9]+");
    }

    static String temporaryName(Path file, long unique) {
        return "." + file.getFileName() + "." + PID + "-" + unique + SUFFIX;
    }

    /**
     * Deletes temporary files of {@code file} whose writer is gone: another process that no longer
     * runs, or this process when no write of it is under way.
     */
    private static void removeStaleTemporaries(Path file) throws IOException {
        DirectoryStream.Filter<Path> ofFile = p -> isTemporaryOf(file, p.getFileName().toString());
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(file.getParent(), ofFile)) {
            for (Path p : ds) {
                if (writerIsGone(file, p)) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        // a temporary file we cannot remove does not stop this write
                    }
                }
            }
        }
    }

    private static boolean writerIsGone(Path file, Path tmp) {
        String name = tmp.getFileName().toString();
        String middle = name.substring(file.getFileName().toString().length() + 2, name.length() - SUFFIX.length());
        long pid;
        try {
            pid = Long.parseLong(middle.substring(0, middle.indexOf('-')));
        } catch (NumberFormatException e) {
            return true;
        }
        if (pid == PID) {
            return !IN_PROGRESS.contains(tmp);
        }
        return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }

    /** A replaced file keeps its mode, as it would if it were rewritten in place. */
    private static void keepPermissionsOf(Path file, Path tmp) throws IOException {
        PosixFileAttributeView old = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (old == null) {
            return;
        }
        try {
            var perms = old.readAttributes().permissions();
            Files.getFileAttributeView(tmp, PosixFileAttributeView.class).setPermissions(perms);
        } catch (NoSuchFileException e) {
            // nothing is replaced: the new file keeps the umask's permissions
        }
    }

    private static void move(Path tmp, Path file) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename itself durable; folders cannot be opened for syncing on every platform. */
    private static void syncFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // the contents are on disk; only the rename may be replayed after a power cut
        }
    }

    /** Lets writers that close their stream (Jackson, ImageIO) do so before the file is synced. */
    private static final class FlushOnClose extends FilterOutputStream {
        FlushOnClose(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
