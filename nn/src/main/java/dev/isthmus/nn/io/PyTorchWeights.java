package dev.isthmus.nn.io;

import dev.isthmus.nn.layers.Layer;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch {@code state_dict}s stored as safetensors, into and out of a built {@link Sequential}.
 *
 * <p>The state_dict's modules (the names before a tensor's last dot; "1.lstm" for
 * "1.lstm.weight_ih_l0") are taken in order — numerically when they are the indices of an
 * {@code nn.Sequential}, else in the file's order — and matched to the Isthmus layers that have
 * weights, in order: {@code Linear} ↔ Dense ([out, in] ↔ kernel [in, out]; after a Flatten of an
 * image the rows go from PyTorch's (c, h, w) order to Isthmus's (h, w, c)), {@code Conv2d} ↔
 * Conv2D (OIHW ↔ HWIO), {@code Embedding}, {@code LSTM} (weight_ih_l0 / weight_hh_l0 ↔ kernel /
 * recurrent kernel transposed, PyTorch's gates i, f, g, o being Keras's i, f, c, o; bias_ih_l0 +
 * bias_hh_l0 ↔ the one bias), {@code LayerNorm} ↔ LayerNormalization and {@code BatchNorm} ↔
 * BatchNormalization (running statistics ↔ moving ones). A module or tensor that does not fit
 * raises a {@link ShapeMismatchException} naming the tensor and both shapes.
 */
public final class PyTorchWeights {
    private PyTorchWeights() {
    }

    /** Sets {@code model}'s weights (built) from the PyTorch state_dict in the safetensors {@code file}. */
    public static void load(Sequential model, Path file) {
        try (Scope ignored = Scope.open("PyTorch weights")) {
            List<Map.Entry<String, Map<String, Tensor>>> modules = modules(SafeTensors.read(file).tensors());
            List<Layer> layers = weighted(model);
            if (modules.size() != layers.size()) {
                throw new IllegalArgumentException(file + " holds " + modules.size() + " modules with weights "
                        + modules.stream().map(Map.Entry::getKey).toList() + ", the model " + layers.size()
                        + " layers with weights " + layers.stream().map(Layer::typeName).toList());
            }
            List<Layer> sequence = model.layers();
            for (int i = 0; i < layers.size(); i++) {
                Layer layer = layers.get(i);
                String module = modules.get(i).getKey();
                Map<String, Tensor> t = modules.get(i).getValue();
                int[] flattened = flattenedImage(sequence, layer);
                List<Tensor> w = switch (layer.typeName()) {
                    case "Dense" -> withBias(layer, t, module, denseKernel(need(t, module, "weight", 2), flattened, module));
                    case "Conv2D" -> withBias(layer, t, module, permute(need(t, module, "weight", 4), 2, 3, 1, 0));
                    case "Embedding" -> List.of(need(t, module, "weight", 2));
                    case "LSTM" -> List.of(need(t, module, "weight_ih_l0", 2).transpose(),
                            need(t, module, "weight_hh_l0", 2).transpose(),
                            need(t, module, "bias_ih_l0", 1).add(need(t, module, "bias_hh_l0", 1)));
                    case "LayerNormalization" -> List.of(need(t, module, "weight", 1), need(t, module, "bias", 1));
                    case "BatchNormalization" -> List.of(need(t, module, "weight", 1), need(t, module, "bias", 1),
                            need(t, module, "running_mean", 1), need(t, module, "running_var", 1));
                    default -> throw new IllegalArgumentException("PyTorch weights: layer " + layer.typeName()
                            + " has no PyTorch mapping");
                };
                layer.setWeights(module, w); // checks each shape, naming the module and both shapes
            }
        }
    }

    /**
     * Writes {@code model}'s weights (built) as a PyTorch state_dict in safetensors: the keys
     * "{layer name}.weight" and so on, in PyTorch's layouts, as {@link #load} reads them.
     */
    public static void save(Sequential model, Path file) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (Scope ignored = Scope.open("PyTorch weights")) {
            List<Layer> sequence = model.layers();
            for (Layer layer : weighted(model)) {
                String name = model.layerNames().get(sequence.indexOf(layer));
                List<Tensor> w = layer.getWeights();
                switch (layer.typeName()) {
                    case "Dense" -> {
                        out.put(name + ".weight", denseWeight(w.get(0), flattenedImage(sequence, layer)));
                        if (w.size() > 1) {
                            out.put(name + ".bias", w.get(1));
                        }
                    }
                    case "Conv2D" -> {
                        out.put(name + ".weight", permute(w.get(0), 3, 2, 0, 1));
                        if (w.size() > 1) {
                            out.put(name + ".bias", w.get(1));
                        }
                    }
                    case "Embedding" -> out.put(name + ".weight", w.get(0));
                    case "LSTM" -> {
                        out.put(name + ".weight_ih_l0", w.get(0).transpose().copy());
                        out.put(name + ".weight_hh_l0", w.get(1).transpose().copy());
                        out.put(name + ".bias_ih_l0", w.get(2));
                        out.put(name + ".bias_hh_l0", Tensor.zerosLike(w.get(2)));
                    }
                    case "LayerNormalization" -> {
                        out.put(name + ".weight", w.get(0));
                        out.put(name + ".bias", w.get(1));
                    }
                    case "BatchNormalization" -> {
                        out.put(name + ".weight", w.get(0));
                        out.put(name + ".bias", w.get(1));
                        out.put(name + ".running_mean", w.get(2));
                        out.put(name + ".running_var", w.get(3));
                    }
                    default -> throw new IllegalArgumentException("PyTorch weights: layer " + layer.typeName() + " ("
                            + name + ") has no PyTorch mapping");
                }
            }
            SafeTensors.write(file, out, Map.of("format", "pt"));
        }
    }

    /** The state_dict's modules and their tensors, in the order they are matched to layers. */
    private static List<Map.Entry<String, Map<String, Tensor>>> modules(Map<String, Tensor> all) {
        Map<String, Map<String, Tensor>> modules = new LinkedHashMap<>();
        for (var e : all.entrySet()) {
            String key = e.getKey();
            int dot = key.lastIndexOf('.');
            String param = key.substring(dot + 1);
            if (param.equals("num_batches_tracked")) {
                continue;
            }
            modules.computeIfAbsent(dot < 0 ? "" : key.substring(0, dot), k -> new LinkedHashMap<>()).put(param, e.getValue());
        }
        List<Map.Entry<String, Map<String, Tensor>>> list = new ArrayList<>(modules.entrySet());
        boolean indexed = list.stream().allMatch(e -> e.getKey().matches("\\d+(\\..*)?"));
        if (indexed) {
            list.sort((a, b) -> Integer.compare(Integer.parseInt(a.getKey().split("\\.")[0]),
                    Integer.parseInt(b.getKey().split("\\.")[0])));
        }
        return list;
    }

    private static List<Layer> weighted(Sequential model) {
        if (model.layers().isEmpty() || model.layers().getFirst().inputShape() == null) {
            throw new IllegalStateException("PyTorch weights need a built model: call build(inputShape) first");
        }
        return model.layers().stream().filter(l -> l.parameterCount() > 0).toList();
    }

    /** The [h, w, c] a Dense's input was flattened from (Dropout between skipped), or null. */
    private static int[] flattenedImage(List<Layer> sequence, Layer dense) {
        if (!dense.typeName().equals("Dense")) {
            return null;
        }
        for (int i = sequence.indexOf(dense) - 1; i >= 0; i--) {
            Layer l = sequence.get(i);
            if (l.typeName().equals("Dropout")) {
                continue;
            }
            return l.typeName().equals("Flatten") && l.inputShape().length == 3 ? l.inputShape() : null;
        }
        return null;
    }

    /** Linear's [out, in] weight as a Dense kernel [in, out], the in axis reordered (c, h, w) -> (h, w, c) after an image. */
    private static Tensor denseKernel(Tensor weight, int[] hwc, String module) {
        if (hwc == null) {
            return weight.transpose().copy();
        }
        int out = weight.size(0);
        if (weight.size(1) != hwc[0] * hwc[1] * hwc[2]) {
            throw ShapeMismatchException.of("PyTorch weights " + module + ".weight", weight.shape(),
                    new int[] {out, hwc[0] * hwc[1] * hwc[2]}, "differ: the Linear must take the flattened image");
        }
        // [out, c, h, w] -> [h, w, c, out]
        return permute(weight.reshape(out, hwc[2], hwc[0], hwc[1]), 2, 3, 1, 0).reshape(hwc[0] * hwc[1] * hwc[2], out);
    }

    private static Tensor denseWeight(Tensor kernel, int[] hwc) {
        if (hwc == null) {
            return kernel.transpose().copy();
        }
        int out = kernel.size(1);
        // [h, w, c, out] -> [out, c, h, w]
        return permute(kernel.reshape(hwc[0], hwc[1], hwc[2], out), 3, 2, 0, 1).reshape(out, -1);
    }

    private static Tensor permute(Tensor t, int... axes) {
        return t.permute(axes).copy();
    }

    private static List<Tensor> withBias(Layer layer, Map<String, Tensor> t, String module, Tensor kernel) {
        int expected = layer.getWeights().size();
        if (expected == 1) {
            if (t.containsKey("bias")) {
                throw new IllegalArgumentException("PyTorch weights: " + module + ".bias exists, but the "
                        + layer.typeName() + " has no bias");
            }
            return List.of(kernel);
        }
        return List.of(kernel, need(t, module, "bias", 1));
    }

    private static Tensor need(Map<String, Tensor> t, String module, String param, int rank) {
        Tensor v = t.get(param);
        if (v == null) {
            throw new IllegalArgumentException("PyTorch weights: module " + module + " has no " + param + " (it has "
                    + t.keySet() + ")");
        }
        if (v.rank() != rank) {
            throw new ShapeMismatchException("PyTorch weights: " + module + "." + param + " has shape "
                    + Arrays.toString(v.shape()) + ", expected rank " + rank);
        }
        return v;
    }
}
