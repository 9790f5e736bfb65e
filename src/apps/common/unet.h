// The try-on's small U-Net, shared by the harmonization and matting networks: three downsamplings
// with skip connections and, at the bottom, a global-context branch (average pooling over blocks
// of 8x8 bottleneck cells, broadcast back), so a pixel can be judged against the whole picture
// (the pasted region against the room; the object against the plain background):
//
//   S     conv in->w                                              ─┐ skip
//   S/2   conv/2 w->2w, conv 2w->2w                              ─┐│ skip
//   S/4   conv/2 2w->4w                                          ─┐││ skip
//   S/8   conv/2 4w->4w, dilated d2, [avgpool 8, 1x1, x8] concat, │││
//         conv 8w->4w, upsample x2                                ┘││
//   S/4   conv 8w->4w, conv 4w->2w, upsample x2                    ┘│
//   S/2   conv 4w->2w, conv 2w->w, upsample x2                      ┘
//   S     conv 1x1 2w->w, conv 1x1 w->out   (no activation: residuals or logits)
//
// Inputs (N, in, S, S) with S a multiple of kUNetSizeMultiple (the global pool spans 8 cells of S/8).
// Not here: what the channels mean (harmonize/model.h, matte/model.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/layers/sequential.h"
#include "core/rng.h"

namespace neuroshop::apps {

constexpr int64_t kUNetSizeMultiple = 64;

struct UNetOptions {
  int64_t in_channels = 4;
  int64_t out_channels = 3;
  int64_t width = 16;        // w above, in [4, 128]
  std::string name = "unet";
};

std::unique_ptr<Sequential> build_unet(const UNetOptions& options, Rng& rng);

}  // namespace neuroshop::apps
