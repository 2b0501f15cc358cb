/**
 * FFM bindings for the CUDA driver API, cuBLAS and cuDNN (jextract output in the
 * {@code cublas}, {@code cudnn} and {@code driver} packages, kept behind the facade in
 * {@code dev.isthmus.cuda}). Nothing native is loaded until a CUDA class is used; the module needs
 * native access ({@code --enable-native-access=dev.isthmus.cuda} on the module path).
 */
module dev.isthmus.cuda {
    exports dev.isthmus.cuda;
    // the generated bindings are for the other Isthmus modules only
    exports dev.isthmus.cuda.driver to dev.isthmus.kernels, dev.isthmus.nn;
    exports dev.isthmus.cuda.cublas to dev.isthmus.nn;
    exports dev.isthmus.cuda.cudnn to dev.isthmus.nn;
}
