package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Shapes;
import java.util.List;

/** The inputs of a functional model (Keras's {@code keras.Input}): a symbolic tensor per input. */
public final class Input {
    private Input() {
    }

    /** A float input whose samples have {@code shape} (batch axis excluded). */
    public static SymbolicTensor of(int... shape) {
        return of(null, DType.FLOAT32, shape);
    }

    /** An input of {@code dtype} (INT32 for token ids fed to an Embedding). */
    public static SymbolicTensor of(DType dtype, int... shape) {
        return of(null, dtype, shape);
    }

    /** A named input: the model's summary and saved architecture use the name. */
    public static SymbolicTensor of(String name, DType dtype, int... shape) {
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("input shape " + Shapes.str(shape) + " needs positive sizes");
            }
        }
        return new SymbolicTensor(shape, dtype, null, List.of(), name);
    }
}
