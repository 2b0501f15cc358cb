package dev.isthmus.nn.callbacks;

import dev.isthmus.nn.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes each epoch's logs as a row of a CSV file, as Keras's {@code CSVLogger}: the columns are
 * "epoch" (from 0) and the log keys in sorted order, fixed by the first epoch; a key missing later
 * is written "NA". The file is rewritten atomically after each epoch, so a reader (or a crash)
 * never sees half a row. With {@code append} the rows follow what the file already holds, without
 * a second header.
 */
public final class CSVLogger implements Callback {
    private final Path file;
    private final String separator;
    private final boolean append;
    private final StringBuilder contents = new StringBuilder();
    private List<String> keys;

    /** Writes {@code file} comma-separated, replacing what it held at the start of each {@code fit}. */
    public CSVLogger(Path file) {
        this(file, ",", false);
    }

    /**
     * Writes {@code file} with {@code separator} between cells; with {@code append}, the rows follow the file's
     * current contents (read at the start of training, no second header). A read or write failure is thrown from the
     * callback as an {@link java.io.UncheckedIOException}.
     */
    public CSVLogger(Path file, String separator, boolean append) {
        this.file = file;
        this.separator = separator;
        this.append = append;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        contents.setLength(0);
        keys = null;
        if (append && Files.exists(file)) {
            try {
                contents.append(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("CSVLogger cannot read " + file + " to append to it", e);
            }
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (keys == null) {
            keys = new ArrayList<>(new TreeSet<>(logs.keySet()));
            if (contents.isEmpty()) {
                contents.append("epoch");
                keys.forEach(k -> contents.append(separator).append(k));
                contents.append('\n');
            }
        }
        contents.append(epoch);
        for (String k : keys) {
            Double v = logs.get(k);
            contents.append(separator).append(v == null ? "NA" : v.toString());
        }
        contents.append('\n');
        try {
            AtomicFiles.write(file, contents.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger cannot write " + file, e);
        }
    }
}
