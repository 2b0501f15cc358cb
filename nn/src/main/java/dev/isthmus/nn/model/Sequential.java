package dev.isthmus.nn.model;

import dev.isthmus.nn.io.Json;
import dev.isthmus.nn.io.SafeTensors;
import dev.isthmus.nn.io.SafeTensorsException;
import dev.isthmus.nn.layers.Input;
import dev.isthmus.nn.layers.Layer;
import dev.isthmus.nn.layers.SymbolicTensor;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Shapes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stack of layers, Keras-style: built on the first call from the input shape, then
 * {@code compile}, {@code fit}, {@code evaluate}, {@code predict}. It is the chain case of
 * {@link Model}: building it calls each layer on the one before, and the model's graph machinery
 * trains, runs and describes it (see {@link Model} for thread safety).
 */
public final class Sequential extends Model {
    static final String ARCHITECTURE_FORMAT = "isthmus.sequential/1";

    private final List<Layer> added = new ArrayList<>();
    private int[] inputShape;

    /**
     * A model named "sequential" of {@code layers}, in order; nothing is built until {@link #build} or the first batch.
     */
    public Sequential(Layer... layers) {
        this("sequential", layers);
    }

    /**
     * A model named {@code name} (used in summaries and error messages) of {@code layers}, in order.
     */
    public Sequential(String name, Layer... layers) {
        super(name);
        for (Layer l : layers) {
            add(l);
        }
    }

    /**
     * Appends {@code layer}; it is named after its type in snake case, numbered from the second of a type
     * ("dense", "dense_1", ...).
     * @return this model
     * @throws IllegalStateException if the model is already built
     */
    public Sequential add(Layer layer) {
        if (inputShape != null) {
            throw new IllegalStateException("cannot add layers to a built model");
        }
        added.add(layer);
        return this;
    }

    /** Seed of the weight initialisers (layer i draws from a stream derived from it). Default 0. */
    public Sequential seed(long seed) {
        setSeed(seed);
        return this;
    }

    /** Builds every layer for inputs of {@code shape} (batch axis excluded). */
    public Sequential build(int... shape) {
        if (inputShape != null) {
            if (!Arrays.equals(inputShape, shape)) {
                throw ShapeMismatchException.of(name(), inputShape, shape,
                        "differ: the model was built for inputs of the first shape (batch axis excluded)");
            }
            return this;
        }
        if (added.isEmpty()) {
            throw new IllegalStateException("a Sequential model needs at least one layer");
        }
        SymbolicTensor in = Input.of(shape);
        SymbolicTensor h = in;
        for (Layer l : added) {
            h = l.apply(h);
        }
        buildGraph(List.of(in), List.of(h));
        inputShape = shape.clone();
        return this;
    }

    @Override
    protected void buildFor(List<int[]> shapes) {
        if (shapes.size() != 1) {
            throw new IllegalArgumentException("a Sequential model takes one input, got " + shapes.size());
        }
        build(shapes.getFirst());
    }

    @Override
    public List<Layer> layers() {
        return List.copyOf(added);
    }

    @Override
    protected boolean summaryListsConnections() {
        return false;
    }

    /** The parameters {@link #build} would make for inputs of {@code shape}, by saved name, allocating nothing. */
    Map<String, int[]> parameterShapes(int[] shape) {
        SymbolicTensor in = Input.of(shape);
        SymbolicTensor h = in;
        for (Layer l : added) {
            h = l.apply(h);
        }
        return parameterShapes(Graph.of(List.of(in), List.of(h)));
    }

    /** Keras-like description of the model: name, seed, input shape and each layer's class and config. */
    @Override
    public Map<String, Object> architecture() {
        if (!isBuilt()) {
            throw new IllegalStateException("only a built model can be described: call build(inputShape) first");
        }
        List<Object> ls = new ArrayList<>();
        for (Layer l : added) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("class_name", l.typeName());
            m.put("config", l.config());
            ls.add(m);
        }
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("format", ARCHITECTURE_FORMAT);
        a.put("name", name());
        a.put("seed", seed());
        a.put("input_shape", inputShape.clone());
        a.put("layers", ls);
        return a;
    }

    /**
     * Loads a model written by {@link #save}. The architecture is checked against every tensor's
     * name and shape before any parameter is allocated, so a small file cannot make us allocate
     * more than its own size; a load that fails frees all it made.
     */
    public static Sequential load(Path file) {
        try (SafeTensors.Reader r = SafeTensors.open(file)) {
            return fromFile(r, "");
        }
    }

    /** Rebuilds the model whose tensors are named {@code prefix + "index.name"} in {@code r}. */
    static Sequential fromFile(SafeTensors.Reader r, String prefix) {
        Path file = r.file();
        Unbuilt saved = unbuiltFromArchitecture(file, r.metadata());
        Sequential model = saved.model();
        try {
            Map<String, int[]> needed;
            try {
                needed = model.parameterShapes(saved.inputShape());
            } catch (RuntimeException e) {
                throw new SafeTensorsException(file, "architecture in the metadata is unusable: " + e.getMessage(), e);
            }
            checkTensorsFit(file, prefix, needed, tensorsUnder(r, prefix));
            try {
                model.build(saved.inputShape());
            } catch (RuntimeException e) {
                throw new SafeTensorsException(file, "cannot build the architecture in the metadata: " + e.getMessage(), e);
            }
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
        return model.readParameters(r, prefix);
    }

    /** A saved model's layers, made but not built, and the input shape it was built for. */
    private record Unbuilt(Sequential model, int[] inputShape) {
    }

    private static Unbuilt unbuiltFromArchitecture(Path file, Map<String, String> metadata) {
        String json = metadata.get(ARCHITECTURE_KEY);
        if (json == null) {
            throw new SafeTensorsException(file, "no \"" + ARCHITECTURE_KEY + "\" in the metadata: not an Isthmus model file");
        }
        try {
            if (!(Json.parse(json) instanceof Map<?, ?> a)) {
                throw new SafeTensorsException(file, "architecture in the metadata is not a JSON object");
            }
            if (!ARCHITECTURE_FORMAT.equals(a.get("format"))) {
                throw new SafeTensorsException(file, "architecture format " + a.get("format") + " is not " + ARCHITECTURE_FORMAT);
            }
            Sequential model = new Sequential((String) a.get("name"));
            for (Object o : (List<?>) a.get("layers")) {
                Map<?, ?> l = (Map<?, ?>) o;
                @SuppressWarnings("unchecked")
                Map<String, Object> config = (Map<String, Object>) l.get("config");
                model.add(dev.isthmus.nn.layers.Layers.fromConfig((String) l.get("class_name"), config));
            }
            if (model.added.isEmpty()) {
                throw new SafeTensorsException(file, "architecture in the metadata has no layers");
            }
            model.seed(((Number) a.get("seed")).longValue());
            List<?> shape = (List<?>) a.get("input_shape");
            int[] dims = shape.stream().mapToInt(d -> Math.toIntExact(((Number) d).longValue())).toArray();
            for (int d : dims) {
                if (d <= 0) {
                    throw new SafeTensorsException(file, "architecture in the metadata has input shape " + Shapes.str(dims));
                }
            }
            return new Unbuilt(model, dims);
        } catch (java.io.IOException | ClassCastException | NullPointerException | IllegalArgumentException
                 | ArithmeticException e) {
            // the cause keeps the type (an UnknownLayerException says which Layers.register call is missing)
            throw new SafeTensorsException(file, "architecture in the metadata is unusable: " + e.getMessage(), e);
        }
    }
}
