// Builds the furniture catalogue for scripts/furniture-catalogue.sh from a folder of renders: their
// CREDITS.tsv (one row per picture: item, category, real size, creator, licence, attribution) and
// manifest.json (each view's camera azimuth and elevation). Every PNG view whose licence may be
// redistributed is written with its long side at most SIDE px (resampled premultiplied, so no
// backdrop colour bleeds into the edge) as OUT/ID-VIEW.png, and OUT/catalogue.tsv lists the items.
// The _white.jpg product shots are not taken. Built by that script with g++ and OpenCV; not part
// of neuroshop.
//   furniture_catalogue RENDERS_DIR OUT_DIR SIDE
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace {

const std::set<std::string> kRedistributable = {"CC0-1.0", "CC-BY-3.0", "CC-BY-3.0-US", "CC-BY-4.0"};

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, sep)) out.push_back(cell);
  return out;
}

// sofa_winchester_34.png -> ("sofa-winchester", "34")
std::pair<std::string, std::string> id_and_view(const std::string& file) {
  const std::string stem = file.substr(0, file.rfind('.'));
  const size_t cut = stem.rfind('_');
  std::string id = stem.substr(0, cut);
  std::replace(id.begin(), id.end(), '_', '-');
  return {id, stem.substr(cut + 1)};
}

std::string first_match(const std::string& text, const std::string& pattern) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(pattern)) ? m.str(0) : std::string();
}

void fail(const std::string& what) {
  std::fprintf(stderr, "furniture_catalogue: %s\n", what.c_str());
  std::exit(1);
}

// Long side at most `side`, colour premultiplied by alpha while resampling.
cv::Mat shrink(const cv::Mat& bgra, int side) {
  const double s = std::min(1.0, static_cast<double>(side) / std::max(bgra.cols, bgra.rows));
  if (s >= 1.0) return bgra;
  cv::Mat f;
  bgra.convertTo(f, CV_32FC4, 1.0 / 255.0);
  std::vector<cv::Mat> ch;
  cv::split(f, ch);
  for (int c = 0; c < 3; ++c) ch[c] = ch[c].mul(ch[3]);
  cv::merge(ch, f);
  cv::resize(f, f, cv::Size(), s, s, cv::INTER_AREA);
  cv::split(f, ch);
  const cv::Mat safe = cv::max(ch[3], 1e-6f);
  for (int c = 0; c < 3; ++c) ch[c] = cv::min(ch[c] / safe, 1.0f);
  cv::merge(ch, f);
  cv::Mat out;
  f.convertTo(out, CV_8UC4, 255.0);
  return out;
}

struct Item {
  std::string id, title, category, width, depth, height, creator, licence, licence_url, source, attribution;
  std::vector<std::string> views;  // "VIEW=FILE@AZ,EL"
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s RENDERS_DIR OUT_DIR SIDE\n", argv[0]);
    return 2;
  }
  const std::string renders = argv[1], out = argv[2];
  const int side = std::atoi(argv[3]);
  std::ifstream manifest_file(renders + "/manifest.json");
  if (!manifest_file) fail("cannot read " + renders + "/manifest.json");
  const nlohmann::json manifest = nlohmann::json::parse(manifest_file);
  std::map<std::string, std::pair<double, double>> camera;  // png -> (azimuth, elevation)
  for (const auto& v : manifest) camera[v.at("png").get<std::string>()] = {v.at("camera_azimuth_deg"), v.at("camera_elevation_deg")};

  std::ifstream credits(renders + "/CREDITS.tsv");
  if (!credits) fail("cannot read " + renders + "/CREDITS.tsv");
  std::string line;
  std::getline(credits, line);
  std::map<std::string, size_t> col;
  const std::vector<std::string> header = split(line, '\t');
  for (size_t i = 0; i < header.size(); ++i) col[header[i].substr(0, header[i].find(' '))] = i;
  for (const char* need : {"file", "item_name", "category", "width_cm", "depth_cm", "height_cm", "creator", "licence", "attribution"})
    if (!col.count(need)) fail("CREDITS.tsv has no column " + std::string(need));

  std::vector<Item> items;
  std::map<std::string, size_t> index;
  int skipped = 0;
  while (std::getline(credits, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> c = split(line, '\t');
    const std::string file = c.at(col["file"]);
    if (file.size() < 4 || file.substr(file.size() - 4) != ".png") continue;  // the _white.jpg shots stay out
    if (!kRedistributable.count(c.at(col["licence"]))) {
      std::fprintf(stderr, "skipped %s: licence %s\n", file.c_str(), c.at(col["licence"]).c_str());
      ++skipped;
      continue;
    }
    if (!camera.count(file)) fail(file + " is not in manifest.json");
    const auto [id, view] = id_and_view(file);
    if (!index.count(id)) {
      Item it;
      it.id = id;
      it.title = c.at(col["item_name"]);
      it.category = c.at(col["category"]);
      it.width = c.at(col["width_cm"]);
      it.depth = c.at(col["depth_cm"]);
      it.height = c.at(col["height_cm"]);
      it.creator = c.at(col["creator"]);
      it.licence = c.at(col["licence"]);
      it.attribution = c.at(col["attribution"]);
      it.licence_url = first_match(it.attribution, "https://creativecommons\\.org/[^ ;,]+");
      it.source = first_match(it.attribution, "http://www\\.blendswap\\.com/blends/view/[0-9]+");
      if (it.source.empty()) it.source = first_match(it.attribution, "http://www\\.scopia\\.es");
      if (it.source.empty()) it.source = "Debian package " + c.at(col["source_package"]);
      index[id] = items.size();
      items.push_back(it);
    }
    const cv::Mat picture = cv::imread(renders + "/" + file, cv::IMREAD_UNCHANGED);
    if (picture.empty() || picture.channels() != 4) fail(file + ": expected a PNG with alpha");
    const std::string name = id + "-" + view + ".png";
    if (!cv::imwrite(out + "/" + name, shrink(picture, side), {cv::IMWRITE_PNG_COMPRESSION, 9})) fail("cannot write " + name);
    std::ostringstream v;
    v << view << "=" << name << "@" << camera[file].first << "," << camera[file].second;
    items[index[id]].views.push_back(v.str());
  }
  // Two items of one title (two "Couch") are told apart by the last word of their id, unless that
  // word is the title itself.
  std::map<std::string, int> titles;
  for (const Item& it : items) ++titles[it.title];
  for (Item& it : items) {
    std::string word = split(it.id, '-').back(), lower = it.title;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (titles[it.title] > 1 && word != lower) it.title += " (" + word + ")";
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.category != b.category ? a.category < b.category : a.id < b.id;
  });

  std::ofstream tsv(out + "/catalogue.tsv");
  tsv << "# neuroshop furniture catalogue, made by scripts/furniture-catalogue.sh; credits also in samples/CREDITS.md.\n"
         "# views: VIEW=FILE@AZIMUTH,ELEVATION separated by spaces: the picture of each view and its camera (degrees;\n"
         "# azimuth 0 = from the front, elevation = how far the camera looked down at the item).\n";
  tsv << "name\ttitle\tcategory\twidth_cm\tdepth_cm\theight_cm\tviews\tcreator\tlicence\tlicence_url\tsource\tattribution\n";
  for (const Item& it : items) {
    std::string views;
    for (const std::string& v : it.views) views += (views.empty() ? "" : " ") + v;
    tsv << it.id << '\t' << it.title << '\t' << it.category << '\t' << it.width << '\t' << it.depth << '\t' << it.height << '\t'
        << views << '\t' << it.creator << '\t' << it.licence << '\t' << it.licence_url << '\t' << it.source << '\t'
        << it.attribution << "; downscaled to " << side << " px by neuroshop\n";
  }
  std::printf("%zu items written to %s (%d pictures skipped for their licence)\n", items.size(), out.c_str(), skipped);
  return 0;
}
