// The try-on's two networks and their data, on generated images: synthetic harmonization samples
// are deterministic and change only the region; the harmonizer leaves the rest of the picture
// alone; model files round-trip; a few training steps run, checkpoint and resume; the matting
// samples' alpha is the item's; TryOnNetworks loads each when asked and there; classical cut-outs
// find a dark box on white and ignore its shadow; the refinement opens holes the coarse alpha filled.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "apps/tryon/composite.h"
#include "apps/matte/cutout.h"
#include "apps/harmonize/data.h"
#include "apps/harmonize/model.h"
#include "apps/harmonize/train.h"
#include "apps/matte/model.h"
#include "apps/matte/train.h"
#include "apps/tryon/networks.h"
#include "core/errors.h"
#include "io/image_file.h"

namespace neuroshop::tryon {
namespace {
// The try-on's networks: their training data, model files and training (harmonize/, matte/) and
// how the try-on loads them (networks.h).
using namespace neuroshop::harmonize;
using namespace neuroshop::matte;

namespace fs = std::filesystem;

// A smooth colourful test picture.
cv::Mat picture(cv::Size size, double phase) {
  cv::Mat m(size, CV_32FC3);
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x)
      m.at<cv::Vec3f>(y, x) = cv::Vec3f(static_cast<float>(0.5 + 0.4 * std::sin(0.07 * x + phase)),
                                        static_cast<float>(0.5 + 0.4 * std::cos(0.05 * y + 2 * phase)),
                                        static_cast<float>(0.3 + 0.2 * std::sin(0.03 * (x + y))));
  return m;
}

double iou(const cv::Mat& a, const cv::Mat& b) {
  const cv::Mat A = a > 0.5f, B = b > 0.5f;
  return static_cast<double>(cv::countNonZero(A & B)) / std::max(1, cv::countNonZero(A | B));
}

TEST(TryonNetworks, HarmonizeSamplesAreDeterministicAndChangeOnlyTheRegion) {
  const cv::Mat photo = picture({64, 64}, 0.3), other = picture({64, 64}, 2.0);
  Rng a(11), b(11);
  const HarmonizeSample s = make_sample(photo, other, {}, a), t = make_sample(photo, other, {}, b);
  EXPECT_EQ(cv::norm(s.composite, t.composite, cv::NORM_INF), 0.0);
  EXPECT_EQ(cv::norm(s.mask, t.mask, cv::NORM_INF), 0.0);
  const double coverage = cv::mean(s.mask)[0];
  EXPECT_GT(coverage, 0.02);
  EXPECT_LT(coverage, 0.45);
  // Outside the region the composite is the photo; inside it visibly differs.
  double outside = 0.0, inside = 0.0;
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) {
      const double d = cv::norm(s.composite.at<cv::Vec3f>(y, x) - photo.at<cv::Vec3f>(y, x));
      (s.mask.at<float>(y, x) == 0.0f ? outside : inside) += d;
    }
  EXPECT_EQ(outside, 0.0);
  EXPECT_GT(inside, 1.0);
  EXPECT_LT(cv::norm(s.target, photo, cv::NORM_INF), 1e-7);
  for (int i = 0; i < 20; ++i) {
    const cv::Mat m = random_object_mask({96, 96}, a);
    EXPECT_GE(cv::mean(m)[0], 0.03) << i;
    EXPECT_LE(cv::mean(m)[0], 0.41) << i;
  }
}

TEST(TryonNetworks, HarmonizerChangesOnlyTheMaskedPixelsAndRoundTrips) {
  Rng rng(1);
  HarmonizeModel model(build_harmonize_network(4, rng), 64);
  const cv::Mat composite = picture({90, 70}, 1.0);
  cv::Mat mask = cv::Mat::zeros(composite.size(), CV_32F);
  mask(cv::Rect(20, 30, 30, 30)).setTo(1.0f);
  const cv::Mat out = model.harmonize(composite, mask);
  ASSERT_EQ(out.size(), composite.size());
  for (int y = 0; y < out.rows; ++y)
    for (int x = 0; x < out.cols; ++x)
      if (mask.at<float>(y, x) == 0.0f) {
        ASSERT_EQ(out.at<cv::Vec3f>(y, x), composite.at<cv::Vec3f>(y, x));
      }

  const fs::path path = fs::temp_directory_path() / "neuroshop_test_harmonize.nsm";
  model.save(path.string(), {{"note", "test"}});
  HarmonizeModel loaded = HarmonizeModel::load(path.string());
  EXPECT_EQ(loaded.input_size(), 64);
  EXPECT_LT(cv::norm(loaded.harmonize(composite, mask), out, cv::NORM_INF), 1e-6);
  EXPECT_THROW(MatteModel::load(path.string()), ModelError);  // not a matte model
  fs::remove(path);
  EXPECT_THROW(HarmonizeModel(build_harmonize_network(4, rng), 100), ModelError);
}

TEST(TryonNetworks, HarmonizeTrainingRunsCheckpointsAndResumes) {
  const fs::path dir = fs::temp_directory_path() / "neuroshop_test_harmonize_train";
  fs::remove_all(dir);
  fs::create_directories(dir / "photos");
  fs::create_directories(dir / "out");
  for (int i = 0; i < 4; ++i) {
    cv::Mat p;
    picture({100, 80}, 0.7 * i).convertTo(p, CV_8UC3, 255.0);
    write_image((dir / "photos" / ("p" + std::to_string(i) + ".png")).string(), p);
  }
  HarmonizeTrainOptions o;
  o.data = {(dir / "photos").string()};
  o.out = (dir / "out" / "h.nsm").string();
  o.steps = 4;
  o.batch_size = 2;
  o.width = 4;
  o.val_every = 2;
  o.checkpoint_every = 2;
  o.hours = 1e-9;  // stop after the first step (the limit is checked after each)
  const HarmonizeTrainSummary first = train_harmonize(o);
  EXPECT_EQ(first.step, 1);
  o.hours = 0.0;
  o.resume = true;
  const HarmonizeTrainSummary second = train_harmonize(o);
  EXPECT_EQ(second.step, 4);
  EXPECT_TRUE(fs::exists(dir / "out" / "h.nsm"));
  EXPECT_TRUE(fs::exists(dir / "out" / "h.log.json"));
  HarmonizeModel model = HarmonizeModel::load(o.out);
  HarmonizeEvalOptions e;
  e.data = {(dir / "photos").string()};
  e.count = 3;
  e.size = 64;
  const HarmonizeEvalResult r1 = evaluate_harmonize(model, e), r2 = evaluate_harmonize(model, e);
  EXPECT_EQ(r1.images, 3);
  EXPECT_GT(r1.raw.mse, 0.0);
  EXPECT_EQ(r1.raw.mse, r2.raw.mse);  // the composites come from the seed alone
  EXPECT_EQ(r1.model.mse, r2.model.mse);
  fs::remove_all(dir);
}

TEST(TryonNetworks, MatteModelGivesAlphaOfTheInputSizeAndRoundTrips) {
  Rng rng(2);
  MatteModel model(build_matte_network(4, rng), 64);
  const cv::Mat photo = picture({150, 100}, 0.5);
  const cv::Mat a = model.alpha(photo);
  ASSERT_EQ(a.size(), photo.size());
  double lo = 0, hi = 0;
  cv::minMaxLoc(a, &lo, &hi);
  EXPECT_GE(lo, 0.0);
  EXPECT_LE(hi, 1.0);
  const fs::path path = fs::temp_directory_path() / "neuroshop_test_matte.nsm";
  model.save(path.string());
  MatteModel loaded = MatteModel::load(path.string());
  EXPECT_LT(cv::norm(loaded.alpha(photo), a, cv::NORM_INF), 1e-6);
  EXPECT_THROW(HarmonizeModel::load(path.string()), ModelError);
  fs::remove(path);
}

// train matte on generated cut-outs: a new network, then fine-tuning it with --init, which keeps
// the loaded network (its width, not --width) and starts from its weights.
TEST(TryonNetworks, MatteTrainingFineTunesAnInitModel) {
  const fs::path dir = fs::temp_directory_path() / "neuroshop_test_matte_train";
  fs::remove_all(dir);
  fs::create_directories(dir / "renders");
  for (int i = 0; i < 3; ++i) {
    cv::Mat bgr, alpha = cv::Mat::zeros(90, 70, CV_8U);
    picture({70, 90}, 0.6 * i).convertTo(bgr, CV_8UC3, 255.0);
    cv::ellipse(alpha, cv::Point(35, 45), cv::Size(25 + 3 * i, 38), 0, 0, 360, cv::Scalar(255), cv::FILLED);
    write_image((dir / "renders" / ("item" + std::to_string(i) + ".png")).string(), bgr, alpha);
  }
  MatteTrainOptions o;
  o.renders = (dir / "renders").string();
  o.out = (dir / "first.nsm").string();
  o.steps = 2;
  o.batch_size = 2;
  o.crop = 64;
  o.width = 4;
  EXPECT_EQ(train_matte(o).step, 2);
  MatteModel first = MatteModel::load(o.out);

  o.init = o.out;
  o.out = (dir / "tuned.nsm").string();
  o.width = 8;                 // ignored: the loaded network keeps its width
  o.learning_rate = 1e-7;      // so small that one step cannot move the weights visibly
  o.steps = 1;
  EXPECT_EQ(train_matte(o).step, 1);
  MatteModel tuned = MatteModel::load(o.out);
  const std::vector<Param*> a = first.net().params(), b = tuned.net().params();
  ASSERT_EQ(a.size(), b.size());
  double moved = 0.0, scale = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i]->value.shape(), b[i]->value.shape());
    for (int64_t j = 0; j < a[i]->value.numel(); ++j) {
      moved = std::max(moved, static_cast<double>(std::fabs(a[i]->value[j] - b[i]->value[j])));
      scale = std::max(scale, static_cast<double>(std::fabs(a[i]->value[j])));
    }
  }
  EXPECT_GT(scale, 0.01);
  EXPECT_LT(moved, 1e-4 * scale);

  // A larger --crop fine-tunes the same weights at that working size, and the file says so.
  o.crop = 128;
  o.out = (dir / "larger.nsm").string();
  EXPECT_EQ(train_matte(o).step, 1);
  MatteModel larger = MatteModel::load(o.out);
  EXPECT_EQ(larger.input_size(), 128);
  EXPECT_EQ(larger.net().params().size(), a.size());
  const cv::Mat alpha = larger.alpha(cv::Mat(100, 80, CV_32FC3, cv::Scalar(0.9, 0.9, 0.9)));
  EXPECT_EQ(alpha.size(), cv::Size(80, 100));
  try {
    MatteModel::load(o.out, 96);
    ADD_FAILURE() << "a working size that is not a multiple of 64 was accepted";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("multiple of 64, got 96"), std::string::npos) << e.what();
  }

  o.crop = 96;  // not a multiple of 64
  o.out = (dir / "wrong.nsm").string();
  EXPECT_THROW(train_matte(o), ArgumentError);
  EXPECT_FALSE(fs::exists(dir / "wrong.nsm"));
  fs::remove_all(dir);
}

// A web shop's product photo on pure white: the white touching the border is background, a white
// part inside the product (a pale panel framed by darker edges) stays product; photos of another
// kind (nothing on the white, or a picture filling the frame) give no cut-out.
TEST(TryonNetworks, ProductCutoutTakesTheWhiteAroundTheProductAsBackground) {
  cv::Mat photo(120, 100, CV_8UC3, cv::Scalar(255, 255, 255));
  photo(cv::Rect(20, 30, 60, 70)).setTo(cv::Scalar(90, 110, 150));   // the product
  photo(cv::Rect(30, 40, 40, 30)).setTo(cv::Scalar(252, 253, 254));  // its white panel
  photo(cv::Rect(40, 100, 8, 20)).setTo(cv::Scalar(255, 255, 255));  // white, but part of the background
  const CutoutPicture c = product_cutout(photo);
  ASSERT_FALSE(c.alpha.empty());
  // Cropped to the product's box (the half-pixel blur may widen it by a pixel).
  EXPECT_NEAR(c.alpha.cols, 60, 2);
  EXPECT_NEAR(c.alpha.rows, 70, 2);
  const cv::Rect box = tryon::alpha_bounds(c.alpha);
  ASSERT_FALSE(box.empty());
  auto alpha_at = [&](int y, int x) { return c.alpha.at<float>(y - 30 + (c.alpha.rows - 70) / 2, x - 20 + (c.alpha.cols - 60) / 2); };
  EXPECT_GT(alpha_at(55, 50), 0.99f);  // the white panel
  EXPECT_GT(alpha_at(35, 25), 0.99f);  // the product's edge zone
  EXPECT_EQ(c.bgr.size(), c.alpha.size());

  const cv::Mat blank(80, 80, CV_8UC3, cv::Scalar(255, 255, 255));
  EXPECT_TRUE(product_cutout(blank).alpha.empty());
  cv::Mat full(80, 80, CV_8UC3, cv::Scalar(40, 90, 30));
  full(cv::Rect(30, 30, 20, 20)).setTo(cv::Scalar(255, 255, 255));
  EXPECT_TRUE(product_cutout(full).alpha.empty());
  EXPECT_THROW(product_cutout(cv::Mat(10, 10, CV_32FC3)), ArgumentError);
}

// TryOnNetworks: which network each mode gets, from the files that are there, loaded once.
TEST(TryonNetworks, TryOnNetworksLoadWhatIsThereAndWhatIsAskedFor) {
  const fs::path dir = fs::temp_directory_path() / "neuroshop_test_tryon_networks";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string harmonize_path = (dir / "harmonize.nsm").string(), matte_path = (dir / "matte.nsm").string();
  Rng rng(3);
  HarmonizeModel(build_harmonize_network(4, rng), 64).save(harmonize_path);
  MatteModel(build_matte_network(4, rng), 64).save(matte_path);
  const cv::Mat photo = picture({90, 70}, 0.4);
  cv::Mat mask = cv::Mat::zeros(photo.size(), CV_32F);
  mask(cv::Rect(20, 30, 30, 30)).setTo(1.0f);

  HarmonizeFn harmonize;
  NetworkCutout cutout;
  {
    TryOnNetworks there(harmonize_path, matte_path);
    EXPECT_FALSE(there.harmonizer(false));
    harmonize = there.harmonizer(true);
    EXPECT_FALSE(there.cutout(CutoutMode::kAlpha));
    EXPECT_FALSE(there.cutout(CutoutMode::kGrabcut));
    EXPECT_TRUE(there.cutout(CutoutMode::kAuto));
    cutout = there.cutout(CutoutMode::kNetwork);
  }
  // The functions keep their networks after the TryOnNetworks is gone.
  ASSERT_TRUE(harmonize && cutout);
  HarmonizeModel harmonize_model = HarmonizeModel::load(harmonize_path);
  EXPECT_LT(cv::norm(harmonize(photo, mask), harmonize_model.harmonize(photo, mask), cv::NORM_INF), 1e-6);
  MatteModel matte_model = MatteModel::load(matte_path);
  EXPECT_LT(cv::norm(cutout(photo), network_cutout(matte_model, photo), cv::NORM_INF), 1e-6);

  TryOnNetworks missing((dir / "no_harmonize.nsm").string(), (dir / "no_matte.nsm").string());
  EXPECT_FALSE(missing.harmonizer(true));
  EXPECT_FALSE(missing.cutout(CutoutMode::kAuto));
  try {
    missing.cutout(CutoutMode::kNetwork);
    ADD_FAILURE() << "--cutout network without its model file";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("no_matte.nsm"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(TryonNetworks, MatteSamplesKeepTheItemsAlphaAndShadowsOutOfIt) {
  cv::Mat item(60, 40, CV_32FC3, cv::Scalar(0.1, 0.2, 0.6));
  cv::Mat alpha(60, 40, CV_32F, cv::Scalar(1.0f));
  Rng rng(4);
  for (int i = 0; i < 5; ++i) {
    const MatteSample s = compose_on_plain(item, alpha, {128, 128}, rng);
    ASSERT_EQ(s.bgr.size(), cv::Size(128, 128));
    const double area = cv::countNonZero(s.alpha > 0.5f);
    EXPECT_GT(area, 0.2 * 128 * 128 * 0.3);
    // Away from the item (alpha 0 within 4 px) the picture is backdrop and shadow, never the item's red.
    cv::Mat near_item;
    cv::dilate(s.alpha > 0.0f, near_item, cv::Mat::ones(9, 9, CV_8U));
    for (int y = 0; y < 128; ++y)
      for (int x = 0; x < 128; ++x)
        if (near_item.at<uint8_t>(y, x) == 0) {
          ASSERT_LT(s.bgr.at<cv::Vec3f>(y, x)[2] - s.bgr.at<cv::Vec3f>(y, x)[0], 0.42f) << x << "," << y;
        }
  }
}

// punch_openings cuts one framed panel into an opaque item: the frame keeps the item's alpha and
// colour, and inside it either holes (alpha down to 0) or a glass pane (alpha 0.08–0.4, a pale tint)
// open the item to the backdrop; both kinds occur over a few seeds, nothing outside the panel
// changes, and an item too small for a panel is left alone.
TEST(TryonNetworks, PunchOpeningsCutsHolesOrAGlassPaneInsideTheItem) {
  const cv::Mat item(120, 100, CV_32FC3, cv::Scalar(0.1, 0.2, 0.6));
  const cv::Mat opaque(120, 100, CV_32F, cv::Scalar(1.0f));
  int holes = 0, panes = 0;
  for (uint64_t seed = 1; seed <= 24; ++seed) {
    Rng rng(seed);
    cv::Mat bgr = item.clone(), alpha = opaque.clone();
    ASSERT_TRUE(punch_openings(bgr, alpha, rng));
    const cv::Rect changed = cv::boundingRect(alpha < 1.0f);
    ASSERT_FALSE(changed.empty());
    EXPECT_LE(changed.width, 52);  // at most half the item's side, less the frame
    EXPECT_LE(changed.height, 62);
    EXPECT_GT(changed.x, 0);  // the frame stays: nothing opens at the item's border
    EXPECT_GT(changed.y, 0);
    EXPECT_LT(changed.br().x, 100);
    EXPECT_LT(changed.br().y, 120);
    double lo = 0.0;
    cv::minMaxLoc(alpha, &lo);
    if (lo == 0.0) {
      ++holes;
    } else {
      ++panes;
      EXPECT_GE(lo, 0.08 - 1e-6);
      EXPECT_LE(lo, 0.4 + 1e-6);
      const cv::Vec3f tint = bgr.at<cv::Vec3f>(changed.y + changed.height / 2, changed.x + changed.width / 2);
      if (alpha.at<float>(changed.y + changed.height / 2, changed.x + changed.width / 2) == static_cast<float>(lo)) {
        for (int c = 0; c < 3; ++c) EXPECT_GE(tint[c], 0.6f) << "a pale glass tint";
      }
    }
    int changed_outside = 0;
    for (int y = 0; y < bgr.rows; ++y)
      for (int x = 0; x < bgr.cols; ++x)
        if (!changed.contains(cv::Point(x, y)) && bgr.at<cv::Vec3f>(y, x) != item.at<cv::Vec3f>(y, x))
          ++changed_outside;
    EXPECT_EQ(changed_outside, 0) << "colour outside the panel";
  }
  EXPECT_GT(holes, 0);
  EXPECT_GT(panes, 0);
  Rng rng(1);
  cv::Mat small_bgr(20, 20, CV_32FC3, cv::Scalar::all(0.5)), small_alpha(20, 20, CV_32F, cv::Scalar(1.0f));
  EXPECT_FALSE(punch_openings(small_bgr, small_alpha, rng));
  EXPECT_EQ(cv::countNonZero(small_alpha < 1.0f), 0);
  cv::Mat wrong(30, 30, CV_32F);
  EXPECT_THROW(punch_openings(wrong, wrong, rng), ArgumentError);
}

// The backdrop classes look like their names: white brighter than light grey brighter than mid
// grey (neutral), beige warm (red above blue), a gradient changing far more from top to bottom
// than a plain white, a paper sweep brighter at the floor than on the wall.
TEST(TryonNetworks, StudioBackdropsLookLikeTheirClass) {
  const cv::Size size(96, 96);
  auto stats = [&](Backdrop kind, uint64_t seed) {
    Rng rng(seed);
    const cv::Mat bg = studio_backdrop(kind, size, rng);
    EXPECT_EQ(bg.type(), CV_32FC3);
    double lo, hi;
    cv::minMaxLoc(bg.reshape(1), &lo, &hi);
    EXPECT_GE(lo, 0.0);
    EXPECT_LE(hi, 1.0);
    const cv::Scalar mean = cv::mean(bg), top = cv::mean(bg.rowRange(0, 12)), bottom = cv::mean(bg.rowRange(84, 96));
    return std::array<double, 4>{(mean[0] + mean[1] + mean[2]) / 3, mean[2] - mean[0],
                                 std::fabs((top[0] + top[1] + top[2]) - (bottom[0] + bottom[1] + bottom[2])) / 3,
                                 (bottom[0] + bottom[1] + bottom[2] - top[0] - top[1] - top[2]) / 3};
  };
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    const auto white = stats(Backdrop::kWhite, seed), light = stats(Backdrop::kLightGrey, seed),
               mid = stats(Backdrop::kMidGrey, seed), beige = stats(Backdrop::kBeige, seed);
    EXPECT_GT(white[0], light[0]);
    EXPECT_GT(light[0], mid[0]);
    for (const auto& gray : {white, light, mid}) EXPECT_LT(std::fabs(gray[1]), 0.04);
    EXPECT_GT(beige[1], 0.05);
  }
  double white_change = 0, gradient_change = 0, paper_rise = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    white_change += stats(Backdrop::kWhite, seed)[2];
    gradient_change += stats(Backdrop::kGradient, seed)[2];
    paper_rise += stats(Backdrop::kPaper, seed)[3];
  }
  EXPECT_GT(gradient_change, 2.0 * white_change);
  EXPECT_GT(paper_rise / 12, 0.0);
  EXPECT_EQ(all_backdrops().size(), 6u);
}

// The edge-band error counts only pixels near the true contour: a mask wrong deep inside the
// object scores 0, a mask shifted by 2 px scores about half the band wrong, a perfect one 0.
TEST(TryonNetworks, EdgeBandErrorLooksOnlyAtTheContour) {
  cv::Mat truth = cv::Mat::zeros(80, 80, CV_32F);
  truth(cv::Rect(20, 20, 40, 40)).setTo(1.0f);
  EXPECT_EQ(edge_band_error(truth, truth, 3), 0.0);
  cv::Mat holed = truth.clone();
  holed(cv::Rect(32, 32, 16, 16)).setTo(0.0f);  // 12 px from the contour, outside a 3 px band
  EXPECT_EQ(edge_band_error(holed, truth, 3), 0.0);
  EXPECT_GT(cv::mean(cv::abs(holed - truth))[0], 0.0);
  cv::Mat shifted = cv::Mat::zeros(80, 80, CV_32F);
  shifted(cv::Rect(22, 20, 40, 40)).setTo(1.0f);
  const double e = edge_band_error(shifted, truth, 3);
  EXPECT_GT(e, 0.05);
  EXPECT_LT(e, 0.5);
}

// A dark box on white with a gray shadow beside it.
cv::Mat product_photo(cv::Mat* truth) {
  cv::Mat photo(200, 240, CV_32FC3, cv::Scalar::all(0.97));
  cv::rectangle(photo, cv::Rect(60, 60, 120, 110), cv::Scalar(0.86, 0.86, 0.86), cv::FILLED);  // shadow on the floor
  cv::rectangle(photo, cv::Rect(50, 40, 100, 110), cv::Scalar(0.15, 0.2, 0.5), cv::FILLED);   // the product
  *truth = cv::Mat::zeros(photo.size(), CV_32F);
  (*truth)(cv::Rect(50, 40, 100, 110)).setTo(1.0f);
  return photo;
}

TEST(TryonNetworks, ClassicalCutoutsFindTheProductAndGrabcutIgnoresTheShadow) {
  cv::Mat truth;
  const cv::Mat photo = product_photo(&truth);
  EXPECT_EQ(border_colour(photo), cv::Vec3f(0.97f, 0.97f, 0.97f));
  const double thr = iou(threshold_alpha(photo), truth);
  const double gc = iou(grabcut_alpha(photo), truth);
  EXPECT_GT(gc, 0.95);
  EXPECT_GT(gc, thr);  // the threshold baseline takes the shadow as object
  EXPECT_EQ(cv::norm(grabcut_alpha(photo), grabcut_alpha(photo), cv::NORM_INF), 0.0);  // deterministic
  // Refining a rough guess snaps it to the box.
  cv::Mat rough = cv::Mat::zeros(photo.size(), CV_32F);
  rough(cv::Rect(45, 35, 115, 120)).setTo(0.8f);
  rough(cv::Rect(70, 60, 60, 60)).setTo(1.0f);
  EXPECT_GT(iou(grabcut_refine(photo, rough), truth), 0.95);
}

// A red disc with a soft edge on a near-white backdrop: the edge pixels mix red with white; the
// decontaminated colours are red again (the photo's own colours are far from it), pixels off the
// edge are unchanged, and the fringe over a dark room falls accordingly.
TEST(TryonNetworks, DecontaminateRemovesTheBackdropFromTheEdge) {
  const cv::Size size(120, 100);
  cv::Mat alpha = cv::Mat::zeros(size, CV_32F);
  cv::circle(alpha, cv::Point(60, 50), 30, cv::Scalar(1.0), cv::FILLED);
  cv::GaussianBlur(alpha, alpha, cv::Size(0, 0), 2.0);
  const cv::Vec3f object(0.1f, 0.15f, 0.8f), backdrop(0.92f, 0.94f, 0.95f);
  cv::Mat photo(size, CV_32FC3), fg(size, CV_32FC3, cv::Scalar(object[0], object[1], object[2]));
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x) {
      const float a = alpha.at<float>(y, x);
      photo.at<cv::Vec3f>(y, x) = object * a + backdrop * (1.0f - a);
    }
  const cv::Mat clean = decontaminate(photo, alpha);
  double worst_photo = 0.0, worst_clean = 0.0;
  for (int y = 0; y < size.height; ++y)
    for (int x = 0; x < size.width; ++x) {
      const float a = alpha.at<float>(y, x);
      if (a <= 0.02f || a >= 0.98f) {
        EXPECT_EQ(clean.at<cv::Vec3f>(y, x), photo.at<cv::Vec3f>(y, x));
        continue;
      }
      if (a < 0.3f) continue;  // where the estimate leans on the neighbours
      worst_photo = std::max(worst_photo, cv::norm(photo.at<cv::Vec3f>(y, x) - object, cv::NORM_INF));
      worst_clean = std::max(worst_clean, cv::norm(clean.at<cv::Vec3f>(y, x) - object, cv::NORM_INF));
    }
  EXPECT_GT(worst_photo, 0.4);
  EXPECT_LT(worst_clean, 0.02);
  const double raw = fringe_error(photo, alpha, fg, alpha, 3), cleaned = fringe_error(clean, alpha, fg, alpha, 3);
  EXPECT_GT(raw, 0.05);
  EXPECT_LT(cleaned, 0.1 * raw);
  EXPECT_THROW(decontaminate(photo, cv::Mat::zeros(10, 10, CV_32F)), ArgumentError);
}

TEST(TryonNetworks, GrabcutRefineOpensHolesTheCoarseAlphaFilledConfidently) {
  // A frame (a chair back) on white; the coarse alpha, like a low-resolution network's, is a
  // confident solid block that covers the frame's hole too.
  cv::Mat photo(200, 240, CV_32FC3, cv::Scalar::all(0.97));
  cv::rectangle(photo, cv::Rect(50, 40, 120, 120), cv::Scalar(0.2, 0.3, 0.55), cv::FILLED);
  cv::rectangle(photo, cv::Rect(75, 65, 70, 70), cv::Scalar::all(0.97), cv::FILLED);  // the hole
  cv::Mat truth = cv::Mat::zeros(photo.size(), CV_32F);
  truth(cv::Rect(50, 40, 120, 120)).setTo(1.0f);
  truth(cv::Rect(75, 65, 70, 70)).setTo(0.0f);
  cv::Mat coarse = cv::Mat::zeros(photo.size(), CV_32F);
  coarse(cv::Rect(48, 38, 124, 124)).setTo(1.0f);
  const cv::Mat refined = grabcut_refine(photo, coarse);
  EXPECT_GT(iou(refined, truth), 0.95);
  EXPECT_LT(cv::mean(refined(cv::Rect(85, 75, 50, 50)))[0], 0.05) << "the hole is background";
}

}  // namespace
}  // namespace neuroshop::tryon
