package dev.isthmus.nn.data;

import dev.isthmus.nn.tensor.Shapes;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Arrays;

/**
 * Speech features from mono samples: resampling, pre-emphasis, framing, STFT, mel filterbank,
 * log-mel, MFCC, per-utterance normalisation. Spectrogram-like results are {@code float[frames][features]}
 * (row per frame); the one-call paths {@link #logMelSpectrogram} and {@link #mfcc(AudioClip, int, int, int, int, int)}
 * return a [frames, features] {@link Tensor}.
 *
 * <p>Choices (librosa defaults unless stated):
 * <ul>
 *   <li>Window: periodic Hann ({@code 0.5 - 0.5 cos(2πk/n)}, k &lt; n), as librosa / torch.</li>
 *   <li>STFT: frames centred ({@code center=True}): the signal is zero-padded by nFft/2 on both sides
 *       (librosa ≥ 0.10's {@code pad_mode="constant"}), giving {@code 1 + len / hop} frames.</li>
 *   <li>Mel: Slaney scale (linear below 1 kHz, logarithmic above) with Slaney area normalisation
 *       (each triangle scaled by 2 / its width in Hz) — librosa's {@code htk=False, norm="slaney"}.</li>
 *   <li>Log: natural log, {@code ln(mel + 1e-6)} (not decibels; dB would be {@code 10 / ln 10} times it,
 *       up to the offset).</li>
 *   <li>MFCC: orthonormal DCT-II over the log-mel bands, keeping the first nMfcc coefficients
 *       (scipy {@code dct(type=2, norm="ortho")}). librosa's {@code mfcc} takes the DCT of
 *       {@code 10 log10} power instead, so its coefficients are about 4.34 times these.</li>
 *   <li>Resampling: Kaiser-windowed sinc (β 8.6, 16 zero crossings, cut-off 0.95 of the lower
 *       Nyquist frequency), which low-passes before downsampling so nothing above the new Nyquist
 *       aliases; output length {@code ceil(len * to / from)}.</li>
 * </ul>
 */
public final class Audio {
    private Audio() {}

    /** Added before the logarithm in {@link #logMel}: {@code ln(mel + 1e-6)}. */
    public static final double LOG_OFFSET = 1e-6;

    /** Power |X|² or magnitude |X| spectrogram. */
    public enum Spectrum {
        /** {@code |X|²}, the squared magnitude (librosa's {@code power=2}). */
        POWER,
        /** {@code |X|} (librosa's {@code power=1}). */
        MAGNITUDE
    }

    // ------------------------------------------------------------------------------- resampling

    private static final int ZERO_CROSSINGS = 16;
    private static final double KAISER_BETA = 8.6;
    private static final double ROLLOFF = 0.95;

    /** {@code x} sampled at {@code from} Hz, resampled to {@code to} Hz (band-limited; see the class comment). */
    public static float[] resample(float[] x, int from, int to) {
        if (from <= 0 || to <= 0) {
            throw new IllegalArgumentException("Audio.resample: sample rates must be positive, got " + from + " -> " + to);
        }
        if (from == to) {
            return x.clone();
        }
        int g = gcd(from, to);
        long up = to / g;
        long down = from / g;
        int outLen = Math.toIntExact(((long) x.length * up + down - 1) / down);
        double cutoff = ROLLOFF * Math.min(1.0, (double) up / down); // fraction of the input Nyquist
        double halfWidth = ZERO_CROSSINGS / cutoff; // in input samples
        int reach = (int) Math.floor(halfWidth) + 1;
        int taps = 2 * reach + 1;
        double i0Beta = besselI0(KAISER_BETA);
        // Output i sits at input position i*down/up = q + r/up: the filter depends only on the phase r.
        float[][] table = up * taps <= (1 << 22) ? new float[(int) up][] : null;
        float[] out = new float[outLen];
        for (int i = 0; i < outLen; i++) {
            long pos = i * down;
            int q = (int) (pos / up);
            int r = (int) (pos % up);
            float[] h;
            if (table != null) {
                h = table[r];
                if (h == null) {
                    h = table[r] = filter(r / (double) up, reach, cutoff, halfWidth, i0Beta);
                }
            } else {
                h = filter(r / (double) up, reach, cutoff, halfWidth, i0Beta);
            }
            double acc = 0;
            int lo = Math.max(-reach, -q);
            int hi = Math.min(reach, x.length - 1 - q);
            for (int j = lo; j <= hi; j++) {
                acc += x[q + j] * h[j + reach];
            }
            out[i] = (float) acc;
        }
        return out;
    }

    /** Taps h[j + reach] for input samples q + j, j in [-reach, reach], at fractional offset frac. */
    private static float[] filter(double frac, int reach, double cutoff, double halfWidth, double i0Beta) {
        float[] h = new float[2 * reach + 1];
        for (int j = -reach; j <= reach; j++) {
            double d = frac - j; // distance from the output position to input sample q + j
            double u = d / halfWidth;
            if (Math.abs(u) >= 1) {
                continue;
            }
            double window = besselI0(KAISER_BETA * Math.sqrt(1 - u * u)) / i0Beta;
            h[j + reach] = (float) (cutoff * sinc(cutoff * d) * window);
        }
        return h;
    }

    private static double sinc(double z) {
        return z == 0 ? 1 : Math.sin(Math.PI * z) / (Math.PI * z);
    }

    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double q = x * x / 4;
        for (int k = 1; k < 200; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    // ------------------------------------------------------------------------------- framing

    /** {@code y[0] = x[0], y[n] = x[n] - coef * x[n-1]} (coef typically 0.97). */
    public static float[] preEmphasis(float[] x, float coef) {
        float[] y = new float[x.length];
        for (int i = x.length - 1; i > 0; i--) {
            y[i] = x[i] - coef * x[i - 1];
        }
        if (x.length > 0) {
            y[0] = x[0];
        }
        return y;
    }

    /** Periodic Hann window of length n ({@code 0.5 - 0.5 cos(2πk/n)}), the STFT default of librosa and torch. */
    public static float[] hann(int n) {
        return hann(n, true);
    }

    /** Hann window; periodic divides by n (for spectral analysis), symmetric by n - 1 (filter design). */
    public static float[] hann(int n, boolean periodic) {
        if (n < 1) {
            throw new IllegalArgumentException("Audio.hann: length must be at least 1, got " + n);
        }
        float[] w = new float[n];
        int denominator = periodic ? n : n - 1;
        for (int k = 0; k < n; k++) {
            w[k] = denominator == 0 ? 1f : (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * k / denominator));
        }
        return w;
    }

    /**
     * Frames {@code x[i*hop, i*hop + frameLength)} for every frame that fits, without padding:
     * {@code 1 + (len - frameLength) / hop} frames, none when x is shorter than one frame.
     */
    public static float[][] frame(float[] x, int frameLength, int hop) {
        return frame(x, frameLength, hop, null);
    }

    /** As {@link #frame(float[], int, int)}, each frame multiplied by {@code window} (length frameLength; null: none). */
    public static float[][] frame(float[] x, int frameLength, int hop, float[] window) {
        if (frameLength < 1 || hop < 1) {
            throw new IllegalArgumentException("Audio.frame: frame length and hop must be positive, got "
                    + frameLength + " and " + hop);
        }
        if (window != null && window.length != frameLength) {
            throw new IllegalArgumentException("Audio.frame: window has " + window.length
                    + " values but frames have " + frameLength);
        }
        int frames = x.length < frameLength ? 0 : 1 + (x.length - frameLength) / hop;
        float[][] out = new float[frames][frameLength];
        for (int f = 0; f < frames; f++) {
            System.arraycopy(x, f * hop, out[f], 0, frameLength);
            if (window != null) {
                for (int k = 0; k < frameLength; k++) {
                    out[f][k] *= window[k];
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------- spectra

    /** Power spectrogram [1 + len/hop][nFft/2 + 1] with a periodic Hann window of nFft, centred frames. */
    public static float[][] stft(float[] x, int nFft, int hop) {
        return stft(x, nFft, hop, null, Spectrum.POWER);
    }

    /**
     * Spectrogram [1 + len/hop][nFft/2 + 1] of centred frames (zero padding of nFft/2 each side).
     *
     * @param window analysis window of length ≤ nFft, zero-padded to nFft in the centre (librosa's
     *     pad_center); null for a periodic Hann of length nFft
     */
    public static float[][] stft(float[] x, int nFft, int hop, float[] window, Spectrum kind) {
        if (nFft < 1 || hop < 1) {
            throw new IllegalArgumentException("Audio.stft: nFft and hop must be positive, got " + nFft + " and " + hop);
        }
        float[] w = window == null ? hann(nFft) : window;
        if (w.length > nFft) {
            throw new IllegalArgumentException("Audio.stft: window of " + w.length + " is longer than nFft " + nFft);
        }
        if (w.length < nFft) {
            float[] padded = new float[nFft];
            System.arraycopy(w, 0, padded, (nFft - w.length) / 2, w.length);
            w = padded;
        }
        int pad = nFft / 2;
        float[] padded = new float[x.length + 2 * pad];
        System.arraycopy(x, 0, padded, pad, x.length);
        int frames = 1 + (padded.length - nFft) / hop;
        int bins = nFft / 2 + 1;
        Fft fft = Fft.of(nFft);
        double[] re = new double[nFft];
        double[] im = new double[nFft];
        float[][] out = new float[frames][bins];
        for (int f = 0; f < frames; f++) {
            int start = f * hop;
            for (int k = 0; k < nFft; k++) {
                re[k] = padded[start + k] * w[k];
                im[k] = 0;
            }
            fft.forward(re, im);
            for (int k = 0; k < bins; k++) {
                double p = re[k] * re[k] + im[k] * im[k];
                out[f][k] = (float) (kind == Spectrum.POWER ? p : Math.sqrt(p));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------- mel

    private static final double F_SP = 200.0 / 3;
    private static final double MIN_LOG_HZ = 1000.0;
    private static final double MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
    private static final double LOG_STEP = Math.log(6.4) / 27.0;

    /** Slaney mel of a frequency: {@code f / (200/3)} below 1 kHz, {@code 15 + ln(f / 1000) / (ln 6.4 / 27)} above. */
    public static double hzToMel(double hz) {
        return hz < MIN_LOG_HZ ? hz / F_SP : MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP;
    }

    /** Inverse of {@link #hzToMel}. */
    public static double melToHz(double mel) {
        return mel < MIN_LOG_MEL ? mel * F_SP : MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL));
    }

    /**
     * Triangular mel filters [nMels][nFft/2 + 1] (librosa.filters.mel with htk=False, norm="slaney"):
     * nMels + 2 points evenly spaced in Slaney mel between fMin and fMax, triangles between
     * neighbours over the FFT bin frequencies {@code k * sampleRate / nFft}, each scaled by
     * 2 / (upper - lower edge in Hz). Requires {@code 0 ≤ fMin < fMax ≤ sampleRate / 2}.
     */
    public static float[][] melFilterbank(int sampleRate, int nFft, int nMels, double fMin, double fMax) {
        if (sampleRate <= 0 || nFft < 1 || nMels < 1) {
            throw new IllegalArgumentException("Audio.melFilterbank: sampleRate, nFft and nMels must be positive, got "
                    + sampleRate + ", " + nFft + ", " + nMels);
        }
        if (!(fMin >= 0 && fMin < fMax && fMax <= sampleRate / 2.0)) {
            throw new IllegalArgumentException("Audio.melFilterbank: need 0 <= fMin < fMax <= sampleRate/2 = "
                    + sampleRate / 2.0 + ", got fMin " + fMin + ", fMax " + fMax);
        }
        int bins = nFft / 2 + 1;
        double[] edges = melBandEdges(nMels, fMin, fMax);
        float[][] fb = new float[nMels][bins];
        for (int m = 0; m < nMels; m++) {
            double lower = edges[m];
            double centre = edges[m + 1];
            double upper = edges[m + 2];
            double norm = 2.0 / (upper - lower);
            for (int k = 0; k < bins; k++) {
                double f = (double) k * sampleRate / nFft;
                double rising = (f - lower) / (centre - lower);
                double falling = (upper - f) / (upper - centre);
                fb[m][k] = (float) (Math.max(0, Math.min(rising, falling)) * norm);
            }
        }
        return fb;
    }

    /** The mel filterbank's band edges in Hz: band m spans (edges[m], edges[m + 2]) and peaks at edges[m + 1]. */
    public static double[] melBandEdges(int nMels, double fMin, double fMax) {
        double melLo = hzToMel(fMin);
        double melHi = hzToMel(fMax);
        double[] edges = new double[nMels + 2];
        for (int i = 0; i < edges.length; i++) {
            edges[i] = melToHz(melLo + (melHi - melLo) * i / (nMels + 1));
        }
        return edges;
    }

    /** Mel spectrogram: each frame of {@code spectrogram} [frames][bins] times {@code filterbank} [nMels][bins]. */
    public static float[][] mel(float[][] spectrogram, float[][] filterbank) {
        float[][] out = new float[spectrogram.length][filterbank.length];
        for (int f = 0; f < spectrogram.length; f++) {
            for (int m = 0; m < filterbank.length; m++) {
                if (filterbank[m].length != spectrogram[f].length) {
                    throw new IllegalArgumentException("Audio.mel: filterbank rows have " + filterbank[m].length
                            + " bins but spectrogram frames have " + spectrogram[f].length);
                }
                double acc = 0;
                for (int k = 0; k < spectrogram[f].length; k++) {
                    acc += (double) filterbank[m][k] * spectrogram[f][k];
                }
                out[f][m] = (float) acc;
            }
        }
        return out;
    }

    /** {@code ln(mel(powerSpectrogram, filterbank) + 1e-6)}, [frames][nMels]. */
    public static float[][] logMel(float[][] powerSpectrogram, float[][] filterbank) {
        float[][] m = mel(powerSpectrogram, filterbank);
        for (float[] row : m) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) Math.log(row[i] + LOG_OFFSET);
            }
        }
        return m;
    }

    // ------------------------------------------------------------------------------- cepstra

    /** Orthonormal DCT-II matrix [nOut][n]: {@code D[k][j] = s_k cos(π k (2j + 1) / 2n)}, s_0 = √(1/n), s_k = √(2/n). */
    public static float[][] dctMatrix(int n, int nOut) {
        if (n < 1 || nOut < 1 || nOut > n) {
            throw new IllegalArgumentException("Audio.dctMatrix: need 1 <= nOut <= n, got n " + n + ", nOut " + nOut);
        }
        float[][] d = new float[nOut][n];
        for (int k = 0; k < nOut; k++) {
            double s = Math.sqrt((k == 0 ? 1.0 : 2.0) / n);
            for (int j = 0; j < n; j++) {
                d[k][j] = (float) (s * Math.cos(Math.PI * k * (2 * j + 1) / (2.0 * n)));
            }
        }
        return d;
    }

    /** First nOut coefficients of the orthonormal DCT-II of x (scipy {@code dct(x, 2, norm="ortho")[:nOut]}). */
    public static float[] dct(float[] x, int nOut) {
        return applyDct(new float[][] {x}, dctMatrix(x.length, nOut))[0];
    }

    /** MFCC [frames][nMfcc]: orthonormal DCT-II of each log-mel frame, first nMfcc coefficients. */
    public static float[][] mfcc(float[][] logMel, int nMfcc) {
        if (logMel.length == 0) {
            return new float[0][nMfcc];
        }
        return applyDct(logMel, dctMatrix(logMel[0].length, nMfcc));
    }

    private static float[][] applyDct(float[][] rows, float[][] d) {
        int n = d[0].length;
        float[][] out = new float[rows.length][d.length];
        for (int f = 0; f < rows.length; f++) {
            if (rows[f].length != n) {
                throw new IllegalArgumentException("Audio.mfcc: frame " + f + " has " + rows[f].length
                        + " values, expected " + n);
            }
            for (int k = 0; k < d.length; k++) {
                double acc = 0;
                for (int j = 0; j < n; j++) {
                    acc += (double) d[k][j] * rows[f][j];
                }
                out[f][k] = (float) acc;
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------- normalisation

    /**
     * Per-utterance normalisation: each column (coefficient) of [frames][features] shifted to zero
     * mean and scaled to unit (population) variance; a constant column becomes zeros.
     */
    public static float[][] normalize(float[][] features) {
        if (features.length == 0) {
            return new float[0][];
        }
        int d = features[0].length;
        double[] mean = new double[d];
        double[] var = new double[d];
        for (float[] row : features) {
            if (row.length != d) {
                throw new IllegalArgumentException("Audio.normalize: rows have different lengths (" + d + " and "
                        + row.length + ")");
            }
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= features.length;
        }
        for (float[] row : features) {
            for (int j = 0; j < d; j++) {
                double c = row[j] - mean[j];
                var[j] += c * c;
            }
        }
        float[][] out = new float[features.length][d];
        for (int j = 0; j < d; j++) {
            double std = Math.sqrt(var[j] / features.length);
            double inv = std > 1e-8 ? 1 / std : 0;
            for (int f = 0; f < features.length; f++) {
                out[f][j] = (float) ((features[f][j] - mean[j]) * inv);
            }
        }
        return out;
    }

    /** {@link #normalize(float[][])} of a [frames, features] tensor. */
    public static Tensor normalize(Tensor features) {
        return Tensor.of(normalize(rows("Audio.normalize", features)));
    }

    /** x cut to {@code length} samples, or zero-padded at the end to it. */
    public static float[] padOrTrim(float[] x, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("Audio.padOrTrim: length must be non-negative, got " + length);
        }
        return Arrays.copyOf(x, length);
    }

    /** Frames [frames][d] cut to {@code nFrames}, or padded at the end with rows of zeros. */
    public static float[][] padOrTrim(float[][] frames, int nFrames) {
        if (nFrames < 0) {
            throw new IllegalArgumentException("Audio.padOrTrim: frame count must be non-negative, got " + nFrames);
        }
        int d = frames.length == 0 ? 0 : frames[0].length;
        float[][] out = new float[nFrames][];
        for (int f = 0; f < nFrames; f++) {
            out[f] = f < frames.length ? frames[f].clone() : new float[d];
        }
        return out;
    }

    // ------------------------------------------------------------------------------- one-call paths

    /**
     * The common speech front end in one call: resample the clip to {@code sampleRate} if needed,
     * power STFT (periodic Hann of nFft, centred frames), Slaney mel filterbank over 0..sampleRate/2,
     * {@code ln(mel + 1e-6)}. Returns [1 + samples/hop, nMels].
     */
    public static Tensor logMelSpectrogram(AudioClip clip, int sampleRate, int nFft, int hop, int nMels) {
        return Tensor.of(logMelArray(clip, sampleRate, nFft, hop, nMels));
    }

    /** {@link #logMelSpectrogram} followed by the orthonormal DCT-II: [1 + samples/hop, nMfcc] MFCCs (not normalised). */
    public static Tensor mfcc(AudioClip clip, int sampleRate, int nFft, int hop, int nMels, int nMfcc) {
        return Tensor.of(mfcc(logMelArray(clip, sampleRate, nFft, hop, nMels), nMfcc));
    }

    private static float[][] logMelArray(AudioClip clip, int sampleRate, int nFft, int hop, int nMels) {
        float[] x = clip.resample(sampleRate).samples();
        float[][] power = stft(x, nFft, hop);
        return logMel(power, melFilterbank(sampleRate, nFft, nMels, 0, sampleRate / 2.0));
    }

    private static float[][] rows(String op, Tensor t) {
        int[] s = t.shape();
        if (s.length != 2) {
            throw new IllegalArgumentException(op + ": expected [frames, features], got " + Shapes.str(s));
        }
        float[] v = t.toArray();
        float[][] out = new float[s[0]][s[1]];
        for (int i = 0; i < s[0]; i++) {
            System.arraycopy(v, i * s[1], out[i], 0, s[1]);
        }
        return out;
    }
}
