package dev.isthmus.nn.data;

import dev.isthmus.nn.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads and writes RIFF/WAVE files, parsed by hand (no {@code javax.sound}).
 *
 * <p>{@link #read} accepts PCM (format tag 1) with 8-bit unsigned, 16-, 24- or 32-bit signed
 * little-endian samples, IEEE float (tag 3) with 32- or 64-bit samples, and
 * WAVE_FORMAT_EXTENSIBLE (0xFFFE) whose subformat is PCM or float. Any number of channels is
 * mixed down to mono by averaging. Integer samples are scaled to [-1, 1) by dividing by
 * 2<sup>bits-1</sup> (so a 16-bit value v reads as v / 32768 exactly); float samples are passed
 * through unclipped. Chunks other than {@code fmt } and {@code data} (LIST, fact, cue, ...) are
 * skipped, including the pad byte after an odd-sized chunk; a trailing partial sample frame is
 * dropped.
 *
 * <p>Every problem is a {@link DataFormatException} naming the file, the problem and the byte
 * offset: not RIFF/WAVE, no {@code fmt } or {@code data} chunk, a chunk running past the end of the
 * file, an unsupported encoding (named by its format tag, e.g. 7 = μ-law), zero channels or
 * sample rate.
 *
 * <p>Truncated data — a data chunk declaring more bytes than the file holds, as left by an
 * interrupted recording or copy — fails by default ({@link OnTruncatedData#FAIL}), saying how
 * many bytes were declared and how many are present; {@link OnTruncatedData#READ_AVAILABLE}
 * reads the whole frames that are there instead.
 */
public final class Wav {
    private Wav() {}

    /** What {@link #read(Path, OnTruncatedData)} does with a data chunk that runs past the end of the file. */
    public enum OnTruncatedData {
        /** Throw a {@link DataFormatException} naming the declared and available byte counts (the default). */
        FAIL,
        /** Decode the whole sample frames that are present. */
        READ_AVAILABLE
    }

    private static final int TAG_PCM = 1;
    private static final int TAG_FLOAT = 3;
    private static final int TAG_EXTENSIBLE = 0xFFFE;
    /** Bytes 2..15 of KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT ({tag}-0000-0010-8000-00aa00389b71). */
    private static final byte[] GUID_TAIL = {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71};

    /** Reads a WAV file as mono; truncated data fails (see the class comment). */
    public static AudioClip read(Path path) {
        return read(path, OnTruncatedData.FAIL);
    }

    /** Reads a WAV file as mono, treating truncated data as {@code onTruncated} says. */
    public static AudioClip read(Path path, OnTruncatedData onTruncated) {
        byte[] bytes;
        long size = -1;
        try {
            size = Files.size(path);
            if (size > Integer.MAX_VALUE - 16) {
                throw new DataFormatException(path, "file too large (" + size + " bytes); WAV files over 2 GiB are not supported");
            }
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(path, "no such file", e);
        } catch (IOException e) {
            throw new DataFormatException(path, "cannot read the file: " + e, e);
        } catch (OutOfMemoryError e) {
            throw new DataFormatException(path, "reading its " + size + " bytes needs more than the heap can hold", e);
        }
        try {
            return decode(path, bytes, onTruncated);
        } catch (OutOfMemoryError e) {
            throw new DataFormatException(path, "decoding its " + bytes.length + " bytes needs more than the heap can hold", e);
        }
    }

    /** Decodes WAV file contents already in memory; {@code path} only names the source in errors. */
    public static AudioClip decode(Path path, byte[] b, OnTruncatedData onTruncated) {
        int n = b.length;
        if (n < 12) {
            throw new DataFormatException(path, 0, "file too short for a RIFF/WAVE header: " + n + " bytes, need at least 12");
        }
        String riff = fourcc(b, 0);
        if (!riff.equals("RIFF")) {
            String why = switch (riff) {
                case "RIFX" -> "big-endian RIFX files are not supported";
                case "RF64" -> "RF64 (64-bit RIFF) files are not supported";
                default -> "not a RIFF file: expected 'RIFF' but found " + quote(riff);
            };
            throw new DataFormatException(path, 0, why);
        }
        String form = fourcc(b, 8);
        if (!form.equals("WAVE")) {
            throw new DataFormatException(path, 8, "not a WAVE file: RIFF form type is " + quote(form) + ", expected 'WAVE'");
        }

        int fmtPos = -1;
        int fmtSize = 0;
        int dataHeader = -1;
        long dataDeclared = 0;
        long pos = 12;
        while (pos + 8 <= n) {
            int at = (int) pos;
            String id = fourcc(b, at);
            long size = u32(b, at + 4);
            int body = at + 8;
            long remaining = n - body;
            if (id.equals("fmt ")) {
                if (size > remaining) {
                    throw new DataFormatException(path, at, "fmt chunk declares " + size + " bytes but only "
                            + remaining + " remain in the file (header cut short)");
                }
                if (fmtPos < 0) {
                    fmtPos = body;
                    fmtSize = (int) size;
                }
            } else if (id.equals("data")) {
                if (dataHeader < 0) {
                    dataHeader = at;
                    dataDeclared = size;
                }
                if (size > remaining) {
                    break;
                }
            } else if (size > remaining) {
                if (fmtPos >= 0 && dataHeader >= 0) {
                    break; // a damaged chunk after the audio: ignore it
                }
                throw new DataFormatException(path, at, "chunk " + quote(id) + " declares " + size
                        + " bytes but only " + remaining + " remain in the file");
            }
            pos = body + size + (size & 1);
        }
        if (fmtPos < 0 || dataHeader < 0) {
            String where = pos < n
                    ? "the file ends at byte " + n + " inside a chunk header"
                    : "searched every chunk to the end of the file";
            throw new DataFormatException(path, Math.min(pos, n), "no " + (fmtPos < 0 ? "fmt" : "data")
                    + " chunk (" + where + ")");
        }

        // ---- fmt
        if (fmtSize < 16) {
            throw new DataFormatException(path, fmtPos - 8, "fmt chunk is " + fmtSize + " bytes, need at least 16");
        }
        int tag = u16(b, fmtPos);
        int channels = u16(b, fmtPos + 2);
        long rate = u32(b, fmtPos + 4);
        int blockAlign = u16(b, fmtPos + 12);
        int bits = u16(b, fmtPos + 14);
        int encoding = tag;
        int encodingOffset = fmtPos;
        if (tag == TAG_EXTENSIBLE) {
            if (fmtSize < 40) {
                throw new DataFormatException(path, fmtPos - 8, "WAVE_FORMAT_EXTENSIBLE fmt chunk is "
                        + fmtSize + " bytes, need 40");
            }
            encodingOffset = fmtPos + 24;
            encoding = u16(b, encodingOffset);
            for (int i = 0; i < GUID_TAIL.length; i++) {
                if (b[fmtPos + 26 + i] != GUID_TAIL[i]) {
                    throw new DataFormatException(path, encodingOffset,
                            "unsupported WAVE_FORMAT_EXTENSIBLE subformat (not a standard KSDATAFORMAT GUID)");
                }
            }
        }
        if (encoding != TAG_PCM && encoding != TAG_FLOAT) {
            throw new DataFormatException(path, encodingOffset, "unsupported encoding: format tag " + encoding
                    + " (" + tagName(encoding) + ")" + (tag == TAG_EXTENSIBLE ? " in WAVE_FORMAT_EXTENSIBLE" : "")
                    + "; supported are PCM (1) and IEEE float (3)");
        }
        if (channels == 0) {
            throw new DataFormatException(path, fmtPos + 2, "fmt chunk declares 0 channels");
        }
        if (rate == 0 || rate > Integer.MAX_VALUE) {
            throw new DataFormatException(path, fmtPos + 4, "invalid sample rate " + rate);
        }
        boolean pcmOk = encoding == TAG_PCM && (bits == 8 || bits == 16 || bits == 24 || bits == 32);
        boolean floatOk = encoding == TAG_FLOAT && (bits == 32 || bits == 64);
        if (!pcmOk && !floatOk) {
            throw new DataFormatException(path, fmtPos + 14, "unsupported sample size: " + bits + "-bit "
                    + (encoding == TAG_PCM ? "PCM (supported: 8, 16, 24, 32)" : "IEEE float (supported: 32, 64)"));
        }
        int bytesPerSample = bits / 8;
        int frameBytes = channels * bytesPerSample;
        if (blockAlign < frameBytes) {
            throw new DataFormatException(path, fmtPos + 12, "block align " + blockAlign + " is smaller than "
                    + channels + " channels x " + bytesPerSample + " bytes per sample");
        }

        // ---- data
        int dataPos = dataHeader + 8;
        long present = n - dataPos;
        long dataBytes = dataDeclared;
        if (dataDeclared > present) {
            if (onTruncated == OnTruncatedData.FAIL) {
                throw new DataFormatException(path, dataHeader, "truncated data: the data chunk declares "
                        + dataDeclared + " bytes of samples but only " + present
                        + " are present (read with OnTruncatedData.READ_AVAILABLE to decode them)");
            }
            dataBytes = present;
        }
        int frames = (int) (dataBytes / blockAlign);
        float[] out = new float[frames];
        double scale = encoding == TAG_PCM ? 1.0 / (1L << (bits - 1)) : 1.0;
        for (int f = 0; f < frames; f++) {
            int p = dataPos + f * blockAlign;
            double sum = 0;
            for (int ch = 0; ch < channels; ch++, p += bytesPerSample) {
                sum += sample(b, p, encoding, bits);
            }
            out[f] = (float) (encoding == TAG_PCM ? sum * scale / channels : sum / channels);
        }
        return new AudioClip(out, (int) rate);
    }

    private static double sample(byte[] b, int p, int encoding, int bits) {
        if (encoding == TAG_FLOAT) {
            return bits == 32 ? Float.intBitsToFloat(i32(b, p)) : Double.longBitsToDouble(i64(b, p));
        }
        return switch (bits) {
            case 8 -> (b[p] & 0xff) - 128;
            case 16 -> (short) u16(b, p);
            case 24 -> ((b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | b[p + 2] << 16);
            default -> i32(b, p);
        };
    }

    /**
     * Writes {@code clip} as a 16-bit PCM mono WAV file: each sample becomes
     * {@code round(x * 32768)} clamped to [-32768, 32767] (NaN as 0), so values {@code k / 32768}
     * read back exactly. The file is replaced atomically (see {@link AtomicFiles}).
     */
    public static void write(Path path, AudioClip clip) {
        float[] x = clip.samples();
        int dataBytes = Math.multiplyExact(x.length, 2);
        ByteBuffer buf = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + dataBytes)
                .put("WAVE".getBytes(StandardCharsets.US_ASCII))
                .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16)
                .putShort((short) TAG_PCM).putShort((short) 1).putInt(clip.sampleRate())
                .putInt(clip.sampleRate() * 2).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(dataBytes);
        for (float v : x) {
            long q = Float.isNaN(v) ? 0 : Math.round((double) v * 32768.0);
            buf.putShort((short) Math.clamp(q, -32768, 32767));
        }
        try {
            AtomicFiles.write(path, buf.array());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    private static String tagName(int tag) {
        return switch (tag) {
            case 0 -> "unknown";
            case 2 -> "Microsoft ADPCM";
            case 6 -> "A-law";
            case 7 -> "\u03bc-law";
            case 0x11 -> "IMA ADPCM";
            case 0x31 -> "GSM 6.10";
            case 0x50 -> "MPEG";
            case 0x55 -> "MPEG layer 3";
            case 0xFFFE -> "WAVE_FORMAT_EXTENSIBLE";
            default -> String.format("0x%04X", tag);
        };
    }

    private static String fourcc(byte[] b, int p) {
        return new String(b, p, 4, StandardCharsets.ISO_8859_1);
    }

    private static String quote(String fourcc) {
        StringBuilder sb = new StringBuilder("'");
        for (char c : fourcc.toCharArray()) {
            if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append(String.format("\\x%02x", (int) c));
            }
        }
        return sb.append('\'').toString();
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
    }

    private static int i32(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | b[p + 3] << 24;
    }

    private static long u32(byte[] b, int p) {
        return i32(b, p) & 0xffffffffL;
    }

    private static long i64(byte[] b, int p) {
        return (i32(b, p) & 0xffffffffL) | (long) i32(b, p + 4) << 32;
    }
}
