// `neuroshop tryon` on the shipped samples through the built binary (NEUROSHOP_BINARY): the
// per-item option sequence, the printed horizon, --before-after, --poisson-seams, scene files, and
// one-line errors that name the option or field.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;

using RunResult = neuroshop::testing::CliResult;

// `neuroshop --threads 1 ARGS` run from the source tree, where the samples' relative paths lead;
// ARGS is split at spaces (no argument here contains one).
RunResult run(const std::string& args) {
  std::vector<std::string> argv{"--threads", "1"};
  std::istringstream words(args);
  for (std::string word; words >> word;) argv.push_back(word);
  return neuroshop::testing::run_cli(argv, 300.0, NEUROSHOP_SOURCE_DIR);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void expect_one_error_line(const RunResult& r, const std::string& part) {
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err.rfind("error:", 0), 0u) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  EXPECT_TRUE(contains(r.err, part)) << r.err;
}

class TryonCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("neuroshop_tryon_cli_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

constexpr const char* kRoom = "samples/tryon/wine_room.jpg";  // 854x1280

TEST_F(TryonCli, TwoItemsWithTheirOwnOptions) {
  const std::string out = (dir_ / "result.jpg").string();
  const RunResult r = run(std::string("tryon ") + kRoom +
                          " --item samples/tryon/plant_palm_34.png --at 700,760 --item samples/tryon/chair_oak_34.png "
                          "--at 300,900 --height-cm 100 --flip --horizon 40 -o " + out + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "\"horizon\"")) << r.out;
  EXPECT_TRUE(contains(r.out, "\"size_from\": \"height 117.1 cm (items.tsv)\"")) << r.out;
  EXPECT_TRUE(contains(r.out, "\"size_from\": \"height 100 cm\"")) << r.out;
  EXPECT_TRUE(contains(r.out, "700,")) << r.out;
  const cv::Mat img = cv::imread(out);
  ASSERT_FALSE(img.empty());
  EXPECT_EQ(img.size(), cv::Size(854, 1280));
}

TEST_F(TryonCli, PrintsTheHorizonEstimateAndWritesBeforeAfter) {
  const std::string out = (dir_ / "ba.png").string();
  const RunResult r = run(std::string("tryon ") + kRoom + " --item samples/tryon/lamp_floor_34.png --at 150,800 --before-after -o " +
                          out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "horizon: y = ")) << r.out;
  const cv::Mat img = cv::imread(out);
  EXPECT_EQ(img.size(), cv::Size(2 * 854 + 4, 1280));
}

TEST_F(TryonCli, SceneFile) {
  const fs::path scene = dir_ / "scene.json";
  const std::string samples = std::string(NEUROSHOP_SOURCE_DIR) + "/samples/tryon/";
  std::ofstream(scene) << "{\"room\": \"" << samples << "wine_room.jpg\", \"horizon\": 40, \"items\": [{\"file\": \"" << samples
                       << "plant_palm_34.png\", \"at\": [600, 800]}, {\"file\": \"" << samples
                       << "lamp_floor_34.png\", \"at\": [200, 780], \"flip\": true}]}";
  const std::string out = (dir_ / "scene.jpg").string();
  const RunResult r = run("tryon --scene " + scene.string() + " -o " + out + " --no-harmonize");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out));
  EXPECT_TRUE(contains(r.out, "horizon: y = 40 (given)")) << r.out;

  std::ofstream(scene) << "{\"room\": \"" << samples << "wine_room.jpg\", \"items\": [{\"file\": \"" << samples
                       << "plant_palm_34.png\", \"at\": [600, 800]}, {\"file\": \"" << samples
                       << "lamp_floor_34.png\", \"at\": [2000, 10]}]}";
  expect_one_error_line(run("tryon --scene " + scene.string() + " -o " + out),
                        "scene.json: items[1].at: expected [x, y] inside the 854x1280 image, got [2000, 10]");
}

TEST_F(TryonCli, ErrorsNameTheOption) {
  const std::string out = (dir_ / "x.jpg").string();
  expect_one_error_line(run(std::string("tryon ") + kRoom + " --item samples/tryon/lamp_floor_34.png --at 5000,10 -o " + out),
                        "--at: expected X,Y inside the 854x1280 image");
  expect_one_error_line(run(std::string("tryon ") + kRoom + " --at 100,100 --item samples/tryon/lamp_floor_34.png -o " + out),
                        "--at applies to an item: give --item FILE before it");
  expect_one_error_line(run(std::string("tryon ") + kRoom + " --item samples/tryon/lamp_floor_34.png --at 1,2,3 -o " + out),
                        "--at: expected X,Y");
  expect_one_error_line(run(std::string("tryon ") + kRoom + " -o " + out), "--item");
  expect_one_error_line(run(std::string("tryon ") + kRoom + " --item samples/tryon/missing.png -o " + out), "missing.png");
  // Above the horizon there is no floor to stand on.
  expect_one_error_line(run(std::string("tryon ") + kRoom + " --item samples/tryon/lamp_floor_34.png --at 100,100 --horizon 600 -o " + out),
                        "not below the horizon");
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(TryonCli, PoissonSeams) {
  EXPECT_TRUE(contains(run("tryon --help").out, "--poisson-seams"));
  const std::string plain = (dir_ / "plain.png").string(), seams = (dir_ / "seams.png").string();
  const std::string args = std::string("tryon ") + kRoom + " --item samples/tryon/sofa_beige_34.png --at 640,620 -o ";
  ASSERT_EQ(run(args + plain).exit_code, 0);
  const RunResult r = run(args + seams + " --poisson-seams");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const cv::Mat a = cv::imread(plain), b = cv::imread(seams);
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(b.size(), cv::Size(854, 1280));
  EXPECT_GT(cv::norm(a, b, cv::NORM_INF), 0.0) << "the seam is blended";
}

TEST_F(TryonCli, CutoutWritesRgba) {
  const std::string out = (dir_ / "chair.png").string();
  const RunResult r = run("cutout samples/tryon/armchair_grey_34_white.jpg --method grabcut --crop -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const cv::Mat rgba = cv::imread(out, cv::IMREAD_UNCHANGED);
  ASSERT_EQ(rgba.channels(), 4);
  std::vector<cv::Mat> ch;
  cv::split(rgba, ch);
  const double opaque = cv::countNonZero(ch[3] > 128) / static_cast<double>(rgba.total());
  EXPECT_GT(opaque, 0.4);  // cropped to the chair: mostly chair
  EXPECT_LT(opaque, 0.95);
  expect_one_error_line(run("cutout samples/tryon/armchair_grey_34_white.jpg -o " + (dir_ / "x.jpg").string()),
                        "a cut-out has transparency");
}

TEST_F(TryonCli, CutoutGoesStraightIntoATryon) {
  const std::string out = (dir_ / "chair.png").string();
  ASSERT_EQ(run("cutout samples/tryon/armchair_grey_34_white.jpg --method threshold -o " + out).exit_code, 0);
  const RunResult t = run(std::string("tryon ") + kRoom + " --item " + out + " --at 700,900 --height-cm 70 --horizon 40 -o " +
                          (dir_ / "t.jpg").string());
  EXPECT_EQ(t.exit_code, 0) << t.err;
  EXPECT_TRUE(contains(t.out, "cut-out: alpha")) << t.out;
  // Without a size or a sidecar the real size is unknown, and the error says what to give.
  expect_one_error_line(run(std::string("tryon ") + kRoom + " --item " + out + " --at 700,900 -o " + (dir_ / "u.jpg").string()),
                        "give --height-cm, --width-cm or --height-px");
}



TEST_F(TryonCli, ItemsListsTheCatalogueByCategory) {
  const RunResult r = run("items");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Living room\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "sofa-winchester")) << r.out;
  EXPECT_TRUE(contains(r.out, "views: 34, front")) << r.out;
  EXPECT_TRUE(contains(r.out, "CC-BY-3.0")) << r.out;
  const RunResult j = run("items --json");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_TRUE(contains(j.out, "\"categories\"")) << j.out;
  EXPECT_TRUE(contains(j.out, "\"attribution\"")) << j.out;
  expect_one_error_line(run("items --catalogue " + (dir_ / "none.tsv").string()), "cannot read the catalogue");
}

TEST_F(TryonCli, ItemByNameIsSizedFromTheCatalogueAndSaysWhichView) {
  const std::string out = (dir_ / "named.jpg").string();
  const RunResult r = run(std::string("tryon ") + kRoom + " --item sofa-winchester --at 430,800 --horizon 300 --item plant-palm "
                          "--at 700,900 -o " + out + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "\"size_from\": \"height 80.4 cm (catalogue)\"")) << r.out;
  EXPECT_TRUE(contains(r.out, "\"view\": \"34\"")) << r.out;  // the room looks 18° down at (430, 800): nearer 17° than 12°
  EXPECT_TRUE(contains(r.out, "the nearest to the room's 18.0°")) << r.out;
  EXPECT_TRUE(fs::exists(out));
  // Nearer the horizon the line of sight is flatter: the front view (12°) fits.
  const RunResult far = run(std::string("tryon ") + kRoom + " --item sofa-winchester --at 430,560 --horizon 300 -o " + out);
  ASSERT_EQ(far.exit_code, 0) << far.err;
  EXPECT_TRUE(contains(far.out, "view front: camera 12.0° down, the nearest to the room's")) << far.out;
  const RunResult given = run(std::string("tryon ") + kRoom + " --item sofa-winchester --at 430,800 --view front --horizon 300 -o " + out);
  ASSERT_EQ(given.exit_code, 0) << given.err;
  EXPECT_TRUE(contains(given.out, "view front: given (--view)")) << given.out;
}

TEST_F(TryonCli, BadCatalogueNamesAndViewsAreOneLineErrors) {
  const std::string out = (dir_ / "bad.jpg").string();
  expect_one_error_line(run(std::string("tryon ") + kRoom + " --item sofa-winchster --at 430,800 -o " + out),
                        "no catalogue item of that name (close: sofa-winchester");
  expect_one_error_line(run(std::string("tryon ") + kRoom + " --item sofa-winchester --view side --at 430,800 -o " + out),
                        "--view: expected one of the item's views (34, front), got 'side'");
  expect_one_error_line(run(std::string("tryon ") + kRoom + " --item samples/tryon/lamp_floor_34.png --view front -o " + out),
                        "only catalogue items have views");
  expect_one_error_line(run(std::string("tryon ") + kRoom + " --item sofa-beige --in-front 5000,5 -o " + out),
                        "--in-front 1: expected X,Y inside the 854x1280 image");
  expect_one_error_line(run(std::string("tryon ") + kRoom + " --item sofa-beige --in-front 12 -o " + out), "--in-front 1: expected X,Y");
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(TryonCli, InFrontKeepsTheBeanbagInFrontOfASofaBehindIt) {
  const std::string plain = (dir_ / "plain.png").string(), kept = (dir_ / "kept.png").string();
  const std::string args = std::string("tryon ") + kRoom +
                           " --item sofa-winchester --at 430,800 --horizon 300 --camera-height-cm 120 --no-harmonize -o ";
  ASSERT_EQ(run(args + plain).exit_code, 0);
  const RunResult r = run(args + kept + " --in-front 300,1100 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "\"hides\": [\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "\"behind\": [\n")) << r.out;
  // The beanbag under the click is the room's again where the sofa had covered it.
  const cv::Mat room = cv::imread(std::string(NEUROSHOP_SOURCE_DIR) + "/" + kRoom), a = cv::imread(plain), b = cv::imread(kept);
  ASSERT_FALSE(room.empty());
  ASSERT_FALSE(b.empty());
  const cv::Rect beanbag(250, 1050, 100, 100);
  EXPECT_GT(cv::norm(a(beanbag), room(beanbag), cv::NORM_L1), 10.0 * beanbag.area()) << "the sofa covers the beanbag";
  EXPECT_LT(cv::norm(b(beanbag), room(beanbag), cv::NORM_L1), 1.0 * beanbag.area()) << "the beanbag stays in front";
}

TEST_F(TryonCli, SceneFilesNameCatalogueItemsAndViews) {
  const fs::path scene = dir_ / "scene.json";
  std::ofstream(scene) << "{\"room\": \"" << NEUROSHOP_SOURCE_DIR << "/" << kRoom
                       << "\", \"horizon\": 300, \"items\": [{\"item\": \"sofa-couch\", \"at\": [430, 800], \"view\": \"front\"}]}";
  const RunResult r = run("tryon --scene " + scene.string() + " -o " + (dir_ / "s.jpg").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "sofa-couch: at (430, 800)")) << r.out;
  EXPECT_TRUE(contains(r.out, "view front: given")) << r.out;
  std::ofstream(scene) << "{\"room\": \"" << NEUROSHOP_SOURCE_DIR << "/" << kRoom
                       << "\", \"items\": [{\"item\": \"sofa-couch\", \"at\": [430, 800], \"view\": 3}]}";
  expect_one_error_line(run("tryon --scene " + scene.string() + " -o " + (dir_ / "s.jpg").string()),
                        "scene.json: items[0].view: expected a view name");
}

}  // namespace
