package dev.isthmus.nn.metrics;

import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A constant a metric needs on each device (thresholds, class ids), uploaded on first use and
 * kept (freed by the garbage collector with the metric): a step that uses it later, a captured
 * one included, uploads nothing.
 */
final class DeviceConstants {
    private final float[] values;
    private final int[] shape;
    private final Map<Device, Tensor> onDevice = new ConcurrentHashMap<>();

    DeviceConstants(float[] values, int... shape) {
        this.values = values;
        this.shape = shape;
    }

    Tensor on(Device device) {
        return onDevice.computeIfAbsent(device, d -> {
            Scope holder = Scope.independent("metric constant");
            Tensor t = holder.adopt(Tensor.of(d, values, shape));
            holder.keep(t); // out of every scope: the step that first needed it must not free it
            holder.close();
            return t;
        });
    }
}
