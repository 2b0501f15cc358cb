package dev.isthmus.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KernelArgumentsTest {

    private static MemorySegment slot(KernelArguments args, int i, long bytes) {
        return args.pointers().getAtIndex(ValueLayout.ADDRESS, i).reinterpret(bytes);
    }

    @Test
    void eachArgumentSitsAtItsNaturalAlignmentAndIsPointedAt() {
        try (KernelArguments args = new KernelArguments()) {
            args.i32(7).i64(1L << 40).f32(2.5f).i64Struct(new long[] {3, 4}).i32Struct(new int[] {5, 6, 7});
            assertArrayEquals(new long[] {4, 8, 4, 16, 12}, args.sizes());
            assertEquals(7, slot(args, 0, 4).get(ValueLayout.JAVA_INT, 0));
            assertEquals(1L << 40, slot(args, 1, 8).get(ValueLayout.JAVA_LONG, 0));
            assertEquals(0, slot(args, 1, 8).address() % 8, "64-bit argument aligned");
            assertEquals(2.5f, slot(args, 2, 4).get(ValueLayout.JAVA_FLOAT, 0));
            assertEquals(4, slot(args, 3, 16).getAtIndex(ValueLayout.JAVA_LONG, 1));
            assertEquals(7, slot(args, 4, 12).getAtIndex(ValueLayout.JAVA_INT, 2));
            args.reset().i32(1);
            assertArrayEquals(new long[] {4}, args.sizes());
        }
    }

    @Test
    void aFullBlockIsRefused() {
        try (KernelArguments args = new KernelArguments()) {
            assertThrows(IllegalStateException.class, () -> {
                for (int i = 0; i < 33; i++) {
                    args.i32(i);
                }
            });
        }
    }
}
