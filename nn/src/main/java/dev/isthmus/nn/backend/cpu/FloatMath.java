package dev.isthmus.nn.backend.cpu;

/**
 * exp, tanh and the sigmoid in float from additions, multiplications and fused multiply-adds only,
 * the scalar twins of {@link VectorMath}'s lanes: the same operations in the same order, so a
 * value is the same float whether a vector lane, a loop's tail or an interpreted run computes it.
 * (The JDK's SIMD exp and tanh round differently interpreted than compiled, so two identical
 * training runs ended with different weights, depending on when C2 compiled a kernel.)
 *
 * <p>exp: x = n·ln 2 + r with n the nearest integer to x·log2(e) and |r| ≤ ln 2 / 2 (ln 2 in two
 * parts, Cody and Waite), e^r from its Taylor polynomial to degree 7 (truncation below a tenth of
 * an ulp), then times 2^n. Within one ulp of the correctly rounded value wherever that is a
 * normal float below {@link #EXP_INFINITE} ({@code FloatMathTest}); results below the smallest
 * normal float are 0, as in most SIMD exps (a softmax or sigmoid never needs them). Written for
 * few vector operations: C2 parses a Vector API operation into dozens of nodes, and a loop body
 * with more than two exps of an earlier version (two-step scaling, for subnormal results) ran out
 * of its node budget.
 * tanh: an odd polynomial below {@link #TANH_SMALL} (least-squares fit of tanh(x)/x in x², within
 * an ulp), (1 − e) / (1 + e) with e = e^{−2|x|} above it (within two ulps), with the sign put
 * back. The forms that take e precomputed let a vector loop run one exp pass over many values.
 */
final class FloatMath {
    static final float LOG2E = 1.44269504f;
    /** ln 2 split so that n · LN2_HI is exact for every n the range reduction sees. */
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /**
     * 1.5 · 2^23 + 127: adding it rounds x · log2(e) to an integer n, and the sum's bits end in
     * n + 127, the biased exponent of 2^n, which a shift by 23 moves into place (the higher bits
     * of the sum shift out).
     */
    static final float ROUNDER = 12583039f;
    /** Below this (ln of the smallest normal float) exp returns 0: subnormal results flush to zero. */
    static final float EXP_LOW = -87.336544f;
    /**
     * From here on exp is ∞ (from about 88.3763, where n of the range reduction becomes 128 and
     * its scale ∞), short of the true overflow at 88.72 (e^88.38 is 2.4e38). Every caller passes
     * x ≤ 0 (a shifted softmax row, −|x| of a sigmoid or tanh).
     */
    static final float EXP_INFINITE = 88.38f;
    /** Where the argument is clamped, to keep n of the range reduction small. */
    static final float EXP_HIGH = 89f;
    static final float C2 = 1f / 2;
    static final float C3 = 1f / 6;
    static final float C4 = 1f / 24;
    static final float C5 = 1f / 120;
    static final float C6 = 1f / 720;
    static final float C7 = 1f / 5040;
    /** Where tanh switches from its polynomial to the exponential form. */
    static final float TANH_SMALL = 0.625f;
    /** tanh(x) = x + x³ · (T1 + T2·x² + T3·x⁴ + T4·x⁶ + T5·x⁸) below TANH_SMALL. */
    static final float T1 = -0.3333328664302826f;
    static final float T2 = 0.13331513106822968f;
    static final float T3 = -0.05374465882778168f;
    static final float T4 = 0.020653124898672104f;
    static final float T5 = -0.0057189627550542355f;

    private FloatMath() {
    }

    static float exp(float x) {
        float v = Math.min(Math.max(x, EXP_LOW), EXP_HIGH);
        float t = Math.fma(v, LOG2E, ROUNDER);
        float n = t - ROUNDER;
        float r = Math.fma(n, -LN2_HI, v);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(C7, r, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        float y = p * Float.intBitsToFloat(Float.floatToRawIntBits(t) << 23);
        return x < EXP_LOW ? 0f : y;
    }

    static float tanh(float x) {
        return tanh(x, exp(Math.abs(x) * -2f)); // the argument as VectorMath.negAbs forms it
    }

    /** tanh(x) given e = exp(−2|x|). */
    static float tanh(float x, float e) {
        float a = Math.abs(x);
        float s = a * a;
        float q = Math.fma(T5, s, T4);
        q = Math.fma(q, s, T3);
        q = Math.fma(q, s, T2);
        q = Math.fma(q, s, T1);
        float small = Math.fma(a * s, q, a);
        float large = (1f - e) / (1f + e);
        return Math.copySign(a < TANH_SMALL ? small : large, x);
    }

    /** 1 / (1 + e) for x ≥ 0 and e / (1 + e) below, e = exp(−|x|), so that neither side overflows. */
    static float sigmoid(float x) {
        return sigmoid(x, exp(Math.abs(x) * -1f));
    }

    /** The sigmoid of x given e = exp(−|x|). */
    static float sigmoid(float x, float e) {
        float onePlus = e + 1f;
        return x >= 0 ? 1f / onePlus : e / onePlus;
    }
}
