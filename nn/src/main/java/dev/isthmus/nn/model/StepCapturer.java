package dev.isthmus.nn.model;

import dev.isthmus.nn.backend.Backend;
import dev.isthmus.nn.backend.StepGraph;

/** How a replayable step is captured: by its backend (a CUDA graph; null on the CPU), or by an emulation in tests. */
@FunctionalInterface
interface StepCapturer {
    StepCapturer BACKEND = Backend::captureStep;

    /** The captured step, or null when {@code backend} runs steps eagerly. */
    StepGraph capture(Backend backend, Runnable step);
}
