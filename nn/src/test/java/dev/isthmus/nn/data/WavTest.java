package dev.isthmus.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavTest {
    @TempDir
    Path dir;

    // ---------------------------------------------------------------- helpers

    private Path writeWithJavaSound(String name, AudioFormat format, byte[] frames) throws IOException {
        Path p = dir.resolve(name);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(frames), format,
                frames.length / format.getFrameSize())) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, p.toFile());
        }
        return p;
    }

    private static byte[] shortsLe(short... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : v) {
            b.putShort(s);
        }
        return b.array();
    }

    private static byte[] fmt(int tag, int channels, int rate, int bits) {
        int blockAlign = channels * bits / 8;
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putShort((short) tag)
                .putShort((short) channels).putInt(rate).putInt(rate * blockAlign)
                .putShort((short) blockAlign).putShort((short) bits).array();
    }

    private static byte[] extensibleFmt(int subTag, int channels, int rate, int bits) {
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        b.put(fmt(0xFFFE, channels, rate, bits)).putShort((short) 22).putShort((short) bits).putInt(channels == 1 ? 4 : 3)
                .putShort((short) subTag)
                .put(new byte[] {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71});
        return b.array();
    }

    /** A chunk with its true size and, for an odd size, the pad byte. */
    private static byte[] chunk(String id, byte[] body) {
        return chunk(id, body.length, body, body.length % 2 == 1);
    }

    private static byte[] chunk(String id, long declaredSize, byte[] body, boolean pad) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(id.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) declaredSize).array());
        out.writeBytes(body);
        if (pad) {
            out.write(0);
        }
        return out.toByteArray();
    }

    private static byte[] riff(byte[]... chunks) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("WAVE".getBytes(StandardCharsets.US_ASCII));
        for (byte[] c : chunks) {
            body.writeBytes(c);
        }
        return chunk("RIFF", body.size(), body.toByteArray(), false);
    }

    private Path file(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static DataFormatException failsReading(Path p) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> Wav.read(p));
        assertEquals(p, e.path());
        assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        return e;
    }

    // ---------------------------------------------------------------- reading what javax.sound wrote

    @Test
    void reads16BitMonoWrittenByJavaSoundExactly() throws IOException {
        short[] v = {0, 1, -1, 32767, -32768, 12345, -20000};
        Path p = writeWithJavaSound("mono16.wav", new AudioFormat(16000f, 16, 1, true, false), shortsLe(v));
        AudioClip clip = Wav.read(p);
        assertEquals(16000, clip.sampleRate());
        float[] expected = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            expected[i] = v[i] / 32768f;
        }
        assertArrayEquals(expected, clip.samples(), 0f);
    }

    @Test
    void reads16BitStereoWrittenByJavaSoundAsTheChannelAverage() throws IOException {
        short[] lr = {100, 300, -32768, 32767, 5, -6, 32767, 32767};
        Path p = writeWithJavaSound("stereo16.wav", new AudioFormat(22050f, 16, 2, true, false), shortsLe(lr));
        AudioClip clip = Wav.read(p);
        assertEquals(22050, clip.sampleRate());
        float[] expected = new float[lr.length / 2];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (lr[2 * i] + lr[2 * i + 1]) / 2f / 32768f;
        }
        assertArrayEquals(expected, clip.samples(), 0f);
    }

    @Test
    void reads8BitUnsignedWrittenByJavaSoundExactly() throws IOException {
        byte[] u = {0, (byte) 128, (byte) 255, 1, (byte) 200};
        AudioFormat f = new AudioFormat(AudioFormat.Encoding.PCM_UNSIGNED, 8000f, 8, 1, 1, 8000f, false);
        AudioClip clip = Wav.read(writeWithJavaSound("u8.wav", f, u));
        assertEquals(8000, clip.sampleRate());
        assertArrayEquals(new float[] {-1f, 0f, 127 / 128f, -127 / 128f, 72 / 128f}, clip.samples(), 0f);
    }

    @Test
    void writeThenReadRoundTripsAndClipsOutOfRangeSamples() throws Exception {
        float[] x = {0f, 1 / 32768f, -1f, 12345 / 32768f, 1.5f, -2f};
        Path p = dir.resolve("rt.wav");
        Wav.write(p, new AudioClip(x, 11025));
        AudioClip back = Wav.read(p);
        assertEquals(11025, back.sampleRate());
        assertArrayEquals(new float[] {0f, 1 / 32768f, -1f, 12345 / 32768f, 32767 / 32768f, -1f}, back.samples(), 0f);
        // What we write, javax.sound reads too.
        try (AudioInputStream in = AudioSystem.getAudioInputStream(p.toFile())) {
            assertEquals(16, in.getFormat().getSampleSizeInBits());
            assertEquals(x.length, in.getFrameLength());
        }
    }

    // ---------------------------------------------------------------- other encodings, chunk layout

    @Test
    void reads24BitFloatAndExtensibleFiles() throws IOException {
        byte[] s24 = {0, 0, (byte) 0x80, (byte) 0xFF, (byte) 0xFF, 0x7F}; // -8388608, 8388607 (one stereo frame)
        AudioClip c24 = Wav.read(file("s24.wav", riff(chunk("fmt ", fmt(1, 2, 48000, 24)), chunk("data", s24))));
        assertArrayEquals(new float[] {(float) (-1.0 / 2 / 8388608)}, c24.samples(), 0f);

        byte[] f32 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.25f).putFloat(-1.5f).array();
        AudioClip cf = Wav.read(file("f32.wav", riff(chunk("fmt ", fmt(3, 1, 44100, 32)), chunk("data", f32))));
        assertArrayEquals(new float[] {0.25f, -1.5f}, cf.samples(), 0f);

        byte[] f64 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(-0.125).array();
        assertArrayEquals(new float[] {-0.125f},
                Wav.read(file("f64.wav", riff(chunk("fmt ", fmt(3, 1, 8000, 64)), chunk("data", f64)))).samples(), 0f);

        AudioClip ext = Wav.read(file("ext.wav", riff(chunk("fmt ", extensibleFmt(1, 1, 16000, 16)),
                chunk("data", shortsLe((short) 16384, (short) -8192)))));
        assertArrayEquals(new float[] {0.5f, -0.25f}, ext.samples(), 0f);
        AudioClip extF = Wav.read(file("extf.wav", riff(chunk("fmt ", extensibleFmt(3, 1, 16000, 32)), chunk("data", f32))));
        assertArrayEquals(new float[] {0.25f, -1.5f}, extF.samples(), 0f);
    }

    @Test
    void skipsUnknownChunksIncludingTheOddSizePadByte() throws IOException {
        byte[] wav = riff(chunk("LIST", new byte[] {'I', 'N', 'F', 'O', 'x'}), chunk("fmt ", fmt(1, 1, 8000, 16)),
                chunk("fact", new byte[4]), chunk("data", shortsLe((short) 1000, (short) -1000)),
                chunk("cue ", new byte[3]));
        assertArrayEquals(new float[] {1000 / 32768f, -1000 / 32768f}, Wav.read(file("list.wav", wav)).samples(), 0f);
    }

    // ---------------------------------------------------------------- corrupt, truncated, unsupported

    @Test
    void notRiffNamesFileAndOffsetZero() throws IOException {
        Path p = file("notes.wav", "this is a text file, not audio".getBytes(StandardCharsets.US_ASCII));
        DataFormatException e = failsReading(p);
        assertTrue(e.getMessage().contains("not a RIFF file: expected 'RIFF' but found 'this'"), e.getMessage());
        assertEquals(0, e.offset().getAsLong());
        assertTrue(e.getMessage().endsWith("(at byte offset 0)"), e.getMessage());

        byte[] avi = riff(chunk("fmt ", fmt(1, 1, 8000, 16)));
        System.arraycopy("AVI ".getBytes(StandardCharsets.US_ASCII), 0, avi, 8, 4);
        DataFormatException notWave = failsReading(file("movie.wav", avi));
        assertTrue(notWave.getMessage().contains("RIFF form type is 'AVI '"), notWave.getMessage());
        assertEquals(8, notWave.offset().getAsLong());
    }

    @Test
    void headerCutShortIsReportedWithTheOffset() throws IOException {
        byte[] whole = riff(chunk("fmt ", fmt(1, 1, 8000, 16)), chunk("data", shortsLe((short) 1, (short) 2)));

        DataFormatException tiny = failsReading(file("tiny.wav", Arrays.copyOf(whole, 8)));
        assertTrue(tiny.getMessage().contains("too short for a RIFF/WAVE header: 8 bytes"), tiny.getMessage());

        DataFormatException inFmt = failsReading(file("cut30.wav", Arrays.copyOf(whole, 30)));
        assertTrue(inFmt.getMessage().contains("fmt chunk declares 16 bytes but only 10 remain"), inFmt.getMessage());
        assertEquals(12, inFmt.offset().getAsLong());

        DataFormatException inDataHeader = failsReading(file("cut40.wav", Arrays.copyOf(whole, 40)));
        assertTrue(inDataHeader.getMessage().contains("no data chunk (the file ends at byte 40 inside a chunk header)"),
                inDataHeader.getMessage());
        assertEquals(36, inDataHeader.offset().getAsLong());
    }

    @Test
    void dataSizePastTheEndFailsWithExpectedAndFoundBytesUnlessAskedToReadWhatIsThere() throws IOException {
        byte[] five = shortsLe((short) 1, (short) 2, (short) 3, (short) 4, (short) 5);
        Path p = file("cut.wav", riff(chunk("fmt ", fmt(1, 1, 8000, 16)), chunk("data", 1000, five, false)));
        DataFormatException e = failsReading(p);
        assertTrue(e.getMessage().contains("truncated data: the data chunk declares 1000 bytes of samples but only 10 are present"),
                e.getMessage());
        assertEquals(36, e.offset().getAsLong());

        AudioClip partial = Wav.read(p, Wav.OnTruncatedData.READ_AVAILABLE);
        assertArrayEquals(new float[] {1 / 32768f, 2 / 32768f, 3 / 32768f, 4 / 32768f, 5 / 32768f}, partial.samples(), 0f);
    }

    @Test
    void unsupportedEncodingsAreNamedByFormatTag() throws IOException {
        Path mulaw = file("mulaw.wav", riff(chunk("fmt ", fmt(7, 1, 8000, 8)), chunk("data", new byte[4])));
        DataFormatException e = failsReading(mulaw);
        assertTrue(e.getMessage().contains("unsupported encoding: format tag 7 (\u03bc-law)"), e.getMessage());
        assertEquals(20, e.offset().getAsLong());

        Path adpcm = file("adpcm.wav", riff(chunk("fmt ", fmt(2, 1, 8000, 4)), chunk("data", new byte[4])));
        assertTrue(failsReading(adpcm).getMessage().contains("format tag 2 (Microsoft ADPCM)"));

        Path alawExt = file("alaw-ext.wav", riff(chunk("fmt ", extensibleFmt(6, 1, 8000, 8)), chunk("data", new byte[4])));
        DataFormatException ext = failsReading(alawExt);
        assertTrue(ext.getMessage().contains("format tag 6 (A-law) in WAVE_FORMAT_EXTENSIBLE"), ext.getMessage());
        assertEquals(44, ext.offset().getAsLong());

        Path pcm12 = file("pcm12.wav", riff(chunk("fmt ", fmt(1, 1, 8000, 12)), chunk("data", new byte[4])));
        assertTrue(failsReading(pcm12).getMessage().contains("unsupported sample size: 12-bit PCM"));
    }

    @Test
    void zeroChannelsOrSampleRateAndMissingChunksAreRejected() throws IOException {
        DataFormatException ch = failsReading(file("ch0.wav",
                riff(chunk("fmt ", fmt(1, 0, 8000, 16)), chunk("data", new byte[4]))));
        assertTrue(ch.getMessage().contains("0 channels"), ch.getMessage());
        assertEquals(22, ch.offset().getAsLong());

        DataFormatException sr = failsReading(file("sr0.wav",
                riff(chunk("fmt ", fmt(1, 1, 0, 16)), chunk("data", new byte[4]))));
        assertTrue(sr.getMessage().contains("invalid sample rate 0"), sr.getMessage());
        assertEquals(24, sr.offset().getAsLong());

        DataFormatException noFmt = failsReading(file("nofmt.wav", riff(chunk("data", new byte[4]))));
        assertTrue(noFmt.getMessage().contains("no fmt chunk"), noFmt.getMessage());
        DataFormatException noData = failsReading(file("nodata.wav", riff(chunk("fmt ", fmt(1, 1, 8000, 16)))));
        assertTrue(noData.getMessage().contains("no data chunk"), noData.getMessage());
    }

    @Test
    void missingFileIsATypedErrorNamingThePath() {
        Path p = dir.resolve("absent.wav");
        DataFormatException e = failsReading(p);
        assertTrue(e.getMessage().contains("no such file"));
        assertInstanceOf(NoSuchFileException.class, e.getCause());
    }
}
