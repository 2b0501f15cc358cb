package dev.isthmus.nn.io;

import dev.isthmus.nn.data.DataFormatException;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Add;
import dev.isthmus.nn.layers.Average;
import dev.isthmus.nn.layers.Concatenate;
import dev.isthmus.nn.layers.Conv2D;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Dropout;
import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.layers.Flatten;
import dev.isthmus.nn.layers.Initializer;
import dev.isthmus.nn.layers.Input;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.layers.Layer;
import dev.isthmus.nn.layers.MaxPooling2D;
import dev.isthmus.nn.layers.Multiply;
import dev.isthmus.nn.layers.Subtract;
import dev.isthmus.nn.layers.SymbolicTensor;
import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a Keras model saved in TensorFlow.js's layers format: {@code model.json} (Keras's JSON
 * model config under {@code modelTopology}, and a {@code weightsManifest}) and the binary weight
 * shards it names, and builds the same {@link Sequential} or functional {@link Model} with Keras's
 * names, layouts and defaults.
 *
 * <p>Layers: Dense, Conv2D (channels_last, "valid" or "same", strides, dilation), MaxPooling2D,
 * Flatten, Dropout, Embedding ({@code mask_zero}), the merges Add, Subtract, Multiply, Average and
 * Concatenate (functional models; shared layers shared), LSTM (tanh and sigmoid gates, as Keras 2 has
 * them by default; TF.js's own default of hard_sigmoid is refused), with Isthmus's activations
 * ({@link Activation#of}). A layer or an option that would change what the model computes
 * and that Isthmus does not have is refused with an {@link IllegalArgumentException} naming it;
 * a malformed file with a {@link DataFormatException} naming the file (and the offset in a shard).
 */
public final class KerasImport {
    /** Largest model.json read (its weights are in the shards). */
    private static final long MAX_JSON_BYTES = 64L << 20;

    private KerasImport() {
    }

    /**
     * The model in {@code modelJson} (a TF.js layers-format model.json; its shards beside it), built,
     * with its weights: a {@link Sequential} for a Keras Sequential, a functional {@link Model}
     * (its inputs and outputs in Keras's order, shared layers shared) otherwise.
     */
    public static Model load(Path modelJson) throws IOException {
        Map<String, Object> root = object(parse(modelJson), modelJson, "the file");
        Map<String, Object> topology = object(root.get("modelTopology"), modelJson, "modelTopology");
        if (topology.containsKey("model_config")) {
            topology = object(topology.get("model_config"), modelJson, "modelTopology.model_config");
        }
        String kind = String.valueOf(topology.get("class_name"));
        Map<String, Object> config = object(topology.get("config"), modelJson, "modelTopology.config");
        List<?> layerConfigs = list(config.get("layers"), modelJson, "modelTopology.config.layers");
        List<Layer> layers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Model model = switch (kind) {
            case "Sequential" -> sequential(config, layerConfigs, layers, names, modelJson);
            case "Model", "Functional" -> functional(config, layerConfigs, layers, names, modelJson);
            default -> throw new IllegalArgumentException("Keras import of " + modelJson + ": a " + kind
                    + " model is not supported (Sequential and functional models are)");
        };
        try (Scope ignored = Scope.open("Keras import")) {
            setWeights(weights(root, modelJson), layers, names, modelJson);
        } catch (RuntimeException | IOException e) {
            model.close();
            throw e;
        }
        return model;
    }

    private static Sequential sequential(Map<String, Object> config, List<?> layerConfigs, List<Layer> layers,
                                         List<String> names, Path modelJson) {
        int[] inputShape = null;
        for (Object o : layerConfigs) {
            Map<String, Object> l = object(o, modelJson, "a layer");
            String type = String.valueOf(l.get("class_name"));
            Map<String, Object> c = object(l.get("config"), modelJson, "the config of a " + type);
            String name = String.valueOf(c.get("name"));
            if (type.equals("InputLayer")) {
                inputShape = batchShape(c.get("batch_input_shape") != null ? c.get("batch_input_shape") : c.get("batch_shape"),
                        modelJson);
                continue;
            }
            if (inputShape == null && c.get("batch_input_shape") != null) {
                inputShape = batchShape(c.get("batch_input_shape"), modelJson);
            }
            layers.add(layer(type, name, c));
            names.add(name);
        }
        if (inputShape == null) {
            throw new IllegalArgumentException("Keras import of " + modelJson + ": the model names no input shape "
                    + "(batch_input_shape of its first layer)");
        }
        Sequential model = new Sequential(String.valueOf(config.getOrDefault("name", "sequential")),
                layers.toArray(Layer[]::new));
        model.build(inputShape);
        return model;
    }

    /**
     * A functional model: every layer's inbound nodes ([[layer name, node index, tensor index,
     * kwargs], ...] per call) applied in the file's order (Keras writes layers after those they
     * read), the inputs and outputs as input_layers and output_layers name them.
     */
    private static Model functional(Map<String, Object> config, List<?> layerConfigs, List<Layer> layers,
                                    List<String> names, Path modelJson) {
        Map<String, List<SymbolicTensor>> made = new LinkedHashMap<>();
        for (Object o : layerConfigs) {
            Map<String, Object> l = object(o, modelJson, "a layer");
            String type = String.valueOf(l.get("class_name"));
            Map<String, Object> c = object(l.get("config"), modelJson, "the config of a " + type);
            String name = String.valueOf(l.containsKey("name") ? l.get("name") : c.get("name"));
            if (type.equals("InputLayer")) {
                int[] shape = batchShape(c.get("batch_input_shape") != null ? c.get("batch_input_shape")
                        : c.get("batch_shape"), modelJson);
                DType dtype = "int32".equals(c.get("dtype")) ? DType.INT32 : DType.FLOAT32;
                made.put(name, List.of(Input.of(name, dtype, shape)));
                continue;
            }
            Layer layer = merge(type, name, c);
            layers.add(layer);
            names.add(name);
            List<SymbolicTensor> outs = new ArrayList<>();
            for (Object node : list(l.get("inbound_nodes"), modelJson, "the inbound nodes of " + name)) {
                List<SymbolicTensor> in = new ArrayList<>();
                for (Object ref : list(node, modelJson, "an inbound node of " + name)) {
                    in.add(tensor(made, ref, modelJson, name));
                }
                outs.add(layer.apply(in.toArray(SymbolicTensor[]::new)));
            }
            made.put(name, outs);
        }
        List<SymbolicTensor> inputs = new ArrayList<>();
        for (Object ref : list(config.get("input_layers"), modelJson, "input_layers")) {
            inputs.add(tensor(made, ref, modelJson, "input_layers"));
        }
        List<SymbolicTensor> outputs = new ArrayList<>();
        for (Object ref : list(config.get("output_layers"), modelJson, "output_layers")) {
            outputs.add(tensor(made, ref, modelJson, "output_layers"));
        }
        return new Model(String.valueOf(config.getOrDefault("name", "model")), inputs, outputs);
    }

    /** The tensor a [layer name, node index, tensor index, ...] reference names. */
    private static SymbolicTensor tensor(Map<String, List<SymbolicTensor>> made, Object ref, Path file, String where) {
        List<?> r = list(ref, file, "a tensor reference in " + where);
        if (r.size() < 3 || !(r.get(1) instanceof Long node) || !(r.get(2) instanceof Long index)) {
            throw new DataFormatException(file, "tensor reference " + r + " in " + where + " is not [layer, node, tensor]");
        }
        List<SymbolicTensor> outs = made.get(String.valueOf(r.get(0)));
        if (outs == null || node >= outs.size()) {
            throw new DataFormatException(file, where + " reads " + r + " before that layer call is made");
        }
        if (index != 0) {
            throw new IllegalArgumentException("Keras import of " + file + ": " + where + " reads output " + index
                    + " of " + r.get(0) + " (layers with several outputs are not supported)");
        }
        return outs.get((int) (long) node);
    }

    /** {@link #layer}, and the merge layers a functional model has. */
    private static Layer merge(String type, String name, Map<String, Object> c) {
        return switch (type) {
            case "Add" -> new Add();
            case "Subtract" -> new Subtract();
            case "Multiply" -> new Multiply();
            case "Average" -> new Average();
            case "Concatenate" -> new Concatenate(c.get("axis") instanceof Long a ? (int) (long) a : -1);
            default -> layer(type, name, c);
        };
    }

    private static void setWeights(Map<String, List<Tensor>> weights, List<Layer> layers, List<String> names,
                                   Path modelJson) {
        for (int i = 0; i < layers.size(); i++) {
            List<Tensor> w = weights.remove(names.get(i));
            Layer layer = layers.get(i);
            if (w == null) {
                if (layer.parameterCount() > 0) {
                    throw new DataFormatException(modelJson, "no weights for layer " + names.get(i) + " ("
                            + layer.typeName() + ") in the weights manifest");
                }
                continue;
            }
            layer.setWeights(names.get(i), w);
        }
        if (!weights.isEmpty()) {
            throw new DataFormatException(modelJson, "weights for layers the model does not have: " + weights.keySet());
        }
    }

    private static Layer layer(String type, String name, Map<String, Object> c) {
        String where = type + " " + name;
        return switch (type) {
            case "Dense" -> new Dense(integer(c, "units", where), activation(c, "activation", where),
                    bool(c, "use_bias", true), Initializer.zeros(), Initializer.zeros());
            case "Conv2D" -> {
                channelsLast(c, where);
                if (integer(c, "groups", 1, where) != 1) {
                    throw unsupported(where, "groups", c.get("groups"));
                }
                Conv2D conv = new Conv2D(integer(c, "filters", where), pair(c, "kernel_size", where),
                        pair(c, "strides", where), padding(c, where), activation(c, "activation", where),
                        bool(c, "use_bias", true));
                int[] d = c.get("dilation_rate") == null ? new int[] {1, 1} : pair(c, "dilation_rate", where);
                yield d[0] == 1 && d[1] == 1 ? conv : conv.dilationRate(d[0], d[1]);
            }
            case "MaxPooling2D" -> {
                channelsLast(c, where);
                int[] pool = pair(c, "pool_size", where);
                yield new MaxPooling2D(pool, c.get("strides") == null ? pool : pair(c, "strides", where), padding(c, where));
            }
            case "Flatten" -> {
                channelsLast(c, where);
                yield new Flatten();
            }
            case "Dropout" -> {
                if (c.get("noise_shape") != null) {
                    throw unsupported(where, "noise_shape", c.get("noise_shape"));
                }
                yield new Dropout(number(c, "rate", where).floatValue());
            }
            case "Embedding" -> new Embedding(integer(c, "input_dim", where), integer(c, "output_dim", where),
                    bool(c, "mask_zero", false));
            case "LSTM" -> {
                require(c, "activation", "tanh", where);
                require(c, "recurrent_activation", "sigmoid", where);
                for (String flag : List.of("go_backwards", "stateful", "return_state")) {
                    if (bool(c, flag, false)) {
                        throw unsupported(where, flag, true);
                    }
                }
                if (!bool(c, "use_bias", true)) {
                    throw unsupported(where, "use_bias", false);
                }
                yield new LSTM(integer(c, "units", where), bool(c, "return_sequences", false));
            }
            default -> throw new IllegalArgumentException("Keras import: layer " + where + " is not supported; "
                    + "supported: Dense, Conv2D, MaxPooling2D, Flatten, Dropout, Embedding, LSTM, Add, Subtract, "
                    + "Multiply, Average, Concatenate");
        };
    }

    /** The float32 weights of each layer, by layer name, in the manifest's order, read from the shards. */
    private static Map<String, List<Tensor>> weights(Map<String, Object> root, Path modelJson) throws IOException {
        Map<String, List<Tensor>> byLayer = new LinkedHashMap<>();
        Path dir = modelJson.toAbsolutePath().getParent();
        for (Object g : list(root.get("weightsManifest"), modelJson, "weightsManifest")) {
            Map<String, Object> group = object(g, modelJson, "a weights group");
            List<Path> shards = new ArrayList<>();
            long total = 0;
            for (Object p : list(group.get("paths"), modelJson, "the paths of a weights group")) {
                Path shard = dir.resolve(String.valueOf(p)).normalize();
                if (!shard.startsWith(dir)) {
                    throw new DataFormatException(modelJson, "weight shard path " + p + " leaves the model's folder");
                }
                shards.add(shard);
                total += Files.size(shard);
            }
            List<?> specs = list(group.get("weights"), modelJson, "the weights of a weights group");
            long needed = 0;
            for (Object s : specs) {
                Map<String, Object> spec = object(s, modelJson, "a weight");
                if (spec.get("quantization") != null) {
                    throw new IllegalArgumentException("Keras import of " + modelJson + ": quantized weight "
                            + spec.get("name") + " is not supported");
                }
                if (!"float32".equals(spec.getOrDefault("dtype", "float32"))) {
                    throw new IllegalArgumentException("Keras import of " + modelJson + ": weight " + spec.get("name")
                            + " of dtype " + spec.get("dtype") + " is not supported (float32 only)");
                }
                needed += Math.multiplyExact(elements(spec, modelJson), (long) Float.BYTES);
            }
            if (needed != total) {
                throw new DataFormatException(shards.isEmpty() ? modelJson : shards.getFirst(), total,
                        "the shards hold " + total + " bytes, the manifest's weights need " + needed);
            }
            byte[] bytes = new byte[Math.toIntExact(total)];
            int at = 0;
            for (Path shard : shards) {
                try (InputStream in = Files.newInputStream(shard)) {
                    at += in.readNBytes(bytes, at, bytes.length - at);
                }
            }
            ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (Object s : specs) {
                Map<String, Object> spec = object(s, modelJson, "a weight");
                String name = String.valueOf(spec.get("name"));
                int slash = name.indexOf('/');
                if (slash <= 0) {
                    throw new DataFormatException(modelJson, "weight name " + name + " has no layer/ prefix");
                }
                int[] shape = shape(spec.get("shape"), modelJson, name);
                float[] v = new float[Math.toIntExact(elements(spec, modelJson))];
                data.asFloatBuffer().get(v);
                data.position(data.position() + v.length * Float.BYTES);
                byLayer.computeIfAbsent(name.substring(0, slash), k -> new ArrayList<>()).add(Tensor.of(v, shape));
            }
        }
        return byLayer;
    }

    private static Object parse(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_JSON_BYTES) {
            throw new DataFormatException(file, "model.json of " + size + " bytes is larger than " + MAX_JSON_BYTES);
        }
        try {
            return Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new DataFormatException(file, "not JSON: " + e.getMessage(), e);
        }
    }

    private static long elements(Map<String, Object> spec, Path file) {
        long n = 1;
        for (int d : shape(spec.get("shape"), file, String.valueOf(spec.get("name")))) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static int[] shape(Object o, Path file, String what) {
        List<?> l = list(o, file, "the shape of " + what);
        int[] s = new int[l.size()];
        for (int i = 0; i < s.length; i++) {
            if (!(l.get(i) instanceof Long v) || v < 0 || v > Integer.MAX_VALUE) {
                throw new DataFormatException(file, "the shape of " + what + " is not a list of sizes: " + l);
            }
            s[i] = (int) (long) v;
        }
        return s;
    }

    private static int[] batchShape(Object o, Path file) {
        List<?> l = list(o, file, "batch_input_shape");
        if (l.isEmpty()) {
            throw new DataFormatException(file, "batch_input_shape is empty");
        }
        int[] s = new int[l.size() - 1];
        for (int i = 1; i < l.size(); i++) {
            if (!(l.get(i) instanceof Long v) || v <= 0) {
                throw new IllegalArgumentException("Keras import of " + file + ": input shape " + l
                        + " has a dimension that is not fixed (only the batch axis may be null)");
            }
            s[i - 1] = (int) (long) v;
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o, Path file, String what) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new DataFormatException(file, what + " is not a JSON object");
        }
        return (Map<String, Object>) m;
    }

    private static List<?> list(Object o, Path file, String what) {
        if (!(o instanceof List<?> l)) {
            throw new DataFormatException(file, what + " is not a JSON array");
        }
        return l;
    }

    private static Activation activation(Map<String, Object> c, String key, String where) {
        Object name = c.getOrDefault(key, "linear");
        try {
            return Activation.of(String.valueOf(name));
        } catch (IllegalArgumentException e) {
            throw unsupported(where, key, name);
        }
    }

    private static String padding(Map<String, Object> c, String where) {
        Object p = c.getOrDefault("padding", "valid");
        if (!"valid".equals(p) && !"same".equals(p)) {
            throw unsupported(where, "padding", p);
        }
        return (String) p;
    }

    private static void channelsLast(Map<String, Object> c, String where) {
        Object f = c.get("data_format");
        if (f != null && !f.equals("channels_last")) {
            throw unsupported(where, "data_format", f);
        }
    }

    private static void require(Map<String, Object> c, String key, String value, String where) {
        Object v = c.getOrDefault(key, value);
        if (!value.equals(v)) {
            throw unsupported(where, key, v);
        }
    }

    private static IllegalArgumentException unsupported(String where, String key, Object value) {
        return new IllegalArgumentException("Keras import: " + where + " has " + key + " = " + value
                + ", which Isthmus does not support");
    }

    private static Number number(Map<String, Object> c, String key, String where) {
        if (!(c.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("Keras import: " + where + " needs a number " + key + ", got "
                    + c.get(key));
        }
        return n;
    }

    private static int integer(Map<String, Object> c, String key, String where) {
        Number n = number(c, key, where);
        if (!(n instanceof Long v) || v <= 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Keras import: " + where + " needs a positive whole " + key + ", got " + n);
        }
        return (int) (long) v;
    }

    private static int integer(Map<String, Object> c, String key, int absent, String where) {
        return c.get(key) == null ? absent : integer(c, key, where);
    }

    private static boolean bool(Map<String, Object> c, String key, boolean absent) {
        Object v = c.get(key);
        return v == null ? absent : Objects.equals(v, Boolean.TRUE);
    }

    private static int[] pair(Map<String, Object> c, String key, String where) {
        Object v = c.get(key);
        if (v instanceof Long n) {
            return new int[] {(int) (long) n, (int) (long) n};
        }
        if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Long a && l.get(1) instanceof Long b) {
            return new int[] {(int) (long) a, (int) (long) b};
        }
        throw new IllegalArgumentException("Keras import: " + where + " needs " + key + " as two whole numbers, got " + v);
    }
}
