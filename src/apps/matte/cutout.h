// Classical cut-outs of a product photo on a plain background (white, gray or a light colour):
// the background colour estimated from the photo's border, a threshold baseline on the distance
// to it, and OpenCV's GrabCut initialised from that threshold mask. Both are the baselines the
// matting network is measured against (`eval matte`) and the fallback when no network is loaded.
// cutout_image is `neuroshop cutout`'s per-image work and cutout_files its batch.
// Not here: the matting network (matte/model.h), reading files (item.h).
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "apps/common/batch.h"
#include "io/image_file.h"

namespace neuroshop::matte {

// Median colour of the outermost 3% frame of the photo. bgr: CV_32FC3 in [0, 1].
cv::Vec3f border_colour(const cv::Mat& bgr);

// alpha = 1 where the colour differs from the border colour by more than `threshold` (max over
// channels, 0..1 scale), lightly cleaned (small specks removed, holes closed), CV_32F in {0, 1}.
cv::Mat threshold_alpha(const cv::Mat& bgr, float threshold = 0.08f);

// GrabCut (5 iterations) seeded by threshold_alpha minus shadow-like pixels (the backdrop's
// chromaticity at 40–97% of its brightness): pixels far from the seed are sure background, the
// rest probable foreground/background; CV_32F alpha in {0, 1}, edges softened by one pixel.
// Works on a copy at most 512 px on the long side and scales the mask back.
cv::Mat grabcut_alpha(const cv::Mat& bgr);

// A coarse alpha (e.g. the matting network's, upsampled) refined by GrabCut at up to 512 px:
// coarse > 0.95 (eroded) and unlike the backdrop (grabcut_alpha's shadowless seed) is sure object,
// coarse < 0.05 (eroded) sure background, the rest probable by its side of 0.5; GrabCut's object is
// then kept only where coarse ≥ 0.5 (its colour models would fill a hole that shows a backdrop as
// pale as the object). CV_32F alpha in {0, 1}, edges softened by one pixel.
cv::Mat grabcut_refine(const cv::Mat& bgr, const cv::Mat& coarse_alpha);

// The object's own colours at its soft edge: a pixel with 0 < alpha < 1 mixes the object's colour
// F with the backdrop's B (I = alpha F + (1 − alpha) B), so pasted elsewhere it would carry a rim of
// the backdrop (a white fringe on a dark room). B is estimated locally from the nearby background
// pixels (alpha ≤ 0.02; the border colour where there are none) and F solved for; where alpha is
// too small for the division to be stable, F leans on the nearby opaque pixels' colour. Pixels
// with alpha ≥ 0.98 or ≤ 0.02 keep their colour. bgr: CV_32FC3 in [0, 1]; alpha: CV_32F, same size.
cv::Mat decontaminate(const cv::Mat& bgr, const cv::Mat& alpha);

class MatteModel;

enum class CutoutMethod { kNetwork, kGrabCut, kThreshold };

// The photo (gray taken as colour) with its cut-out as alpha, at the photo's bit depth, the edge
// pixels' colours freed of the backdrop (decontaminate); `model` is
// used with kNetwork. crop: only the cut-out's bounding box (the whole photo when nothing is opaque).
Image cutout_image(const Image& photo, CutoutMethod method, MatteModel* model, bool crop);

// `neuroshop cutout` over files. method: "auto" (the network when `model_path` exists, else
// GrabCut), "network", "grabcut" or "threshold". Outputs default to NAME-cutout.png and always
// keep alpha (.png unless -o names .webp or .tif).
apps::BatchReport cutout_files(const std::string& method, const std::string& model_path, bool crop,
                               apps::BatchOptions batch, const ProgressFn& progress = {});

}  // namespace neuroshop::matte
