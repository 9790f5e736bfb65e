// The bad-input table: every case runs the built executable on something wrong (missing, empty,
// truncated or lying files; impossible outputs; bad numbers; broken models and scenes) and expects
// a clean refusal: a non-zero exit, no signal, exactly one stderr line "error: ..." that names the
// problem, and no output left behind (neither the intended output nor any temporary file).
// The inputs are generated here (images with crafted headers, a tiny colorize model and damaged
// copies of it); nothing comes from ../shared or models/.
// Not here: the happy paths (each application's tests) or parse errors of the demos (test_cli_basics).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "apps/colorize/ab_bins.h"
#include "apps/colorize/dataset.h"
#include "apps/colorize/model.h"
#include "apps/colorize/network.h"
#include "cli/cli_runner.h"
#include "core/layers/activations.h"
#include "core/layers/dense.h"
#include "core/layers/sequential.h"
#include "core/model/model_file.h"
#include "core/rng.h"
#include "io/color.h"
#include "io/image_file.h"

namespace neuroshop {
namespace {
namespace fs = std::filesystem;
using testing::CliResult;
using testing::run_cli;

// ---- generated inputs ---------------------------------------------------------------------------

std::string slurp(const fs::path& p) { return testing::read_whole_file(p.string()); }

void spit(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void put_be32(std::string& s, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((v >> shift) & 0xFF);
}

// One PNG chunk: length, type, data, CRC of type + data.
std::string png_chunk(const std::string& type, const std::string& data) {
  std::string c;
  put_be32(c, static_cast<uint32_t>(data.size()));
  const std::string body = type + data;
  c += body;
  put_be32(c, crc32(body.data(), body.size()));
  return c;
}

// A structurally valid PNG (correct checksums, IEND) that declares width x height RGB pixels.
std::string png_declaring(uint32_t width, uint32_t height) {
  std::string ihdr;
  put_be32(ihdr, width);
  put_be32(ihdr, height);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8 bits, RGB, deflate, no filter, no interlace
  // An empty stored deflate block in a zlib stream: 78 01 | 01 00 00 ff ff | adler32(1).
  const std::string idat("\x78\x01\x01\x00\x00\xff\xff\x00\x00\x00\x01", 11);
  return std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", ihdr) + png_chunk("IDAT", idat) + png_chunk("IEND", "");
}

// `jpeg` with its frame header (SOF) claiming height x width.
std::string jpeg_declaring(std::string jpeg, uint16_t height, uint16_t width) {
  for (size_t i = 2; i + 9 < jpeg.size(); ++i) {
    const unsigned char m = static_cast<unsigned char>(jpeg[i + 1]);
    if (static_cast<unsigned char>(jpeg[i]) == 0xFF && (m == 0xC0 || m == 0xC1 || m == 0xC2)) {
      jpeg[i + 5] = static_cast<char>(height >> 8);
      jpeg[i + 6] = static_cast<char>(height & 0xFF);
      jpeg[i + 7] = static_cast<char>(width >> 8);
      jpeg[i + 8] = static_cast<char>(width & 0xFF);
      return jpeg;
    }
  }
  ADD_FAILURE() << "no SOF marker in the generated JPEG";
  return jpeg;
}

// A colourful 64x64 photo: four coloured quadrants with a gradient, distinct per `seed`.
cv::Mat colour_photo(int seed) {
  cv::Mat bgr(64, 64, CV_8UC3);
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) {
      const int q = (y / 32) * 2 + x / 32 + seed;
      const cv::Vec3b colours[4] = {{200, 40, 30}, {30, 180, 60}, {40, 60, 210}, {20, 200, 220}};
      cv::Vec3b c = colours[q % 4];
      c[0] = static_cast<uchar>(std::min(255, c[0] + x));
      c[2] = static_cast<uchar>(std::min(255, c[2] + y));
      bgr.at<cv::Vec3b>(y, x) = c;
    }
  return bgr;
}

// A colorize model small enough to build in a test (width 4), with bins from synthetic photos.
void save_tiny_colorize_model(const std::string& path) {
  std::vector<cv::Mat> lab;
  for (int s = 0; s < 2; ++s) {
    cv::Mat f;
    colour_photo(s).convertTo(f, CV_32FC3, 1.0 / 255.0);
    lab.push_back(bgr_to_lab(f));
  }
  colorize::AbBins bins = colorize::AbBins::from_histogram(colorize::ab_histogram(lab, colorize::AbBinOptions{}, 1));
  bins.set_rebalancing(colorize::bin_counts(lab, bins, 1));
  Rng rng(5);
  colorize::ColorizeModel model(colorize::build_network(colorize::NetworkOptions{4, bins.size()}, rng), bins,
                                colorize::mean_ab_by_lightness(lab));
  model.save(path);
}

// Every file under `dir` (recursively), as relative paths, with its size.
std::map<std::string, uintmax_t> listing(const fs::path& dir) {
  std::map<std::string, uintmax_t> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    files[fs::relative(it->path(), dir).string()] = it->is_regular_file() ? it->file_size() : 0;
  return files;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// ---- the fixture: one temporary folder of inputs for the whole table ------------------------------

class BadInput : public ::testing::Test {
 protected:
  static fs::path dir_;

  static fs::path p(const std::string& name) { return dir_ / name; }
  static std::string s(const std::string& name) { return p(name).string(); }

  static void SetUpTestSuite() {
    dir_ = fs::path(::testing::TempDir()) / ("neuroshop_bad_input_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    for (const char* d : {"out", "in", "photos", "gray", "emptydir", "resume", "mixed"}) fs::create_directories(dir_ / d);

    write_image(s("photo.png"), colour_photo(0));
    write_image(s("photo.jpg"), colour_photo(1));
    write_image(s("in/photo.png"), colour_photo(2));
    for (int i = 0; i < 3; ++i) write_image(s("photos/p" + std::to_string(i) + ".png"), colour_photo(i));
    for (int i = 0; i < 2; ++i) {
      cv::Mat gray(64, 64, CV_8U, cv::Scalar(40 + 80 * i));
      write_image(s("gray/g" + std::to_string(i) + ".png"), gray);
    }
    // An item with alpha for try-on: an opaque square in a transparent frame.
    cv::Mat item(40, 30, CV_8UC3, cv::Scalar(30, 90, 160)), item_alpha(40, 30, CV_8U, cv::Scalar(0));
    item_alpha(cv::Rect(5, 5, 20, 30)).setTo(255);
    write_image(s("item.png"), item, item_alpha);

    const std::string png = slurp(p("photo.png")), jpg = slurp(p("photo.jpg"));
    spit(p("empty.jpg"), "");
    spit(p("text.jpg"), "this is a text file, not a JPEG\n");
    spit(p("truncated.png"), png.substr(0, png.size() * 6 / 10));
    spit(p("truncated.jpg"), jpg.substr(0, jpg.size() * 6 / 10));
    spit(p("zero.png"), png_declaring(0, 0));
    spit(p("huge.png"), png_declaring(100000, 100000));
    spit(p("zero.jpg"), jpeg_declaring(jpg, 0, 0));
    spit(p("huge.jpg"), jpeg_declaring(jpg, 65000, 65000));
    spit(p("notes.txt"), "not an image\n");
    write_image(s("mixed/a.png"), colour_photo(3));
    spit(p("mixed/b.png"), png.substr(0, png.size() / 2));

    save_tiny_colorize_model(s("model.nsm"));
    const std::string model = slurp(p("model.nsm"));
    spit(p("empty.nsm"), "");
    spit(p("truncated.nsm"), model.substr(0, model.size() / 2));
    std::string corrupt = model;
    corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x5A);
    spit(p("corrupt.nsm"), corrupt);
    std::string version = model;
    version[4] = 7;  // u32 format version right after "NSM\0"
    spit(p("version.nsm"), version);
    spit(p("text.nsm"), "not a model\n");
    {
      Rng rng(1);
      Sequential net("other");
      net.emplace<Dense>(4, 3, rng, "fc");
      net.emplace<Relu>();
      save_model(s("stylize_app.nsm"), net, {{"app", "stylize"}});
      save_model(s("no_app.nsm"), net);
    }
    spit(p("resume/m.ckpt.nsm"), corrupt);
    {
      // A few hundred bytes declaring a 40 GB layer, with none of its weights.
      ModelFile huge;
      huge.architecture = spec_from_text("Dense fc in_features=100000 out_features=100000");
      huge.metadata = {{"app", "colorize"}};
      write_model_file(s("huge_arch.nsm"), huge);
    }

    spit(p("empty_list.txt"), "# nothing\n\n");
    spit(p("scene_malformed.json"), "{\"items\": [");
    spit(p("scene_items_number.json"), "{\"room\": \"photo.png\", \"items\": 3}");
    spit(p("scene_at_outside.json"), "{\"room\": \"photo.png\", \"items\": [{\"file\": \"item.png\", \"at\": [5000, 5]}]}");
    spit(p("scene_unknown_field.json"), "{\"room\": \"photo.png\", \"itemz\": []}");
    spit(p("scene_negative_size.json"),
         "{\"room\": \"photo.png\", \"items\": [{\"file\": \"item.png\", \"at\": [30, 50], \"height_cm\": -4}]}");
    spit(p("scene_missing_item.json"),
         "{\"room\": \"photo.png\", \"items\": [{\"file\": \"no_such_item.png\", \"at\": [30, 50]}]}");
    spit(p("scene_number_overflow.json"), "{\"room\": \"photo.png\", \"horizon\": 1e999, \"items\": [{\"file\": \"item.png\"}]}");
    spit(p("scene_at_string.json"), "{\"room\": \"photo.png\", \"items\": [{\"file\": \"item.png\", \"at\": \"30,50\"}]}");
  }

  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
};
fs::path BadInput::dir_;

struct Case {
  std::vector<std::string> args;
  std::vector<std::string> keys;  // words the error line must contain (case-insensitive)
};

// Runs each case and checks the contract; `outputs` are paths that must not exist afterwards.
void expect_refused(const fs::path& root, const std::vector<Case>& cases, const std::vector<std::string>& outputs = {}) {
  const auto before = listing(root);
  for (const Case& c : cases) {
    const std::string cmd = testing::command_text(c.args);
    const CliResult r = run_cli(c.args, 120.0);
    // NEUROSHOP_SHOW_ERRORS=1 prints the table: exit code and error line per case.
    if (std::getenv("NEUROSHOP_SHOW_ERRORS"))
      std::printf("| %s | %d | %s |\n", cmd.substr(cmd.find(' ') + 1).c_str(), r.exit_code,
                  r.err.substr(0, r.err.find('\n')).c_str());
    EXPECT_FALSE(r.timed_out) << cmd;
    EXPECT_EQ(r.signal, 0) << cmd << " was killed by signal " << r.signal << "; stderr: " << r.err;
    EXPECT_NE(r.exit_code, 0) << cmd << " succeeded; stdout: " << r.out;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << cmd << " -> stderr: " << r.err;
    EXPECT_TRUE(!r.err.empty() && r.err.find('\n') == r.err.size() - 1)
        << cmd << " -> stderr is not exactly one line: " << r.err;
    for (const std::string& key : c.keys)
      EXPECT_NE(lower(r.err).find(lower(key)), std::string::npos) << cmd << " -> the error should mention '" << key
                                                                   << "': " << r.err;
    for (const std::string& o : outputs) EXPECT_FALSE(fs::exists(o)) << cmd << " left '" << o << "' behind";
    const auto after = listing(root);
    if (after != before) {
      std::string diff;
      for (const auto& [name, size] : after)
        if (!before.count(name) || before.at(name) != size) diff += " " + name;
      for (const auto& [name, size] : before)
        if (!after.count(name)) diff += " -" + name;
      ADD_FAILURE() << cmd << " changed the files under " << root << ":" << diff;
      // Put things back so one failure does not spill into the next case.
      for (const auto& [name, size] : after)
        if (!before.count(name)) fs::remove_all(root / name);
    }
  }
}

// ---- image inputs ---------------------------------------------------------------------------------

TEST_F(BadInput, ImageInputs) {
  const std::string out = s("out/result.png");
  auto colorize = [&](const std::string& input) {
    return std::vector<std::string>{"-q", "colorize", input, "--model", s("model.nsm"), "-o", out};
  };
  expect_refused(dir_,
                 {
                     {colorize(s("nope.png")), {"nope.png", "no such file"}},
                     {colorize(s("emptydir")), {"no images"}},
                     {colorize(s("empty.jpg")), {"empty.jpg", "empty"}},
                     {colorize(s("truncated.png")), {"truncated.png", "truncated"}},
                     {colorize(s("truncated.jpg")), {"truncated.jpg", "truncated"}},
                     {colorize(s("text.jpg")), {"text.jpg", "not a supported image"}},
                     {colorize(s("zero.png")), {"zero.png", "empty size 0x0"}},
                     {colorize(s("huge.png")), {"huge.png", "100000x100000", "too large"}},
                     {colorize(s("zero.jpg")), {"zero.jpg", "empty size 0x0"}},
                     {colorize(s("huge.jpg")), {"huge.jpg", "65000x65000", "too large"}},
                     {colorize(s("notes.txt")), {"notes.txt", "not a supported image"}},
                     {{"-q", "colorize", s("mixed/b.png"), "--model", s("model.nsm"), "-o", s("out")}, {"truncated"}},
                     {{"-q", "stylize", s("photo.png"), "--style", s("truncated.png"), "-o", out}, {"truncated.png"}},
                     {{"-q", "stylize", s("truncated.jpg"), "--style", s("photo.png"), "-o", out}, {"truncated.jpg"}},
                     {{"-q", "cutout", s("text.jpg"), "-o", out}, {"not a supported image"}},
                     {{"-q", "cutout", s("emptydir"), "-o", s("out")}, {"no images"}},
                     {{"-q", "tryon", s("huge.png"), "--item", s("item.png"), "--cutout", "alpha", "--no-harmonize", "-o", out},
                      {"too large"}},
                     {{"-q", "tryon", s("photo.png"), "--item", s("zero.png"), "--cutout", "alpha", "--no-harmonize", "-o", out},
                      {"zero.png"}},
                     {{"-q", "tryon", s("photo.png"), "--item", s("nope.png"), "--cutout", "alpha", "--no-harmonize", "-o", out},
                      {"nope.png"}},
                 },
                 {out});
}

// ---- where the output goes ----------------------------------------------------------------------

TEST_F(BadInput, Outputs) {
  const std::string in = s("in/photo.png"), before = slurp(p("in/photo.png"));
  auto colorize_to = [&](const std::string& out) {
    return std::vector<std::string>{"-q", "colorize", in, "--model", s("model.nsm"), "-o", out};
  };
  expect_refused(dir_,
                 {
                     {colorize_to(s("out/result.gif")), {"result.gif", "extension"}},
                     {colorize_to(s("out/result.txt")), {"result.txt", "extension"}},
                     {colorize_to(s("nodir/result.png")), {"nodir", "does not exist"}},
                     {colorize_to(s("nodir/sub/")), {"nodir", "does not exist"}},
                     // A new output folder is not left behind by a job that fails before writing into it.
                     {{"-q", "colorize", in, "--model", s("corrupt.nsm"), "-o", s("out/new_folder")}, {"corrupt"}},
                     {{"-q", "colorize", s("truncated.png"), "--model", s("model.nsm"), "-o", s("out/new_folder")},
                      {"truncated"}},
                     {{"-q", "stylize", in, "--model", s("truncated.nsm"), "-o", s("out/new_folder")}, {"truncated"}},
                     {{"-q", "stylize", s("truncated.png"), "--style", s("photo.png"), "-o", s("out/new_folder")},
                      {"truncated"}},
                     {{"-q", "cutout", in, "--method", "network", "--model", s("nope.nsm"), "-o", s("out/new_folder")},
                      {"nope.nsm"}},
                     {{"-q", "cutout", s("truncated.png"), "--method", "threshold", "-o", s("out/new_folder")},
                      {"truncated"}},
                     {{"-q", "tryon", in, "--item", s("nope.png"), "--cutout", "alpha", "--no-harmonize", "-o",
                       s("out/new_folder")},
                      {"nope.png"}},
                     {colorize_to(in), {"one of the inputs"}},
                     {colorize_to(s("notes.txt")), {"notes.txt"}},
                     {colorize_to(s("emptydir/../in/photo.png")), {"one of the inputs"}},
                     {{"-q", "colorize", s("photos"), "--model", s("model.nsm"), "-o", s("out/one.png")}, {"one file"}},
                     {{"-q", "stylize", in, "--style", s("photo.png"), "-o", in}, {"one of the inputs"}},
                     {{"-q", "stylize", in, "--style", s("photo.png"), "-o", s("out/result.gif")}, {"extension"}},
                     {{"-q", "cutout", in, "-o", s("out/result.jpg")}, {"transparency"}},
                     {{"-q", "cutout", in, "-o", in}, {"one of the inputs"}},
                     {{"-q", "tryon", in, "--item", s("item.png"), "--cutout", "alpha", "--no-harmonize", "-o", in},
                      {"one of the inputs"}},
                     {{"-q", "tryon", in, "--item", s("item.png"), "--cutout", "alpha", "--no-harmonize", "-o",
                       s("nodir/r.png")},
                      {"does not exist"}},
                     {{"-q", "tryon", in, "--item", s("item.png"), "--cutout", "alpha", "--no-harmonize", "-o",
                       s("out/r.gif")},
                      {"extension"}},
                 },
                 {s("out/result.gif"), s("out/result.txt"), s("nodir"), s("out/new_folder")});
  EXPECT_EQ(slurp(p("in/photo.png")), before) << "an input was overwritten";
}

// Every trainer checks its --out before it loads any data: a .nsm name in an existing folder.
TEST_F(BadInput, TrainingOutputs) {
  const std::vector<std::vector<std::string>> trainers = {
      {"-q", "train", "colorize", "--data", s("photos"), "--crop", "32", "--width", "4"},
      {"-q", "train", "style", "--style", s("photo.png"), "--data", s("photos"), "--size", "32", "--width", "2"},
      {"-q", "train", "harmonize", "--data", s("photos"), "--crop", "64", "--width", "4"},
      {"-q", "train", "matte", "--renders", s("photos"), "--crop", "64", "--width", "4"},
  };
  std::vector<Case> cases;
  for (const auto& trainer : trainers) {
    auto with_out = [&](const std::string& out) {
      std::vector<std::string> args = trainer;
      args.insert(args.end(), {"--out", out, "--steps", "1", "--batch", "1"});
      return args;
    };
    const std::string nodir_message = "--out '" + s("nodir/m.nsm") + "': folder '" + s("nodir") + "' does not exist";
    cases.push_back({with_out(s("nodir/m.nsm")), {nodir_message}});
    cases.push_back({with_out(s("out/m.png")), {"--out", "m.png", ".nsm"}});
    cases.push_back({with_out(s("out/m")), {"--out", ".nsm"}});
  }
  expect_refused(dir_, cases, {s("nodir"), s("out/m.png"), s("out/m"), s("out/m.nsm")});
}

// ---- colour hints and shards ----------------------------------------------------------------------

TEST_F(BadInput, HintsAndShards) {
  const std::string out = s("out/result.png");
  auto colorize = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"-q", "colorize", s("photo.png"), "--model", s("model.nsm"), "-o", out};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  expect_refused(dir_,
                 {
                     {colorize({"--hint", "500,10,#ff0000"}), {"--hint", "outside", "64x64"}},
                     {colorize({"--hint", "-1,10,#ff0000"}), {"--hint", "outside"}},
                     {colorize({"--hint", "10,10,red"}), {"--hint", "X,Y,#RRGGBB"}},
                     {colorize({"--hint", "10,10,#ff00"}), {"--hint", "X,Y,#RRGGBB"}},
                     {colorize({"--hint", "nan,10,#ff0000"}), {"--hint"}},
                     {colorize({"--hint", "10,inf,#ff0000"}), {"--hint"}},
                     {colorize({"--hint", "10,10,#ff0000junk"}), {"--hint"}},
                     {colorize({"--hint", ""}), {"--hint"}},
                     {{"-q", "colorize", s("photos"), "--model", s("model.nsm"), "-o", s("out"), "--hint", "5,5,#00ff00"},
                      {"--hint", "one image"}},
                     {colorize({"--shard", "3/2"}), {"--shard", "I/N"}},
                     {colorize({"--shard", "1/0"}), {"--shard"}},
                     {colorize({"--shard", "-1/2"}), {"--shard"}},
                     {colorize({"--shard", "a/b"}), {"--shard"}},
                     {colorize({"--shard", "0/2/3"}), {"--shard"}},
                     {colorize({"--shard", "1"}), {"--shard"}},
                     {colorize({"--shard", "0/99999999999"}), {"--shard"}},
                 },
                 {out});
}

// ---- model files ----------------------------------------------------------------------------------

TEST_F(BadInput, ModelFiles) {
  const std::string out = s("out/result.png");
  auto colorize = [&](const std::string& model) {
    return std::vector<std::string>{"-q", "colorize", s("photo.png"), "--model", model, "-o", out};
  };
  auto eval = [&](const std::string& model) {
    return std::vector<std::string>{"-q", "eval", "colorize", "--data", s("photos"), "--model", model};
  };
  expect_refused(dir_,
                 {
                     {colorize(s("nope.nsm")), {"nope.nsm", "does not exist"}},
                     {colorize(s("emptydir")), {"emptydir", "directory"}},
                     {colorize(s("empty.nsm")), {"empty.nsm", "empty"}},
                     {colorize(s("truncated.nsm")), {"truncated.nsm", "truncated"}},
                     {colorize(s("corrupt.nsm")), {"corrupt.nsm", "corrupt"}},
                     {colorize(s("version.nsm")), {"version.nsm", "version 7"}},
                     {colorize(s("text.nsm")), {"text.nsm", "not a neuroshop model"}},
                     {colorize(s("photo.png")), {"photo.png", "not a neuroshop model"}},
                     {colorize(s("stylize_app.nsm")), {"stylize_app.nsm", "not a colorize model", "stylize"}},
                     {colorize(s("no_app.nsm")), {"no_app.nsm", "not a colorize model"}},
                     {colorize(s("huge_arch.nsm")), {"huge_arch.nsm", "declares 10000100000 parameters but holds 0"}},
                     {{"-q", "info", s("huge_arch.nsm")}, {"huge_arch.nsm", "corrupt or truncated"}},
                     {eval(s("corrupt.nsm")), {"corrupt.nsm", "corrupt"}},
                     {eval(s("stylize_app.nsm")), {"not a colorize model"}},
                     {{"-q", "stylize", s("photo.png"), "--model", s("model.nsm"), "-o", out}, {"not a style model"}},
                     {{"-q", "stylize", s("photo.png"), "--model", s("truncated.nsm"), "-o", out}, {"truncated"}},
                     {{"-q", "cutout", s("photo.png"), "--method", "network", "--model", s("nope.nsm"), "-o", out},
                      {"nope.nsm"}},
                     {{"-q", "cutout", s("photo.png"), "--method", "network", "--model", s("model.nsm"), "-o", out},
                      {"model.nsm"}},
                     {{"-q", "info", s("nope.nsm")}, {"nope.nsm", "does not exist"}},
                     {{"-q", "info", s("emptydir")}, {"directory"}},
                     {{"-q", "info", s("empty.nsm")}, {"empty"}},
                     {{"-q", "info", s("truncated.nsm")}, {"truncated"}},
                     {{"-q", "info", s("corrupt.nsm")}, {"corrupt"}},
                     {{"-q", "info", s("version.nsm")}, {"version"}},
                     {{"-q", "info", s("text.nsm")}, {"not a neuroshop model"}},
                     {{"-q", "info", s("model.nsm"), "--size", "0x5"}, {"--size"}},
                     {{"-q", "info", s("model.nsm"), "--size", "64"}, {"--size"}},
                 },
                 {out});
}

// ---- training data --------------------------------------------------------------------------------

TEST_F(BadInput, TrainingData) {
  const std::string model = s("out/m.nsm");
  auto train = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"-q", "train", "colorize", "--out", model, "--steps", "2", "--width", "4", "--batch", "1"};
    if (std::find(extra.begin(), extra.end(), "--crop") == extra.end()) args.insert(args.end(), {"--crop", "32"});
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  expect_refused(dir_,
                 {
                     {train({"--data", s("nope")}), {"nope", "no such file"}},
                     {train({"--data", s("emptydir")}), {"no training photos"}},
                     {train({"--data", s("gray")}), {"colour photo"}},
                     {train({"--data", s("mixed/b.png")}), {"colour photo"}},
                     {train({"--data", s("photos"), "--val-list", s("nope.txt")}), {"validation list", "nope.txt"}},
                     {train({"--data", s("photos"), "--val-list", s("empty_list.txt")}), {"validation list", "no files"}},
                     {train({"--data", s("photos"), "--val-list", s("emptydir")}), {"validation list"}},
                     {train({"--data", s("photos"), "--crop", "36"}), {"--crop", "multiple of 8"}},
                     {train({"--data"}), {"--data"}},
                     {{"-q", "train", "colorize", "--data", s("photos"), "--out", s("resume/m.nsm"), "--resume", "--steps",
                       "2", "--crop", "32", "--width", "4", "--batch", "1"},
                      {"m.ckpt.nsm", "corrupt"}},
                     {{"-q", "eval", "colorize", "--model", s("model.nsm")}, {"--data"}},
                     {{"-q", "eval", "colorize", "--data", s("nope"), "--model", s("model.nsm")}, {"nope"}},
                     {{"-q", "eval", "colorize", "--list", s("nope.txt"), "--model", s("model.nsm")}, {"nope.txt"}},
                     {{"-q", "eval", "colorize", "--data", s("emptydir"), "--model", s("model.nsm")}, {"no images"}},
                     {{"-q", "train", "style", "--style", s("photo.png"), "--data", s("emptydir"), "--out", model,
                       "--steps", "2", "--size", "32"},
                      {"photo"}},
                     {{"-q", "train", "style", "--style", s("nope.png"), "--data", s("photos"), "--out", model, "--steps",
                       "2", "--size", "32"},
                      {"nope.png"}},
                     {{"-q", "train", "harmonize", "--data", s("nope"), "--out", model, "--steps", "2"}, {"nope"}},
                     {{"-q", "train", "matte", "--renders", s("nope"), "--out", model, "--steps", "2"}, {"nope"}},
                     {{"-q", "train", "matte", "--renders", s("photos"), "--out", model, "--openings", "1.5"},
                      {"--openings"}},
                     {{"-q", "eval", "matte", "--data", s("photos"), "--views", "some"}, {"--views", "held-out"}},
                 },
                 {model, s("out/m.ckpt.nsm"), s("resume/m.nsm")});
}

// ---- try-on scenes and placements ---------------------------------------------------------------

TEST_F(BadInput, TryOnScenesAndPlacements) {
  const std::string out = s("out/result.png");
  auto scene = [&](const std::string& file) {
    return std::vector<std::string>{"-q", "tryon", "--scene", s(file), "--cutout", "alpha", "--no-harmonize", "-o", out};
  };
  auto item = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"-q", "tryon", s("photo.png"), "--item", s("item.png")};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const char* a : {"--cutout", "alpha", "--no-harmonize", "-o"}) args.push_back(a);
    args.push_back(out);
    return args;
  };
  expect_refused(dir_,
                 {
                     {scene("scene_malformed.json"), {"scene_malformed.json", "JSON"}},
                     {scene("scene_items_number.json"), {"items"}},
                     {scene("scene_at_outside.json"), {"items[0].at", "inside the 64x64 image"}},
                     {scene("scene_unknown_field.json"), {"unknown field 'itemz'"}},
                     {scene("scene_negative_size.json"), {"height_cm", "positive"}},
                     {scene("scene_missing_item.json"), {"no_such_item.png"}},
                     {scene("scene_at_string.json"), {"at"}},
                     {scene("scene_number_overflow.json"), {"scene_number_overflow.json", "JSON"}},
                     {scene("nope.json"), {"nope.json"}},
                     {scene("emptydir"), {"emptydir"}},
                     {scene("photo.png"), {"JSON"}},
                     {item({"--at", "500,10"}), {"--at", "inside the 64x64 image"}},
                     {item({"--at", "-3,10"}), {"--at"}},
                     {item({"--at", "10"}), {"--at", "X,Y"}},
                     {item({"--at", "nan,10"}), {"--at"}},
                     {{"-q", "tryon", s("photo.png"), "--at", "10,10", "--item", s("item.png"), "-o", out}, {"--item"}},
                     {{"-q", "tryon", s("photo.png"), "-o", out}, {"--item"}},
                     {{"-q", "tryon", s("photo.png"), "--item", s("photo.jpg"), "--cutout", "alpha", "--no-harmonize", "-o", out},
                      {"alpha"}},
                     {{"-q", "tryon", s("photo.png"), "--item", s("item.png"), "--occluder", s("nope.png"), "--cutout", "alpha",
                       "--no-harmonize", "-o", out},
                      {"nope.png"}},
                     {{"-q", "tryon", s("photo.png"), "--item", s("item.png"), "--light", "1,2,3", "--cutout", "alpha",
                       "--no-harmonize", "-o", out},
                      {"--light"}},
                     {{"-q", "stylize", s("photo.png"), "--style", "no_such_style", "-o", out}, {"no_such_style", "style"}},
                     {{"-q", "stylize", s("photo.png"), "-o", out}, {"--style"}},
                     // The web server refuses bad folders and addresses before it listens.
                     {{"-q", "serve", "--port", "0", "--web", s("nope")}, {"--web"}},
                     {{"-q", "serve", "--port", "0", "--samples", s("nope")}, {"--samples"}},
                     {{"-q", "serve", "--port", "0", "--host", "999.1.1.1"}, {"999.1.1.1"}},
                 },
                 {out});
}

// ---- numbers: every numeric flag refuses negative, NaN and infinite values -----------------------

struct NumericFlag {
  std::vector<std::string> command;  // everything but the flag, valid on its own
  std::string flag;
  std::vector<std::string> bad = {"-1", "nan", "inf"};
};

TEST_F(BadInput, NumericFlags) {
  const std::string out = s("out/result.png"), model = s("out/m.nsm");
  const std::vector<std::string> colorize{"-q", "colorize", s("photo.png"), "--model", s("model.nsm"), "-o", out};
  const std::vector<std::string> train{"-q", "train", "colorize", "--data", s("photos"), "--out", model};
  const std::vector<std::string> eval{"-q", "eval", "colorize", "--data", s("photos"), "--model", s("model.nsm")};
  const std::vector<std::string> info{"-q", "info", s("model.nsm")};
  const std::vector<std::string> stylize{"-q", "stylize", s("photo.png"), "--style", s("photo.jpg"), "-o", out};
  const std::vector<std::string> train_style{"-q", "train", "style", "--style", s("photo.jpg"), "--data", s("photos"),
                                             "--out", model};
  const std::vector<std::string> tryon{"-q", "tryon", s("photo.png"), "--item", s("item.png"), "--cutout", "alpha",
                                       "--no-harmonize", "-o", out};
  const std::vector<std::string> harmonize{"-q", "train", "harmonize", "--data", s("photos"), "--out", model};
  const std::vector<std::string> matte{"-q", "train", "matte", "--renders", s("photos"), "--out", model};
  const std::vector<std::string> xor_demo{"-q", "demo", "xor"};
  const std::vector<std::string> serve{"-q", "serve"};
  std::vector<NumericFlag> flags = {
      {colorize, "--vividness"}, {colorize, "--size"}, {colorize, "--jobs"}, {colorize, "--threads"},
      {train, "--steps"}, {train, "--hours"}, {train, "--batch"}, {train, "--crop"}, {train, "--width"}, {train, "--lr"},
      {train, "--val-every"}, {train, "--checkpoint-every"}, {train, "--seed"},
      {train, "--photo-side", {"-1", "nan", "16"}}, {train, "--zoom", {"0.5", "nan", "inf"}},
      {eval, "--size"}, {eval, "--vividness"}, {eval, "--max-images"}, {eval, "--working-size", {"-1", "nan", "16"}},
      {info, "--batch"}, {info, "--channels"},
      {stylize, "--size"}, {stylize, "--iterations"}, {stylize, "--style-weight"}, {stylize, "--content-weight"},
      {stylize, "--tv-weight"}, {stylize, "--style-scale"}, {stylize, "--strength"}, {stylize, "--seed"},
      {train_style, "--steps"}, {train_style, "--minutes"}, {train_style, "--size"}, {train_style, "--style-size"},
      {train_style, "--batch"}, {train_style, "--width"}, {train_style, "--blocks"}, {train_style, "--lr"},
      {train_style, "--style-weight"}, {train_style, "--seed"}, {train_style, "--max-photos"},
      {train_style, "--checkpoint-every"},
      {tryon, "--height-px"}, {tryon, "--height-cm"}, {tryon, "--width-cm"}, {tryon, "--camera-height-cm"},
      {tryon, "--rotate", {"nan", "inf", "1000"}}, {tryon, "--horizon", {"nan", "inf", "1e999"}},
      {harmonize, "--steps"}, {harmonize, "--hours"}, {harmonize, "--crop"}, {harmonize, "--lr"},
      {harmonize, "--val-images"}, {matte, "--steps"}, {matte, "--lr"}, {matte, "--max-textures"},
      {xor_demo, "--lr"}, {xor_demo, "--epochs"},
      {serve, "--port", {"-1", "nan", "inf", "65536"}}, {serve, "--max-upload-mb"},
  };
  std::vector<Case> cases;
  for (const NumericFlag& f : flags)
    for (const std::string& value : f.bad) {
      Case c{f.command, {f.flag}};
      // Per-item try-on options belong after their --item, before the shared options.
      const auto at = f.command == tryon ? c.args.begin() + 5 : c.args.end();
      c.args.insert(at, {f.flag, value});
      cases.push_back(c);
    }
  expect_refused(dir_, cases, {out, model});
}

}  // namespace
}  // namespace neuroshop
