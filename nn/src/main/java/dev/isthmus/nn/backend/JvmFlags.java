package dev.isthmus.nn.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The JVM flags Isthmus wants and whether this JVM has them: the Vector API module
 * ({@code jdk.incubator.vector}, for the CPU's SIMD maths) and native access (for the CUDA
 * libraries' downcalls). A modular application that requires {@code dev.isthmus.nn} gets the
 * Vector API from the module graph; on the class path it takes
 * {@code --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED}. The first
 * backend to start logs one WARNING naming the flags that are missing.
 */
public final class JvmFlags {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.nn");
    private static final AtomicBoolean CHECKED = new AtomicBoolean();

    private JvmFlags() {
    }

    /** Whether {@code jdk.incubator.vector} is in the boot layer. */
    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** Whether the module that makes the native calls (the CUDA bindings) may make them without a warning. */
    public static boolean nativeAccessEnabled() {
        return nativeModule().isNativeAccessEnabled();
    }

    /** The flags this JVM lacks, space-separated, or an empty string when it has them all. */
    public static String missing() {
        List<String> flags = new ArrayList<>();
        boolean vectorWanted = !"false".equalsIgnoreCase(System.getProperty("isthmus.cpu.vector", "").trim());
        if (vectorWanted && !vectorModulePresent()) {
            flags.add("--add-modules jdk.incubator.vector");
        }
        if (!nativeAccessEnabled()) {
            Module m = nativeModule();
            flags.add("--enable-native-access=" + (m.isNamed() ? m.getName() : "ALL-UNNAMED"));
        }
        return String.join(" ", flags);
    }

    /** Logs the WARNING about missing flags, the first time only; later calls do nothing. */
    public static void warnOnceIfMissing() {
        if (CHECKED.getAndSet(true)) {
            return;
        }
        String missing = missing();
        if (missing.isEmpty()) {
            return;
        }
        List<String> effects = new ArrayList<>();
        if (missing.contains("jdk.incubator.vector")) {
            effects.add("without the Vector API the CPU maths runs as plain loops (a CNN trains about 1.7x slower)");
        }
        if (missing.contains("native-access")) {
            effects.add("without native access the CUDA libraries' calls draw JDK warnings (and a future JDK refuses them)");
        }
        LOG.log(System.Logger.Level.WARNING, "Isthmus: add the JVM flags " + missing + " to the java command ("
                + String.join("; ", effects) + "). Maven Surefire: <argLine>; exec plugin: <arguments>; IDE: the run"
                + " configuration's VM options; see the README's quick start.");
    }

    private static Module nativeModule() {
        return dev.isthmus.cuda.CudaLibraries.class.getModule();
    }
}
