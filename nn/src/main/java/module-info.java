/**
 * Isthmus: tensors with autograd, CPU (Vector API) and CUDA backends, Keras-style layers, models,
 * losses, metrics, optimizers, callbacks and data tools. Requiring this module brings
 * {@code jdk.incubator.vector} into the module graph, so a modular application needs no
 * {@code --add-modules} flag; it still grants native access for CUDA with
 * {@code --enable-native-access=dev.isthmus.cuda}.
 */
module dev.isthmus.nn {
    requires transitive jdk.incubator.vector;
    requires transitive dev.isthmus.cuda;
    requires dev.isthmus.kernels;
    requires com.fasterxml.jackson.core;
    requires com.google.protobuf; // the wire format of ONNX exports
    requires java.desktop; // ImageIO, for Images

    exports dev.isthmus.nn.autograd;
    exports dev.isthmus.nn.backend;
    exports dev.isthmus.nn.backend.cpu;
    exports dev.isthmus.nn.backend.cuda;
    exports dev.isthmus.nn.callbacks;
    exports dev.isthmus.nn.data;
    exports dev.isthmus.nn.explain;
    exports dev.isthmus.nn.io;
    exports dev.isthmus.nn.layers;
    exports dev.isthmus.nn.losses;
    exports dev.isthmus.nn.metrics;
    exports dev.isthmus.nn.model;
    exports dev.isthmus.nn.optim;
    exports dev.isthmus.nn.tensor;
}
