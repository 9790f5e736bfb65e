// The furniture catalogue (catalogue.h): the shipped samples/furniture/catalogue.tsv (enough items,
// real sizes, pictures, credits that samples/CREDITS.md repeats), the choice of view by the room's
// line of sight, close names for a misspelt one, and the checks on a malformed file.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "apps/tryon/catalogue.h"
#include "core/errors.h"

namespace neuroshop::tryon {
namespace {
namespace fs = std::filesystem;

const std::string kShipped = std::string(NEUROSHOP_SOURCE_DIR) + "/samples/furniture/catalogue.tsv";

TEST(TryonCatalogue, TheShippedCatalogueHasRealSizesPicturesAndCredits) {
  const Catalogue c = read_catalogue(kShipped);
  EXPECT_GE(c.items.size(), 15u);
  std::ifstream credits_file(std::string(NEUROSHOP_SOURCE_DIR) + "/samples/CREDITS.md");
  std::stringstream credits;
  credits << credits_file.rdbuf();
  for (const CatalogueItem& it : c.items) {
    EXPECT_GT(it.width_cm, 10.0) << it.name;
    EXPECT_GT(it.height_cm, 10.0) << it.name;
    EXPECT_FALSE(it.views.empty()) << it.name;
    for (const CatalogueView& v : it.views) EXPECT_TRUE(fs::is_regular_file(v.file)) << v.file;
    EXPECT_TRUE(it.licence == "CC0-1.0" || it.licence.rfind("CC-BY-", 0) == 0) << it.name << ": " << it.licence;
    EXPECT_FALSE(it.creator.empty()) << it.name;
    EXPECT_EQ(it.licence_url.rfind("https://creativecommons.org/", 0), 0u) << it.name;
    EXPECT_NE(credits.str().find("furniture/" + it.views.front().file.substr(it.views.front().file.rfind('/') + 1)),
              std::string::npos)
        << it.name << " is not credited in samples/CREDITS.md";
  }
  ASSERT_NE(c.find("sofa-winchester"), nullptr);
  EXPECT_EQ(c.find("sofa-winchester")->views.size(), 2u);
  EXPECT_EQ(c.find("sofa"), nullptr);
  EXPECT_GE(c.categories().size(), 3u);
}

TEST(TryonCatalogue, TheViewNearestTheRoomsLineOfSightIsChosen) {
  const std::vector<CatalogueView> views = {{"34", "a.png", -30, 17}, {"front", "b.png", 0, 12}};
  EXPECT_NEAR(sight_elevation_deg(500 + 300, 300, 500), 45.0, 1e-9);
  EXPECT_EQ(choose_view(views, 18.0, "", "x").index, 0u);
  EXPECT_EQ(choose_view(views, 14.0, "", "x").index, 1u);
  EXPECT_EQ(choose_view(views, 3.0, "", "x").index, 1u);
  const ViewChoice given = choose_view(views, 30.0, "front", "x");
  EXPECT_EQ(given.index, 1u);
  EXPECT_NE(given.reason.find("given"), std::string::npos);
  EXPECT_NE(choose_view(views, 18.0, "", "x").reason.find("17.0°"), std::string::npos);
  EXPECT_THROW(choose_view(views, 18.0, "side", "x"), ArgumentError);
}

TEST(TryonCatalogue, CloseNamesForAMisspeltOne) {
  const Catalogue c = read_catalogue(kShipped);
  const std::vector<std::string> close = c.close_names("sofa-winchster");
  ASSERT_FALSE(close.empty());
  EXPECT_EQ(close.front(), "sofa-winchester");
  EXPECT_EQ(c.close_names("lamp").size(), 2u);  // both lamps share the word
  EXPECT_TRUE(c.close_names("xyzzy-qwerty-plugh").empty());
  EXPECT_NE(unknown_item_message(c, "sofa-winchster", "--item 1").find("close: sofa-winchester"), std::string::npos);
}

TEST(TryonCatalogue, MalformedCataloguesNameTheLine) {
  const fs::path dir = fs::temp_directory_path() / ("neuroshop_catalogue_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.png") << "x";
  const std::string header = "name\ttitle\tcategory\twidth_cm\tdepth_cm\theight_cm\tviews\n";
  auto expect_error = [&](const std::string& text, const std::string& part) {
    std::ofstream(dir / "c.tsv") << text;
    try {
      read_catalogue((dir / "c.tsv").string());
      ADD_FAILURE() << "no error for: " << text;
    } catch (const IoError& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  expect_error("name\ttitle\n", "the header has no 'category' column");
  expect_error(header + "sofa\tSofa\tLiving\t-3\t1\t1\t34=a.png@0,12\n", "line 2: width_cm: expected a size in cm, got '-3'");
  expect_error(header + "sofa\tSofa\tLiving\t3\t1\t1\t34=a.png\n", "expected a view as VIEW=FILE@AZIMUTH,ELEVATION");
  expect_error(header + "sofa\tSofa\tLiving\t3\t1\t1\t34=b.png@0,12\n", "no picture");
  expect_error(header + "sofa\tSofa\tLiving\t3\t1\t1\t34=a.png@0,12\nsofa\tSofa\tLiving\t3\t1\t1\t34=a.png@0,12\n", "used twice");
  expect_error(header, "at least one item");
  EXPECT_THROW(read_catalogue((dir / "none.tsv").string()), IoError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace neuroshop::tryon
