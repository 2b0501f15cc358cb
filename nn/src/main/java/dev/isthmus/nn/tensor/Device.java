package dev.isthmus.nn.tensor;

/** Where a tensor's storage lives: the host ({@link #CPU}) or one CUDA device. */
public record Device(Kind kind, int index) {
    /** The kinds of device a backend serves. */
    public enum Kind {
        /** The host's memory and cores. */
        CPU,
        /** An NVIDIA GPU driven through CUDA. */
        CUDA
    }

    public static final Device CPU = new Device(Kind.CPU, 0);

    /**
     * Checks the device.
     * @throws IllegalArgumentException if {@code index} is negative, or not 0 for the CPU
     */
    public Device {
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
        if (kind == Kind.CPU && index != 0) {
            throw new IllegalArgumentException("there is one CPU device (index 0), got index " + index);
        }
    }

    /**
     * CUDA device {@code index} (from 0, in the driver's order); made without checking the device exists.
     * @throws IllegalArgumentException if {@code index} is negative
     */
    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /**
     * The default device of this JVM: CUDA device 0 when the driver, a device and cuBLAS load,
     * else the CPU; overridden by {@code -Disthmus.device} or {@code ISTHMUS_DEVICE}. The choice and
     * its reason are logged once (see {@link dev.isthmus.nn.backend.Backends#defaultDeviceReason()}).
     */
    public static Device auto() {
        return dev.isthmus.nn.backend.Backends.defaultDevice();
    }

    /**
     * What this device did since the last {@link #resetStats()}: host reads, synchronisations,
     * allocations and bytes, counted the same way on every backend.
     */
    public DeviceStats stats() {
        return dev.isthmus.nn.backend.Backends.of(this).counters().snapshot();
    }

    /** Zeroes this device's event counts; the peak of bytes in use restarts from the bytes in use now. */
    public void resetStats() {
        dev.isthmus.nn.backend.Backends.of(this).counters().reset();
    }

    /** Parses "cpu", "cuda" or "cuda:N". */
    public static Device parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("cpu")) {
            return CPU;
        }
        if (t.equals("cuda")) {
            return cuda(0);
        }
        if (t.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(t.substring(5)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad CUDA device index in '" + text + "'", e);
            }
        }
        throw new IllegalArgumentException("unknown device '" + text + "': expected cpu, cuda or cuda:N");
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }
}
