package dev.isthmus.nn.model;

import dev.isthmus.nn.io.Json;
import dev.isthmus.nn.io.SafeTensors;
import dev.isthmus.nn.io.SafeTensorsException;
import dev.isthmus.nn.optim.Optimizer;
import dev.isthmus.nn.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training checkpoint in one safetensors file: the model's weights ("model.0.kernel", ...), the
 * optimizer's state ("optimizer.0.kernel.m", ...) and, in the metadata, the architecture, the
 * number of finished epochs, the optimizer's step count and the history so far. Written
 * atomically (temporary file, then rename), so a crash leaves the previous checkpoint intact.
 */
public final class Checkpoint {
    private static final String MODEL = "model.";
    private static final String OPTIMIZER = "optimizer.";
    /** Metadata: layer index → how far its random stream had advanced (dropout masks drawn). */
    private static final String RANDOM_DRAWS = "isthmus.random_draws";

    private final Model model;
    private final int epochsDone;
    private final History history;
    private final Map<String, Tensor> optimizerState;
    private final long iterations;

    private Checkpoint(Model model, int epochsDone, History history, Map<String, Tensor> optimizerState, long iterations) {
        this.model = model;
        this.epochsDone = epochsDone;
        this.history = history;
        this.optimizerState = optimizerState;
        this.iterations = iterations;
    }

    static void write(Path file, Model model, Optimizer optimizer, int epochsDone, History history) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, Tensor> params = model.namedParameters();
        params.forEach((k, v) -> tensors.put(MODEL + k, v));
        optimizer.state(params).forEach((k, v) -> tensors.put(OPTIMIZER + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(Model.ARCHITECTURE_KEY, Json.write(model.architecture()));
        meta.put("isthmus.epochs_done", Integer.toString(epochsDone));
        meta.put("isthmus.optimizer_iterations", Long.toString(optimizer.iterations()));
        meta.put("isthmus.history", Json.write(history.history()));
        Map<String, Long> draws = new LinkedHashMap<>();
        List<dev.isthmus.nn.layers.Layer> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).randomDraws() != 0) {
                draws.put(Integer.toString(i), layers.get(i).randomDraws());
            }
        }
        meta.put(RANDOM_DRAWS, Json.write(draws));
        SafeTensors.write(file, tensors, meta);
    }

    /** Reads a checkpoint; the model comes back built and loaded, owned by the caller. */
    public static Checkpoint read(Path file) {
        try (SafeTensors.Reader r = SafeTensors.open(file)) {
            for (String k : r.shapes().keySet()) {
                if (!k.startsWith(MODEL) && !k.startsWith(OPTIMIZER)) {
                    throw new SafeTensorsException(file, "tensor \"" + k + "\" is neither model. nor optimizer. state");
                }
            }
            Map<String, String> meta = r.metadata();
            History h;
            int epochsDone;
            long iterations;
            try {
                h = new History();
                Map<?, ?> series = (Map<?, ?>) Json.parse(meta.getOrDefault("isthmus.history", "{}"));
                for (var e : series.entrySet()) {
                    for (Object v : (List<?>) e.getValue()) {
                        h.record(Map.of((String) e.getKey(), ((Number) v).doubleValue()));
                    }
                }
                epochsDone = Integer.parseInt(meta.get("isthmus.epochs_done"));
                iterations = Long.parseLong(meta.get("isthmus.optimizer_iterations"));
            } catch (IOException | RuntimeException e) {
                throw new SafeTensorsException(file, "checkpoint metadata is unusable: " + e);
            }
            Model model = Model.fromFile(r, MODEL);
            try {
                restoreRandomDraws(file, model, meta.get(RANDOM_DRAWS));
                Map<String, Tensor> optimizerState = new LinkedHashMap<>();
                for (String k : r.shapes().keySet()) {
                    if (k.startsWith(OPTIMIZER)) {
                        optimizerState.put(k.substring(OPTIMIZER.length()), r.tensor(k));
                    }
                }
                return new Checkpoint(model, epochsDone, h, optimizerState, iterations);
            } catch (RuntimeException | Error e) {
                model.close();
                throw e;
            }
        }
    }

    private static void restoreRandomDraws(Path file, Model model, String json) {
        if (json == null) {
            return; // written before random streams were saved: masks restart (as they did then)
        }
        Map<?, ?> draws;
        try {
            draws = (Map<?, ?>) Json.parse(json);
        } catch (IOException | RuntimeException e) {
            throw new SafeTensorsException(file, "checkpoint metadata " + RANDOM_DRAWS + " is unusable: " + e);
        }
        List<dev.isthmus.nn.layers.Layer> layers = model.layers();
        for (var e : draws.entrySet()) {
            int index;
            long count;
            try {
                index = Integer.parseInt((String) e.getKey());
                count = ((Number) e.getValue()).longValue();
            } catch (RuntimeException bad) {
                throw new SafeTensorsException(file, "checkpoint metadata " + RANDOM_DRAWS + " has a bad entry " + e);
            }
            if (index < 0 || index >= layers.size()) {
                throw new SafeTensorsException(file, "checkpoint metadata " + RANDOM_DRAWS + " names layer " + index
                        + " but the model has " + layers.size() + " layers");
            }
            try {
                layers.get(index).restoreRandomDraws(count);
            } catch (IllegalArgumentException bad) {
                throw new SafeTensorsException(file, "checkpoint metadata " + RANDOM_DRAWS + ": layer " + index + ": "
                        + bad.getMessage());
            }
        }
    }

    /** The model rebuilt from the file's architecture with its weights; the caller owns it and must close it. */
    public Model model() {
        return model;
    }

    /** How many epochs had finished when the checkpoint was written; {@code fit} resumes with the next one. */
    public int epochsDone() {
        return epochsDone;
    }

    /** The history of the finished epochs, which a resumed {@code fit} continues. */
    public History history() {
        return history;
    }

    /** Puts the saved moments and step count into a fresh optimizer of the kind that wrote them. */
    public void restoreOptimizer(Optimizer optimizer) {
        optimizer.restore(model.namedParameters(), optimizerState, iterations);
    }
}
