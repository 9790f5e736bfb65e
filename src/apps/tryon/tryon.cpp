// The try-on; see tryon.h.
#include "apps/tryon/tryon.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <numeric>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "apps/tryon/networks.h"
#include "core/errors.h"
#include "core/kernels/parallel.h"
#include "io/image_file.h"
#include "io/pixels.h"

namespace neuroshop::tryon {
namespace {

constexpr double kColourSide = 256.0;  // colour matching looks at the item's surroundings at this size

std::string fmt(double v) {
  std::ostringstream ss;
  ss.precision(4);
  ss << v;
  return ss.str();
}

// Resizes colour premultiplied by alpha, so transparent pixels' colours cannot bleed into edges.
void resize_item(const cv::Mat& bgr, const cv::Mat& alpha, cv::Size size, cv::Mat* out_bgr, cv::Mat* out_alpha) {
  const bool shrinking = size.width <= bgr.cols && size.height <= bgr.rows;
  const int interp = shrinking ? cv::INTER_AREA : cv::INTER_LINEAR;
  cv::Mat alpha3, pre;
  cv::merge(std::vector<cv::Mat>{alpha, alpha, alpha}, alpha3);
  cv::multiply(bgr, alpha3, pre);
  cv::resize(pre, *out_bgr, size, 0, 0, interp);
  cv::resize(alpha, *out_alpha, size, 0, 0, interp);
  // Back to straight colour and both clamped to [0, 1], in one pass over the (enlarged) result.
  parallel_for(size.height, [&](int64_t begin, int64_t end) {
    for (int y = static_cast<int>(begin); y < end; ++y) {
      cv::Vec3f* c = out_bgr->ptr<cv::Vec3f>(y);
      float* a = out_alpha->ptr<float>(y);
      for (int x = 0; x < size.width; ++x) {
        const float safe = std::max(a[x], 1e-4f);
        for (int k = 0; k < 3; ++k) c[x][k] = std::clamp(c[x][k] / safe, 0.0f, 1.0f);
        a[x] = std::clamp(a[x], 0.0f, 1.0f);
      }
    }
  }, 16);
}

// Width and centre column of the silhouette's lowest quarter (legs, base, pot): the footprint.
void footprint(const cv::Mat& alpha, double* width, double* centre_x) {
  const int first = static_cast<int>(0.75 * alpha.rows);
  int lo = alpha.cols, hi = -1;
  for (int y = first; y < alpha.rows; ++y) {
    const float* a = alpha.ptr<float>(y);
    for (int x = 0; x < alpha.cols; ++x)
      if (a[x] > 0.5f) {
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
  }
  if (hi < lo) {
    lo = 0;
    hi = alpha.cols - 1;
  }
  *width = hi - lo + 1;
  *centre_x = 0.5 * (lo + hi + 1);
}

// map · (1 − occlusion) over the map's rectangle at `origin`: what of an item (its alpha, its shadow)
// a room object in front hides. occlusion: room-sized CV_32F.
void hide_behind(cv::Mat& map, cv::Point origin, const cv::Mat& occlusion) {
  const cv::Rect inside = cv::Rect(origin, map.size()) & cv::Rect(0, 0, occlusion.cols, occlusion.rows);
  for (int y = inside.y; y < inside.y + inside.height; ++y) {
    float* m = map.ptr<float>(y - origin.y);
    const float* o = occlusion.ptr<float>(y);
    for (int x = inside.x; x < inside.x + inside.width; ++x) m[x - origin.x] *= 1.0f - o[x];
  }
}

}  // namespace

ItemScale item_scale(const ItemImage& item, const ItemPlacement& p, double y_footprint, double y_horizon,
                     double camera_height_cm) {
  const double box_h = item.alpha.rows, box_w = item.alpha.cols;
  ItemScale s;
  if (p.height_px) {
    s.factor = *p.height_px / box_h;
    s.from = "height " + fmt(*p.height_px) + " px";
    return s;
  }
  s.pixels_per_cm = pixels_per_cm(y_footprint, y_horizon, camera_height_cm);
  if (p.height_cm || p.width_cm) {
    if (item.dims) {
      // The sidecar knows the view: scale its dimensions to the given one and keep the view.
      const double factor = p.height_cm ? *p.height_cm / item.dims->height_cm : *p.width_cm / item.dims->width_cm;
      s.factor = apparent_height_cm(scaled(*item.dims, factor)) * s.pixels_per_cm / box_h;
    } else if (p.height_cm) {
      s.factor = *p.height_cm * s.pixels_per_cm / box_h;  // a front view: the silhouette's height is the item's
    } else {
      s.factor = *p.width_cm * s.pixels_per_cm / box_w;
    }
    s.from = p.height_cm ? "height " + fmt(*p.height_cm) + " cm" : "width " + fmt(*p.width_cm) + " cm";
    return s;
  }
  if (!item.dims)
    throw ArgumentError("item '" + p.file +
                        "': its real size is unknown (no row in an items.tsv beside it); give --height-cm, --width-cm "
                        "or --height-px");
  s.factor = apparent_height_cm(*item.dims) * s.pixels_per_cm / box_h;
  s.from = "height " + fmt(item.dims->height_cm) + " cm (" + (item.view.empty() ? "items.tsv" : "catalogue") + ")";
  return s;
}

cv::Point2d default_position(int i, int n, cv::Size room, double y_horizon) {
  const double horizon = std::clamp(y_horizon, 0.0, room.height - 2.0);
  return {room.width * (i + 1.0) / (n + 1.0), horizon + 0.65 * (room.height - 1 - horizon)};
}

cv::Matx34f fit_colour_map(const cv::Mat& from, const cv::Mat& to, const cv::Mat& weight) {
  // Normal equations of min sum |M (b,g,r,1) − to|^2 over the selected pixels, in double.
  cv::Matx44d ata = cv::Matx44d::zeros();
  cv::Matx<double, 4, 3> atb = cv::Matx<double, 4, 3>::zeros();
  int count = 0;
  for (int y = 0; y < from.rows; ++y) {
    const cv::Vec3f* f = from.ptr<cv::Vec3f>(y);
    const cv::Vec3f* t = to.ptr<cv::Vec3f>(y);
    const float* w = weight.ptr<float>(y);
    for (int x = 0; x < from.cols; ++x) {
      if (w[x] <= 0.9f) continue;
      const double v[4] = {f[x][0], f[x][1], f[x][2], 1.0};
      for (int i = 0; i < 4; ++i) {
        for (int j = 0; j < 4; ++j) ata(i, j) += v[i] * v[j];
        for (int c = 0; c < 3; ++c) atb(i, c) += v[i] * t[x][c];
      }
      ++count;
    }
  }
  cv::Matx34f identity(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0);
  if (count < 16) return identity;
  // A little ridge towards the identity keeps flat-coloured items (rank-deficient) well posed.
  const double ridge = 1e-3 * count;
  for (int i = 0; i < 3; ++i) {
    ata(i, i) += ridge;
    atb(i, i) += ridge;
  }
  cv::Matx<double, 4, 3> m;
  if (!cv::solve(ata, atb, m, cv::DECOMP_CHOLESKY)) return identity;
  cv::Matx34f out;
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 4; ++i) out(c, i) = static_cast<float>(m(i, c));
  return out;
}

cv::Matx34f limit_colour_map(const cv::Matx34f& map, const cv::Mat& bgr, const cv::Mat& weight, double max_change) {
  const cv::Mat moved = apply_colour_map(bgr, map);
  cv::Mat diff;
  cv::absdiff(moved, bgr, diff);
  cv::Mat per_pixel;
  cv::transform(diff, per_pixel, cv::Matx13f(1.0f / 3, 1.0f / 3, 1.0f / 3));
  const cv::Mat selected = weight > 0.5f;
  if (cv::countNonZero(selected) == 0) return map;
  const double change = cv::mean(per_pixel, selected)[0];
  if (change <= max_change) return map;
  const float s = static_cast<float>(max_change / change);
  const cv::Matx34f identity(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0);
  return identity + s * (map - identity);
}

cv::Mat apply_colour_map(const cv::Mat& bgr, const cv::Matx34f& map) {
  cv::Mat out;
  cv::transform(bgr, out, map);
  cv::max(out, 0.0f, out);
  cv::min(out, 1.0f, out);
  return out;
}

cv::Mat compose(const cv::Mat& room, const std::vector<ItemPlacement>& placements, const std::vector<ItemImage>& items,
                const TryOnOptions& options, const HarmonizeFn& harmonizer, TryOnReport* report) {
  std::vector<std::vector<ItemImage>> views;
  for (const ItemImage& item : items) views.push_back({item});
  return compose_views(room, placements, views, options, harmonizer, report);
}

cv::Mat compose_views(const cv::Mat& room, const std::vector<ItemPlacement>& placements,
                      const std::vector<std::vector<ItemImage>>& views, const TryOnOptions& options,
                      const HarmonizeFn& harmonizer, TryOnReport* report) {
  if (room.type() != CV_32FC3) throw ArgumentError("try-on: expected the room as BGR CV_32FC3");
  if (placements.size() != views.size()) throw ArgumentError("try-on: one picture per placement expected");
  for (const std::vector<ItemImage>& v : views)
    if (v.empty()) throw ArgumentError("try-on: every placement needs at least one picture");
  if (!options.occluder.empty() && (options.occluder.size() != room.size() || options.occluder.type() != CV_32F))
    throw ArgumentError("try-on: the occluder mask must be CV_32F of the room's size");
  TryOnReport local;
  TryOnReport& rep = report ? *report : local;
  // The room is analysed once at the horizon's working size (a 12-megapixel photo costs no more than
  // a small one): horizon, light and contrast.
  const HorizonOptions horizon_options;
  const double analysis_scale = horizon_scale(room.size(), horizon_options);
  cv::Mat analysed = room;
  if (analysis_scale < 1.0) cv::resize(room, analysed, cv::Size(), analysis_scale, analysis_scale, cv::INTER_AREA);
  if (options.horizon_y) {
    rep.horizon.y = *options.horizon_y;
    rep.horizon_given = true;
    rep.horizon.note = "horizon: y = " + fmt(*options.horizon_y) + " (given)";
  } else {
    rep.horizon = estimate_horizon_shrunk(analysed, room.size(), horizon_options);
  }
  rep.light_given = options.light.has_value();
  rep.light = options.light ? *options.light : estimate_light(analysed) * (1.0 / analysis_scale);
  rep.shadow = shadow_strength(analysed);
  const double horizon = rep.horizon.y;
  const double focal = options.focal_px > 0 ? options.focal_px : default_focal_px(room.size());

  // Positions first (defaults spread the items), then farther-first drawing order.
  const int n = static_cast<int>(placements.size());
  std::vector<cv::Point2d> at(placements.size());
  for (int i = 0; i < n; ++i) at[i] = placements[i].at ? *placements[i].at : default_position(i, n, room.size(), horizon);
  std::vector<int> order(placements.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    const int oa = placements[a].order.value_or(0), ob = placements[b].order.value_or(0);
    return oa != ob ? oa < ob : at[a].y < at[b].y;
  });

  // Room objects kept in front, found before anything is drawn on the room.
  std::vector<RoomObject> objects;
  rep.in_front.clear();
  for (size_t k = 0; k < options.in_front.size(); ++k) {
    objects.push_back(segment_room_object(room, options.in_front[k], "--in-front " + std::to_string(k + 1)));
    rep.in_front.push_back({objects.back().point, objects.back().box, objects.back().contact_y, {}});
  }

  cv::Mat canvas = room.clone();
  cv::Rect touched;  // where the canvas may differ from the room: the items and their shadows
  const cv::Rect whole(0, 0, room.cols, room.rows);
  rep.items.assign(placements.size(), PlacedReport{});
  for (int i : order) {
    const ItemPlacement& p = placements[i];
    PlacedReport& r = rep.items[static_cast<size_t>(i)];
    // The view: for a catalogue item the one whose camera looked down at it as the room's camera
    // looks at its floor point.
    size_t chosen = 0;
    if (!views[i].front().view.empty()) {
      std::vector<CatalogueView> candidates;
      for (const ItemImage& v : views[i]) candidates.push_back({v.view, v.path, 0.0, v.dims ? v.dims->elevation_deg : 0.0});
      r.sight_deg = sight_elevation_deg(at[i].y, horizon, focal);
      const ViewChoice choice = choose_view(candidates, r.sight_deg, p.view, p.field("view"));
      chosen = choice.index;
      r.view = views[i][chosen].view;
      r.view_reason = choice.reason;
    }
    const ItemImage item = transform_item(views[i][chosen], p.flip, p.rotate_deg);
    const ItemScale scale = item_scale(item, p, at[i].y, horizon, options.camera_height_cm);
    const cv::Size size(std::max(1, static_cast<int>(std::lround(item.alpha.cols * scale.factor))),
                        std::max(1, static_cast<int>(std::lround(item.alpha.rows * scale.factor))));
    if (size.width > 4 * room.cols || size.height > 4 * room.rows)
      throw ArgumentError(p.who + ": the item would be " + std::to_string(size.width) + "x" + std::to_string(size.height) +
                          " px in a " + std::to_string(room.cols) + "x" + std::to_string(room.rows) +
                          " room; check its size, --horizon and --camera-height-cm");
    PlacedItem placed;
    resize_item(item.bgr, item.alpha, size, &placed.bgr, &placed.alpha);
    double foot_w = 0, foot_x = 0;
    footprint(placed.alpha, &foot_w, &foot_x);
    placed.flattening = floor_flattening(at[i].y, horizon, focal);
    placed.footprint_width = foot_w;
    placed.footprint_centre = at[i];
    // The footprint ellipse is centred on `at`; the silhouette's bottom rests on its near edge.
    const double half_depth = 0.5 * foot_w * placed.flattening;
    placed.contact_y = at[i].y + half_depth;
    placed.origin = cv::Point(static_cast<int>(std::lround(at[i].x - foot_x)),
                              static_cast<int>(std::lround(placed.contact_y)) - size.height);
    // Edges: a slight feather proportional to the item's size.
    cv::GaussianBlur(placed.alpha, placed.alpha, cv::Size(0, 0), std::max(0.5, 0.0015 * size.height));

    r.file = p.file;
    r.at = at[i];
    r.box = cv::Rect(placed.origin, size);
    r.height_px = size.height;
    r.pixels_per_cm = scale.pixels_per_cm;
    r.size_from = scale.from;
    r.cutout = item.cutout;
    r.colour = "none";

    if (options.harmonize) {
      // Context: the room around the item (its own size again on every side), looked at with its
      // long side at most kColourSide; the colour change found there is carried to the full-size
      // item as an affine colour map.
      const cv::Rect context = cv::Rect(placed.origin.x - size.width, placed.origin.y - size.height, 3 * size.width,
                                        3 * size.height) &
                               cv::Rect(0, 0, room.cols, room.rows);
      if (!context.empty()) {
        const double cs = std::min(1.0, kColourSide / std::max(context.width, context.height));
        auto shrink = [cs](const cv::Mat& m) {
          cv::Mat out;
          cv::resize(m, out, cv::Size(std::max(1, static_cast<int>(std::lround(m.cols * cs))),
                                      std::max(1, static_cast<int>(std::lround(m.rows * cs)))),
                     0, 0, cv::INTER_AREA);
          return out;
        };
        const cv::Mat item_small = shrink(placed.bgr), alpha_small = shrink(placed.alpha);
        cv::Matx34f map;
        if (harmonizer) {
          cv::Mat window = shrink(canvas(context));
          cv::Mat mask = cv::Mat::zeros(window.size(), CV_32F);
          const cv::Point local((placed.origin - context.tl()) * cs);
          composite_over(window, item_small, alpha_small, local);
          const cv::Rect inside = cv::Rect(local, alpha_small.size()) & cv::Rect(0, 0, window.cols, window.rows);
          alpha_small(inside - local).copyTo(mask(inside));
          map = fit_colour_map(window, harmonizer(window, mask), mask);
          r.colour = "network";
        } else {
          LabStats target = lab_stats(shrink(room(context)));
          LabStats source = lab_stats(item_small, alpha_small);
          // Match lightness and the colour cast, but keep the item's own spread of colours (a red pot
          // among green leaves stays red; the room's narrow chroma spread must not wash it out).
          target.stddev[1] = source.stddev[1];
          target.stddev[2] = source.stddev[2];
          map = fit_colour_map(item_small, reinhard_transfer(item_small, source, target, options.reinhard_strength),
                               alpha_small);
          r.colour = "reinhard";
        }
        placed.bgr = apply_colour_map(placed.bgr, limit_colour_map(map, item_small, alpha_small, options.max_colour_change));
      }
    }
    // Room objects standing nearer than the item hide it and its shadows.
    const cv::Mat occlusion = occlusion_for(objects, placed.contact_y, &r.behind);
    for (int k : r.behind) rep.in_front[static_cast<size_t>(k)].hides.push_back(i);
    if (!occlusion.empty()) hide_behind(placed.alpha, placed.origin, occlusion);
    if (options.shadows) {
      Patch cast = cast_shadow(placed, rep.light, rep.shadow.cast);
      Patch contact = contact_shadow(placed, rep.shadow.contact);
      if (!occlusion.empty()) {
        hide_behind(cast.pixels, cast.origin, occlusion);
        hide_behind(contact.pixels, contact.origin, occlusion);
      }
      darken(canvas, cast);
      darken(canvas, contact);
      touched |= (cast.rect() | contact.rect()) & whole;
    }
    if (options.poisson_seams) {
      touched |= composite_poisson_seam(canvas, placed.bgr, placed.alpha, placed.origin);
    } else {
      composite_over(canvas, placed.bgr, placed.alpha, placed.origin);
      touched |= r.box & whole;
    }
  }
  if (!options.occluder.empty()) {
    // canvas·(1 − occluder) + room·occluder where items or shadows were drawn; elsewhere the canvas
    // is still the room.
    parallel_for(touched.height, [&](int64_t begin, int64_t end) {
      for (int y = touched.y + static_cast<int>(begin); y < touched.y + end; ++y) {
        cv::Vec3f* c = canvas.ptr<cv::Vec3f>(y);
        const cv::Vec3f* f = room.ptr<cv::Vec3f>(y);
        const float* o = options.occluder.ptr<float>(y);
        for (int x = touched.x; x < touched.x + touched.width; ++x) c[x] = c[x] * (1.0f - o[x]) + f[x] * o[x];
      }
    }, 16);
  }
  return canvas;
}

std::vector<ItemImage> load_placement(const ItemPlacement& p, const Catalogue* catalogue, CutoutMode mode,
                                      const NetworkCutout& network) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(p.file, ec) || catalogue == nullptr) {
    if (!p.view.empty())
      throw ArgumentError(p.field("view") + ": only catalogue items have views; '" + p.file + "' is a picture file");
    return {load_item(p.file, mode, network)};
  }
  const CatalogueItem* entry = catalogue->find(p.file);
  if (entry == nullptr) throw ArgumentError(unknown_item_message(*catalogue, p.file, p.who));
  std::vector<ItemImage> views;
  for (const CatalogueView& v : entry->views) {
    ItemImage image = load_item(v.file, CutoutMode::kAuto, network);
    image.dims = entry->dimensions(v);
    image.view = v.name;
    views.push_back(std::move(image));
  }
  return views;
}

TryOnReport run_tryon(const TryOnJob& job, const HarmonizeFn& harmonizer, const NetworkCutout& cutout) {
  if (job.items.empty()) throw ArgumentError("tryon: give at least one --item (or a --scene with items)");
  TryOnReport report;
  write_image(job.output, try_on_image(read_image(job.room), job, harmonizer, cutout, &report));
  return report;
}

Image try_on_image(const Image& room_image, const TryOnJob& job, const HarmonizeFn& harmonizer,
                   const NetworkCutout& cutout, TryOnReport* report) {
  if (job.items.empty()) throw ArgumentError("tryon: give at least one --item (or a --scene with items)");
  cv::Mat room_pixels = room_image.pixels;
  if (room_pixels.channels() == 1) cv::cvtColor(room_pixels, room_pixels, cv::COLOR_GRAY2BGR);
  const cv::Mat room = to_unit_float(room_pixels, room_image.bit_depth);
  validate_placements(job.items, room.size());

  TryOnOptions options = job.options;
  if (!job.occluder.empty()) {
    const Image mask = read_image(job.occluder);
    cv::Mat m = mask.alpha.empty() ? mask.pixels : mask.alpha;
    if (m.channels() == 3) cv::cvtColor(m, m, cv::COLOR_BGR2GRAY);
    if (m.size() != room.size())
      throw ArgumentError("--occluder '" + job.occluder + "': expected a mask of the room's size " +
                          std::to_string(room.cols) + "x" + std::to_string(room.rows) + ", got " + std::to_string(m.cols) +
                          "x" + std::to_string(m.rows));
    options.occluder = to_unit_float(m, mask.bit_depth);
  }
  // The catalogue is read only when an item is not a file.
  std::optional<Catalogue> catalogue;
  std::vector<std::vector<ItemImage>> items;
  for (const ItemPlacement& p : job.items) {
    if (!catalogue && !job.catalogue.empty() && !std::filesystem::is_regular_file(p.file)) catalogue = read_catalogue(job.catalogue);
    items.push_back(load_placement(p, catalogue ? &*catalogue : nullptr, job.cutout, cutout));
  }

  TryOnReport unused;
  const cv::Mat result = compose_views(room, job.items, items, options, harmonizer, report != nullptr ? report : &unused);
  Image out;
  out.bit_depth = room_image.bit_depth;
  out.pixels = from_unit_float(result, room_image.bit_depth);
  if (job.before_after) out.pixels = side_by_side(room_pixels, out.pixels);  // the room as read (back from float it is the same)
  return out;
}

apps::BatchReport try_on_rooms(const TryOnJob& job, apps::BatchOptions batch, const std::string& harmonize_model,
                               const std::string& matte_model, std::vector<TryOnReport>* reports,
                               const ProgressFn& progress) {
  if (job.items.empty()) throw ArgumentError("tryon: give at least one --item (or a --scene with items)");
  const std::vector<std::string> rooms = apps::batch_inputs(batch);
  if (batch.suffix.empty()) batch.suffix = job.before_after ? "before-after" : "tryon";
  if (reports != nullptr) reports->assign(rooms.size(), TryOnReport{});
  return apps::run_batch(
      rooms, batch,
      [&](int, int) -> apps::ImageFn {
        auto networks = std::make_shared<TryOnNetworks>(harmonize_model, matte_model);
        const HarmonizeFn harmonizer = networks->harmonizer(job.options.harmonize);
        const NetworkCutout cutout = networks->cutout(job.cutout);
        return [networks, harmonizer, cutout, &job, reports](const Image& room, size_t index) {
          TryOnReport report;
          Image out = try_on_image(room, job, harmonizer, cutout, &report);
          if (reports != nullptr) (*reports)[index] = report;  // each index is written by one worker
          return out;
        };
      },
      progress, "tryon");
}

}  // namespace neuroshop::tryon
