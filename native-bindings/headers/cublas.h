/* cuBLAS as Isthmus binds it: the v2 API (cublasCreate_v2, cublasSgemm_v2, ...). */
#include <cublas_v2.h>
