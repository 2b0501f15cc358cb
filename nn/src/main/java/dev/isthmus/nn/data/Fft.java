package dev.isthmus.nn.data;

/**
 * Discrete Fourier transform of one fixed length {@code n}, planned once and reused (it holds
 * twiddle tables; instances are immutable and thread-safe). Power-of-two lengths use an iterative
 * radix-2 Cooley-Tukey transform; other lengths (e.g. the 400-point frames of 25 ms speech at
 * 16 kHz) use Bluestein's chirp-z algorithm on a power-of-two transform, so every n ≥ 1 works in
 * O(n log n). Arithmetic is in double precision.
 *
 * <p>Conventions as numpy: forward {@code X[k] = Σ x[j] e^(-2πi jk/n)}, inverse scaled by 1/n.
 */
public final class Fft {
    private final int n;
    // radix-2 tables (n a power of two)
    private final double[] cos;
    private final double[] sin;
    private final int[] bitReverse;
    // Bluestein (n not a power of two)
    private final Fft inner;
    private final double[] chirpRe;
    private final double[] chirpIm;
    private final double[] kernelRe;
    private final double[] kernelIm;

    /** Real and imaginary parts of a complex sequence. */
    public record Complex(double[] re, double[] im) {
        /**
         * Checks the parts.
         * @throws IllegalArgumentException if {@code re} and {@code im} differ in length
         */
        public Complex {
            if (re.length != im.length) {
                throw new IllegalArgumentException("Fft.Complex: re has " + re.length + " values but im has " + im.length);
            }
        }

        /** |z|², element-wise. */
        public double[] power() {
            double[] p = new double[re.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = re[i] * re[i] + im[i] * im[i];
            }
            return p;
        }

        /** |z|, element-wise. */
        public double[] magnitude() {
            double[] p = power();
            for (int i = 0; i < p.length; i++) {
                p[i] = Math.sqrt(p[i]);
            }
            return p;
        }
    }

    private Fft(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("Fft: length must be at least 1, got " + n);
        }
        this.n = n;
        if (Integer.bitCount(n) == 1) {
            int half = n / 2;
            cos = new double[half];
            sin = new double[half];
            for (int k = 0; k < half; k++) {
                double a = -2 * Math.PI * k / n;
                cos[k] = Math.cos(a);
                sin[k] = Math.sin(a);
            }
            int bits = Integer.numberOfTrailingZeros(n);
            bitReverse = new int[n];
            for (int i = 0; i < n; i++) {
                bitReverse[i] = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
            }
            inner = null;
            chirpRe = chirpIm = kernelRe = kernelIm = null;
        } else {
            if (n > (1 << 29)) {
                throw new IllegalArgumentException("Fft: length " + n + " is too large");
            }
            int m = Integer.highestOneBit(2 * n - 1) << 1;
            inner = new Fft(m);
            chirpRe = new double[n];
            chirpIm = new double[n];
            for (int k = 0; k < n; k++) {
                // e^(-πi k²/n), with k² reduced mod 2n to keep the angle accurate for large k
                double a = -Math.PI * (((long) k * k) % (2L * n)) / n;
                chirpRe[k] = Math.cos(a);
                chirpIm[k] = Math.sin(a);
            }
            kernelRe = new double[m];
            kernelIm = new double[m];
            kernelRe[0] = chirpRe[0];
            kernelIm[0] = -chirpIm[0];
            for (int k = 1; k < n; k++) {
                kernelRe[k] = kernelRe[m - k] = chirpRe[k];
                kernelIm[k] = kernelIm[m - k] = -chirpIm[k];
            }
            inner.forward(kernelRe, kernelIm);
            cos = sin = null;
            bitReverse = null;
        }
    }

    /** A transform of length {@code n} (any n ≥ 1). */
    public static Fft of(int n) {
        return new Fft(n);
    }

    /** The transform length {@code n}: the length of the sequences it takes. */
    public int size() {
        return n;
    }

    /** In-place forward DFT of the complex sequence (re, im), both of length {@link #size()}. */
    public void forward(double[] re, double[] im) {
        checkLength(re.length, im.length);
        if (inner == null) {
            radix2(re, im);
        } else {
            bluestein(re, im);
        }
    }

    /** In-place inverse DFT, scaled by 1/n so that {@code inverse(forward(x)) == x}. */
    public void inverse(double[] re, double[] im) {
        checkLength(re.length, im.length);
        for (int i = 0; i < n; i++) {
            im[i] = -im[i];
        }
        forward(re, im);
        for (int i = 0; i < n; i++) {
            re[i] /= n;
            im[i] = -im[i] / n;
        }
    }

    /** The n/2 + 1 non-negative-frequency bins of the DFT of the real sequence x (length {@link #size()}). */
    public Complex rfft(float[] x) {
        checkLength(x.length, x.length);
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < n; i++) {
            re[i] = x[i];
        }
        forward(re, im);
        int bins = n / 2 + 1;
        return new Complex(java.util.Arrays.copyOf(re, bins), java.util.Arrays.copyOf(im, bins));
    }

    /** The real sequence of length {@link #size()} whose {@link #rfft} is {@code half} (n/2 + 1 bins; numpy's irfft). */
    public float[] irfft(Complex half) {
        int bins = n / 2 + 1;
        if (half.re().length != bins) {
            throw new IllegalArgumentException("Fft.irfft: expected " + bins + " bins for length " + n + ", got "
                    + half.re().length);
        }
        double[] re = new double[n];
        double[] im = new double[n];
        for (int k = 0; k < bins; k++) {
            re[k] = half.re()[k];
            im[k] = half.im()[k];
        }
        for (int k = bins; k < n; k++) {
            re[k] = half.re()[n - k];
            im[k] = -half.im()[n - k];
        }
        inverse(re, im);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) re[i];
        }
        return out;
    }

    /** Convenience: {@code Fft.of(x.length).rfft(x)}. */
    public static Complex rfftOf(float[] x) {
        return of(x.length).rfft(x);
    }

    private void checkLength(int a, int b) {
        if (a != n || b != n) {
            throw new IllegalArgumentException("Fft: this transform has length " + n + ", got arrays of length "
                    + a + (a != b ? " and " + b : ""));
        }
    }

    private void radix2(double[] re, double[] im) {
        for (int i = 0; i < n; i++) {
            int j = bitReverse[i];
            if (j > i) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int size = 2; size <= n; size <<= 1) {
            int half = size >> 1;
            int step = n / size;
            for (int start = 0; start < n; start += size) {
                for (int k = 0; k < half; k++) {
                    double wr = cos[k * step];
                    double wi = sin[k * step];
                    int a = start + k;
                    int b = a + half;
                    double tr = re[b] * wr - im[b] * wi;
                    double ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }

    private void bluestein(double[] re, double[] im) {
        int m = inner.n;
        double[] ar = new double[m];
        double[] ai = new double[m];
        for (int k = 0; k < n; k++) {
            ar[k] = re[k] * chirpRe[k] - im[k] * chirpIm[k];
            ai[k] = re[k] * chirpIm[k] + im[k] * chirpRe[k];
        }
        inner.forward(ar, ai);
        for (int k = 0; k < m; k++) {
            double r = ar[k] * kernelRe[k] - ai[k] * kernelIm[k];
            double i = ar[k] * kernelIm[k] + ai[k] * kernelRe[k];
            ar[k] = r;
            ai[k] = i;
        }
        inner.inverse(ar, ai);
        for (int k = 0; k < n; k++) {
            re[k] = ar[k] * chirpRe[k] - ai[k] * chirpIm[k];
            im[k] = ar[k] * chirpIm[k] + ai[k] * chirpRe[k];
        }
    }
}
