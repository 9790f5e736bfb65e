// `neuroshop serve`'s routes as functions of a Request, on the shipped pages, samples and models:
// a try-on render with a known placement is the very file tryon::run_tryon writes for the same
// inputs (what `neuroshop tryon ... -o OUT.png` runs); colorize and stylize likewise; and every
// refusal is {"error": ...} with a 4xx status, leaving no file in the temporary folder.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "apps/colorize/colorize.h"
#include "apps/serve/service.h"
#include "apps/serve/tryon_form.h"
#include "apps/stylize/fast.h"
#include "apps/harmonize/model.h"
#include "apps/matte/model.h"
#include "apps/tryon/tryon.h"
#include "io/image_file.h"

namespace neuroshop::serve {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = NEUROSHOP_SOURCE_DIR;

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string header(const Response& r, const std::string& name) {
  for (const auto& [key, value] : r.headers)
    if (key == name) return value;
  return "";
}

std::string error_message(const Response& r) {
  EXPECT_EQ(r.content_type, "application/json");
  const json j = json::parse(r.body, nullptr, false);
  EXPECT_TRUE(j.is_object() && j.contains("error")) << r.body;
  return j.is_object() && j.contains("error") ? j["error"].get<std::string>() : "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

ServeOptions shipped_options() {
  ServeOptions o;
  o.web_root = kSource / "web";
  o.samples_dir = kSource / "samples" / "tryon";
  o.catalogue = (kSource / "samples" / "furniture" / "catalogue.tsv").string();
  o.models_dir = kSource / "models";
  o.colorize_model = (kSource / "models" / "colorize.nsm").string();
  o.harmonize_model = (kSource / "models" / "harmonize.nsm").string();
  o.matte_model = (kSource / "models" / "matte.nsm").string();
  o.allowed_hosts = {"127.0.0.1", "localhost"};
  return o;
}

Request get(const std::string& path) {
  Request r;
  r.method = "GET";
  r.path = path;
  r.host = "127.0.0.1:8080";
  return r;
}

Request post(const std::string& path, std::vector<FormPart> form) {
  Request r = get(path);
  r.method = "POST";
  r.origin = "http://127.0.0.1:8080";
  r.form = std::move(form);
  return r;
}

FormPart file_part(const std::string& name, const fs::path& file, const std::string& type) {
  return {name, file.filename().string(), type, file_bytes(file)};
}

FormPart text_part(const std::string& name, const std::string& value) { return {name, "", "", value}; }

const fs::path kRoom = kSource / "samples" / "tryon" / "wine_room.jpg";  // 854x1280

class ServeService : public ::testing::Test {
 protected:
  void SetUp() override { service_ = std::make_unique<Service>(shipped_options()); }
  void TearDown() override {
    // Every job's files are gone once it has answered.
    EXPECT_TRUE(fs::is_empty(service_->temp_dir())) << service_->temp_dir();
    const fs::path temp = service_->temp_dir();
    service_.reset();
    EXPECT_FALSE(fs::exists(temp));
  }
  Response handle(const Request& r) { return service_->handle(r); }
  Response tryon(const std::string& scene, std::vector<FormPart> extra = {}) {
    std::vector<FormPart> form = {file_part("room", kRoom, "image/jpeg"), text_part("scene", scene)};
    for (FormPart& p : extra) form.push_back(std::move(p));
    return handle(post("/api/tryon", std::move(form)));
  }

  std::unique_ptr<Service> service_;
};

TEST_F(ServeService, ServesThePagesWithTheirTypesAndPolicy) {
  const Response index = handle(get("/"));
  ASSERT_EQ(index.status, 200) << index.body;
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index.body, file_bytes(kSource / "web" / "index.html"));
  EXPECT_TRUE(contains(header(index, "Content-Security-Policy"), "default-src 'self'"));
  EXPECT_EQ(header(index, "X-Content-Type-Options"), "nosniff");
  for (const char* page : {"/tryon.html", "/colorize.html", "/stylize.html", "/neuroshop.js", "/neuroshop.css"})
    EXPECT_EQ(handle(get(page)).status, 200) << page;
  EXPECT_EQ(handle(get("/neuroshop.js")).content_type, "text/javascript; charset=utf-8");
}

TEST_F(ServeService, RefusesPathsOutsideTheWebRoot) {
  for (const char* path : {"/../CMakeLists.txt", "/%2e%2e/CMakeLists.txt", "/%2E%2E%2FCMakeLists.txt",
                           "/..%2f..%2fetc%2fpasswd", "//etc/passwd", "/%2Fetc%2Fpasswd", "/web%5c..%5cCMakeLists.txt",
                           "/.git/config"}) {
    const Response r = handle(get(path));
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_TRUE(contains(error_message(r), "bad path")) << path;
  }
  EXPECT_EQ(handle(get("/missing.html")).status, 404);
  EXPECT_EQ(handle(get("/api/nothing")).status, 404);
}

TEST_F(ServeService, ListsSamplesAndServesThemOnlyByName) {
  const Response list = handle(get("/api/samples"));
  ASSERT_EQ(list.status, 200);
  const json j = json::parse(list.body);
  ASSERT_EQ(j["rooms"].size(), 1u);
  EXPECT_EQ(j["rooms"][0]["name"], "wine_room.jpg");
  bool sofa = false;
  for (const json& item : j["items"])
    if (item["name"] == "sofa_beige_34.png") sofa = item["height_cm"].get<double>() > 84 && item["title"] == "Sofa";
  EXPECT_TRUE(sofa) << list.body;

  const Response picture = handle(get("/api/samples/sofa_beige_34.png"));
  ASSERT_EQ(picture.status, 200);
  EXPECT_EQ(picture.content_type, "image/png");
  EXPECT_EQ(picture.body, file_bytes(kSource / "samples" / "tryon" / "sofa_beige_34.png"));
  for (const char* path : {"/api/samples/items.tsv", "/api/samples/..%2Fcolorize%2FPath.jpg", "/api/samples/../../CMakeLists.txt",
                           "/api/samples/%2Fetc%2Fpasswd", "/api/samples/"})
    EXPECT_EQ(handle(get(path)).status, 404) << path;
}

TEST_F(ServeService, InfoSaysWhatIsInstalled) {
  const json j = json::parse(handle(get("/api/info")).body);
  EXPECT_EQ(j["max_upload_bytes"].get<size_t>(), size_t{25} << 20);
  EXPECT_TRUE(j["harmonize"].get<bool>());
  EXPECT_TRUE(j["styles"].is_array());
}

TEST_F(ServeService, MethodsHostsAndOrigins) {
  EXPECT_EQ(handle(get("/api/tryon")).status, 405);
  EXPECT_EQ(handle(post("/index.html", {})).status, 405);
  Request put = get("/index.html");
  put.method = "PUT";
  EXPECT_EQ(handle(put).status, 405);
  Request rebound = get("/api/info");
  rebound.host = "evil.example:8080";  // DNS rebinding: a foreign name resolving to 127.0.0.1
  EXPECT_EQ(handle(rebound).status, 403);
  Request cross = post("/api/colorize", {});
  cross.origin = "http://evil.example";
  EXPECT_EQ(handle(cross).status, 403);
  Request same = post("/api/colorize", {});  // the page's own origin gets past, to the missing upload
  EXPECT_EQ(handle(same).status, 400);
}

TEST_F(ServeService, TryOnRenderIsWhatTheTryOnAppWritesForTheSamePlacement) {
  const Response r = tryon(R"({"items": [{"sample": "sofa_beige_34.png", "at": [400, 1000], "height_cm": 90}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "image/png");

  // What `neuroshop tryon wine_room.jpg --item sofa_beige_34.png --at 400,1000 --height-cm 90 -o OUT.png`
  // runs: the CLI's defaults, its harmonization and matting networks.
  tryon::TryOnJob job;
  job.room = kRoom.string();
  tryon::ItemPlacement p;
  p.file = (kSource / "samples" / "tryon" / "sofa_beige_34.png").string();
  p.at = cv::Point2d(400, 1000);
  p.height_cm = 90;
  job.items = {p};
  const fs::path out = fs::temp_directory_path() / ("neuroshop_serve_expected_" + std::to_string(getpid()) + ".png");
  job.output = out.string();
  auto harmonizer = std::make_shared<harmonize::HarmonizeModel>(harmonize::HarmonizeModel::load(shipped_options().harmonize_model));
  auto matte = std::make_shared<matte::MatteModel>(matte::MatteModel::load(shipped_options().matte_model));
  const tryon::TryOnReport report = tryon::run_tryon(
      job, [harmonizer](const cv::Mat& c, const cv::Mat& m) { return harmonizer->harmonize(c, m); },
      [matte](const cv::Mat& bgr) { return matte::network_cutout(*matte, bgr); });
  const std::string expected = file_bytes(out);
  fs::remove(out);
  EXPECT_EQ(r.body.size(), expected.size());
  EXPECT_TRUE(r.body == expected) << "the served PNG differs from run_tryon's";

  const json rep = json::parse(header(r, "X-Neuroshop-Report"));
  ASSERT_EQ(rep["items"].size(), 1u);
  EXPECT_EQ(rep["items"][0]["file"], "sofa_beige_34.png");
  EXPECT_EQ(rep["items"][0]["box"][3].get<int>(), report.items[0].box.height);
  EXPECT_EQ(rep["items"][0]["colour"], "network");
  EXPECT_DOUBLE_EQ(rep["horizon"]["y"].get<double>(), report.horizon.y);
}

TEST_F(ServeService, ListsTheCatalogueByCategoryAndServesItsPictures) {
  const Response list = handle(get("/api/catalogue"));
  ASSERT_EQ(list.status, 200) << list.body;
  const json j = json::parse(list.body);
  size_t items = 0;
  std::string picture;
  for (const json& category : j["categories"])
    for (const json& item : category["items"]) {
      ++items;
      if (item["name"] == "sofa-winchester") picture = item["views"][1]["picture"];
    }
  EXPECT_EQ(items, service_->catalogue().items.size());
  EXPECT_GE(items, 15u);
  ASSERT_EQ(picture, "/api/catalogue/sofa-winchester-front.png");
  const Response png = handle(get(picture));
  ASSERT_EQ(png.status, 200);
  EXPECT_EQ(png.content_type, "image/png");
  EXPECT_EQ(png.body, file_bytes(kSource / "samples" / "furniture" / "sofa-winchester-front.png"));
  for (const char* path : {"/api/catalogue/catalogue.tsv", "/api/catalogue/..%2F..%2FCMakeLists.txt", "/api/catalogue/"})
    EXPECT_EQ(handle(get(path)).status, 404) << path;
}

TEST_F(ServeService, TryOnRendersACatalogueItemKeptBehindARoomObject) {
  const Response r = tryon(R"({"items": [{"catalogue": "sofa-winchester", "at": [430, 800]}], "horizon": 300,
                               "camera_height_cm": 120, "in_front": [[300, 1100]], "harmonize": false})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json rep = json::parse(header(r, "X-Neuroshop-Report"));
  EXPECT_EQ(rep["items"][0]["file"], "sofa-winchester");
  EXPECT_EQ(rep["items"][0]["view"], "34");
  EXPECT_TRUE(contains(rep["items"][0]["view_reason"].get<std::string>(), "18.0°")) << rep.dump();
  EXPECT_TRUE(contains(rep["items"][0]["size_from"].get<std::string>(), "(catalogue)")) << rep.dump();
  ASSERT_EQ(rep["in_front"].size(), 1u);
  EXPECT_EQ(rep["in_front"][0]["hides"], json::array({0}));
  EXPECT_EQ(rep["items"][0]["behind"], json::array({0}));
}

TEST_F(ServeService, TryOnTakesAnUploadedItem) {
  const fs::path chair = kSource / "samples" / "tryon" / "chair_oak_34.png";
  const Response r = tryon(R"({"items": [{"upload": "item0", "at": [420, 1100], "height_cm": 100, "flip": true}],
                               "harmonize": false})",
                           {file_part("item0", chair, "image/png")});
  ASSERT_EQ(r.status, 200) << r.body;
  const Image result = decode_image(std::vector<uint8_t>(r.body.begin(), r.body.end()), "result");
  EXPECT_EQ(result.pixels.cols, 854);
  EXPECT_EQ(result.pixels.rows, 1280);
  const json rep = json::parse(header(r, "X-Neuroshop-Report"));
  EXPECT_EQ(rep["items"][0]["file"], "chair_oak_34.png");
  EXPECT_EQ(rep["items"][0]["colour"], "none");
  // The page's "Poisson seams" box reaches the compositor: the edges change, the size does not.
  const Response seams = tryon(R"({"items": [{"upload": "item0", "at": [420, 1100], "height_cm": 100, "flip": true}],
                                   "harmonize": false, "poisson_seams": true})",
                               {file_part("item0", chair, "image/png")});
  ASSERT_EQ(seams.status, 200) << seams.body;
  EXPECT_FALSE(seams.body == r.body);
  EXPECT_EQ(decode_image(std::vector<uint8_t>(seams.body.begin(), seams.body.end()), "seams").pixels.size(),
            result.pixels.size());
  // Without items.tsv beside an upload, its size must be given; the message names the field.
  const Response unsized = tryon(R"({"items": [{"upload": "item0", "at": [420, 1100]}]})", {file_part("item0", chair, "image/png")});
  EXPECT_EQ(unsized.status, 400);
  EXPECT_FALSE(contains(error_message(unsized), service_->temp_dir().string())) << "temporary paths stay private";
}

TEST_F(ServeService, TryOnRefusalsAreJsonWith4xx) {
  struct Case {
    std::string scene;
    int status;
    std::string says;
  };
  const Case cases[] = {
      {"not json", 400, "scene: not valid JSON"},
      {"[]", 400, "expected a JSON object"},
      {R"({"items": []})", 400, "items"},
      {R"({"items": [{"sample": "sofa_beige_34.png", "colour": "red"}]})", 400, "unknown field 'colour'"},
      {R"({"items": [{"sample": "../../CMakeLists.txt"}]})", 404, "no sample item named"},
      {R"({"items": [{"sample": "wine_room.jpg"}]})", 404, "no sample item named"},
      {R"({"items": [{"sample": "sofa_beige_34.png", "at": [5000, 10]}]})", 400, "items[0].at: expected [x, y] inside the 854x1280 image"},
      {R"({"items": [{"sample": "sofa_beige_34.png", "at": [1, 2, 3]}]})", 400, "items[0].at"},
      {R"({"items": [{"sample": "sofa_beige_34.png", "height_cm": -5}]})", 400, "items[0].height_cm"},
      {R"({"items": [{"sample": "sofa_beige_34.png", "height_cm": 80, "width_cm": 100}]})", 400, "give one size"},
      {R"({"items": [{"upload": "../etc/passwd"}]})", 400, "items[0].upload"},
      {R"({"items": [{"upload": "item3", "height_cm": 50}]})", 400, "missing upload"},
      {R"({"items": [{"sample": "sofa_beige_34.png", "upload": "item0"}]})", 400, "exactly one"},
      {R"({"items": [{"sample": "sofa_beige_34.png"}], "camera_height_cm": 1})", 400, "camera_height_cm"},
      {R"({"items": [{"catalogue": "sofa-winchster"}]})", 400, "items[0].catalogue: no catalogue item named 'sofa-winchster' (close: sofa-winchester"},
      {R"({"items": [{"catalogue": "sofa-winchester", "view": "side", "at": [400, 1000]}]})", 400, "items[0].view: expected one of the item's views (34, front)"},
      {R"({"items": [{"sample": "sofa_beige_34.png", "view": "front"}]})", 400, "only catalogue items have views"},
      {R"({"items": [{"catalogue": "sofa-beige"}], "in_front": [[5000, 5]]})", 400, "--in-front 1: expected X,Y inside the 854x1280 image"},
      {R"({"items": [{"catalogue": "sofa-beige"}], "in_front": [5]})", 400, "in_front[0]: expected [x, y]"},
  };
  for (const Case& c : cases) {
    const Response r = tryon(c.scene);
    EXPECT_EQ(r.status, c.status) << c.scene << " -> " << r.body;
    EXPECT_TRUE(contains(error_message(r), c.says)) << c.scene << " -> " << r.body;
  }
  // The room itself: missing, not an image, too large.
  EXPECT_EQ(handle(post("/api/tryon", {text_part("scene", "{}")})).status, 400);
  EXPECT_EQ(handle(post("/api/tryon", {file_part("room", kSource / "CMakeLists.txt", "image/jpeg")})).status, 415);
  EXPECT_EQ(handle(post("/api/tryon", {file_part("room", kSource / "CMakeLists.txt", "text/plain")})).status, 415);
  ServeOptions small = shipped_options();
  small.upload.max_bytes = 1000;
  Service limited(small);
  const Response big = limited.handle(post("/api/tryon", {file_part("room", kRoom, "image/jpeg"), text_part("scene", "{}")}));
  EXPECT_EQ(big.status, 413);
  EXPECT_TRUE(contains(error_message(big), "limit is 1000 bytes"));
}

TEST_F(ServeService, ColorizeIsWhatTheColorizeAppGives) {
  if (!fs::exists(shipped_options().colorize_model)) GTEST_SKIP() << "models/colorize.nsm is not installed";
  const fs::path photo = kSource / "samples" / "colorize" / "Path.jpg";
  const Response r = handle(post("/api/colorize", {file_part("image", photo, "image/jpeg"), text_part("vividness", "0.5")}));
  ASSERT_EQ(r.status, 200) << r.body;
  colorize::ColorizeModel model = colorize::ColorizeModel::load(shipped_options().colorize_model);
  colorize::ColorizeOptions options;
  options.vividness = 0.5f;
  const fs::path out = fs::temp_directory_path() / ("neuroshop_serve_colorize_" + std::to_string(getpid()) + ".png");
  write_image(out.string(), colorize::colorize_image(model, read_image(photo.string()), options));
  EXPECT_TRUE(r.body == file_bytes(out));
  fs::remove(out);
  EXPECT_EQ(handle(post("/api/colorize", {file_part("image", photo, "image/jpeg"), text_part("vividness", "nan")})).status, 400);
}

TEST_F(ServeService, StylizeWithAShippedStyleOrRefusal) {
  const fs::path photo = kSource / "samples" / "colorize" / "Path.jpg";
  const Response unknown = handle(post("/api/stylize", {file_part("content", photo, "image/jpeg"), text_part("style", "../colorize")}));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_TRUE(contains(error_message(unknown), "no shipped style named"));
  EXPECT_EQ(handle(post("/api/stylize", {file_part("content", photo, "image/jpeg")})).status, 400);
  EXPECT_EQ(handle(post("/api/stylize", {file_part("content", photo, "image/jpeg"), text_part("style", "x"),
                                         file_part("style_image", photo, "image/jpeg")}))
                .status,
            400);
  const Response method = handle(post("/api/stylize", {file_part("content", photo, "image/jpeg"),
                                                       file_part("style_image", photo, "image/jpeg"), text_part("method", "paint")}));
  EXPECT_EQ(method.status, 400);
  EXPECT_TRUE(contains(error_message(method), "patches")) << error_message(method);
  if (service_->styles().empty()) GTEST_SKIP() << "no shipped style in models/";
  const std::string name = service_->styles().front();
  const Response r = handle(post("/api/stylize", {file_part("content", photo, "image/jpeg"), text_part("style", name),
                                                  text_part("size", "256"), text_part("strength", "0.7")}));
  ASSERT_EQ(r.status, 200) << r.body;
  stylize::StyleModel model = stylize::StyleModel::load((kSource / "models" / stylize::style_model_file_name(name)).string());
  stylize::FastOptions fo;
  fo.size = 256;
  fo.strength = 0.7;
  const fs::path out = fs::temp_directory_path() / ("neuroshop_serve_stylize_" + std::to_string(getpid()) + ".png");
  write_image(out.string(), stylize::stylize_fast(model, read_image(photo.string()), fo));
  EXPECT_TRUE(r.body == file_bytes(out));
  fs::remove(out);
}

TEST(ServeTryOnForm, ParsesThePlacement) {
  const TryOnForm f = parse_tryon_form(R"({"items": [
      {"sample": "sofa_beige_34.png", "at": [620, 900], "height_cm": 85},
      {"upload": "item1", "at": [200.5, 850], "width_cm": 40, "flip": true, "rotate": -10, "order": 2}],
      "horizon": 300, "camera_height_cm": 120, "harmonize": false, "poisson_seams": true})");
  ASSERT_EQ(f.items.size(), 2u);
  EXPECT_EQ(f.sources[0].sample, "sofa_beige_34.png");
  EXPECT_EQ(f.sources[1].upload, "item1");
  EXPECT_EQ(*f.items[0].at, cv::Point2d(620, 900));
  EXPECT_EQ(*f.items[0].height_cm, 85);
  EXPECT_EQ(*f.items[1].width_cm, 40);
  EXPECT_TRUE(f.items[1].flip);
  EXPECT_EQ(f.items[1].rotate_deg, -10);
  EXPECT_EQ(*f.items[1].order, 2);
  EXPECT_EQ(f.items[1].field("at"), "items[1].at");
  EXPECT_EQ(*f.horizon_y, 300);
  EXPECT_EQ(f.camera_height_cm, 120);
  EXPECT_FALSE(f.harmonize);
  EXPECT_TRUE(f.poisson_seams);
  const TryOnForm defaults = parse_tryon_form(R"({"items": [{"sample": "a.png"}], "horizon": null})");
  EXPECT_FALSE(defaults.horizon_y.has_value());
  EXPECT_EQ(defaults.camera_height_cm, 150.0);
  EXPECT_TRUE(defaults.harmonize);
  EXPECT_FALSE(defaults.poisson_seams);
  EXPECT_THROW(parse_tryon_form(R"({"items": [{"sample": "a.png"}], "poisson_seams": "yes"})"), HttpError);
  EXPECT_FALSE(defaults.items[0].at.has_value());
  std::string many = R"({"items": [)";
  for (int i = 0; i <= kMaxTryOnItems; ++i) many += std::string(i ? "," : "") + R"({"sample": "a.png"})";
  EXPECT_THROW(parse_tryon_form(many + "]}"), HttpError);
  EXPECT_THROW(parse_tryon_form(R"({"items": [{"upload": "item16"}]})"), HttpError);
  EXPECT_THROW(parse_tryon_form(R"({"items": [{"sample": "a.png", "order": 1.5}]})"), HttpError);
  EXPECT_THROW(parse_tryon_form(R"({"items": [{"sample": "a.png", "flip": "yes"}]})"), HttpError);
  EXPECT_THROW(parse_tryon_form(R"({"items": [{"sample": 5}]})"), HttpError);
  const TryOnForm named = parse_tryon_form(R"({"items": [{"catalogue": "sofa-couch", "view": "front"}], "in_front": [[3, 4], [5.5, 6]]})");
  EXPECT_EQ(named.sources[0].catalogue, "sofa-couch");
  EXPECT_EQ(named.items[0].view, "front");
  ASSERT_EQ(named.in_front.size(), 2u);
  EXPECT_EQ(named.in_front[1], cv::Point2d(5.5, 6));
  EXPECT_THROW(parse_tryon_form(R"({"items": [{"catalogue": "a", "sample": "b.png"}]})"), HttpError);
  EXPECT_THROW(parse_tryon_form(R"({"items": [{"catalogue": "a"}], "in_front": [[1, "x"]]})"), HttpError);
}

}  // namespace
}  // namespace neuroshop::serve
