// Compositing primitives: pasting an item over the room (plain alpha and Poisson-blended seams)
// and the side-by-side view; see composite.h. Shadows, light and colour transfer are in
// shadows.cpp, light.cpp and colour_transfer.cpp.
#include "apps/tryon/composite.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "core/errors.h"
#include "core/kernels/parallel.h"
#include "io/color.h"

namespace neuroshop::tryon {
namespace {

// The seam's Poisson solve stops when no pixel moves by more than this in a sweep, or after so many.
constexpr float kSeamTolerance = 1e-5f;
constexpr int kSeamMaxSweeps = 2000;

}  // namespace

void composite_over(cv::Mat& dst, const cv::Mat& fg, const cv::Mat& alpha, cv::Point origin) {
  if (dst.type() != CV_32FC3 || fg.type() != CV_32FC3 || alpha.type() != CV_32F || alpha.size() != fg.size())
    throw ArgumentError("composite_over: expected CV_32FC3 room and item and a CV_32F alpha of the item's size");
  const cv::Rect area = cv::Rect(origin, fg.size()) & cv::Rect(0, 0, dst.cols, dst.rows);
  parallel_for(area.height, [&](int64_t begin, int64_t end) {
    for (int y = area.y + static_cast<int>(begin); y < area.y + end; ++y) {
      cv::Vec3f* d = dst.ptr<cv::Vec3f>(y);
      const cv::Vec3f* f = fg.ptr<cv::Vec3f>(y - origin.y);
      const float* a = alpha.ptr<float>(y - origin.y);
      for (int x = area.x; x < area.x + area.width; ++x) {
        const float w = a[x - origin.x];
        d[x] = w * f[x - origin.x] + (1.0f - w) * d[x];
      }
    }
  }, 16);
}

cv::Rect composite_poisson_seam(cv::Mat& dst, const cv::Mat& fg, const cv::Mat& alpha, cv::Point origin) {
  const cv::Rect box(origin, fg.size());
  const float half = 3.0f + 0.004f * static_cast<float>(std::max(fg.cols, fg.rows));
  const int margin = static_cast<int>(std::ceil(2.0f * half)) + 2;  // the band reaches about 1.4h out
  const cv::Rect region = cv::Rect(box.x - margin, box.y - margin, box.width + 2 * margin, box.height + 2 * margin) &
                          cv::Rect(0, 0, dst.cols, dst.rows);
  cv::Mat under;  // the room before the item
  if (!region.empty()) dst(region).copyTo(under);
  composite_over(dst, fg, alpha, origin);
  if (region.empty()) return region;
  cv::Mat over = dst(region);  // the composite: a view, written last

  // The picture and its alpha over the region. Where the image edge cuts the item there is no
  // contour: distances and blurs below see the image edge as no edge, and the solve has no
  // neighbours beyond it.
  const cv::Rect seen = box & region;
  cv::Mat a = cv::Mat::zeros(region.size(), CV_32F), item = cv::Mat::zeros(region.size(), CV_32FC3);
  alpha(seen - origin).copyTo(a(seen - region.tl()));
  fg(seen - origin).copyTo(item(seen - region.tl()));
  const cv::Mat inside = a > 0.5f;
  cv::Mat depth_in, depth_out;  // distance to the nearest pixel on the other side of the contour
  cv::distanceTransform(inside, depth_in, cv::DIST_L2, cv::DIST_MASK_PRECISE);
  cv::distanceTransform(~inside, depth_out, cv::DIST_L2, cv::DIST_MASK_PRECISE);

  // Only parts thick enough on both sides for the band to be a seam take part. Across thinner legs
  // and rails the band would cover the whole width and turn them the room's colour, and the gaps
  // between a plant's leaves are no room to blend into; both keep composite_over's pixels. The
  // weight is gated by the distances to the cores (the inside and the outside eroded by 2h): 1
  // while both are within 3h + 1 (the band of a side opened by 2h), 0 from 4h + 1.
  auto distance_to_core = [&](const cv::Mat& depth) {
    const cv::Mat shallow = depth <= 2.0f * half;  // zero on the core
    cv::Mat reach;
    if (cv::countNonZero(shallow) == static_cast<int>(shallow.total())) return reach;
    cv::distanceTransform(shallow, reach, cv::DIST_L2, cv::DIST_MASK_PRECISE);
    return reach;
  };
  const cv::Mat reach_in = distance_to_core(depth_in), reach_out = distance_to_core(depth_out);
  if (reach_in.empty() || reach_out.empty()) return region;  // nothing thick enough on one side

  // The band's weight from the alpha blurred with sigma h/2 (sub-pixel smooth, as the feathered
  // alpha is): u = |2 blurred − 1| is 0 on the contour and reaches erf(√2) two sigmas from a
  // straight edge. The pixels with weight > 0 are the domain of the solve, numbered in raster order.
  cv::Mat blurred;
  cv::GaussianBlur(a, blurred, cv::Size(0, 0), 0.5 * half);
  const float band_end = std::erf(std::sqrt(2.0f));
  cv::Mat weight = cv::Mat::zeros(region.size(), CV_32F), index(region.size(), CV_32S, cv::Scalar(-1));
  std::vector<cv::Point> pixels;
  for (int y = 0; y < region.height; ++y)
    for (int x = 0; x < region.width; ++x) {
      const float t = std::abs(2.0f * blurred.at<float>(y, x) - 1.0f) / band_end;
      const float reach = std::max(reach_in.at<float>(y, x), reach_out.at<float>(y, x));
      const float gate = std::clamp((4.0f * half + 1.0f - reach) / half, 0.0f, 1.0f);
      if (t >= 1.0f || gate <= 0.0f) continue;
      weight.at<float>(y, x) = gate * (1.0f - t * t) * (1.0f - t * t);
      index.at<int>(y, x) = static_cast<int>(pixels.size());
      pixels.emplace_back(x, y);
    }
  if (pixels.empty()) return region;

  // Pérez et al.'s discrete Poisson equation for each pixel p of the domain Ω, over its neighbours q
  // in the image (eq. 7), with the composite f* fixed around Ω:
  //   |N_p| f_p − Σ_{q∈Ω} f_q = Σ_{q∉Ω} f*_q + Σ_q v_pq
  // The guidance v_pq is the room's own difference when p and q are both outside the silhouette,
  // the picture's when both are inside and deeper than h/2, and 0 otherwise: across the contour
  // (the seam's step) and in the picture's outer ring, which carries a cut-out's light or dark
  // fringe that the solution would turn into a rim of the opposite shade.
  const float ring = 0.5f * half;
  auto guidance = [&](cv::Point p, cv::Point q) {
    const bool p_in = inside.at<uchar>(p) != 0, q_in = inside.at<uchar>(q) != 0;
    if (!p_in && !q_in) return cv::Vec3f(under.at<cv::Vec3f>(p) - under.at<cv::Vec3f>(q));
    if (p_in && q_in && depth_in.at<float>(p) > ring && depth_in.at<float>(q) > ring)
      return cv::Vec3f(item.at<cv::Vec3f>(p) - item.at<cv::Vec3f>(q));
    return cv::Vec3f(0, 0, 0);
  };
  struct Node {
    int next[4];     // neighbours in Ω, −1 for none
    float count;     // |N_p|
    cv::Vec3f rhs;   // Σ_{q∉Ω} f*_q + Σ_q v_pq
  };
  const cv::Point step[4] = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
  const cv::Rect inner(0, 0, region.width, region.height);
  std::vector<Node> nodes(pixels.size());
  std::vector<cv::Vec3f> f(pixels.size());
  for (size_t i = 0; i < pixels.size(); ++i) {
    const cv::Point p = pixels[i];
    Node& node = nodes[i];
    node.count = 0.0f;
    node.rhs = cv::Vec3f(0, 0, 0);
    f[i] = over.at<cv::Vec3f>(p);
    for (int k = 0; k < 4; ++k) {
      const cv::Point q = p + step[k];
      node.next[k] = -1;
      if (!inner.contains(q)) continue;  // the image edge (the band stays clear of the region's other edges)
      node.count += 1.0f;
      node.rhs += guidance(p, q);
      node.next[k] = index.at<int>(q);
      if (node.next[k] < 0) node.rhs += over.at<cv::Vec3f>(q);
    }
  }
  // Successive over-relaxation from the composite, tuned to the band's width of about 2h + 4 px.
  const float omega = 2.0f / (1.0f + std::sin(static_cast<float>(CV_PI) / (2.0f * half + 4.0f)));
  for (int sweep = 0; sweep < kSeamMaxSweeps; ++sweep) {
    float moved = 0.0f;
    for (size_t i = 0; i < nodes.size(); ++i) {
      const Node& node = nodes[i];
      cv::Vec3f sum = node.rhs;
      for (int k = 0; k < 4; ++k)
        if (node.next[k] >= 0) sum += f[static_cast<size_t>(node.next[k])];
      const cv::Vec3f change = omega * (sum * (1.0f / node.count) - f[i]);
      f[i] += change;
      moved = std::max({moved, std::abs(change[0]), std::abs(change[1]), std::abs(change[2])});
    }
    if (moved < kSeamTolerance) break;
  }
  for (size_t i = 0; i < pixels.size(); ++i) {
    cv::Vec3f& d = over.at<cv::Vec3f>(pixels[i]);
    const float w = weight.at<float>(pixels[i]);
    for (int c = 0; c < 3; ++c) d[c] = std::clamp(d[c] + w * (f[i][c] - d[c]), 0.0f, 1.0f);
  }
  return region;
}

cv::Mat side_by_side(const cv::Mat& left, const cv::Mat& right) {
  if (left.type() != right.type() || left.rows != right.rows)
    throw ArgumentError("side_by_side: the two images must have the same type and height");
  const cv::Scalar white = left.depth() == CV_8U ? cv::Scalar::all(255) : left.depth() == CV_16U ? cv::Scalar::all(65535) : cv::Scalar::all(1.0);
  cv::Mat divider(left.rows, 4, left.type(), white);
  cv::Mat out;
  cv::hconcat(std::vector<cv::Mat>{left, divider, right}, out);
  return out;
}

}  // namespace neuroshop::tryon
