/** Isthmus's PTX kernels (resources of this module) and their launchers. */
module dev.isthmus.kernels {
    requires transitive dev.isthmus.cuda;
    exports dev.isthmus.kernels;
}
