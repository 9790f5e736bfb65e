// Internals of the Winograd kernel (winograd.cpp) shared with its per-ISA file and the tests: the
// transforms of 8 tiles in AVX2 registers, for a row of tiles side by side in one image row (and
// any 8 tiles, gathered first or scattered after).
//
// Lane l of every vector is tile l; the tiles' patches start 4 pixels apart, so a row of the 8
// patches is 34 consecutive pixels (inputs) or 32 (outputs), loaded whole and de-interleaved by 4
// in registers instead of gathered pixel by pixel. The arithmetic is the portable transforms',
// operation for operation and without FMA, so both paths give the same bits.
#pragma once

#include <cstdint>

namespace neuroshop::detail {

struct WinogradRowKernels {
  // v[xi * vs + l] = (B^T d_l B)[xi], d_l the 6x6 patch at x0 + 4 l (row stride W).
  void (*input)(const float* x0, int64_t W, float* v, int64_t vs);
  // The same for any 8 tiles whose 6x6 patches were gathered one after another: d_l = patches + 36 l.
  void (*input_tiles)(const float* patches, float* v, int64_t vs);
  // y0[i * OW + 4 l + j] = epilogue((A^T m_l A)[i][j] + bias), m_l[xi] = m[xi * ms + l].
  void (*output)(const float* m, int64_t ms, float bias, bool relu, float* y0, int64_t OW);
  // The same for any 8 tiles, written one after another: tiles[16 l + 4 i + j].
  void (*output_tiles)(const float* m, int64_t ms, float bias, bool relu, float* tiles);
  // m[xi * ms + l] = (A dy_l A^T)[xi], dy_l the 4x4 block at dy0 + 4 l (row stride OW).
  void (*output_adjoint)(const float* dy0, int64_t OW, float* m, int64_t ms);
  // The same for any 8 tiles whose 4x4 blocks of dy were gathered one after another.
  void (*output_adjoint_tiles)(const float* tiles, float* m, int64_t ms);
};

// The AVX2 kernels, or nullptr where the compiler or the CPU has no AVX2.
const WinogradRowKernels* winograd_row_kernels_avx2();

// The kernels winograd.cpp uses: AVX2 where the CPU has it, none (the portable per-tile path) when
// NEUROSHOP_GEMM=portable or after set_winograd_row_kernels(false) (for tests comparing the paths).
const WinogradRowKernels* active_winograd_row_kernels();
void set_winograd_row_kernels(bool enabled);

}  // namespace neuroshop::detail
