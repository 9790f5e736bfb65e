// Stylizing many files through the shared batch runner (apps/common/batch.h): with a fast-style
// model (each worker its own copy) or by optimization towards one style image (read once).
// Not here: the per-image work (fast.h, stylize.h) or argument parsing (the CLI).
#pragma once

#include <cstdint>
#include <string>

#include "apps/common/batch.h"
#include "apps/stylize/stylize.h"
#include "core/progress.h"

namespace neuroshop::stylize {

struct StylizeFilesOptions {
  std::string model;        // a fast-style model file; empty: optimize towards `style`
  std::string style;        // the style image (optimization)
  StylizeOptions stylize;   // optimization options; strength and preserve_colors apply to fast styles too
  int64_t size = -1;        // long side; -1: 512 for optimization, the input's own size for fast styles
};

// Outputs default to NAME-stylized.EXT. `progress` receives the per-image count (fast styles) or
// each optimization's own progress.
apps::BatchReport stylize_files(const StylizeFilesOptions& options, apps::BatchOptions batch,
                                const ProgressFn& progress = {});

}  // namespace neuroshop::stylize
