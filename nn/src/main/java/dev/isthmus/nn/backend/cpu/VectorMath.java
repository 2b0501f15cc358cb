package dev.isthmus.nn.backend.cpu;

import static dev.isthmus.nn.backend.cpu.FloatMath.C2;
import static dev.isthmus.nn.backend.cpu.FloatMath.C3;
import static dev.isthmus.nn.backend.cpu.FloatMath.C4;
import static dev.isthmus.nn.backend.cpu.FloatMath.C5;
import static dev.isthmus.nn.backend.cpu.FloatMath.C6;
import static dev.isthmus.nn.backend.cpu.FloatMath.C7;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatMath}'s exp, and its tanh and sigmoid given the exponential, over array ranges: the
 * lanes in the scalar twins' operations and order (the same bits; {@code FloatMathTest} checks it),
 * the rest of a range through the twins. Loaded only when the Vector API module is present.
 *
 * <p>Why arrays and not per-vector methods: C2 parses each Vector API operation into dozens of
 * nodes and stops inlining once a compilation has made 18,000 (NodeCountInliningCutoff); a vector
 * method it then leaves as a call boxes its arguments and result on the heap, and the LSTM gates
 * (five exps a step) ran 3× slower. Here no vector crosses a call: a call C2 does not inline costs
 * one call a range, not an allocation a vector.
 */
final class VectorMath {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private VectorMath() {
    }

    /**
     * dst[dstAt + i] = exp(src[srcAt + i] − shift) for i in [0, n) (dst may be src; shift 0 leaves
     * every argument as it is, −0 included).
     */
    static void exp(float[] src, int srcAt, float shift, float[] dst, int dstAt, int n) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector x = FloatVector.fromArray(F, src, srcAt + i).sub(shift);
            FloatVector v = x.max(FloatMath.EXP_LOW).min(FloatMath.EXP_HIGH);
            FloatVector t = v.fma(FloatMath.LOG2E, FloatMath.ROUNDER);
            FloatVector k = t.sub(FloatMath.ROUNDER);
            FloatVector r = k.fma(k.broadcast(-FloatMath.LN2_HI), v);
            r = k.fma(k.broadcast(-FloatMath.LN2_LO), r);
            FloatVector p = r.fma(C7, C6);
            p = p.fma(r, r.broadcast(C5));
            p = p.fma(r, r.broadcast(C4));
            p = p.fma(r, r.broadcast(C3));
            p = p.fma(r, r.broadcast(C2));
            p = p.fma(r, r.broadcast(1f));
            p = p.fma(r, r.broadcast(1f));
            FloatVector scale = (FloatVector) t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23)
                    .reinterpretAsFloats();
            p.mul(scale).blend(0f, x.compare(VectorOperators.LT, FloatMath.EXP_LOW)).intoArray(dst, dstAt + i);
        }
        for (; i < n; i++) {
            dst[dstAt + i] = FloatMath.exp(src[srcAt + i] - shift);
        }
    }

    /**
     * out[outAt + i] = tanh(x[xAt + i]) for i in [0, n), given e[eAt + i] = exp(−2|x[xAt + i]|)
     * (out may be x or e).
     */
    static void tanh(float[] x, int xAt, float[] e, int eAt, float[] out, int outAt, int n) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xAt + i);
            FloatVector ev = FloatVector.fromArray(F, e, eAt + i);
            FloatVector a = xv.abs();
            FloatVector s = a.mul(a);
            FloatVector q = s.fma(FloatMath.T5, FloatMath.T4);
            q = q.fma(s, s.broadcast(FloatMath.T3));
            q = q.fma(s, s.broadcast(FloatMath.T2));
            q = q.fma(s, s.broadcast(FloatMath.T1));
            FloatVector small = a.mul(s).fma(q, a);
            FloatVector one = a.broadcast(1f);
            FloatVector large = one.sub(ev).div(one.add(ev));
            FloatVector magnitude = large.blend(small, a.compare(VectorOperators.LT, FloatMath.TANH_SMALL));
            // copySign: the magnitude's bits with x's sign bit
            IntVector sign = ((IntVector) xv.reinterpretAsInts()).and(0x80000000);
            ((FloatVector) ((IntVector) magnitude.reinterpretAsInts()).or(sign).reinterpretAsFloats())
                    .intoArray(out, outAt + i);
        }
        for (; i < n; i++) {
            out[outAt + i] = FloatMath.tanh(x[xAt + i], e[eAt + i]);
        }
    }

    /**
     * out[outAt + i] = sigmoid(x[xAt + i]) for i in [0, n), given e[eAt + i] = exp(−|x[xAt + i]|)
     * (out may be x or e).
     */
    static void sigmoid(float[] x, int xAt, float[] e, int eAt, float[] out, int outAt, int n) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xAt + i);
            FloatVector ev = FloatVector.fromArray(F, e, eAt + i);
            FloatVector onePlus = ev.add(1f);
            ev.div(onePlus).blend(onePlus.broadcast(1f).div(onePlus), xv.compare(VectorOperators.GE, 0f))
                    .intoArray(out, outAt + i);
        }
        for (; i < n; i++) {
            out[outAt + i] = FloatMath.sigmoid(x[xAt + i], e[eAt + i]);
        }
    }

    /**
     * e[eAt + i] = −scale · |x[xAt + i]| for i in [0, n): the argument of the exp that tanh (scale
     * 2) or the sigmoid (scale 1) needs.
     */
    static void negAbs(float[] x, int xAt, float scale, float[] e, int eAt, int n) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += L) {
            FloatVector.fromArray(F, x, xAt + i).abs().mul(-scale).intoArray(e, eAt + i);
        }
        for (; i < n; i++) {
            e[eAt + i] = Math.abs(x[xAt + i]) * -scale;
        }
    }

    /** out[i] = tanh(x[xAt + i]) for i in [0, n). */
    static void tanh(float[] x, int xAt, float[] out, int n) {
        negAbs(x, xAt, 2f, out, 0, n);
        exp(out, 0, 0f, out, 0, n);
        tanh(x, xAt, out, 0, out, 0, n);
    }
}
