// The colorization network: a fully convolutional encoder-decoder in the manner of Zhang et al.
// 2016/2017, sized to train on a 2-core CPU. Input (N, 4, H, W): L scaled to [-1, 1], the hint
// ab / 110 and the hint mask. Output (N, Q, H/4, W/4): logits over the Q quantized ab bins.
// H and W must be multiples of kSizeMultiple.
//
//   1     conv 4->w, conv/2 w->w                         (1/2)
//   1/2   conv w->2w, conv/2 2w->2w, BN                  (1/4)  ─┐ skip
//   1/4   conv/2 2w->4w, conv 4w->4w, BN,                (1/8)   │
//         dilated conv d2, d4, BN, d2, upsample x2, conv 4w->2w  │
//   1/4   concat (4w) <───────────────────────────────────────────┘
//         conv 4w->2w, conv 2w->2w, conv 1x1 2w->Q
//
// Version 2 (`arch = 2`, the larger network for ~16k photos): deeper at every scale, residual
// dilated blocks in the middle (more context at 1/8), the same input, output and stride.
//
//   1     conv 4->w/2, conv/2 w/2->w                     (1/2)
//   1/2   conv w->w, conv/2 w->2w, BN                    (1/4)
//   1/4   conv 2w->2w, BN                                ─┐ skip
//   1/4   conv/2 2w->4w, conv 4w->4w, BN                  │ (1/8)
//         3 residual blocks [conv dk, conv dk, BN] + ReLU, │ k = 2, 4, 2
//         conv 4w->2w, upsample x2                        │
//   1/4   concat (4w) <────────────────────────────────────┘
//         conv 4w->2w, conv 2w->2w, conv 1x1 2w->Q
// Not here: data, training, decoding (ab_bins.h, train.h, colorize.h).
#pragma once

#include <cstdint>
#include <memory>

#include "core/layers/sequential.h"
#include "core/rng.h"

namespace neuroshop::colorize {

constexpr int64_t kInputChannels = 4;
constexpr int64_t kOutputStride = 4;   // output pixels are 4x4 input pixels
constexpr int64_t kSizeMultiple = 8;   // input sides must be multiples of this
constexpr float kAbScale = 110.0f;     // hint ab channels are ab / kAbScale

struct NetworkOptions {
  int64_t width = 32;     // channels of the first layer (arch 2: of the second); deeper layers use 2x and 4x
  int64_t num_bins = 0;   // Q, the output channels
  int64_t arch = 1;       // 1: the 930k-parameter network at width 32; 2: the larger one above
};

std::unique_ptr<Sequential> build_network(const NetworkOptions& options, Rng& rng);

}  // namespace neuroshop::colorize
