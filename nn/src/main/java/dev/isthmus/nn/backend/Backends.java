package dev.isthmus.nn.backend;

import dev.isthmus.cuda.CudaDevice;
import dev.isthmus.cuda.CudaLibraries;
import dev.isthmus.cuda.CudaLibrary;
import dev.isthmus.cuda.LibraryStatus;
import dev.isthmus.nn.backend.cpu.CpuBackend;
import dev.isthmus.nn.backend.cuda.CudaBackend;
import dev.isthmus.nn.tensor.Device;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
    private static final Map<Integer, CudaBackend> CUDA = new ConcurrentHashMap<>();

    private Backends() {
    }

    /**
     * The backend for {@code device}: the shared CPU backend, or the CUDA backend of that ordinal, opened (once per
     * JVM) on first use.
     * @throws BackendUnavailableException if CUDA cannot run here (no driver, no such device, no cuBLAS)
     */
    public static Backend of(Device device) {
        if (device.kind() == Device.Kind.CPU) {
            Backend standIn = StepCapture.cpuStandIn();
            return standIn != null ? standIn : CpuBackend.shared();
        }
        CudaBackend backend = CUDA.get(device.index());
        if (backend != null) {
            return backend;
        }
        synchronized (CUDA) {
            return CUDA.computeIfAbsent(device.index(), Backends::openCuda);
        }
    }

    private static CudaBackend openCuda(int ordinal) {
        JvmFlags.warnOnceIfMissing();
        String missing = cudaMissing();
        if (missing != null) {
            throw new BackendUnavailableException("no CUDA backend for cuda:" + ordinal + ": " + missing);
        }
        try {
            return CudaBackend.open(ordinal);
        } catch (RuntimeException e) {
            throw new BackendUnavailableException("the CUDA backend for cuda:" + ordinal + " failed to start: "
                    + e.getMessage());
        }
    }

    /**
     * Why the CUDA backend cannot run here (the first thing missing: driver, device, cuBLAS), or
     * null when it can. cuDNN is needed only by Conv2D and is reported by the backend's description.
     */
    public static String cudaMissing() {
        try {
            CudaLibraries libraries = CudaLibraries.system();
            for (CudaLibrary library : new CudaLibrary[] {CudaLibrary.DRIVER, CudaLibrary.CUBLAS_LT, CudaLibrary.CUBLAS}) {
                LibraryStatus status = libraries.status(library);
                if (!status.loaded()) {
                    return library.displayName() + " not found (" + status.attempts().size()
                            + " places searched; ./isthmus cuda-report lists them)";
                }
            }
            return CudaDevice.count() == 0 ? "the CUDA driver sees no device" : null;
        } catch (RuntimeException e) {
            return "CUDA failed to start: " + e.getMessage();
        }
    }

    /** The shared CPU backend. */
    public static Backend cpu() {
        return of(Device.CPU);
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
            String missing = cudaMissing();
            Device chosen = Device.CPU;
            String why = missing;
            if (missing == null) {
                try {
                    of(Device.cuda(0));
                    chosen = Device.cuda(0);
                } catch (BackendUnavailableException e) {
                    why = e.getMessage();
                }
            }
            defaultDevice = chosen;
            reason = chosen + ": " + source + (chosen.kind() == Device.Kind.CPU ? "; " + why : "");
        } else {
            Device d = Device.parse(spec);
            of(d);
            defaultDevice = d;
            reason = d + ": " + source;
        }
        LOG.log(System.Logger.Level.INFO, "Isthmus default device " + reason + " [" + of(defaultDevice).describe() + "]");
    }
}
