// Stylizing many files; see batch.h.
#include "apps/stylize/batch.h"

#include <memory>

#include "apps/stylize/fast.h"

namespace neuroshop::stylize {

apps::BatchReport stylize_files(const StylizeFilesOptions& options, apps::BatchOptions batch, const ProgressFn& progress) {
  const std::vector<std::string> inputs = apps::batch_inputs(batch);
  if (batch.suffix.empty()) batch.suffix = "stylized";
  if (!options.model.empty()) {
    FastOptions fast;
    fast.strength = options.stylize.strength;
    fast.preserve_colors = options.stylize.preserve_colors;
    fast.size = options.size < 0 ? 0 : options.size;
    return apps::run_batch(
        inputs, batch,
        [&](int, int) -> apps::ImageFn {
          auto model = std::make_shared<StyleModel>(StyleModel::load(options.model));
          return [model, fast](const Image& content, size_t) { return stylize_fast(*model, content, fast); };
        },
        progress, "stylize");
  }
  StylizeOptions optimize = options.stylize;
  optimize.size = options.size < 0 ? 512 : options.size;
  validate(optimize);
  auto style = std::make_shared<const Image>(read_image(options.style));
  return apps::run_batch(
      inputs, batch,
      [&](int, int) -> apps::ImageFn {
        return [style, optimize, progress](const Image& content, size_t) {
          return stylize_image(content, *style, optimize, progress);
        };
      },
      {}, "stylize");
}

}  // namespace neuroshop::stylize
