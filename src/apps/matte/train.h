// Training and measuring the cut-out network. No product photo comes with a mask, so the targets
// are built: the rendered cut-outs (PNG alpha) composited on plain backgrounds (white, gray, light
// tints, gradients, noise) with contact and cast shadows drawn by the try-on's own shadow code,
// the renders' *_white.jpg shots (real rendered floor shadows; the PNG sits at the offset in
// manifest.json, so its alpha is an exact mask), and silhouettes filled with photo textures so the
// network cannot learn "the object is never white". Some views are held out of training entirely
// (kHeldOutViews) and are what `eval matte` measures, against a threshold baseline and GrabCut:
// IoU of alpha > 0.5 and mean absolute alpha error.
// Not here: the network (matte/model.h), argument parsing (src/cli/cmd_tryon.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "apps/matte/model.h"
#include "core/progress.h"
#include "core/rng.h"

namespace neuroshop::matte {

// Views never trained on: one or more of every kind (sofa, armchair, chair, lamp, plant, table).
extern const std::vector<std::string> kHeldOutViews;

struct CutoutPicture {
  std::string name;  // the view, e.g. "sofa_beige_34"
  cv::Mat bgr;       // CV_32FC3 in [0, 1]
  cv::Mat alpha;     // CV_32F in [0, 1], same size
};

struct RenderSet {
  std::vector<CutoutPicture> cutouts;      // the PNGs, cropped to their silhouettes
  std::vector<CutoutPicture> white_shots;  // the *_white.jpg with the PNG's alpha placed at its offset
};

// Loads a renders folder (PNGs with alpha; *_white.jpg and manifest.json when present), images shrunk
// to `long_side`. held_out: true keeps only kHeldOutViews, false drops them.
RenderSet load_renders(const std::string& folder, int64_t long_side, bool held_out);

// A store's product photo on a pure white background (the web shop kind: no shadow, white at 255)
// as a cut-out: the near-white (all channels ≥ 250 of 255) regions touching the border are the
// background, everything else the product, the edge softened by half a pixel. Empty when the photo
// is not of that kind: under 3 % or over 90 % product, or the product covering more than 5 % of the
// border (cropped by the frame, or no white background at all). bgr8: CV_8UC3.
CutoutPicture product_cutout(const cv::Mat& bgr8);

// product_cutout of every photo in the folders (recursively; at most `max_photos` spread evenly over
// the sorted list, 0: all), shrunk to `long_side`; photos that are not of that kind are skipped.
std::vector<CutoutPicture> load_product_cutouts(const std::vector<std::string>& folders, int64_t max_photos,
                                                int64_t long_side, const ProgressFn& progress = {});

struct MatteSample {
  cv::Mat bgr, alpha;
  cv::Mat fg;  // the item's own colours (CV_32FC3, zero off the item) where known: synthetic pictures
};

// The item on a plain background with shadows, in a canvas of `size` (item long side 55–90% of it).
MatteSample compose_on_plain(const cv::Mat& item_bgr, const cv::Mat& item_alpha, cv::Size size, Rng& rng);

// The studio backdrops a product is shot on. Training draws them all; evaluation scores each apart.
// paper sweep: a seamless paper (wall above, floor below, the bend lit brighter) under the item's
// soft floor shadow. All get noise, half of them vignetting, and the composite half the time JPEG.
enum class Backdrop { kWhite, kLightGrey, kMidGrey, kBeige, kGradient, kPaper };
const std::vector<Backdrop>& all_backdrops();
const char* backdrop_name(Backdrop kind);
// A backdrop of the class, CV_32FC3 in [0, 1].
cv::Mat studio_backdrop(Backdrop kind, cv::Size size, Rng& rng);
// The item (colours jittered, a quarter of the time pulled towards the backdrop's colour) on such a
// backdrop with its contact and often a cast shadow; compose_on_plain draws the class at random.
MatteSample compose_on_backdrop(const cv::Mat& item_bgr, const cv::Mat& item_alpha, cv::Size size, Backdrop kind,
                                Rng& rng);
// Openings cut into an item where the backdrop must show through, the cases a cut-out most often
// fills: a framed panel inside the item's opaque part whose gaps between bars (an X brace, rails or
// spindles) are holes (alpha 0), or whose inside is a glass pane (alpha 0.08–0.4, a pale tint, so
// the composite shows the backdrop through it). Bars and frame are drawn anti-aliased; the panel
// covers 15–50 % of the item's sides. Returns false (item unchanged) when no mostly opaque place
// for a panel is found. bgr: CV_32FC3, alpha: CV_32F, same size, modified in place.
bool punch_openings(cv::Mat& bgr, cv::Mat& alpha, Rng& rng);

// A training sample: a white shot (20 %), a cut-out on a studio backdrop (40 %; half of them a
// product photo's when `products` is not empty; a share `openings` of them with punch_openings), or
// a photo-textured silhouette (40 %; cut-outs instead when there are no textures).
MatteSample make_matte_sample(const RenderSet& renders, const std::vector<CutoutPicture>& products,
                              const std::vector<cv::Mat>& textures, int64_t size, Rng& rng, double openings = 0.0);

struct MatteTrainOptions {
  std::string renders;               // the renders folder
  std::vector<std::string> textures; // photo folders for textured silhouettes (optional)
  std::vector<std::string> products; // folders of product photos on pure white (optional; product_cutout)
  int64_t max_products = 0;          // at most this many of them (0: all)
  std::string out = "models/matte.nsm";
  int64_t steps = 2000;
  double hours = 0.0;
  bool resume = false;
  uint64_t seed = 1;
  int64_t batch_size = 8;
  int64_t crop = 128;                // training canvas side = the model's working size (multiple of 64)
  int64_t width = 12;                // network width of a new network; an `init` model keeps its own
  std::string init;                  // if set, fine-tune this matte model (its network, at `crop`)
  double learning_rate = 2e-3;
  int64_t val_every = 100;
  int64_t checkpoint_every = 50;
  int64_t max_textures = 400;
  double openings = 0.0;  // share of cut-out draws given holes or a glass pane (punch_openings)
  std::string command_line;
};

struct MatteTrainSummary {
  int64_t step = 0;
  double train_loss = 0.0;
  double val_iou = 0.0;              // on held-out views at the working size
  double seconds = 0.0;
  int64_t cutouts = 0, white_shots = 0, textures = 0, products = 0;
};

MatteTrainSummary train_matte(const MatteTrainOptions& options, const ProgressFn& progress = {});

struct MatteEvalOptions {
  std::string data;                  // a renders folder
  int64_t count = 40;                // synthetic composites of the held-out cut-outs (besides their white shots)
  uint64_t seed = 1;
  int64_t size = 384;                // evaluation pictures' long side
  std::string views = "held-out";    // which views: "held-out" (never trained on), "trained" or "all"
  std::string sheet;                 // if set, the worst pictures of network + GrabCut are drawn here, one a row:
  int64_t sheet_count = 8;           // photo | truth over a dark grey | cut-out (decontaminated) over it, IoU
};

struct MatteScores {
  double iou = 0.0;          // mean over pictures of IoU(alpha > 0.5)
  double alpha_error = 0.0;  // mean over pictures of mean |alpha − truth|, 0..1
  double edge_error = 0.0;   // the same inside the edge band (edge_band_error)
  // Colour error of the cut-out pasted on a dark backdrop, in the edge band (fringe_error), over the
  // pictures whose item colours are known: with the photo's own colours, and decontaminated.
  double fringe_raw = 0.0, fringe = 0.0;
  double seconds = 0.0;      // mean time per picture
};

// The four methods' scores on a set of pictures.
struct MatteMethodScores {
  int64_t pictures = 0;
  int64_t fringe_pictures = 0;  // pictures with known item colours
  MatteScores network, refined, threshold, grabcut;  // refined: the network's alpha through grabcut_refine
};

// One picture's result for network + GrabCut (what `cutout` and `tryon` use).
struct MattePictureScore {
  std::string view, backdrop;
  double iou = 0.0, edge_error = 0.0;
};

struct MatteEvalResult : MatteMethodScores {
  int64_t white_shots = 0, synthetic = 0;
  std::vector<MattePictureScore> refined_pictures;  // in evaluation order
  // By backdrop: "rendered white" (the renders' own white shots) and each Backdrop class.
  std::vector<std::pair<std::string, MatteMethodScores>> by_backdrop;
};

// Mean |alpha − truth| over the edge band: pixels within `radius` of the true alpha's 0.5 contour
// (where a cut-out's quality shows; the interior and the far background are easy).
double edge_band_error(const cv::Mat& alpha, const cv::Mat& truth, int radius);

// Mean |(colour, alpha) − (true_fg, truth)| composited over a dark grey (0.1) backdrop, per channel,
// inside the edge band of `radius` px around the true contour: the rim a cut-out shows in a dark room.
double fringe_error(const cv::Mat& colour, const cv::Mat& alpha, const cv::Mat& true_fg, const cv::Mat& truth, int radius);

MatteEvalResult evaluate_matte(MatteModel& model, const MatteEvalOptions& options, const ProgressFn& progress = {});

}  // namespace neuroshop::matte
