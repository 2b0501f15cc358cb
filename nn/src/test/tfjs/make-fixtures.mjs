// Writes the TensorFlow.js fixtures that KerasImportTest reads: for each model, TF.js's own
// layers-format save (model.json + weights.bin, through tf.io.withSaveHandler) and TF.js's own
// predictions on fixed inputs (cases.json). Run by hand, not in CI:
//   cd nn/src/test/tfjs && npm install && node make-fixtures.mjs
// The pure-JavaScript CPU backend is used, so the outputs do not depend on a native library.
// (TF.js's LSTM defaults to hard_sigmoid gates, Keras 2's to sigmoid: the fixtures ask for sigmoid.)
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';

await tf.setBackend('cpu');
const out = path.resolve('../resources/tfjs');

let seed = 1;
const init = () => tf.initializers.glorotUniform({seed: seed++});
// biases and recurrent kernels random too, so that every weight matters to the predictions
const bias = () => tf.initializers.randomUniform({minval: -0.5, maxval: 0.5, seed: seed++});

function rng(s) {
  let x = s >>> 0;
  return () => { x = (x * 1664525 + 1013904223) >>> 0; return x / 4294967296; };
}

const models = {
  mlp: () => tf.sequential({layers: [
    tf.layers.dense({inputShape: [10], units: 10, activation: 'relu', kernelInitializer: init(), biasInitializer: bias()}),
    tf.layers.dense({units: 1, kernelInitializer: init(), biasInitializer: bias()})]}),
  image: () => tf.sequential({layers: [
    tf.layers.conv2d({inputShape: [12, 12, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init(), biasInitializer: bias()}),
    tf.layers.maxPooling2d({poolSize: 2}),
    tf.layers.flatten(),
    tf.layers.dense({units: 8, activation: 'relu', kernelInitializer: init(), biasInitializer: bias()}),
    tf.layers.dense({units: 10, activation: 'softmax', kernelInitializer: init(), biasInitializer: bias()})]}),
  // "same" padding, strides, a second convolution, dropout: TF-style padding cross-checked
  speech: () => tf.sequential({layers: [
    tf.layers.conv2d({inputShape: [15, 9, 1], filters: 4, kernelSize: 3, strides: [2, 1], padding: 'same', activation: 'relu', kernelInitializer: init(), biasInitializer: bias()}),
    tf.layers.maxPooling2d({poolSize: 2, padding: 'same'}),
    tf.layers.conv2d({filters: 6, kernelSize: 2, activation: 'tanh', kernelInitializer: init(), biasInitializer: bias()}),
    tf.layers.flatten(),
    tf.layers.dense({units: 8, activation: 'sigmoid', kernelInitializer: init(), biasInitializer: bias()}),
    tf.layers.dropout({rate: 0.3}),
    tf.layers.dense({units: 10, activation: 'softmax', kernelInitializer: init(), biasInitializer: bias()})]}),
  // a masked embedding and an LSTM, over rows padded after their words: Keras's masking rules
  text: () => tf.sequential({layers: [
    tf.layers.embedding({inputShape: [8], inputDim: 40, outputDim: 6, maskZero: true, embeddingsInitializer: bias()}),
    tf.layers.dropout({rate: 0.5}),
    tf.layers.lstm({units: 7, recurrentActivation: 'sigmoid', kernelInitializer: init(), recurrentInitializer: init(), biasInitializer: bias()}),
    tf.layers.dense({units: 2, activation: 'softmax', kernelInitializer: init(), biasInitializer: bias()})]}),
  recommend: () => tf.sequential({layers: [
    tf.layers.embedding({inputShape: [6], inputDim: 60, outputDim: 8, embeddingsInitializer: bias()}),
    tf.layers.lstm({units: 5, returnSequences: true, recurrentActivation: 'sigmoid', kernelInitializer: init(), recurrentInitializer: init(), biasInitializer: bias()}),
    tf.layers.lstm({units: 6, recurrentActivation: 'sigmoid', kernelInitializer: init(), recurrentInitializer: init(), biasInitializer: bias()}),
    tf.layers.dense({units: 60, activation: 'softmax', kernelInitializer: init(), biasInitializer: bias()})]}),
  // functional: two inputs, a layer shared by both, merges, two outputs
  functional: () => {
    const a = tf.input({shape: [6], name: 'a'});
    const b = tf.input({shape: [6], name: 'b'});
    const shared = tf.layers.dense({units: 5, activation: 'tanh', kernelInitializer: init(), biasInitializer: bias()});
    const sa = shared.apply(a);
    const sb = shared.apply(b);
    const added = tf.layers.add().apply([sa, sb]);
    const joined = tf.layers.concatenate().apply([added, tf.layers.multiply().apply([sa, sb])]);
    const out1 = tf.layers.dense({units: 3, activation: 'softmax', kernelInitializer: init(), biasInitializer: bias()}).apply(joined);
    const out2 = tf.layers.dense({units: 1, kernelInitializer: init(), biasInitializer: bias()})
      .apply(tf.layers.average().apply([sa, added]));
    return tf.model({inputs: [a, b], outputs: [out1, out2]});
  },
};

function inputs(name, model) {
  const shape = model.inputs[0].shape.slice(1);
  const n = 3;
  const size = shape.reduce((a, b) => a * b, 1);
  const r = rng(name.length * 7919);
  const values = [];
  if (name === 'text' || name === 'recommend') {
    const vocabulary = model.layers[0].getConfig().inputDim;
    const lengths = [shape[0], 3, 1];
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < shape[0]; t++) {
        const real = name === 'recommend' || t < lengths[i];
        values.push(real ? 1 + Math.floor(r() * (vocabulary - 1)) : 0);
      }
    }
    return {shape: [n, ...shape], dtype: 'int32', values};
  }
  for (let i = 0; i < n * size; i++) values.push(r() * 2 - 1);
  return {shape: [n, ...shape], dtype: 'float32', values};
}

for (const [name, make] of Object.entries(models)) {
  const model = make();
  const dir = path.join(out, name);
  fs.mkdirSync(dir, {recursive: true});
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const manifest = [{paths: ['weights.bin'], weights: artifacts.weightSpecs}];
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v' + tf.version.tfjs, convertedBy: null,
      modelTopology: artifacts.modelTopology, weightsManifest: manifest}, null, 1));
    fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(artifacts.weightData));
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
  }));
  if (model.inputs.length > 1) {
    const xs = model.inputs.map((t, i) => {
      const r = rng(1000 + i);
      const shape = [3, ...t.shape.slice(1)];
      const values = [];
      for (let k = 0; k < shape.reduce((p, q) => p * q, 1); k++) values.push(r() * 2 - 1);
      return {shape, dtype: 'float32', values};
    });
    const ys = model.predict(xs.map(x => tf.tensor(x.values, x.shape, x.dtype)));
    fs.writeFileSync(path.join(dir, 'cases.json'), JSON.stringify({
      tfjs: tf.version.tfjs, backend: tf.getBackend(), inputs: xs,
      outputs: ys.map(y => ({shape: y.shape, values: Array.from(y.dataSync())}))}, null, 1));
    console.log(name, 'weights', model.countParams(), 'outputs', ys.map(y => y.shape.join('x')).join(', '));
    continue;
  }
  const x = inputs(name, model);
  const y = model.predict(tf.tensor(x.values, x.shape, x.dtype));
  fs.writeFileSync(path.join(dir, 'cases.json'), JSON.stringify({
    tfjs: tf.version.tfjs, backend: tf.getBackend(), input: x,
    output: {shape: y.shape, values: Array.from(y.dataSync())}}, null, 1));
  console.log(name, 'weights', model.countParams(), 'output', y.shape.join('x'));
}
