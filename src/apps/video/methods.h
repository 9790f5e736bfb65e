// The per-frame methods video runs (process.h, video_eval.h): colorization and fast styles, each a
// FrameFn over a model the caller keeps alive. A fast style's output keeps the frame's size.
// Not here: optimization-based style transfer (seconds per frame; not offered for video).
#pragma once

#include "apps/colorize/colorize.h"
#include "apps/stylize/fast.h"
#include "apps/video/process.h"
#include "apps/video/temporal.h"

namespace neuroshop::video {

FrameFn colorize_frames(colorize::ColorizeModel& model, const colorize::ColorizeOptions& options);
FrameFn fast_style_frames(stylize::StyleModel& model, const stylize::FastOptions& options);

// What each method carries along the motion: colorize only the colour (the frame's own lightness
// is exact), a style all three channels (strokes change lightness too).
inline constexpr Carried kColorizeCarries = Carried::kChroma;
inline constexpr Carried kStyleCarries = Carried::kColour;

}  // namespace neuroshop::video
