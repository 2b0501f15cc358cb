package dev.isthmus.cuda;

import dev.isthmus.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One GPU as the driver describes it.
 *
 * @param ordinal           the driver's device number
 * @param name              e.g. {@code NVIDIA H200}
 * @param totalMemoryBytes  device memory
 * @param computeMajor      compute capability, major (9 for Hopper)
 * @param computeMinor      compute capability, minor
 * @param multiprocessors   streaming multiprocessor count
 * @param memoryPools       whether stream-ordered allocation is supported
 */
public record CudaDevice(int ordinal, String name, long totalMemoryBytes, int computeMajor, int computeMinor,
                         int multiprocessors, boolean memoryPools) {

    private static boolean initialised;

    /** Loads the driver (if not yet) and calls {@code cuInit} once. */
    static synchronized void initialise() {
        CudaLibraries.system().require(CudaLibrary.DRIVER);
        if (!initialised) {
            CudaStatus.driver(CudaDriver.cuInit(0), "cuInit");
            initialised = true;
        }
    }

    /** The driver's version as {@code major * 1000 + minor * 10} (13000 for CUDA 13.0). */
    public static int driverVersion() {
        CudaLibraries.system().require(CudaLibrary.DRIVER);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
            CudaStatus.driver(CudaDriver.cuDriverGetVersion(v), "cuDriverGetVersion");
            return v.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** How many devices the driver sees (0 when the driver loads but finds none). */
    public static int count() {
        initialise();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocate(ValueLayout.JAVA_INT);
            CudaStatus.driver(CudaDriver.cuDeviceGetCount(n), "cuDeviceGetCount");
            return n.get(ValueLayout.JAVA_INT, 0);
        }
    }

    public static CudaDevice get(int ordinal) {
        int count = count();
        if (ordinal < 0 || ordinal >= count) {
            throw new IllegalArgumentException("no CUDA device " + ordinal + "; the driver sees " + count);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(ValueLayout.JAVA_INT);
            CudaStatus.driver(CudaDriver.cuDeviceGet(handle, ordinal), "cuDeviceGet");
            int device = handle.get(ValueLayout.JAVA_INT, 0);
            MemorySegment name = arena.allocate(256);
            CudaStatus.driver(CudaDriver.cuDeviceGetName(name, (int) name.byteSize(), device), "cuDeviceGetName");
            MemorySegment bytes = arena.allocate(ValueLayout.JAVA_LONG);
            CudaStatus.driver(CudaDriver.cuDeviceTotalMem_v2(bytes, device), "cuDeviceTotalMem");
            return new CudaDevice(ordinal, name.getString(0), bytes.get(ValueLayout.JAVA_LONG, 0),
                    attribute(device, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR()),
                    attribute(device, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR()),
                    attribute(device, CudaDriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT()),
                    attribute(device, CudaDriver.CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED()) != 0);
        }
    }

    static int attribute(int device, int attribute) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
            CudaStatus.driver(CudaDriver.cuDeviceGetAttribute(v, attribute, device), "cuDeviceGetAttribute");
            return v.get(ValueLayout.JAVA_INT, 0);
        }
    }

    @Override
    public String toString() {
        return String.format("CUDA(%d) %s, %.1f GiB, compute capability %d.%d, %d SMs", ordinal, name,
                totalMemoryBytes / (double) (1L << 30), computeMajor, computeMinor, multiprocessors);
    }
}
