package dev.isthmus.nn.backend;

import dev.isthmus.nn.backend.cpu.CpuBackend;
import dev.isthmus.nn.tensor.Device;

/**
 * Finds the backend of a device and chooses the default device once: CUDA when its driver, a
 * device and its libraries load, else the CPU. {@code -Disthmus.device} or {@code ISTHMUS_DEVICE}
 * ({@code auto}, {@code cpu}, {@code cuda}, {@code cuda:N}) overrides the choice; the choice and
 * its reason are logged once.
 */
public final class Backends {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.nn.backend");
    private static volatile Device defaultDevice;
    private static volatile String reason;

    private Backends() {
    }

    public static Backend of(Device device) {
        if (device.kind() == Device.Kind.CPU) {
            return CpuBackend.shared();
        }
        throw new BackendUnavailableException("no CUDA backend for " + device + ": this build of Isthmus has the CPU"
                + " backend only (the CUDA backend arrives with the native-bindings and kernels modules)");
    }

    public static Backend cpu() {
        return CpuBackend.shared();
    }

    /** The device tensors are created on when none is named. */
    public static Device defaultDevice() {
        Device d = defaultDevice;
        if (d == null) {
            synchronized (Backends.class) {
                if (defaultDevice == null) {
                    choose();
                }
                d = defaultDevice;
            }
        }
        return d;
    }

    /** Why the default device was chosen (for logs and the samples' banner). */
    public static String defaultDeviceReason() {
        defaultDevice();
        return reason;
    }

    /** Sets the default device for this JVM (e.g. from a --device option); "auto" re-runs the choice. */
    public static synchronized void setDefaultDevice(String spec) {
        apply(spec, "set by the application");
    }

    private static void choose() {
        String spec = System.getProperty("isthmus.device");
        String source = "system property isthmus.device";
        if (spec == null || spec.isBlank()) {
            spec = System.getenv("ISTHMUS_DEVICE");
            source = "environment variable ISTHMUS_DEVICE";
        }
        if (spec == null || spec.isBlank()) {
            spec = "auto";
            source = "automatic choice";
        }
        apply(spec, source);
    }

    private static void apply(String spec, String source) {
        if (spec.trim().equalsIgnoreCase("auto")) {
            defaultDevice = Device.CPU;
            reason = "cpu: " + source + "; no CUDA backend in this build";
        } else {
            Device d = Device.parse(spec);
            of(d);
            defaultDevice = d;
            reason = d + ": " + source;
        }
        LOG.log(System.Logger.Level.INFO, "Isthmus default device " + reason + " [" + of(defaultDevice).describe() + "]");
    }
}
