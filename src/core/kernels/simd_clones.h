// NEUROSHOP_SIMD_CLONES before a function's definition compiles it three times, for AVX-512F, for
// AVX2 and for baseline x86-64, and picks one when the library loads (GCC's target_clones). The
// core is otherwise built for any x86-64 (SSE2 vectors): for loops that are not kernels of their
// own but are compute-bound in a training step (the cross-entropy; the stride-2 lowering and the
// ReLU-mask pass wait on memory and gained nothing). A file that uses it is compiled with
// -ffp-contract=off (CMakeLists.txt): AVX-512F has FMA instructions of its own, which GCC would
// otherwise contract a * b + c into in that clone alone, and then the clones would not compute the
// same bits.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define NEUROSHOP_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NEUROSHOP_SIMD_CLONES
#endif
