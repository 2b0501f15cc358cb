package dev.isthmus.nn.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.testkit.GradientCheck;
import org.junit.jupiter.api.Test;

/** int32 and int64 tensors: exact beyond 2^24, accepted by every op that reads indices, refused by arithmetic. */
class IntegerTensorTest {
    private static final int BEYOND_FLOAT = (1 << 24) + 1; // the first integer float32 cannot hold

    @Test
    void integersBeyondFloatPrecisionSurviveTheRoundTrip() {
        Tensor i32 = Tensor.of(new int[] {BEYOND_FLOAT, -7, Integer.MAX_VALUE}, 3);
        assertEquals(DType.INT32, i32.dtype());
        assertArrayEquals(new int[] {BEYOND_FLOAT, -7, Integer.MAX_VALUE}, i32.toIntArray());
        Tensor i64 = Tensor.of(new long[] {Long.MAX_VALUE, 1L << 40, -1}, 3);
        assertEquals(DType.INT64, i64.dtype());
        assertArrayEquals(new long[] {Long.MAX_VALUE, 1L << 40, -1}, i64.toLongArray());
        assertArrayEquals(new long[] {BEYOND_FLOAT, -7, Integer.MAX_VALUE}, i32.cast(DType.INT64).toLongArray());
        assertEquals(8L * 3, i64.storage().byteSize());
    }

    @Test
    void slicesConcatsReshapesAndRowSelectionsKeepTheType() {
        Tensor t = Tensor.of(new long[] {1L << 40, 1, 2, 3, 4, 5}, 3, 2);
        assertArrayEquals(new long[] {2, 3, 4, 5}, t.slice(0, 1, 3).toLongArray());
        assertArrayEquals(new long[] {1L << 40, 2, 4}, t.slice(1, 0, 1).toLongArray());
        assertArrayEquals(new long[] {4, 5, 1L << 40, 1}, t.indexSelect(2, 0).toLongArray());
        assertArrayEquals(new long[] {1L << 40, 1, 2, 3, 4, 5, 9, 9},
                Tensor.concat(0, t, Tensor.of(new long[] {9, 9}, 1, 2)).toLongArray());
        assertEquals(DType.INT64, t.reshape(6).dtype());
        assertEquals(DType.INT32, Tensor.of(new int[] {1, 2}).copy().dtype());
        assertTrue(t.toString().contains("1099511627776") && t.toString().contains("dtype=int64"), t.toString());
    }

    @Test
    void castsFollowJavasConversions() {
        Tensor f = Tensor.of(new float[] {2.9f, -2.9f, Float.NaN, 1e20f, -1e20f}, 5);
        assertArrayEquals(new int[] {2, -2, 0, Integer.MAX_VALUE, Integer.MIN_VALUE}, f.cast(DType.INT32).toIntArray());
        assertArrayEquals(new long[] {2, -2, 0, (long) 1e20f, (long) -1e20f}, f.cast(DType.INT64).toLongArray());
        assertArrayEquals(new float[] {16777216f, 3f}, Tensor.of(new int[] {BEYOND_FLOAT, 3}).cast(DType.FLOAT32).toArray());
        assertArrayEquals(new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, 5},
                Tensor.of(new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 5}).cast(DType.INT32).toIntArray());
    }

    @Test
    void indexSelectAndPickTakeInt32AndInt64AndTheirGradientsCheck() {
        Tensor rows = Tensor.of(new int[] {2, 0, 2, 1}, 4);
        Tensor wideRows = rows.cast(DType.INT64);
        Tensor labels = Tensor.of(new long[] {1, 0, 2, 2}, 4);
        GradientCheck.standard().check("indexSelect int32", in -> in.get(0).indexSelect(rows),
                Tensor.uniform(new int[] {3, 5}, -1, 1, 1));
        GradientCheck.standard().check("indexSelect int64", in -> in.get(0).indexSelect(wideRows),
                Tensor.uniform(new int[] {3, 5}, -1, 1, 2));
        GradientCheck.standard().check("pick int64", in -> in.get(0).pick(labels),
                Tensor.uniform(new int[] {4, 3}, -1, 1, 3));
        Tensor src = Tensor.of(new int[] {10, 11, 20, 21, 30, 31}, 3, 2);
        assertArrayEquals(new int[] {30, 31, 10, 11, 30, 31, 20, 21}, src.indexSelect(rows).toIntArray());
    }

    @Test
    void outOfRangeIndicesNameTheOpThePositionAndTheBound() {
        Tensor x = Tensor.zeros(3, 2);
        var e = assertThrows(IndexOutOfRangeException.class, () -> x.indexSelect(Tensor.of(new long[] {0, 1L << 33})));
        assertTrue(e.getMessage().contains("indexSelect") && e.getMessage().contains("index 8589934592 at position 1")
                && e.getMessage().contains("[0, 3)"), e.getMessage());
        var p = assertThrows(IndexOutOfRangeException.class, () -> x.pick(Tensor.of(new int[] {1, 0, -1}, 3)));
        assertTrue(p.getMessage().contains("index -1 at position 2") && p.getMessage().contains("[0, 2)"), p.getMessage());
    }

    @Test
    void floatIndicesAndIntegerArithmeticAreRefusedByName() {
        Tensor x = Tensor.zeros(3, 2);
        var f = assertThrows(DTypeException.class, () -> x.indexSelect(Tensor.of(new float[] {0, 1})));
        assertTrue(f.getMessage().contains("int32 or int64") && f.getMessage().contains("float32"), f.getMessage());
        Tensor ids = Tensor.of(new int[] {1, 2});
        var a = assertThrows(DTypeException.class, () -> ids.add(ids));
        assertTrue(a.getMessage().contains("add") && a.getMessage().contains("int32"), a.getMessage());
        assertThrows(DTypeException.class, () -> ids.requiresGrad(true));
        assertThrows(DTypeException.class, ids::toArray);
        assertThrows(DTypeException.class, () -> Tensor.of(new float[] {1}).toIntArray());
        assertThrows(DTypeException.class, () -> Tensor.concat(0, ids, Tensor.of(new float[] {1, 2})));
    }

    @Test
    void argmaxTakesTheFirstOfTiedMaximaAndLetsNaNWin() {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        Tensor x = Tensor.of(new float[] {1, 3, 3, 0, -inf, -inf, -inf, -inf, 2, nan, 5, nan, inf, inf, 1, 0}, 4, 4);
        Tensor a = x.argmax();
        assertEquals(DType.INT32, a.dtype());
        assertArrayEquals(new int[] {1, 0, 1, 0}, a.toIntArray());
        assertArrayEquals(new int[] {2, 3}, Tensor.zeros(2, 3, 5).argmax().shape());
    }

    @Test
    void embeddingAndSparseLossesReadIdsBeyondFloatPrecision() {
        var e = new Embedding(BEYOND_FLOAT + 1, 1);
        e.build(new int[] {1}, null, 1);
        Tensor table = e.parameters().get("embeddings");
        float last = table.slice(0, BEYOND_FLOAT, BEYOND_FLOAT + 1).item();
        float before = table.slice(0, BEYOND_FLOAT - 1, BEYOND_FLOAT).item();
        assertTrue(last != before, "two neighbouring rows should differ");
        assertEquals(last, e.call(Tensor.of(new int[] {BEYOND_FLOAT}, 1, 1), false).item());
        Tensor logits = Tensor.zeros(1, BEYOND_FLOAT + 1);
        float loss = Losses.sparseCategoricalCrossentropy(true).compute(Tensor.of(new int[] {BEYOND_FLOAT}, 1), logits).item();
        assertEquals(Math.log(BEYOND_FLOAT + 1.0), loss, 1e-3);
    }
}
