// Optical flow, consistency, warping and cuts; see flow.h.
#include "apps/video/flow.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include "core/errors.h"

namespace neuroshop::video {
namespace {

cv::Mat gray8(const cv::Mat& image) {
  cv::Mat g = image;
  if (g.channels() == 3) cv::cvtColor(g, g, cv::COLOR_BGR2GRAY);
  if (g.depth() != CV_8U) g.convertTo(g, CV_8U, g.depth() == CV_32F ? 255.0 : 1.0);
  return g;
}

// DIS flow from `from` to `to` (to(x + d) ~ from(x)).
cv::Mat dis_flow(const cv::Mat& from, const cv::Mat& to) {
  cv::Ptr<cv::DISOpticalFlow> dis = cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_MEDIUM);
  cv::Mat flow;
  dis->calc(from, to, flow);
  return flow;
}

}  // namespace

cv::Mat warp_back(const cv::Mat& image, const cv::Mat& flow, bool cubic) {
  cv::Mat map(flow.size(), CV_32FC2);
  for (int y = 0; y < flow.rows; ++y) {
    const cv::Vec2f* f = flow.ptr<cv::Vec2f>(y);
    cv::Vec2f* m = map.ptr<cv::Vec2f>(y);
    for (int x = 0; x < flow.cols; ++x) m[x] = cv::Vec2f(static_cast<float>(x) + f[x][0], static_cast<float>(y) + f[x][1]);
  }
  cv::Mat out;
  cv::remap(image, out, map, cv::noArray(), cubic ? cv::INTER_CUBIC : cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return out;
}

cv::Mat consistent(const cv::Mat& forward, const cv::Mat& backward) {
  const cv::Mat back_at = warp_back(backward, forward);  // b(x + f(x))
  cv::Mat ok(forward.size(), CV_32F);
  for (int y = 0; y < forward.rows; ++y) {
    const cv::Vec2f* f = forward.ptr<cv::Vec2f>(y);
    const cv::Vec2f* b = back_at.ptr<cv::Vec2f>(y);
    float* o = ok.ptr<float>(y);
    for (int x = 0; x < forward.cols; ++x) {
      const float sx = f[x][0] + b[x][0], sy = f[x][1] + b[x][1];
      const float ff = f[x][0] * f[x][0] + f[x][1] * f[x][1], bb = b[x][0] * b[x][0] + b[x][1] * b[x][1];
      const float tx = static_cast<float>(x) + f[x][0], ty = static_cast<float>(y) + f[x][1];
      const bool inside = tx >= 0 && ty >= 0 && tx <= static_cast<float>(forward.cols - 1) && ty <= static_cast<float>(forward.rows - 1);
      o[x] = inside && sx * sx + sy * sy <= 0.01f * (ff + bb) + 0.5f ? 1.0f : 0.0f;
    }
  }
  return ok;
}

Motion estimate_motion(const cv::Mat& previous, const cv::Mat& current, const FlowOptions& options) {
  if (previous.size() != current.size() || previous.empty())
    throw ArgumentError("estimate_motion: expected two frames of one size");
  cv::Mat p = gray8(previous), c = gray8(current);
  const double scale = std::min(1.0, static_cast<double>(options.max_side) / std::max(p.cols, p.rows));
  if (scale < 1.0) {
    cv::resize(p, p, cv::Size(), scale, scale, cv::INTER_AREA);
    cv::resize(c, c, cv::Size(), scale, scale, cv::INTER_AREA);
  }
  cv::Mat forward = dis_flow(c, p), backward = dis_flow(p, c);
  Motion m;
  m.reliable = consistent(forward, backward);
  if (scale < 1.0) {
    cv::resize(forward, forward, current.size(), 0, 0, cv::INTER_LINEAR);
    forward *= 1.0 / scale;
    cv::resize(m.reliable, m.reliable, current.size(), 0, 0, cv::INTER_NEAREST);
  }
  m.flow = forward;
  m.reliable_fraction = cv::mean(m.reliable)[0];
  return m;
}

double histogram_distance(const cv::Mat& a, const cv::Mat& b) {
  auto histogram = [](const cv::Mat& image) {
    const cv::Mat g = gray8(image);
    std::vector<double> h(32, 0.0);
    for (int y = 0; y < g.rows; ++y) {
      const uchar* row = g.ptr<uchar>(y);
      for (int x = 0; x < g.cols; ++x) h[row[x] >> 3] += 1.0;
    }
    for (double& v : h) v /= std::max(1, g.rows * g.cols);
    return h;
  };
  const std::vector<double> ha = histogram(a), hb = histogram(b);
  double d = 0.0;  // symmetric chi-square, halved so it lies in [0, 1]
  for (size_t i = 0; i < ha.size(); ++i)
    if (ha[i] + hb[i] > 0) d += (ha[i] - hb[i]) * (ha[i] - hb[i]) / (ha[i] + hb[i]);
  return 0.5 * d;
}

bool scene_cut(const cv::Mat& previous, const cv::Mat& current, double threshold) {
  return histogram_distance(previous, current) > threshold;
}

}  // namespace neuroshop::video
