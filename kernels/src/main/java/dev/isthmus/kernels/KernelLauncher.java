package dev.isthmus.kernels;

import dev.isthmus.cuda.KernelArguments;

/** Launches a kernel of a family with launch geometry derived from the work's size. */
public interface KernelLauncher {
    /** A grid-stride kernel over {@code n} elements. */
    void linear(KernelFamily family, String entry, long n, KernelArguments args);

    /** A block-per-row kernel (softmax, reductions) over {@code rows} rows of {@code rowLength} elements. */
    void rows(KernelFamily family, String entry, long rows, long rowLength, KernelArguments args);

    /** A grid-stride kernel over {@code groups} groups (grid y) of at most {@code longest} elements each (grid x). */
    void grouped(KernelFamily family, String entry, int groups, long longest, KernelArguments args);
}
