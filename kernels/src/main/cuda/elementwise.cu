// Elementwise kernels: unary ops and their gradients, binary ops with NumPy broadcasting,
// fill, counter-based random numbers, and the fused Adam update. Op codes follow the order of
// dev.isthmus.nn.backend.UnaryOp / BinaryOp (see dev.isthmus.kernels.ElementwiseKernels).
#include "common.cuh"

enum Unary { NEG, EXP, LOG, SQRT, ABS, RELU, SIGMOID, TANH, POW, LEAKY_RELU, CLAMP, AFFINE };
enum Binary { ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, EQUAL, GREATER };

__device__ __forceinline__ float sigmoidf(float v) {
    return 1.0f / (1.0f + expf(-v));
}

__device__ __forceinline__ float unary_op(int op, float x, float p, float q) {
    switch (op) {
        case NEG: return -x;
        case EXP: return expf(x);
        case LOG: return logf(x);
        case SQRT: return sqrtf(x);
        case ABS: return fabsf(x);
        case RELU: return java_maxf(x, 0.0f);
        case SIGMOID: return sigmoidf(x);
        case TANH: return tanhf(x);
        case POW: return powf(x, p);
        case LEAKY_RELU: return x > 0.0f ? x : p * x;
        case CLAMP: return java_minf(java_maxf(x, p), q);
        default: return p * x + q;  // AFFINE
    }
}

__device__ __forceinline__ float unary_grad(int op, float x, float y, float g, float p, float q) {
    switch (op) {
        case NEG: return -g;
        case EXP: return g * y;
        case LOG: return g / x;
        case SQRT: return g * (0.5f / y);
        case ABS: return g * (x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f));
        case RELU: return x > 0.0f ? g : 0.0f;
        case SIGMOID: return g * y * (1.0f - y);
        case TANH: return g * (1.0f - y * y);
        case POW: return g * p * powf(x, p - 1.0f);
        case LEAKY_RELU: return x > 0.0f ? g : p * g;
        case CLAMP: return (x >= p && x <= q) ? g : 0.0f;
        default: return g * p;  // AFFINE
    }
}

__device__ __forceinline__ float binary_op(int op, float a, float b) {
    switch (op) {
        case ADD: return a + b;
        case SUB: return a - b;
        case MUL: return a * b;
        case DIV: return a / b;
        case MAXIMUM: return java_maxf(a, b);
        case MINIMUM: return java_minf(a, b);
        case EQUAL: return a == b ? 1.0f : 0.0f;
        default: return a > b ? 1.0f : 0.0f;  // GREATER
    }
}

extern "C" __global__ void unary_f32(const float *x, float *out, long long n, int op, float p, float q) {
    GRID_STRIDE_LOOP(i, n) out[i] = unary_op(op, x[i], p, q);
}

extern "C" __global__ void unary_backward_f32(const float *x, const float *y, const float *gy, float *gx,
                                              long long n, int op, float p, float q) {
    GRID_STRIDE_LOOP(i, n) gx[i] = unary_grad(op, x[i], y[i], gy[i], p, q);
}

// a, b and out all have n elements.
extern "C" __global__ void binary_same_f32(const float *a, const float *b, float *out, long long n, int op) {
    GRID_STRIDE_LOOP(i, n) out[i] = binary_op(op, a[i], b[i]);
}

// b (inner elements) repeats over the leading axes of a and out (a bias).
extern "C" __global__ void binary_rows_f32(const float *a, const float *b, float *out, long long n,
                                           long long inner, int op) {
    GRID_STRIDE_LOOP(i, n) out[i] = binary_op(op, a[i], b[i % inner]);
}

// General broadcasting: strides are 0 on the axes an operand is broadcast along.
extern "C" __global__ void binary_broadcast_f32(const float *a, const float *b, float *out, long long n, int op,
                                                int rank, Dims shape, Dims strideA, Dims strideB) {
    GRID_STRIDE_LOOP(i, n) {
        out[i] = binary_op(op, a[strided_offset(i, rank, shape, strideA)], b[strided_offset(i, rank, shape, strideB)]);
    }
}

extern "C" __global__ void fill_f32(float *out, long long n, float value) {
    GRID_STRIDE_LOOP(i, n) out[i] = value;
}

// Counter-based random numbers, the same function of (seed, i) as the CPU backend's
// CounterRandom (SplitMix64 finaliser), so both backends draw identical uniform and Bernoulli
// tensors (dropout masks included) and normals equal to float rounding.
__device__ __forceinline__ unsigned long long mix(unsigned long long seed, unsigned long long counter) {
    unsigned long long z = seed + (counter + 1ULL) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

__device__ __forceinline__ float uniform01(unsigned long long seed, unsigned long long i) {
    return (float)(mix(seed, i) >> 40) * 0x1.0p-24f;
}

__device__ __forceinline__ float normal01(unsigned long long seed, unsigned long long i) {
    double u1 = ((double)(mix(seed, 2 * i) >> 11) + 1.0) * 0x1.0p-53;
    double u2 = (double)(mix(seed, 2 * i + 1) >> 11) * 0x1.0p-53;
    return (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * 3.141592653589793 * u2));
}

enum Distribution { UNIFORM, NORMAL, TRUNCATED_NORMAL, BERNOULLI };

__device__ __forceinline__ void random_body(float *out, long long n, int distribution, float a, float b,
                                            unsigned long long seed) {
    GRID_STRIDE_LOOP(i, n) {
        float v;
        if (distribution == UNIFORM) {
            v = a + (b - a) * uniform01(seed, i);
        } else if (distribution == NORMAL) {
            v = a + b * normal01(seed, i);
        } else if (distribution == TRUNCATED_NORMAL) {
            unsigned long long s = seed;
            float z = normal01(s, i);
            while (fabsf(z) > 2.0f) {
                s = mix(s, 0xFFFFFFFFFFFFFFFFULL);
                z = normal01(s, i);
            }
            v = a + b * z;
        } else {
            v = uniform01(seed, i) < a ? 1.0f : 0.0f;
        }
        out[i] = v;
    }
}

extern "C" __global__ void random_f32(float *out, long long n, int distribution, float a, float b,
                                      unsigned long long seed) {
    random_body(out, n, distribution, a, b, seed);
}

// The same draw with the seed read from device memory: a captured CUDA graph replays with the
// seed the host wrote into that cell before the launch, not the one of the capture.
extern "C" __global__ void random_at_f32(float *out, long long n, int distribution, float a, float b,
                                         const unsigned long long *seed) {
    random_body(out, n, distribution, a, b, *seed);
}

// One Adam step (Keras formulation); alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t) from the host.
extern "C" __global__ void adam_f32(float *param, const float *grad, float *m, float *v, long long n,
                                    float alpha, float beta1, float beta2, float epsilon) {
    GRID_STRIDE_LOOP(i, n) {
        float g = grad[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * g;
        float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        param[i] -= alpha * mi / (sqrtf(vi) + epsilon);
    }
}

// Adam over every parameter of a model in one launch: blockIdx.y picks the tensor from a table
// in device memory (rebuilt only when the set of parameters changes), blocks along x stride
// through its elements.
struct AdamTensor {
    float *param;
    const float *grad;
    float *m;
    float *v;
    long long n;
};

__device__ __forceinline__ void adam_multi_body(const AdamTensor *tensors, float alpha, float beta1, float beta2,
                                                float epsilon) {
    AdamTensor t = tensors[blockIdx.y];
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < t.n; i += (long long)blockDim.x * gridDim.x) {
        float g = t.grad[i];
        float mi = beta1 * t.m[i] + (1.0f - beta1) * g;
        float vi = beta2 * t.v[i] + (1.0f - beta2) * g * g;
        t.m[i] = mi;
        t.v[i] = vi;
        t.param[i] -= alpha * mi / (sqrtf(vi) + epsilon);
    }
}

extern "C" __global__ void adam_multi_f32(const AdamTensor *tensors, float alpha, float beta1, float beta2,
                                          float epsilon) {
    adam_multi_body(tensors, alpha, beta1, beta2, epsilon);
}

// adam_multi_f32 with alpha read from device memory (a cell the host writes before each step), so
// that a captured training step replays with the current step's bias correction.
extern "C" __global__ void adam_multi_at_f32(const AdamTensor *tensors, const float *alpha, float beta1, float beta2,
                                             float epsilon) {
    adam_multi_body(tensors, *alpha, beta1, beta2, epsilon);
}
