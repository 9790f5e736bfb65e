// Compositing primitives of the try-on, all on BGR CV_32FC3 images in [0, 1] and CV_32F maps:
// the exact "over" operator (optionally with a Poisson-blended seam), multiplicative shadow
// darkening, the two shadows of a placed item (a soft contact shadow under its footprint and a cast
// shadow thrown away from the light), a Gaussian blur that stays fast for the wide kernels of big
// shadows, the room's main light and shadow strength, and Reinhard et al. 2001 colour transfer in
// CIE Lab.
// A Patch is a map placed at an origin in room coordinates; everything is clipped to the room.
// Not here: choosing sizes and positions (tryon.h), the harmonization network (harmonize/model.h).
#pragma once

#include <opencv2/core.hpp>

namespace neuroshop::tryon {

// A map (CV_32F or CV_32FC3) whose top-left pixel sits at `origin` in room coordinates.
struct Patch {
  cv::Mat pixels;
  cv::Point origin;
  cv::Rect rect() const { return {origin, pixels.size()}; }
};

// dst = alpha · fg + (1 − alpha) · dst over fg's rectangle at `origin`, clipped to dst.
// dst, fg: CV_32FC3; alpha: CV_32F of fg's size.
void composite_over(cv::Mat& dst, const cv::Mat& fg, const cv::Mat& alpha, cv::Point origin);

// composite_over, then the seam between item and room blended by solving the Poisson equation of
// Pérez et al. 2003 (seamless cloning, eq. 7) on a narrow band around the alpha = 0.5 contour,
// with the composite fixed around the band: guided by the room's own gradients outside the
// silhouette and the picture's inside it, with none across the contour (the seam's step) nor in
// the picture's outer h/2 px (a cut-out's fringe). The band has half-width about
// h = 3 + 0.004 · (the item's long side) px; its weight (1 − t²)², t = |2 s − 1| / erf(√2) for s the
// alpha blurred with sigma h/2, is 1 on the contour and 0 about 1.4h away; and it only covers
// parts where both the item and the room are thicker than 4h (legs, rails and the gaps between
// leaves keep composite_over's pixels). So the colour step across the edge softens while the
// item's interior and the room beyond the band stay exactly composite_over's: a dark sofa does
// not take on the wall's colour. An image edge cutting the item is no seam. The work is confined
// to the item's box widened by the band; returns the part of dst that may have changed.
cv::Rect composite_poisson_seam(cv::Mat& dst, const cv::Mat& fg, const cv::Mat& alpha, cv::Point origin);

// dst = dst · (1 − shadow) over the shadow patch, clipped to dst. shadow: CV_32F in [0, 1].
void darken(cv::Mat& dst, const Patch& shadow);

// cv::GaussianBlur(map, out, Size(0, 0), sigma) of a CV_32F map (the same kernel, borders reflected
// at the map's own edges), equal up to float rounding (about 1e-6 of the map's range). Long kernels
// go through the DFT, whose cost hardly grows with the kernel: a contact shadow in a 12-megapixel
// room is blurred with sigma ~130 px, 1045 taps that cost seconds summed directly.
cv::Mat gaussian_blur(const cv::Mat& map, double sigma);

// Where the item is in the room, after scaling: its picture and alpha at `origin`, the floor
// contact row (the silhouette's bottom), and the footprint ellipse on the floor.
struct PlacedItem {
  cv::Mat bgr, alpha;       // CV_32FC3, CV_32F; same size
  cv::Point origin;         // top-left in room pixels
  double contact_y = 0.0;   // room row where the silhouette touches the floor (bottom of alpha)
  cv::Point2d footprint_centre;
  double footprint_width = 0.0;   // px
  double flattening = 0.2;        // footprint ellipse height / width (floor_flattening)
};

// A soft ellipse (semi-axes 0.6 w and 0.6 w · flattening) just in front of the footprint centre, plus ambient
// occlusion hugging every part of the silhouette that reaches the floor (legs, a base, a pot's
// rim), blurred: darkness in [0, strength].
Patch contact_shadow(const PlacedItem& item, double strength);

// The silhouette laid on the floor away from `light` (room pixels): a pixel at height t above the
// contact row lands at (x + sx·t, contact + sy·t) with sx from the light's side and sy > 0
// (towards the camera, as a light in view is beyond the item), blurred and fading with distance:
// darkness in [0, strength]. It never reaches above the item's top row.
Patch cast_shadow(const PlacedItem& item, cv::Point2d light, double strength);

// The room's main light: the centre of its brightest region (luminance averaged over blocks of
// about 1/24 of the long side). room: CV_32FC3.
cv::Point2d estimate_light(const cv::Mat& room);

// Shadow strengths from the room's contrast c = p95 − p5 of luminance (0..1):
//   cast = clamp(0.12 + 0.45 c, 0.12, 0.5),  contact = clamp(0.35 + 0.35 c, 0.35, 0.7)
struct ShadowStrength {
  double cast = 0.3, contact = 0.5, contrast = 0.0;
};
ShadowStrength shadow_strength(const cv::Mat& room);

// Per-channel mean and standard deviation in CIE Lab of the pixels with weight > 0.5.
struct LabStats {
  cv::Vec3d mean{0, 0, 0}, stddev{1, 1, 1};
};
LabStats lab_stats(const cv::Mat& bgr, const cv::Mat& weight = {});

// Reinhard et al. 2001 in CIE Lab (instead of lαβ), moved `strength` of the way:
//   x' = mean_t + (σ_t / σ_s)(x − mean_s),  out = x + strength · (x' − x)
// bgr: CV_32FC3; the result is BGR CV_32FC3 clamped to [0, 1]. σ ratios are clamped to [0.5, 2].
cv::Mat reinhard_transfer(const cv::Mat& bgr, const LabStats& source, const LabStats& target, double strength);

// The room and the result side by side with a 4 px white divider.
cv::Mat side_by_side(const cv::Mat& left, const cv::Mat& right);

}  // namespace neuroshop::tryon
