package dev.isthmus.nn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The vector LSTM gate math gives the scalar formulas' floats, off by at most an ulp and rarely. */
class VectorGatesTest {
    @Test
    void vectorGatesRoundAsTheScalarFormulas() {
        assumeTrue(Sgemm.vectorized(), "the Vector API path is not in use");
        int units = 64;
        SplittableRandom r = new SplittableRandom(5);
        long values = 0;
        long off = 0;
        for (int trial = 0; trial < 2000; trial++) {
            double scale = trial % 4 == 0 ? 30 : trial % 4 == 1 ? 3 : trial % 4 == 2 ? 0.01 : 200;
            float[] z = new float[4 * units];
            float[] b = new float[4 * units];
            float[] prev = new float[2 * units];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) (r.nextGaussian() * scale);
                b[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < prev.length; i++) {
                prev[i] = (float) (r.nextGaussian() * scale);
            }
            z[0] = -0f;
            z[1] = Float.NaN;
            z[2] = Float.POSITIVE_INFINITY;
            z[3] = Float.NEGATIVE_INFINITY;
            b[0] = 0f;
            float[] vz = z.clone();
            float[] vout = new float[2 * units];
            int done = VectorGates.forward(vz, b, prev, vout, units);
            assertEquals(units, done);
            float[] sz = z.clone();
            float[] sout = new float[2 * units];
            for (int j = 0; j < units; j++) {
                float gi = Elementwise.sigmoid(sz[j] + b[j]);
                float gf = Elementwise.sigmoid(sz[units + j] + b[units + j]);
                float gg = (float) Math.tanh(sz[2 * units + j] + b[2 * units + j]);
                float go = Elementwise.sigmoid(sz[3 * units + j] + b[3 * units + j]);
                float c = gf * prev[units + j] + gi * gg;
                sz[j] = gi;
                sz[units + j] = gf;
                sz[2 * units + j] = gg;
                sz[3 * units + j] = go;
                sout[j] = go * (float) Math.tanh(c);
                sout[units + j] = c;
            }
            off += compare(sz, vz);
            off += compare(sout, vout);
            values += sz.length + sout.length;
            float[] tc = new float[units];
            assertEquals(units, VectorGates.tanh(prev, units, tc, units));
            for (int j = 0; j < units; j++) {
                off += compare(new float[] {(float) Math.tanh(prev[units + j])}, new float[] {tc[j]});
            }
            values += units;
        }
        assertTrue(off * 10_000 < values, off + " of " + values + " values an ulp off");
    }

    /** How many differ (each by at most an ulp; NaN where NaN). */
    private static int compare(float[] want, float[] got) {
        int off = 0;
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(want[i])) {
                assertTrue(Float.isNaN(got[i]), "NaN expected at " + i);
                continue;
            }
            if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
                assertTrue(Math.abs(want[i] - got[i]) <= Math.ulp(want[i]), want[i] + " vs " + got[i]);
                off++;
            }
        }
        return off;
    }
}
