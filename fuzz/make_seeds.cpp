// Writes the seed corpora and dictionaries of the fuzz targets: small valid files of every kind the
// targets read, made with the project's own writers (no files from elsewhere).
//   neuroshop_fuzz_seeds DIR  ->  DIR/model_file/*, DIR/image_header/*, DIR/scene/*, DIR/*.dict
// Not here: the targets themselves (fuzz_*.cpp) or running them (scripts/fuzz.sh).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include <opencv2/core.hpp>

#include "apps/colorize/network.h"
#include "apps/stylize/fast.h"
#include "apps/common/unet.h"
#include "core/layers/activations.h"
#include "core/layers/dense.h"
#include "core/layers/dropout.h"
#include "core/layers/maxout.h"
#include "core/layers/pooling.h"
#include "core/layers/sequential.h"
#include "core/layers/softmax.h"
#include "core/model/checkpoint.h"
#include "core/model/layer_factory.h"
#include "core/model/model_file.h"
#include "core/optim/adam.h"
#include "core/rng.h"
#include "io/image_file.h"

namespace fs = std::filesystem;
using namespace neuroshop;

namespace {

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// A libFuzzer dictionary line: "token" with " and \ escaped and other bytes as \xHH.
std::string dict_entry(const std::string& token) {
  std::string line = "\"";
  for (unsigned char c : token) {
    char buf[8];
    if (c == '"' || c == '\\') line += std::string("\\") + static_cast<char>(c);
    else if (c < 32 || c > 126) std::snprintf(buf, sizeof buf, "\\x%02X", c), line += buf;
    else line += static_cast<char>(c);
  }
  return line + "\"\n";
}

void models(const fs::path& dir, std::set<std::string>& words) {
  fs::create_directories(dir);
  Rng rng(7);
  auto remember = [&](Layer& net) {
    const std::string text = spec_to_text(net.spec());
    const std::regex word(R"([A-Za-z_][A-Za-z0-9_]*=?)");
    for (std::sregex_iterator it(text.begin(), text.end(), word), end; it != end; ++it) words.insert(it->str());
  };

  Sequential mlp("mlp");
  mlp.emplace<Dense>(4, 6, rng, "fc1");
  mlp.emplace<Maxout>(2);
  mlp.emplace<Dropout>(0.25, 3);
  mlp.emplace<Dense>(3, 2, rng, "fc2");
  mlp.emplace<Sigmoid>();
  mlp.emplace<Softmax>();
  save_model((dir / "mlp.nsm").string(), mlp, {{"app", "demo"}, {"note", "seed"}});
  remember(mlp);

  auto colorize = colorize::build_network(colorize::NetworkOptions{4, 6}, rng);
  save_model((dir / "colorize.nsm").string(), *colorize, {{"app", "colorize"}},
             {{"ab_centres", Tensor(Shape{6, 2})}, {"ab_weights", Tensor(Shape{6})}});
  remember(*colorize);

  stylize::TransformNetOptions transform;
  transform.base_channels = 2;
  transform.residual_blocks = 1;
  transform.outer_kernel = 3;
  auto style = stylize::build_transform_net(transform, rng);
  save_model((dir / "style.nsm").string(), *style, {{"app", "stylize"}});
  remember(*style);

  apps::UNetOptions unet;
  unet.width = 4;
  auto matte = apps::build_unet(unet, rng);
  save_model((dir / "unet.nsm").string(), *matte, {{"app", "matte"}});
  remember(*matte);

  // A checkpoint with optimizer state, a random generator and values.
  Sequential small("small");
  small.emplace<Dense>(3, 2, rng, "fc");
  small.emplace<MaxPool2d>(1);
  Adam adam(small.params());
  TrainingState state;
  state.step = 12;
  state.optimizer = adam.state();
  state.rngs = {{"data", &rng}};
  state.values = {{"seconds", "1.5"}};
  save_checkpoint((dir / "checkpoint.nsm").string(), small, state);
  remember(small);

  for (const std::string& type : known_layer_types()) words.insert(type);
  for (const char* w : {"NSM", "model", "checkpoint", "param/", "buffer/", "extra/", "optim/", "app", "step",
                        "optim_undefined", "rng/", "value/", "{", "}", "\"\"", "\\x"})
    words.insert(w);
}

void images(const fs::path& dir) {
  fs::create_directories(dir);
  cv::Mat bgr(6, 8, CV_8UC3), gray(6, 8, CV_8U), alpha(6, 8, CV_8U);
  for (int y = 0; y < 6; ++y)
    for (int x = 0; x < 8; ++x) {
      bgr.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(30 * x), static_cast<uchar>(40 * y), 128);
      gray.at<uchar>(y, x) = static_cast<uchar>(20 * (x + y));
      alpha.at<uchar>(y, x) = static_cast<uchar>(x < 4 ? 255 : 60);
    }
  cv::Mat bgr16;
  bgr.convertTo(bgr16, CV_16U, 257.0);
  for (const char* ext : {"png", "jpg", "webp", "tif", "bmp"}) {
    write_image((dir / (std::string("rgb.") + ext)).string(), bgr);
    write_image((dir / (std::string("gray.") + ext)).string(), gray);
  }
  write_image((dir / "rgba.png").string(), bgr, alpha);
  write_image((dir / "rgba.webp").string(), bgr, alpha);
  write_image((dir / "rgb16.png").string(), bgr16);
  write_image((dir / "rgb16.tif").string(), bgr16);
}

void scenes(const fs::path& dir) {
  fs::create_directories(dir);
  write_text(dir / "full.json",
             R"({"room": "room.jpg", "horizon": 480, "camera_height_cm": 150,
 "items": [{"file": "sofa.png", "at": [620, 400], "height_cm": 85, "flip": false, "order": 0},
           {"file": "lamp.png", "at": [200, 350], "width_cm": 40, "rotate": -12.5},
           {"file": "/abs/chair.png", "height_px": 120, "flip": true, "order": -3}]})");
  write_text(dir / "minimal.json", R"({"items": [{"file": "a.png"}]})");
  write_text(dir / "escapes.json", "{\"room\": \"r\\u00e9\\n.jpg\", \"items\": [{\"file\": \"x\\\\y.png\", \"at\": [1e2, 0.5]}]}");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  std::set<std::string> words;
  models(root / "model_file", words);
  images(root / "image_header");
  scenes(root / "scene");

  std::string dict;
  for (const std::string& w : words) dict += dict_entry(w);
  write_text(root / "model_file.dict", dict);
  std::string image_dict;
  for (const std::string& w : {std::string("\x89PNG\r\n\x1a\n", 8), std::string("IHDR"), std::string("IDAT"),
                              std::string("IEND"), std::string("eXIf"), std::string("PLTE"), std::string("tRNS"),
                              std::string("\xFF\xD8\xFF", 3), std::string("\xFF\xC0", 2), std::string("\xFF\xC2", 2),
                              std::string("\xFF\xDA", 2), std::string("\xFF\xD9", 2), std::string("\xFF\xE1", 2),
                              std::string("Exif\0\0", 6), std::string("RIFF"), std::string("WEBP"),
                              std::string("VP8 "), std::string("VP8L"), std::string("VP8X"), std::string("EXIF"),
                              std::string("II*\0", 4), std::string("MM\0*", 4), std::string("II+\0", 4), std::string("BM")})
    image_dict += dict_entry(w);
  write_text(root / "image_header.dict", image_dict);
  std::string scene_dict;
  for (const char* w : {"\"room\"", "\"items\"", "\"horizon\"", "\"camera_height_cm\"", "\"file\"", "\"at\"",
                        "\"height_px\"", "\"height_cm\"", "\"width_cm\"", "\"rotate\"", "\"flip\"", "\"order\"", "true",
                        "false", "null", "1e308", "-0", "[", "]", "{", "}", ":", ","})
    scene_dict += dict_entry(w);
  write_text(root / "scene.dict", scene_dict);
  std::printf("seeds written to %s\n", root.string().c_str());
  return 0;
}
