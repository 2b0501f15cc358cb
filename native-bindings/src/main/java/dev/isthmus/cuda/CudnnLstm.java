package dev.isthmus.cuda;

import dev.isthmus.cuda.cudnn.Cudnn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One fp32, single-layer, unidirectional cuDNN LSTM (RNN v8 API) for a fixed shape: input
 * {@code [n, t, d]} and output {@code [n, t, u]} batch-major, every sequence {@code t} steps
 * long, zero initial state, one input bias per gate (Keras's layout: i, f, c, o, the same gate
 * order as cuDNN's). The weight space holds, per gate, the input matrix {@code [u, d]}, the
 * recurrent matrix {@code [u, u]} and the bias {@code [u]}; {@link #inputWeights} and friends
 * give views of them in a weight-space buffer. The offsets depend on the shape only, so one
 * plan serves any number of weight spaces (one per layer and forward pass). Matrix products
 * compute as the {@link Precision} given says.
 */
public final class CudnnLstm implements AutoCloseable {
    private final CudnnHandle cudnn;
    // Shared, not confined: the backend may be driven from any thread (calls are serialised by its locks).
    private final Arena arena = Arena.ofShared();
    private final int n;
    private final int steps;
    private final int inputSize;
    private final int units;
    private final MemorySegment rnn;
    private final MemorySegment dropout;
    private final MemorySegment xDesc;
    private final MemorySegment yDesc;
    private final MemorySegment hDesc;
    private final long weightSpaceBytes;
    private final long workspaceBytes;
    private final long reserveBytes;
    private final DeviceBuffer seqLengths;
    private final long[] matrixOffsets = new long[8];
    private final long[] biasOffsets = new long[4];
    private boolean offsetsKnown;
    private boolean closed;

    public CudnnLstm(CudnnHandle cudnn, CudaMemoryPool pool, Precision precision, int n, int steps, int inputSize,
                     int units) {
        this.cudnn = cudnn;
        this.n = n;
        this.steps = steps;
        this.inputSize = inputSize;
        this.units = units;
        cudnn.stream().context().bind();
        MemorySegment h = cudnn.handle();
        this.dropout = create("cudnnCreateDropoutDescriptor", Cudnn::cudnnCreateDropoutDescriptor);
        CudaStatus.cudnn(Cudnn.cudnnSetDropoutDescriptor(dropout, h, 0f, MemorySegment.NULL, 0, 0), "cudnnSetDropoutDescriptor");
        this.rnn = create("cudnnCreateRNNDescriptor", Cudnn::cudnnCreateRNNDescriptor);
        CudaStatus.cudnn(Cudnn.cudnnSetRNNDescriptor_v8(rnn, Cudnn.CUDNN_RNN_ALGO_STANDARD(), Cudnn.CUDNN_LSTM(),
                Cudnn.CUDNN_RNN_SINGLE_INP_BIAS(), Cudnn.CUDNN_UNIDIRECTIONAL(), Cudnn.CUDNN_LINEAR_INPUT(),
                Cudnn.CUDNN_DATA_FLOAT(), Cudnn.CUDNN_DATA_FLOAT(), precision.cudnnMathType(), inputSize, units, units, 1,
                dropout, Cudnn.CUDNN_RNN_PADDED_IO_ENABLED()), "cudnnSetRNNDescriptor_v8");
        MemorySegment lengths = arena.allocate(ValueLayout.JAVA_INT, n);
        for (int i = 0; i < n; i++) {
            lengths.setAtIndex(ValueLayout.JAVA_INT, i, steps);
        }
        this.xDesc = data(inputSize, lengths);
        this.yDesc = data(units, lengths);
        this.hDesc = create("cudnnCreateTensorDescriptor", Cudnn::cudnnCreateTensorDescriptor);
        MemorySegment dims = arena.allocateFrom(ValueLayout.JAVA_INT, 1, n, units);
        MemorySegment strides = arena.allocateFrom(ValueLayout.JAVA_INT, n * units, units, 1);
        CudaStatus.cudnn(Cudnn.cudnnSetTensorNdDescriptor(hDesc, Cudnn.CUDNN_DATA_FLOAT(), 3, dims, strides),
                "cudnnSetTensorNdDescriptor(state)");
        MemorySegment size = arena.allocate(ValueLayout.JAVA_LONG);
        CudaStatus.cudnn(Cudnn.cudnnGetRNNWeightSpaceSize(h, rnn, size), "cudnnGetRNNWeightSpaceSize");
        this.weightSpaceBytes = size.get(ValueLayout.JAVA_LONG, 0);
        MemorySegment reserve = arena.allocate(ValueLayout.JAVA_LONG);
        CudaStatus.cudnn(Cudnn.cudnnGetRNNTempSpaceSizes(h, rnn, Cudnn.CUDNN_FWD_MODE_TRAINING(), xDesc, size, reserve),
                "cudnnGetRNNTempSpaceSizes");
        this.workspaceBytes = size.get(ValueLayout.JAVA_LONG, 0);
        this.reserveBytes = reserve.get(ValueLayout.JAVA_LONG, 0);
        // Sequence lengths on the device, as the v8 forward and backward calls take them.
        this.seqLengths = DeviceBuffer.allocate(cudnn.stream(), 4L * n, pool);
        seqLengths.fill32(steps);
    }

    private MemorySegment create(String call, CudnnDescriptors.Creator creator) {
        return CudnnDescriptors.create(arena, call, creator);
    }

    private MemorySegment data(int vectorSize, MemorySegment lengths) {
        MemorySegment d = create("cudnnCreateRNNDataDescriptor", Cudnn::cudnnCreateRNNDataDescriptor);
        CudaStatus.cudnn(Cudnn.cudnnSetRNNDataDescriptor(d, Cudnn.CUDNN_DATA_FLOAT(),
                Cudnn.CUDNN_RNN_DATA_LAYOUT_BATCH_MAJOR_UNPACKED(), steps, n, vectorSize, lengths, MemorySegment.NULL),
                "cudnnSetRNNDataDescriptor");
        return d;
    }

    public long weightSpaceBytes() {
        return weightSpaceBytes;
    }

    public long workspaceBytes() {
        return workspaceBytes;
    }

    public long reserveBytes() {
        return reserveBytes;
    }

    /** Gate {@code gate}'s input matrix [u, d] in {@code weightSpace} (gates 0..3: i, f, c, o). */
    public DeviceBuffer inputWeights(DeviceBuffer weightSpace, int gate) {
        locate(weightSpace);
        return weightSpace.view(matrixOffsets[gate], 4L * units * inputSize);
    }

    /** Gate {@code gate}'s recurrent matrix [u, u] in {@code weightSpace}. */
    public DeviceBuffer recurrentWeights(DeviceBuffer weightSpace, int gate) {
        locate(weightSpace);
        return weightSpace.view(matrixOffsets[4 + gate], 4L * units * units);
    }

    /** Gate {@code gate}'s bias [u] in {@code weightSpace}. */
    public DeviceBuffer bias(DeviceBuffer weightSpace, int gate) {
        locate(weightSpace);
        return weightSpace.view(biasOffsets[gate], 4L * units);
    }

    /** Asks cuDNN where each matrix and bias sits (the same offsets in every weight space of this shape). */
    private void locate(DeviceBuffer weightSpace) {
        if (weightSpace.byteSize() < weightSpaceBytes) {
            throw new IllegalArgumentException("weight space of " + weightSpace.byteSize() + " bytes; cuDNN needs "
                    + weightSpaceBytes);
        }
        if (offsetsKnown) {
            return;
        }
        cudnn.stream().context().bind();
        MemorySegment m = create("cudnnCreateTensorDescriptor", Cudnn::cudnnCreateTensorDescriptor);
        MemorySegment b = create("cudnnCreateTensorDescriptor", Cudnn::cudnnCreateTensorDescriptor);
        try {
            MemorySegment mAddr = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment bAddr = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment base = MemorySegment.ofAddress(weightSpace.pointer());
            for (int linear = 0; linear < 8; linear++) {
                CudaStatus.cudnn(Cudnn.cudnnGetRNNWeightParams(cudnn.handle(), rnn, 0, weightSpaceBytes, base, linear,
                        m, mAddr, b, bAddr), "cudnnGetRNNWeightParams(" + linear + ")");
                matrixOffsets[linear] = mAddr.get(ValueLayout.ADDRESS, 0).address() - weightSpace.pointer();
                if (linear < 4) {
                    biasOffsets[linear] = bAddr.get(ValueLayout.ADDRESS, 0).address() - weightSpace.pointer();
                }
            }
            offsetsKnown = true;
        } finally {
            Cudnn.cudnnDestroyTensorDescriptor(m);
            Cudnn.cudnnDestroyTensorDescriptor(b);
        }
    }

    private static MemorySegment ptr(DeviceMemory buffer) {
        return buffer == null ? MemorySegment.NULL : MemorySegment.ofAddress(buffer.pointer());
    }

    private static long size(DeviceMemory buffer) {
        return buffer == null ? 0 : buffer.byteSize();
    }

    /**
     * Forward from zero state: y [n, t, u] and the final cell state cy [n, u]. With a
     * {@code reserve} (training) cuDNN fills it for the backward; without one (null) it runs in
     * inference mode, which needs none.
     */
    public void forward(DeviceBuffer x, DeviceBuffer y, DeviceBuffer cy, DeviceBuffer weightSpace, DeviceBuffer workspace,
                        DeviceBuffer reserve) {
        cudnn.stream().context().bind();
        int mode = reserve == null ? Cudnn.CUDNN_FWD_MODE_INFERENCE() : Cudnn.CUDNN_FWD_MODE_TRAINING();
        CudaStatus.cudnn(Cudnn.cudnnRNNForward(cudnn.handle(), rnn, mode, ptr(seqLengths),
                xDesc, ptr(x), yDesc, ptr(y), hDesc, MemorySegment.NULL, MemorySegment.NULL, hDesc, MemorySegment.NULL,
                ptr(cy), size(weightSpace), ptr(weightSpace), size(workspace), ptr(workspace), size(reserve), ptr(reserve)),
                "cudnnRNNForward");
    }

    /** dx from dy [n, t, u] and the final cell state's gradient dcy [n, u] (null: zero); must precede {@link #backwardWeights}. */
    public void backwardData(DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, DeviceBuffer dcy, DeviceBuffer weightSpace,
                             DeviceBuffer workspace, DeviceBuffer reserve) {
        cudnn.stream().context().bind();
        CudaStatus.cudnn(Cudnn.cudnnRNNBackwardData_v8(cudnn.handle(), rnn, ptr(seqLengths), yDesc, ptr(y), ptr(dy),
                xDesc, ptr(dx), hDesc, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL, hDesc,
                MemorySegment.NULL, ptr(dcy), MemorySegment.NULL, size(weightSpace), ptr(weightSpace), size(workspace),
                ptr(workspace), size(reserve), ptr(reserve)), "cudnnRNNBackwardData_v8");
    }

    /**
     * Adds the weights' gradient into {@code dWeightSpace}: {@code cudnnRNNBackwardWeights_v8}
     * supports only {@code CUDNN_WGRAD_MODE_ADD}, so callers zero the buffer before the first
     * backward that should not accumulate.
     */
    public void backwardWeights(DeviceBuffer x, DeviceBuffer y, DeviceBuffer dWeightSpace, DeviceBuffer workspace,
                                DeviceBuffer reserve) {
        cudnn.stream().context().bind();
        CudaStatus.cudnn(Cudnn.cudnnRNNBackwardWeights_v8(cudnn.handle(), rnn, Cudnn.CUDNN_WGRAD_MODE_ADD(),
                ptr(seqLengths), xDesc, ptr(x), hDesc, MemorySegment.NULL, yDesc, ptr(y), size(dWeightSpace),
                ptr(dWeightSpace), size(workspace), ptr(workspace), size(reserve), ptr(reserve)),
                "cudnnRNNBackwardWeights_v8");
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cudnn.stream().context().bind();
            try {
                seqLengths.close();
                CudaStatus.cudnn(Cudnn.cudnnDestroyRNNDataDescriptor(xDesc), "cudnnDestroyRNNDataDescriptor");
                CudaStatus.cudnn(Cudnn.cudnnDestroyRNNDataDescriptor(yDesc), "cudnnDestroyRNNDataDescriptor");
                CudaStatus.cudnn(Cudnn.cudnnDestroyTensorDescriptor(hDesc), "cudnnDestroyTensorDescriptor");
                CudaStatus.cudnn(Cudnn.cudnnDestroyRNNDescriptor(rnn), "cudnnDestroyRNNDescriptor");
                CudaStatus.cudnn(Cudnn.cudnnDestroyDropoutDescriptor(dropout), "cudnnDestroyDropoutDescriptor");
            } finally {
                arena.close();
            }
        }
    }
}
