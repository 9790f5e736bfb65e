// Try-on scene files and placements: every error names the file and the field; the items.tsv
// sidecar gives real dimensions.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "apps/tryon/item.h"
#include "apps/tryon/scene.h"
#include "core/errors.h"

namespace neuroshop::tryon {
namespace {

// The message of the ArgumentError/IoError `fn` throws ("" when it does not throw).
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(TryonScene, ParsesItemsAndResolvesPathsAgainstTheSceneFolder) {
  const Scene s = parse_scene(R"({"room": "room.jpg", "horizon": 300, "items": [
      {"file": "sofa.png", "at": [400, 600], "height_cm": 85, "flip": true, "order": 2},
      {"file": "/abs/lamp.png", "width_cm": 40, "rotate": -5}]})",
                              "scene.json", "/data/scenes");
  EXPECT_EQ(s.room, "/data/scenes/room.jpg");
  ASSERT_TRUE(s.horizon_y.has_value());
  EXPECT_EQ(*s.horizon_y, 300);
  ASSERT_EQ(s.items.size(), 2u);
  EXPECT_EQ(s.items[0].file, "/data/scenes/sofa.png");
  EXPECT_EQ(*s.items[0].at, cv::Point2d(400, 600));
  EXPECT_EQ(*s.items[0].height_cm, 85);
  EXPECT_TRUE(s.items[0].flip);
  EXPECT_EQ(*s.items[0].order, 2);
  EXPECT_EQ(s.items[1].file, "/abs/lamp.png");
  EXPECT_FALSE(s.items[1].at.has_value());
  EXPECT_EQ(*s.items[1].width_cm, 40);
  EXPECT_EQ(s.items[1].rotate_deg, -5);
}

TEST(TryonScene, ErrorsNameTheField) {
  auto parse = [](const std::string& text) { return error_of([&] { parse_scene(text, "scene.json", ""); }); };
  EXPECT_TRUE(contains(parse("{\"items\": [ {\"file\": \"a.png\"} "), "scene.json: not valid JSON"));
  EXPECT_TRUE(contains(parse("[1, 2]"), "scene.json: expected a JSON object"));
  EXPECT_TRUE(contains(parse("{\"room\": \"r.jpg\"}"), "scene.json: items: missing"));
  EXPECT_TRUE(contains(parse("{\"items\": []}"), "scene.json: items: expected a non-empty list"));
  EXPECT_TRUE(contains(parse("{\"items\": [{\"at\": [1, 2]}]}"), "scene.json: items[0].file"));
  EXPECT_TRUE(contains(parse("{\"items\": [{\"file\": \"a.png\"}, {\"file\": \"b.png\", \"at\": [1]}]}"),
                       "scene.json: items[1].at: expected [x, y]"));
  EXPECT_TRUE(contains(parse("{\"items\": [{\"file\": \"a.png\", \"at\": \"1,2\"}]}"), "scene.json: items[0].at"));
  EXPECT_TRUE(contains(parse("{\"items\": [{\"file\": \"a.png\", \"height_cm\": \"tall\"}]}"),
                       "scene.json: items[0].height_cm: expected a number"));
  EXPECT_TRUE(contains(parse("{\"items\": [{\"file\": \"a.png\", \"flip\": 1}]}"), "scene.json: items[0].flip: expected true or false"));
  EXPECT_TRUE(contains(parse("{\"items\": [{\"file\": \"a.png\", \"order\": 1.5}]}"), "scene.json: items[0].order: expected an integer"));
  EXPECT_TRUE(contains(parse("{\"items\": [{\"file\": \"a.png\", \"heigth_cm\": 80}]}"), "scene.json: items[0]: unknown field 'heigth_cm'"));
  EXPECT_TRUE(contains(parse("{\"itmes\": []}"), "scene.json: unknown field 'itmes'"));
  EXPECT_TRUE(contains(parse("{\"camera_height_cm\": -3, \"items\": [{\"file\": \"a.png\"}]}"), "scene.json: camera_height_cm"));
}

TEST(TryonScene, PlacementsAreCheckedAgainstTheRoom) {
  const Scene s = parse_scene(R"({"items": [{"file": "a.png", "at": [10, 20]}, {"file": "b.png", "at": [2000, 10]}]})",
                              "scene.json", "");
  EXPECT_EQ(error_of([&] { validate_placements(s.items, {1024, 768}); }),
            "scene.json: items[1].at: expected [x, y] inside the 1024x768 image, got [2000, 10]");
  const Scene sizes = parse_scene(R"({"items": [{"file": "a.png", "height_cm": -4}]})", "scene.json", "");
  EXPECT_TRUE(contains(error_of([&] { validate_placements(sizes.items, {100, 100}); }), "scene.json: items[0].height_cm: expected a positive size"));
  const Scene two = parse_scene(R"({"items": [{"file": "a.png", "height_cm": 4, "width_cm": 9}]})", "scene.json", "");
  EXPECT_TRUE(contains(error_of([&] { validate_placements(two.items, {100, 100}); }), "scene.json: items[0]: give one size"));
  // Command-line placements name the option instead.
  ItemPlacement p;
  p.file = "sofa.png";
  p.who = "--item 1 'sofa.png'";
  p.at = cv::Point2d(-1, 5);
  EXPECT_EQ(error_of([&] { validate_placements({p}, {640, 480}); }),
            "--item 1 'sofa.png' --at: expected X,Y inside the 640x480 image, got -1,5");
}

TEST(TryonScene, ReadsDimensionsFromTheSidecar) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "neuroshop_tryon_sidecar";
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "items.tsv");
    out << "file\titem_name\twidth_cm\tdepth_cm\theight_cm\tazimuth_deg\televation_deg\n"
        << "sofa.png\tSofa\t166.9\t74.7\t84.8\t-30\t17\n"
        << "bad.png\tBad\twide\t1\t2\t0\t0\n";
  }
  const auto d = find_item_dimensions((dir / "sofa.png").string());
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->name, "Sofa");
  EXPECT_DOUBLE_EQ(d->height_cm, 84.8);
  EXPECT_DOUBLE_EQ(d->azimuth_deg, -30);
  EXPECT_FALSE(find_item_dimensions((dir / "other.png").string()).has_value());
  EXPECT_TRUE(contains(error_of([&] { find_item_dimensions((dir / "bad.png").string()); }), "items.tsv line 3 width_cm"));
  EXPECT_FALSE(find_item_dimensions("/nonexistent/dir/x.png").has_value());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace neuroshop::tryon
