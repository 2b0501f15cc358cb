/*
 * The CUDA driver API as Isthmus binds it: NVIDIA's cuda.h plus one re-declaration.
 *
 * cuda.h (12.8 and later) renames cuEventElapsedTime to cuEventElapsedTime_v2, an entry point
 * that CUDA 12.0-12.7 drivers lack. The original symbol is still exported by CUDA 12 and 13
 * drivers with the same signature, so it is declared again here under its own name.
 */
#include <cuda.h>

#undef cuEventElapsedTime
CUresult CUDAAPI cuEventElapsedTime(float *pMilliseconds, CUevent hStart, CUevent hEnd);
