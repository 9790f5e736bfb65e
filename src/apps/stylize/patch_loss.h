// A patch loss on feature maps (CNNMRF, Li & Wand 2016; style-swap, Chen & Schmidt 2016): every 3x3
// patch of the result's features is pulled toward its nearest patch of the painting's, so the
// painting's local marks are copied rather than only their statistics matched (the Gram losses of
// objective.h leave structure free, and random features then let fine meshes stand in for strokes).
//   P_i   the result's 3x3 patch at position i (D = C*9 values), i = 1..N (stride 1, no padding)
//   S_j   the painting's patches (a regular subsample of at most max_patches)
//   j(i)  = argmax_j <P_i, S_j / |S_j|>                  (normalized cross-correlation, as CNNMRF)
//   E     = w / (N D) sum_i |P_i - S_j(i)|^2,   w = 1 / mean(S^2)  (relative, like the Gram losses)
// The match j(i) is held fixed when differentiating (it is piecewise constant), so
//   dE/dP_i = 2 w / (N D) (P_i - S_j(i)),   scattered back onto the feature map by col2im.
// Not here: which feature map (objective.h), the network, images.
#pragma once

#include <cstdint>

#include "core/tensor.h"

namespace neuroshop::stylize {

struct PatchTarget {
  Tensor patches;     // (Ns, D) the painting's patches, one per row
  Tensor unit;        // (Ns, D) the same scaled to unit length (for matching)
  int64_t channels = 0;
  double weight = 1.0;  // 1 / mean(patches^2)
};

// features (1,C,H,W) with H, W >= 3; patches on a grid of step chosen so at most max_patches remain.
PatchTarget make_patch_target(const Tensor& features, int64_t max_patches = 2048);

// features (1,C,H,W) with H, W >= 3 and C = target.channels. When dfeatures is non-null it
// receives dE/dfeatures (fresh, same shape).
double patch_loss(const Tensor& features, const PatchTarget& target, Tensor* dfeatures);

}  // namespace neuroshop::stylize
