package dev.isthmus.nn.callbacks;

import dev.isthmus.nn.model.Model;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Saves the model ({@link Model#save}: weights and architecture, one file replaced
 * atomically) at the end of every epoch, or with {@code saveBestOnly} only when the monitored value
 * is the best so far, as Keras's {@code ModelCheckpoint}. The path may hold Python-style fields
 * filled from the epoch (counted from 1, as Keras names files) and the epoch's logs:
 * {@code "model-{epoch:02d}-{val_loss:.4f}.safetensors"}. Defaults: monitor "val_loss", mode
 * auto (maximised when the name holds "acc"), every epoch.
 */
public final class ModelCheckpoint implements Callback {
    private static final Pattern FIELD = Pattern.compile("\\{(\\w+)(?::([^}]*))?}");

    private final String filepath;
    private String monitor = "val_loss";
    private boolean saveBestOnly;
    private Mode mode = Mode.AUTO;

    private Model model;
    private boolean lowerIsBetter;
    private double best;

    /** Saves to {@code filepath}, which may hold fields as {@link #ModelCheckpoint(String)} describes. */
    public ModelCheckpoint(Path filepath) {
        this(filepath.toString());
    }

    /**
     * Saves to the path {@code filepath} once its fields are filled in: {@code {epoch}} (from 1, with an optional
     * format such as {@code :02d}) and any log key (such as {@code {val_loss:.4f}}). Missing parent folders are
     * created.
     */
    public ModelCheckpoint(String filepath) {
        this.filepath = filepath;
    }

    /**
     * The log key {@link #saveBestOnly} compares (default "val_loss").
     * @return this callback
     */
    public ModelCheckpoint monitor(String monitor) {
        this.monitor = monitor;
        return this;
    }

    /**
     * With {@code true}, saves only at epochs whose monitored value beats every earlier one (default false: every
     * epoch). An epoch whose logs lack the key saves nothing and logs a warning.
     * @return this callback
     */
    public ModelCheckpoint saveBestOnly(boolean saveBestOnly) {
        this.saveBestOnly = saveBestOnly;
        return this;
    }

    /**
     * Whether the monitored value is best when lowest or highest; {@link Mode#AUTO} (the default) maximises a key
     * holding "acc" and minimises any other.
     * @return this callback
     */
    public ModelCheckpoint mode(Mode mode) {
        this.mode = mode;
        return this;
    }

    @Override
    public void setModel(Model model) {
        this.model = model;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        lowerIsBetter = mode == Mode.MIN || (mode == Mode.AUTO && !(monitor.contains("acc") || monitor.startsWith("fmeasure")));
        best = lowerIsBetter ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        if (saveBestOnly) {
            Double current = Monitored.value("ModelCheckpoint (saveBestOnly)", monitor, logs);
            if (current == null || !(lowerIsBetter ? current < best : current > best)) {
                return;
            }
            best = current;
        }
        model.save(path(epoch, logs));
    }

    /** The file for epoch {@code epoch} (from 0) with its logs. */
    Path path(int epoch, Map<String, Double> logs) {
        Matcher m = FIELD.matcher(filepath);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String key = m.group(1);
            Object value = key.equals("epoch") ? (Object) (epoch + 1) : logs.get(key);
            if (value == null) {
                throw new IllegalArgumentException("ModelCheckpoint path " + filepath + " names {" + key
                        + "}, which is not in the epoch's logs " + logs.keySet() + " (nor \"epoch\")");
            }
            String text = m.group(2) == null ? value.toString() : String.format(Locale.ROOT, "%" + m.group(2), value);
            m.appendReplacement(sb, Matcher.quoteReplacement(text));
        }
        m.appendTail(sb);
        return Path.of(sb.toString());
    }
}
