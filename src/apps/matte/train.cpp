// Cut-out training data, training and evaluation; see matte/train.h.
#include "apps/matte/train.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "apps/common/batch_prefetch.h"
#include "apps/common/evaluation.h"
#include "apps/common/training_files.h"
#include "apps/common/training_loop.h"
#include "apps/tryon/composite.h"
#include "apps/matte/cutout.h"
#include "apps/harmonize/data.h"
#include "apps/tryon/item.h"
#include "core/errors.h"
#include "core/losses/cross_entropy.h"
#include "core/optim/adam.h"
#include "io/image_file.h"
#include "io/pixels.h"

namespace neuroshop::matte {
namespace fs = std::filesystem;

const std::vector<std::string> kHeldOutViews = {"sofa_winchester_34", "sofa_winchester_front", "armchair_lounge_34",
                                                "chair_cushion_34",   "lamp_vase_34",          "plant_tree_34",
                                                "table_coffee_34"};

namespace {

cv::Mat to_unit(const cv::Mat& m, int bit_depth) { return to_unit_float(m, bit_depth); }

// At most `max` of the paths (0: all), spread evenly over the sorted list.
std::vector<std::string> evenly_spaced(std::vector<std::string> paths, int64_t max) {
  if (max <= 0 || static_cast<int64_t>(paths.size()) <= max) return paths;
  std::vector<std::string> kept;
  for (int64_t i = 0; i < max; ++i) kept.push_back(paths[static_cast<size_t>(i * static_cast<int64_t>(paths.size()) / max)]);
  return kept;
}

void shrink(cv::Mat* bgr, cv::Mat* alpha, int64_t long_side) {
  const double s = std::min(1.0, static_cast<double>(long_side) / std::max(bgr->cols, bgr->rows));
  if (s >= 1.0) return;
  cv::resize(*bgr, *bgr, cv::Size(), s, s, cv::INTER_AREA);
  cv::resize(*alpha, *alpha, bgr->size(), 0, 0, cv::INTER_AREA);
}

// A plain colour of the class (gradients and paper take one as their base).
cv::Vec3f backdrop_colour(Backdrop kind, Rng& rng) {
  auto gray = [&](double lo, double hi) {
    const float v = static_cast<float>(rng.uniform(lo, hi));
    return cv::Vec3f(v, v, v) + cv::Vec3f(static_cast<float>(rng.uniform(-0.015, 0.015)), 0.0f,
                                          static_cast<float>(rng.uniform(-0.015, 0.015)));
  };
  switch (kind) {
    case Backdrop::kWhite: return gray(0.93, 1.0);
    case Backdrop::kLightGrey: return gray(0.76, 0.92);
    case Backdrop::kMidGrey: return gray(0.45, 0.7);
    case Backdrop::kBeige: {
      cv::Mat hsv(1, 1, CV_32FC3, cv::Scalar(rng.uniform(28.0, 48.0), rng.uniform(0.12, 0.32), rng.uniform(0.72, 0.95)));
      cv::Mat bgr;
      cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
      return bgr.at<cv::Vec3f>(0, 0);
    }
    case Backdrop::kGradient:
    case Backdrop::kPaper: break;
  }
  static const Backdrop plain[] = {Backdrop::kWhite, Backdrop::kLightGrey, Backdrop::kMidGrey, Backdrop::kBeige};
  return backdrop_colour(plain[rng.below(4)], rng);
}

// Each pixel's brightness factor: a gentle tilt, a strong two-colour ramp (gradient) or a seamless
// paper sweep (wall above, floor below, the bend between them lit brighter), then vignetting.
cv::Mat backdrop_shading(Backdrop kind, cv::Size size, Rng& rng) {
  cv::Mat shade(size, CV_32F);
  const double gy = rng.uniform(-0.08, 0.04), gx = rng.uniform(-0.03, 0.03);
  const double ramp = kind == Backdrop::kGradient ? rng.uniform(0.15, 0.35) * (rng.uniform() < 0.5 ? -1 : 1) : 0.0;
  const double bend = rng.uniform(0.45, 0.75), soft = rng.uniform(0.08, 0.2), floor_gain = rng.uniform(0.04, 0.12);
  const bool radial = rng.uniform() < 0.3;
  for (int y = 0; y < size.height; ++y) {
    float* row = shade.ptr<float>(y);
    const double v = static_cast<double>(y) / size.height;
    for (int x = 0; x < size.width; ++x) {
      const double u = static_cast<double>(x) / size.width;
      double f = 1.0 + gy * (v - 0.5) + gx * (u - 0.5);
      if (kind == Backdrop::kGradient) f += ramp * (radial ? std::hypot(u - 0.5, v - 0.5) * 1.4 : v - 0.5);
      if (kind == Backdrop::kPaper) f += floor_gain / (1.0 + std::exp(-(v - bend) / (0.25 * soft)));
      row[x] = static_cast<float>(f);
    }
  }
  if (rng.uniform() < 0.5) {  // vignetting: darker corners
    const double strength = rng.uniform(0.05, 0.25);
    for (int y = 0; y < size.height; ++y) {
      float* row = shade.ptr<float>(y);
      for (int x = 0; x < size.width; ++x) {
        const double dx = static_cast<double>(x) / size.width - 0.5, dy = static_cast<double>(y) / size.height - 0.5;
        row[x] *= static_cast<float>(1.0 - strength * 2.0 * (dx * dx + dy * dy));
      }
    }
  }
  return shade;
}

// Brightness, contrast and saturation jitter of an item's colours.
cv::Mat jitter_colours(const cv::Mat& bgr, Rng& rng) {
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  cv::Mat gray3;
  cv::merge(std::vector<cv::Mat>{gray, gray, gray}, gray3);
  const double sat = rng.uniform(0.6, 1.3), gain = rng.uniform(0.75, 1.2), lift = rng.uniform(-0.05, 0.05);
  cv::Mat out = gray3 + (bgr - gray3) * sat;
  out = out * gain + cv::Scalar::all(lift);
  cv::min(cv::max(out, 0.0f), 1.0f, out);
  return out;
}

// A silhouette filled with a photo texture under a soft top-down shading.
void textured_silhouette(const cv::Mat& alpha, const cv::Mat& texture, Rng& rng, cv::Mat* bgr) {
  cv::Mat t;
  const int x = static_cast<int>(rng.below(static_cast<uint64_t>(std::max(1, texture.cols / 3))));
  const int y = static_cast<int>(rng.below(static_cast<uint64_t>(std::max(1, texture.rows / 3))));
  cv::resize(texture(cv::Rect(x, y, texture.cols - x, texture.rows - y)), t, alpha.size(), 0, 0, cv::INTER_LINEAR);
  for (int r = 0; r < t.rows; ++r) t.row(r) *= 1.05 - 0.3 * static_cast<double>(r) / t.rows;
  cv::min(cv::max(t, 0.0f), 1.0f, t);
  *bgr = t;
}

// alpha > 0.5 agreement: |A ∩ B| / |A ∪ B| (1 when both are empty).
double iou(const cv::Mat& a, const cv::Mat& b) {
  const cv::Mat A = a > 0.5f, B = b > 0.5f;
  const double inter = cv::countNonZero(A & B), uni = cv::countNonZero(A | B);
  return uni > 0 ? inter / uni : 1.0;
}

}  // namespace

namespace {

cv::Mat edge_band(const cv::Mat& truth, int radius) {
  const cv::Mat inside = truth > 0.5f;
  const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * radius + 1, 2 * radius + 1));
  cv::Mat grown, shrunk;
  cv::dilate(inside, grown, kernel);
  cv::erode(inside, shrunk, kernel);
  return grown & ~shrunk;
}

cv::Mat over_dark(const cv::Mat& colour, const cv::Mat& alpha) {
  cv::Mat a3, out;
  cv::merge(std::vector<cv::Mat>{alpha, alpha, alpha}, a3);
  out = colour.mul(a3) + (cv::Scalar::all(1.0) - a3) * 0.1;
  return out;
}

}  // namespace

double edge_band_error(const cv::Mat& alpha, const cv::Mat& truth, int radius) {
  const cv::Mat band = edge_band(truth, radius);
  if (cv::countNonZero(band) == 0) return 0.0;
  cv::Mat d;
  cv::absdiff(alpha, truth, d);
  return cv::mean(d, band)[0];
}

double fringe_error(const cv::Mat& colour, const cv::Mat& alpha, const cv::Mat& true_fg, const cv::Mat& truth, int radius) {
  const cv::Mat band = edge_band(truth, radius);
  if (cv::countNonZero(band) == 0) return 0.0;
  cv::Mat d;
  cv::absdiff(over_dark(colour, alpha), over_dark(true_fg, truth), d);
  const cv::Scalar m = cv::mean(d, band);
  return (m[0] + m[1] + m[2]) / 3.0;
}

namespace {

double mean_abs(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat d;
  cv::absdiff(a, b, d);
  return cv::mean(d)[0];
}

Tensor matte_input(const std::vector<MatteSample>& samples) {
  const int S = samples[0].bgr.rows;
  Tensor t = Tensor::empty({static_cast<int64_t>(samples.size()), 3, S, S});
  for (size_t n = 0; n < samples.size(); ++n)
    for (int y = 0; y < S; ++y) {
      const cv::Vec3f* row = samples[n].bgr.ptr<cv::Vec3f>(y);
      for (int x = 0; x < S; ++x)
        for (int c = 0; c < 3; ++c) t[((static_cast<int64_t>(n) * 3 + c) * S + y) * S + x] = row[x][2 - c] - 0.5f;
    }
  return t;
}

// (N, 2, S, S): background share 1 − alpha, foreground share alpha.
Tensor matte_target(const std::vector<MatteSample>& samples) {
  const int S = samples[0].alpha.rows;
  Tensor t = Tensor::empty({static_cast<int64_t>(samples.size()), 2, S, S});
  for (size_t n = 0; n < samples.size(); ++n)
    for (int y = 0; y < S; ++y) {
      const float* a = samples[n].alpha.ptr<float>(y);
      for (int x = 0; x < S; ++x) {
        const float v = std::clamp(a[x], 0.0f, 1.0f);
        t[((static_cast<int64_t>(n) * 2 + 0) * S + y) * S + x] = 1.0f - v;
        t[((static_cast<int64_t>(n) * 2 + 1) * S + y) * S + x] = v;
      }
    }
  return t;
}

// A white shot placed at a random scale and offset in a size x size canvas (the background
// extended by repeating its border).
MatteSample crop_white_shot(const CutoutPicture& shot, int64_t size, Rng& rng) {
  const cv::Rect box = tryon::alpha_bounds(shot.alpha);
  const double S = static_cast<double>(size);
  const double scale = rng.uniform(0.55, 0.92) * S / std::max(box.width, box.height);
  const double cx = box.x + 0.5 * box.width, cy = box.y + 0.5 * box.height;
  const double tx = 0.5 * S + rng.uniform(-0.08, 0.08) * S - scale * cx, ty = 0.5 * S + rng.uniform(-0.08, 0.08) * S - scale * cy;
  const cv::Matx23d map(scale, 0, tx, 0, scale, ty);
  MatteSample s;
  cv::warpAffine(shot.bgr, s.bgr, map, cv::Size(static_cast<int>(size), static_cast<int>(size)), cv::INTER_AREA, cv::BORDER_REPLICATE);
  cv::warpAffine(shot.alpha, s.alpha, map, s.bgr.size(), cv::INTER_AREA, cv::BORDER_CONSTANT, cv::Scalar(0));
  if (rng.uniform() < 0.5) {
    cv::flip(s.bgr, s.bgr, 1);
    cv::flip(s.alpha, s.alpha, 1);
  }
  return s;
}

}  // namespace

RenderSet load_renders(const std::string& folder, int64_t long_side, bool held_out) {
  const std::set<std::string> held(kHeldOutViews.begin(), kHeldOutViews.end());
  auto wanted = [&](const std::string& name) { return held.count(name) > 0 ? held_out : !held_out; };
  RenderSet set;
  for (const std::string& path : list_images({folder}, false)) {
    const fs::path p(path);
    if (p.extension() != ".png" || !wanted(p.stem().string())) continue;
    const Image image = read_image(path);
    if (image.alpha.empty() || image.pixels.channels() != 3) continue;
    CutoutPicture c;
    c.name = p.stem().string();
    c.bgr = to_unit(image.pixels, image.bit_depth);
    c.alpha = to_unit(image.alpha, image.bit_depth);
    const cv::Rect box = tryon::alpha_bounds(c.alpha);
    if (box.empty()) continue;
    c.bgr = c.bgr(box).clone();
    c.alpha = c.alpha(box).clone();
    shrink(&c.bgr, &c.alpha, long_side);
    set.cutouts.push_back(c);
  }
  const fs::path manifest = fs::path(folder) / "manifest.json";
  std::ifstream in(manifest);
  if (!in) return set;
  nlohmann::json entries;
  try {
    in >> entries;
  } catch (const nlohmann::json::exception& e) {
    throw IoError("'" + manifest.string() + "': not valid JSON (" + e.what() + ")");
  }
  if (!entries.is_array()) throw IoError("'" + manifest.string() + "': expected a list of views");
  for (size_t i = 0; i < entries.size(); ++i) {
    const nlohmann::json& e = entries[i];
    const std::string who = manifest.string() + ": [" + std::to_string(i) + "]";
    if (!e.is_object() || !e.contains("key_view") || !e.contains("png") || !e.contains("jpg") || !e.contains("png_offset_in_jpg"))
      throw IoError(who + ": expected key_view, png, jpg and png_offset_in_jpg");
    const std::string name = e["key_view"].get<std::string>();
    if (!wanted(name)) continue;
    const fs::path png = fs::path(folder) / e["png"].get<std::string>(), jpg = fs::path(folder) / e["jpg"].get<std::string>();
    if (!fs::exists(png) || !fs::exists(jpg)) continue;
    const Image cut = read_image(png.string()), shot = read_image(jpg.string());
    if (cut.alpha.empty()) continue;
    CutoutPicture c;
    c.name = name;
    c.bgr = to_unit(shot.pixels.channels() == 3 ? shot.pixels : cv::Mat(), shot.bit_depth);
    if (c.bgr.empty()) continue;
    c.alpha = cv::Mat::zeros(c.bgr.size(), CV_32F);
    const int ox = e["png_offset_in_jpg"][0].get<int>(), oy = e["png_offset_in_jpg"][1].get<int>();
    const cv::Mat a = to_unit(cut.alpha, cut.bit_depth);
    const cv::Rect r = cv::Rect(ox, oy, a.cols, a.rows) & cv::Rect(0, 0, c.bgr.cols, c.bgr.rows);
    a(cv::Rect(r.x - ox, r.y - oy, r.width, r.height)).copyTo(c.alpha(r));
    shrink(&c.bgr, &c.alpha, long_side);
    set.white_shots.push_back(c);
  }
  return set;
}

CutoutPicture product_cutout(const cv::Mat& bgr8) {
  if (bgr8.type() != CV_8UC3 || bgr8.empty()) throw ArgumentError("product_cutout: expected an 8-bit BGR photo");
  std::vector<cv::Mat> channels;
  cv::split(bgr8, channels);
  cv::Mat white = (channels[0] >= 250) & (channels[1] >= 250) & (channels[2] >= 250);
  cv::Mat labels;
  const int count = cv::connectedComponents(white, labels, 4, CV_32S);
  std::vector<char> touches(static_cast<size_t>(count), 0);
  const int W = bgr8.cols, H = bgr8.rows;
  auto mark = [&](int y, int x) { touches[static_cast<size_t>(labels.at<int>(y, x))] = 1; };
  for (int x = 0; x < W; ++x) mark(0, x), mark(H - 1, x);
  for (int y = 0; y < H; ++y) mark(y, 0), mark(y, W - 1);
  touches[0] = 0;  // label 0: the non-white pixels
  cv::Mat product(bgr8.size(), CV_8U);
  for (int y = 0; y < H; ++y) {
    const int* l = labels.ptr<int>(y);
    uchar* p = product.ptr<uchar>(y);
    for (int x = 0; x < W; ++x) p[x] = touches[static_cast<size_t>(l[x])] ? 0 : 255;
  }
  const double share = cv::countNonZero(product) / static_cast<double>(W * H);
  int border = 0;
  for (int x = 0; x < W; ++x) border += (product.at<uchar>(0, x) != 0) + (product.at<uchar>(H - 1, x) != 0);
  for (int y = 0; y < H; ++y) border += (product.at<uchar>(y, 0) != 0) + (product.at<uchar>(y, W - 1) != 0);
  if (share < 0.03 || share > 0.9 || border > 0.05 * 2 * (W + H)) return {};
  CutoutPicture c;
  c.bgr = to_unit(bgr8, 8);
  c.alpha = to_unit(product, 8);
  cv::GaussianBlur(c.alpha, c.alpha, cv::Size(0, 0), 0.5);
  const cv::Rect box = tryon::alpha_bounds(c.alpha);
  c.bgr = c.bgr(box).clone();
  c.alpha = c.alpha(box).clone();
  return c;
}

std::vector<CutoutPicture> load_product_cutouts(const std::vector<std::string>& folders, int64_t max_photos,
                                                int64_t long_side, const ProgressFn& progress) {
  const std::vector<std::string> paths = evenly_spaced(list_images(folders, true), max_photos);
  std::vector<CutoutPicture> out;
  for (size_t i = 0; i < paths.size(); ++i) {
    report(progress, {static_cast<int64_t>(i), static_cast<int64_t>(paths.size()), "load products", {}});
    const Image image = read_image(paths[i]);
    if (image.pixels.channels() != 3) continue;
    CutoutPicture c = product_cutout(to_8bit(image.pixels));
    if (c.alpha.empty()) continue;
    c.name = fs::path(paths[i]).stem().string();
    shrink(&c.bgr, &c.alpha, long_side);
    out.push_back(std::move(c));
  }
  return out;
}

const std::vector<Backdrop>& all_backdrops() {
  static const std::vector<Backdrop> kinds = {Backdrop::kWhite, Backdrop::kLightGrey, Backdrop::kMidGrey,
                                              Backdrop::kBeige, Backdrop::kGradient,  Backdrop::kPaper};
  return kinds;
}

const char* backdrop_name(Backdrop kind) {
  switch (kind) {
    case Backdrop::kWhite: return "white";
    case Backdrop::kLightGrey: return "light grey";
    case Backdrop::kMidGrey: return "mid grey";
    case Backdrop::kBeige: return "beige";
    case Backdrop::kGradient: return "gradient";
    case Backdrop::kPaper: return "paper sweep";
  }
  return "?";
}

cv::Mat studio_backdrop(Backdrop kind, cv::Size size, Rng& rng) {
  const cv::Vec3f base = backdrop_colour(kind, rng);
  const cv::Mat shade = backdrop_shading(kind, size, rng);
  cv::Mat bg(size, CV_32FC3);
  for (int y = 0; y < size.height; ++y) {
    cv::Vec3f* row = bg.ptr<cv::Vec3f>(y);
    const float* f = shade.ptr<float>(y);
    for (int x = 0; x < size.width; ++x) row[x] = base * f[x];
  }
  cv::Mat noise(size, CV_32FC3);
  cv::randn(noise, 0.0, rng.uniform(0.0, 0.012));
  bg += noise;
  cv::min(cv::max(bg, 0.0f), 1.0f, bg);
  return bg;
}

MatteSample compose_on_plain(const cv::Mat& item_bgr, const cv::Mat& item_alpha, cv::Size size, Rng& rng) {
  return compose_on_backdrop(item_bgr, item_alpha, size, all_backdrops()[rng.below(all_backdrops().size())], rng);
}

MatteSample compose_on_backdrop(const cv::Mat& item_bgr, const cv::Mat& item_alpha, cv::Size size, Backdrop kind,
                                Rng& rng) {
  const double fit = rng.uniform(0.55, 0.9) * std::min(size.width, size.height) / std::max(item_alpha.cols, item_alpha.rows);
  const cv::Size item_size(std::max(2, static_cast<int>(item_alpha.cols * fit)), std::max(2, static_cast<int>(item_alpha.rows * fit)));
  tryon::PlacedItem placed;
  cv::resize(item_bgr, placed.bgr, item_size, 0, 0, cv::INTER_AREA);
  cv::resize(item_alpha, placed.alpha, item_size, 0, 0, cv::INTER_AREA);
  placed.bgr = jitter_colours(placed.bgr, rng);
  if (rng.uniform() < 0.5) {
    cv::flip(placed.bgr, placed.bgr, 1);
    cv::flip(placed.alpha, placed.alpha, 1);
  }
  const int free_x = std::max(0, size.width - item_size.width), free_y = std::max(0, size.height - item_size.height);
  placed.origin = cv::Point(static_cast<int>(free_x * rng.uniform(0.3, 0.7)), static_cast<int>(free_y * rng.uniform(0.3, 0.75)));
  placed.contact_y = placed.origin.y + item_size.height;
  placed.footprint_width = item_size.width * rng.uniform(0.7, 1.0);
  placed.flattening = rng.uniform(0.08, 0.3);
  placed.footprint_centre = cv::Point2d(placed.origin.x + 0.5 * item_size.width,
                                        placed.contact_y - 0.5 * placed.footprint_width * placed.flattening);
  MatteSample s;
  s.bgr = studio_backdrop(kind, size, rng);
  // The hard cases of product photos: an item close to its backdrop's colour (white on white, grey
  // on grey, beige on beige).
  if (rng.uniform() < 0.25) {
    const cv::Scalar mean = cv::mean(s.bgr);
    const double towards = rng.uniform(0.3, 0.7);
    placed.bgr = placed.bgr * (1.0 - towards) + cv::Scalar(mean[0], mean[1], mean[2]) * towards;
  }
  // Studio shadows: always some contact shadow, often a cast one.
  tryon::darken(s.bgr, tryon::contact_shadow(placed, rng.uniform(0.1, 0.6)));
  if (rng.uniform() < 0.5) {
    const cv::Point2d light(rng.uniform(-1.0, 2.0) * size.width, rng.uniform(-0.5, 0.2) * size.height);
    tryon::darken(s.bgr, tryon::cast_shadow(placed, light, rng.uniform(0.1, 0.45)));
  }
  tryon::composite_over(s.bgr, placed.bgr, placed.alpha, placed.origin);
  s.alpha = cv::Mat::zeros(size, CV_32F);
  s.fg = cv::Mat::zeros(size, CV_32FC3);
  const cv::Rect r = cv::Rect(placed.origin, item_size) & cv::Rect(0, 0, size.width, size.height);
  const cv::Rect from(r.x - placed.origin.x, r.y - placed.origin.y, r.width, r.height);
  placed.alpha(from).copyTo(s.alpha(r));
  placed.bgr(from).copyTo(s.fg(r));
  if (rng.uniform() < 0.3) cv::GaussianBlur(s.bgr, s.bgr, cv::Size(0, 0), rng.uniform(0.3, 0.8));
  cv::min(cv::max(s.bgr, 0.0f), 1.0f, s.bgr);
  if (rng.uniform() < 0.5) {  // a store's JPEG: 8 bits and its block noise
    cv::Mat bytes;
    s.bgr.convertTo(bytes, CV_8UC3, 255.0);
    std::vector<uchar> jpeg;
    cv::imencode(".jpg", bytes, jpeg, {cv::IMWRITE_JPEG_QUALITY, static_cast<int>(rng.uniform(50.0, 92.0))});
    cv::imdecode(jpeg, cv::IMREAD_COLOR).convertTo(s.bgr, CV_32FC3, 1.0 / 255.0);
  }
  return s;
}

bool punch_openings(cv::Mat& bgr, cv::Mat& alpha, Rng& rng) {
  if (bgr.type() != CV_32FC3 || alpha.type() != CV_32F || bgr.size() != alpha.size())
    throw ArgumentError("punch_openings: expected a CV_32FC3 item and a CV_32F alpha of its size");
  const int W = alpha.cols, H = alpha.rows;
  if (W < 24 || H < 24) return false;
  for (int attempt = 0; attempt < 12; ++attempt) {
    const int pw = std::max(12, static_cast<int>(W * rng.uniform(0.15, 0.5)));
    const int ph = std::max(12, static_cast<int>(H * rng.uniform(0.15, 0.5)));
    const cv::Rect panel(static_cast<int>(rng.below(static_cast<uint64_t>(W - pw + 1))),
                         static_cast<int>(rng.below(static_cast<uint64_t>(H - ph + 1))), pw, ph);
    if (cv::mean(alpha(panel))[0] < 0.97) continue;  // a panel lies inside the object
    // solid: 1 on the frame and the bars, 0 in the openings (anti-aliased in between).
    const int t = std::max(2, static_cast<int>(std::min(pw, ph) * rng.uniform(0.05, 0.14)));
    cv::Mat solid(ph, pw, CV_32F, cv::Scalar(0));
    solid(cv::Rect(0, 0, pw, t)).setTo(1.0f);
    solid(cv::Rect(0, ph - t, pw, t)).setTo(1.0f);
    solid(cv::Rect(0, 0, t, ph)).setTo(1.0f);
    solid(cv::Rect(pw - t, 0, t, ph)).setTo(1.0f);
    const bool glass = rng.uniform() < 0.3;
    const int pattern = static_cast<int>(rng.below(glass ? 2 : 3));  // glass: none or rails; holes: X, rails, spindles
    const int bar = std::max(2, static_cast<int>(t * rng.uniform(0.6, 1.2)));
    if (!glass && pattern == 0) {
      cv::line(solid, cv::Point(0, 0), cv::Point(pw - 1, ph - 1), cv::Scalar(1.0), bar, cv::LINE_AA);
      cv::line(solid, cv::Point(pw - 1, 0), cv::Point(0, ph - 1), cv::Scalar(1.0), bar, cv::LINE_AA);
    } else if (pattern == 1) {
      const int rails = 1 + static_cast<int>(rng.below(3));
      for (int k = 1; k <= rails; ++k) {
        const int y = ph * k / (rails + 1);
        cv::line(solid, cv::Point(0, y), cv::Point(pw - 1, y), cv::Scalar(1.0), bar, cv::LINE_AA);
      }
    } else if (pattern == 2) {
      const int spindles = 2 + static_cast<int>(rng.below(4));
      for (int k = 1; k <= spindles; ++k) {
        const int x = pw * k / (spindles + 1);
        cv::line(solid, cv::Point(x, 0), cv::Point(x, ph - 1), cv::Scalar(1.0), bar, cv::LINE_AA);
      }
    }
    cv::min(solid, 1.0f, solid);
    const float pane = glass ? static_cast<float>(rng.uniform(0.08, 0.4)) : 0.0f;
    const float light = static_cast<float>(rng.uniform(0.75, 1.0));
    const cv::Vec3f tint(light * static_cast<float>(rng.uniform(0.9, 1.0)),
                         light * static_cast<float>(rng.uniform(0.9, 1.0)),
                         light * static_cast<float>(rng.uniform(0.85, 1.0)));
    for (int y = 0; y < ph; ++y) {
      const float* sp = solid.ptr<float>(y);
      float* a = alpha.ptr<float>(panel.y + y) + panel.x;
      cv::Vec3f* c = bgr.ptr<cv::Vec3f>(panel.y + y) + panel.x;
      for (int x = 0; x < pw; ++x) {
        const float s = sp[x];
        if (glass) c[x] = (s * a[x] * c[x] + (1.0f - s) * pane * tint) / std::max(1e-6f, s * a[x] + (1.0f - s) * pane);
        a[x] = s * a[x] + (1.0f - s) * pane;
      }
    }
    return true;
  }
  return false;
}

MatteSample make_matte_sample(const RenderSet& renders, const std::vector<CutoutPicture>& products,
                              const std::vector<cv::Mat>& textures, int64_t size, Rng& rng, double openings) {
  const cv::Size canvas(static_cast<int>(size), static_cast<int>(size));
  const double kind = rng.uniform();
  if (kind < 0.2 && !renders.white_shots.empty())
    return crop_white_shot(renders.white_shots[rng.below(renders.white_shots.size())], size, rng);
  if (kind < 0.6 || textures.empty()) {
    // Few items: stretch and tilt them so the network learns edges, not these particular shapes.
    // With product photos, half of these draws are a product instead of a render.
    const bool product = !products.empty() && rng.uniform() < 0.5;
    const CutoutPicture& c = product ? products[rng.below(products.size())] : renders.cutouts[rng.below(renders.cutouts.size())];
    const double sx = rng.uniform(0.75, 1.3), angle = rng.uniform(-6.0, 6.0);
    const cv::Point2f centre(0.5f * c.alpha.cols, 0.5f * c.alpha.rows);
    cv::Mat map = cv::getRotationMatrix2D(centre, angle, 1.0);
    map.at<double>(0, 0) *= sx;
    map.at<double>(0, 1) *= sx;
    const cv::Size out_size(static_cast<int>(c.alpha.cols * sx * 1.1) + 2, static_cast<int>(c.alpha.rows * 1.1) + 2);
    map.at<double>(0, 2) += 0.5 * out_size.width - sx * centre.x;
    map.at<double>(1, 2) += 0.5 * (out_size.height - c.alpha.rows);
    cv::Mat bgr, alpha;
    cv::warpAffine(c.bgr, bgr, map, out_size, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    cv::warpAffine(c.alpha, alpha, map, out_size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
    const cv::Rect box = tryon::alpha_bounds(alpha);
    if (box.empty()) return compose_on_plain(c.bgr, c.alpha, canvas, rng);
    if (openings > 0.0 && rng.uniform() < openings) {
      cv::Mat item_bgr = bgr(box).clone(), item_alpha = alpha(box).clone();
      punch_openings(item_bgr, item_alpha, rng);
      return compose_on_plain(item_bgr, item_alpha, canvas, rng);
    }
    return compose_on_plain(bgr(box), alpha(box), canvas, rng);
  }
  // A photo-textured silhouette: a cut-out's shape or a procedural object.
  cv::Mat alpha;
  if (rng.uniform() < 0.5) {
    alpha = renders.cutouts[rng.below(renders.cutouts.size())].alpha;
  } else {
    alpha = harmonize::random_object_mask(canvas * 3, rng);  // drawn large so that fitting it shrinks it (sharp edges)
    const cv::Rect box = tryon::alpha_bounds(alpha);
    alpha = box.empty() ? alpha : alpha(box).clone();
  }
  cv::Mat bgr;
  textured_silhouette(alpha, textures[rng.below(textures.size())], rng, &bgr);
  return compose_on_plain(bgr, alpha, canvas, rng);
}

MatteTrainSummary train_matte(const MatteTrainOptions& o, const ProgressFn& progress) {
  if (o.crop % apps::kUNetSizeMultiple != 0 || o.crop < apps::kUNetSizeMultiple)
    throw ArgumentError("--crop must be a multiple of 64, got " + std::to_string(o.crop));
  if (o.batch_size < 1 || o.steps < 1) throw ArgumentError("--batch and --steps must be positive");
  apps::check_model_out(o.out);
  const RenderSet renders = load_renders(o.renders, 3 * o.crop, false);
  if (renders.cutouts.empty()) throw IoError("no PNG cut-outs with alpha in '" + o.renders + "'");
  const RenderSet held_out = load_renders(o.renders, 3 * o.crop, true);
  std::vector<cv::Mat> textures;
  if (!o.textures.empty()) {
    textures = harmonize::load_colour_photos(evenly_spaced(list_images(o.textures, true), o.max_textures), o.crop,
                                             progress).images;
  }
  const std::vector<CutoutPicture> products =
      o.products.empty() ? std::vector<CutoutPicture>{} : load_product_cutouts(o.products, o.max_products, 3 * o.crop, progress);
  if (!o.products.empty() && products.empty())
    throw IoError("--products: no product photo on a pure white background found in the given folders");
  // Validation: held-out views at the working size, fixed draws.
  std::vector<MatteSample> val;
  for (size_t i = 0; i < held_out.white_shots.size(); ++i) {
    Rng r(o.seed * 31 + i);
    val.push_back(crop_white_shot(held_out.white_shots[i], o.crop, r));
  }
  for (size_t i = 0; i < held_out.cutouts.size(); ++i) {
    Rng r(o.seed * 37 + i);
    val.push_back(compose_on_plain(held_out.cutouts[i].bgr, held_out.cutouts[i].alpha,
                                   cv::Size(static_cast<int>(o.crop), static_cast<int>(o.crop)), r));
  }

  Rng init_rng(o.seed);
  // An --init model is fine-tuned at --crop, whatever size it was trained at.
  MatteModel model = o.init.empty() ? MatteModel(build_matte_network(o.width, init_rng), o.crop) : MatteModel::load(o.init, o.crop);
  Layer& net = model.net();
  Adam adam(net.params(), AdamOptions{o.learning_rate});
  Rng data_rng(o.seed * 7919 + 5);
  apps::TrainingLoopOptions loop_options = apps::common_loop_options(o, "matte");
  loop_options.seconds_limit = o.hours * 3600.0;
  loop_options.max_warmup_steps = 100;
  apps::TrainingLoop loop(loop_options, net, adam, {{"data", &data_rng}});
  MatteTrainSummary summary;
  summary.cutouts = static_cast<int64_t>(renders.cutouts.size());
  summary.white_shots = static_cast<int64_t>(renders.white_shots.size());
  summary.textures = static_cast<int64_t>(textures.size());
  summary.products = static_cast<int64_t>(products.size());

  apps::TrainingLoopSteps steps;
  apps::BatchPrefetcher<std::vector<MatteSample>> batches(
      [&](Rng& rng) {
        std::vector<MatteSample> batch;
        for (int64_t b = 0; b < o.batch_size; ++b)
          batch.push_back(make_matte_sample(renders, products, textures, o.crop, rng, o.openings));
        return batch;
      },
      data_rng);
  steps.train_step = [&] {
    const std::vector<MatteSample> batch = batches.next();
    Tensor dlogits;
    summary.train_loss = cross_entropy_loss(net.forward(matte_input(batch)), matte_target(batch), nullptr, &dlogits);
    net.backward_params(dlogits);
    return summary.train_loss;
  };
  // Validation: 1 − mean IoU, so the curve goes down like a loss.
  steps.validate = [&] {
    const MatteSample* s = nullptr;
    double total = 0.0;
    apps::evaluate_methods(
        static_cast<int64_t>(val.size()), [&](int64_t i) { s = &val[static_cast<size_t>(i)]; },
        {{[&] { return model.alpha_at_input_size(s->bgr); }}},
        [&](size_t, const cv::Mat& alpha) { total += iou(alpha, s->alpha); }, "validate matte");
    summary.val_iou = val.empty() ? 0.0 : total / static_cast<double>(val.size());
    return 1.0 - summary.val_iou;
  };
  steps.save_model = [&](const std::map<std::string, std::string>& metadata) { model.save(o.out, metadata); };
  steps.figures = [&](const apps::TrainPoint& p) -> std::vector<std::pair<std::string, double>> {
    return {{"loss", p.loss}, {"val IoU", summary.val_iou}, {"img/s", p.images_per_second}};
  };
  const apps::TrainingLoopResult result = loop.run(steps, progress);
  summary.step = result.step;
  summary.seconds = result.seconds;
  return summary;
}

namespace {

// One row per picture: photo | truth over a dark grey | the cut-out over it, each tile 192 px high.
void write_worst_sheet(const std::string& path, const std::vector<MatteSample>& pictures,
                       const std::vector<std::pair<double, size_t>>& worst, const std::vector<cv::Mat>& alphas) {
  const int tile_h = 192, gap = 4;
  std::vector<cv::Mat> rows;
  int width = 0;
  for (const auto& [score, i] : worst) {
    const MatteSample& p = pictures[i];
    const cv::Mat truth_colour = p.fg.empty() ? p.bgr : p.fg;
    const cv::Mat tiles[] = {p.bgr, over_dark(truth_colour, p.alpha), over_dark(decontaminate(p.bgr, alphas[i]), alphas[i])};
    const double scale = static_cast<double>(tile_h) / p.bgr.rows;
    const cv::Size tile(std::max(1, static_cast<int>(std::lround(p.bgr.cols * scale))), tile_h);
    cv::Mat row(tile_h + gap, 3 * (tile.width + gap), CV_32FC3, cv::Scalar::all(1.0));
    for (int k = 0; k < 3; ++k) {
      cv::Mat t;
      cv::resize(tiles[k], t, tile, 0, 0, cv::INTER_AREA);
      t.copyTo(row(cv::Rect(k * (tile.width + gap), 0, tile.width, tile_h)));
    }
    char label[32];
    std::snprintf(label, sizeof label, "IoU %.3f", score);
    cv::putText(row, label, cv::Point(2 * (tile.width + gap) + 6, 20), cv::FONT_HERSHEY_SIMPLEX, 0.55,
                cv::Scalar(0.2, 0.9, 1.0), 1, cv::LINE_AA);
    width = std::max(width, row.cols);
    rows.push_back(row);
  }
  cv::Mat sheet(static_cast<int>(rows.size()) * (tile_h + gap), std::max(1, width), CV_32FC3, cv::Scalar::all(1.0));
  for (size_t r = 0; r < rows.size(); ++r)
    rows[r].copyTo(sheet(cv::Rect(0, static_cast<int>(r) * (tile_h + gap), rows[r].cols, rows[r].rows)));
  cv::Mat out;
  sheet.convertTo(out, CV_8UC3, 255.0);
  write_image(path, out);
}

}  // namespace

MatteEvalResult evaluate_matte(MatteModel& model, const MatteEvalOptions& o, const ProgressFn& progress) {
  if (o.size < 64) throw ArgumentError("--size must be at least 64");
  if (!o.sheet.empty() && !has_image_extension(o.sheet))
    throw ArgumentError("--sheet '" + o.sheet + "': expected an image file name (.jpg, .png, ...)");
  if (o.views != "held-out" && o.views != "trained" && o.views != "all")
    throw ArgumentError("--views: expected held-out, trained or all, got '" + o.views + "'");
  RenderSet set = load_renders(o.data, o.size, o.views != "trained");
  if (o.views == "all") {
    const RenderSet rest = load_renders(o.data, o.size, false);
    set.cutouts.insert(set.cutouts.end(), rest.cutouts.begin(), rest.cutouts.end());
    set.white_shots.insert(set.white_shots.end(), rest.white_shots.begin(), rest.white_shots.end());
  }
  if (set.cutouts.empty() && set.white_shots.empty())
    throw IoError("eval matte: no " + o.views + " renders found in '" + o.data + "' (expected e.g. " +
                  kHeldOutViews[0] + ".png)");
  MatteEvalResult r;
  std::vector<MatteSample> pictures;
  std::vector<size_t> group;       // index into r.by_backdrop
  std::vector<std::string> views;  // each picture's view
  r.by_backdrop.emplace_back("rendered white", MatteMethodScores{});
  for (Backdrop kind : all_backdrops()) r.by_backdrop.emplace_back(backdrop_name(kind), MatteMethodScores{});
  for (const CutoutPicture& w : set.white_shots) {
    pictures.push_back({w.bgr, w.alpha, cv::Mat()});  // a rendered shot: its own colours are not known
    group.push_back(0);
    views.push_back(w.name);
  }
  r.white_shots = static_cast<int64_t>(pictures.size());
  for (int64_t i = 0; i < o.count && !set.cutouts.empty(); ++i) {
    Rng rng(o.seed * 1000003ull + static_cast<uint64_t>(i));
    const CutoutPicture& c = set.cutouts[static_cast<size_t>(i) % set.cutouts.size()];
    const double aspect = rng.uniform(0.75, 1.33);
    const cv::Size size = aspect >= 1 ? cv::Size(static_cast<int>(o.size), static_cast<int>(o.size / aspect))
                                      : cv::Size(static_cast<int>(o.size * aspect), static_cast<int>(o.size));
    // Every item on every backdrop class in turn (the class changes faster than the item).
    const size_t kind = static_cast<size_t>(i) % all_backdrops().size();
    pictures.push_back(compose_on_backdrop(c.bgr, c.alpha, size, all_backdrops()[kind], rng));
    group.push_back(kind + 1);
    views.push_back(c.name);
  }
  r.synthetic = static_cast<int64_t>(pictures.size()) - r.white_shots;
  r.pictures = static_cast<int64_t>(pictures.size());
  const int band = std::max(2, static_cast<int>(o.size / 128));
  const MatteSample* p = nullptr;
  size_t g = 0;
  cv::Mat network_alpha;
  std::vector<cv::Mat> refined_alpha(pictures.size());
  std::vector<std::pair<double, size_t>> refined_iou;
  auto methods = [](MatteMethodScores& m) {
    return std::array<MatteScores*, 4>{&m.network, &m.refined, &m.threshold, &m.grabcut};
  };
  apps::evaluate_methods(
      r.pictures,
      [&](int64_t i) {
        p = &pictures[static_cast<size_t>(i)];
        g = group[static_cast<size_t>(i)];
        ++r.by_backdrop[g].second.pictures;
        if (!p->fg.empty()) {
          ++r.fringe_pictures;
          ++r.by_backdrop[g].second.fringe_pictures;
        }
      },
      {{[&] { return network_alpha = model.alpha(p->bgr); }, &r.network.seconds},
       {[&] { return grabcut_refine(p->bgr, network_alpha); }, &r.refined.seconds},
       {[&] { return threshold_alpha(p->bgr); }, &r.threshold.seconds},
       {[&] { return grabcut_alpha(p->bgr); }, &r.grabcut.seconds}},
      [&](size_t m, const cv::Mat& alpha) {
        double scores[] = {iou(alpha, p->alpha), mean_abs(alpha, p->alpha), edge_band_error(alpha, p->alpha, band), 0.0, 0.0};
        if (m == 1) {
          const size_t index = static_cast<size_t>(p - pictures.data());
          r.refined_pictures.push_back({views[index], r.by_backdrop[g].first, scores[0], scores[2]});
          if (!o.sheet.empty()) {
            refined_alpha[index] = alpha.clone();
            refined_iou.emplace_back(scores[0], index);
          }
        }
        if (!p->fg.empty()) {
          scores[3] = fringe_error(p->bgr, alpha, p->fg, p->alpha, band);
          scores[4] = fringe_error(decontaminate(p->bgr, alpha), alpha, p->fg, p->alpha, band);
        }
        for (MatteMethodScores* set_of : {static_cast<MatteMethodScores*>(&r), &r.by_backdrop[g].second}) {
          MatteScores* s = methods(*set_of)[m];
          s->iou += scores[0];
          s->alpha_error += scores[1];
          s->edge_error += scores[2];
          s->fringe_raw += scores[3];
          s->fringe += scores[4];
        }
      },
      "eval matte", progress);
  r.refined.seconds += r.network.seconds;  // the refinement starts from the network's alpha
  if (!o.sheet.empty() && !refined_iou.empty()) {
    std::sort(refined_iou.begin(), refined_iou.end());
    refined_iou.resize(std::min(refined_iou.size(), static_cast<size_t>(std::max<int64_t>(1, o.sheet_count))));
    write_worst_sheet(o.sheet, pictures, refined_iou, refined_alpha);
  }
  for (MatteScores* s : methods(r)) {
    apps::divide_sums({&s->iou, &s->alpha_error, &s->edge_error, &s->seconds}, static_cast<double>(r.pictures));
    apps::divide_sums({&s->fringe_raw, &s->fringe}, static_cast<double>(std::max<int64_t>(1, r.fringe_pictures)));
  }
  for (auto& [name, set_of] : r.by_backdrop)
    if (set_of.pictures > 0)
      for (MatteScores* s : methods(set_of)) {
        apps::divide_sums({&s->iou, &s->alpha_error, &s->edge_error}, static_cast<double>(set_of.pictures));
        apps::divide_sums({&s->fringe_raw, &s->fringe}, static_cast<double>(std::max<int64_t>(1, set_of.fringe_pictures)));
      }
  return r;
}

}  // namespace neuroshop::matte
