// The routes of `neuroshop serve`; see service.h.
#include "apps/serve/service.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "apps/colorize/colorize.h"
#include "apps/serve/static_files.h"
#include "apps/serve/tryon_form.h"
#include "apps/stylize/fast.h"
#include "apps/stylize/stylize.h"
#include "apps/tryon/networks.h"
#include "apps/tryon/tryon.h"
#include "core/errors.h"
#include "core/parse_number.h"

namespace neuroshop::serve {
namespace fs = std::filesystem;
using nlohmann::json;

struct Service::Models {
  explicit Models(const ServeOptions& options) : tryon(options.harmonize_model, options.matte_model) {}
  std::unique_ptr<colorize::ColorizeModel> colorize;
  tryon::TryOnNetworks tryon;
  std::map<std::string, std::unique_ptr<stylize::StyleModel>> styles;
};

namespace {

std::string dump(const json& j) { return j.dump(-1, ' ', true, json::error_handler_t::replace); }

bool file_exists(const std::string& path) {
  std::error_code ec;
  return !path.empty() && fs::is_regular_file(path, ec);
}

// Messages of the applications name the job's files by their full temporary path; the client
// knows them by their plain names.
std::string without_folder(std::string message, const fs::path& folder) {
  const std::string prefix = folder.string() + "/";
  for (size_t at = message.find(prefix); at != std::string::npos; at = message.find(prefix, at))
    message.erase(at, prefix.size());
  return message;
}

// A text field of the form, or nullopt when absent or empty.
std::optional<std::string> field_text(const Request& request, const std::string& name) {
  const FormPart* p = request.part(name);
  if (p == nullptr || p->content.empty()) return std::nullopt;
  if (!p->filename.empty()) throw HttpError(400, name + ": expected a text field, got a file");
  return p->content;
}

std::optional<double> field_number(const Request& request, const std::string& name, double lo, double hi) {
  const std::optional<std::string> text = field_text(request, name);
  if (!text) return std::nullopt;
  if (const std::optional<double> v = parse_finite(*text); v && *v >= lo && *v <= hi) return *v;
  std::ostringstream range;
  range << "[" << lo << ", " << hi << "]";
  throw HttpError(400, name + ": expected a number in " + range.str() + ", got '" + text->substr(0, 40) + "'");
}

bool field_flag(const Request& request, const std::string& name) {
  const std::optional<std::string> text = field_text(request, name);
  if (!text || *text == "false" || *text == "0" || *text == "off") return false;
  if (*text == "true" || *text == "1" || *text == "on") return true;
  throw HttpError(400, name + ": expected true or false, got '" + text->substr(0, 40) + "'");
}

const char* extension_of(const std::string& format) {
  if (format == "png") return ".png";
  if (format == "jpeg") return ".jpg";
  if (format == "webp") return ".webp";
  if (format == "tiff") return ".tif";
  return ".bmp";
}

Response png_file(const fs::path& file) {
  Response r;
  r.content_type = "image/png";
  r.body = read_bytes(file);
  return r;
}

// The stored upload's bytes as the applications will read them, under a name the server picks.
fs::path store_upload(const FormPart& part, const CheckedImage& checked, const fs::path& folder, const std::string& stem) {
  const fs::path file = folder / (stem + extension_of(checked.format));
  write_bytes(file, part.content);
  return file;
}

}  // namespace

Service::Service(ServeOptions options) : options_(std::move(options)), models_(std::make_unique<Models>(options_)) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.samples_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || !is_plain_file_name(name) || !has_image_extension(name)) continue;
    const std::optional<tryon::ItemDimensions> dims = tryon::find_item_dimensions(entry.path().string());
    const bool result = name.find("-before-after.") != std::string::npos;  // a picture of a try-on, not a room
    if (dims) items_.push_back({name, dims->name, dims->width_cm, dims->depth_cm, dims->height_cm});
    else if (!result) rooms_.push_back(name);
  }
  std::sort(rooms_.begin(), rooms_.end());
  std::sort(items_.begin(), items_.end(), [](const SampleItem& a, const SampleItem& b) { return a.name < b.name; });
  for (const auto& entry : fs::directory_iterator(options_.models_dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("style-", 0) == 0 && entry.path().extension() == ".nsm" && file.find(".ckpt.") == std::string::npos &&
        file.size() > 10 && is_plain_file_name(file))
      styles_.push_back(file.substr(6, file.size() - 10));
  }
  std::sort(styles_.begin(), styles_.end());
  if (!options_.catalogue.empty() && fs::is_regular_file(options_.catalogue, ec)) catalogue_ = tryon::read_catalogue(options_.catalogue);
  const fs::path parent = options_.temp_parent.empty() ? fs::temp_directory_path() : options_.temp_parent;
  temp_ = std::make_unique<TempDir>(parent, "neuroshop-serve");
}

Service::~Service() = default;

const fs::path& Service::temp_dir() const { return temp_->path(); }

Response Service::handle(const Request& request) {
  Response r;
  try {
    r = route(request);
  } catch (const HttpError& e) {
    r = error_response(e.status(), e.what());
  } catch (const ArgumentError& e) {
    r = error_response(400, e.what());
  } catch (const IoError& e) {
    r = error_response(400, e.what());
  } catch (const ModelError& e) {
    r = error_response(503, e.what());
  } catch (const std::bad_alloc&) {
    r = error_response(503, "out of memory: try a smaller picture");
  } catch (const std::exception& e) {
    r = error_response(500, std::string("internal error: ") + e.what());
  }
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  if (r.content_type.rfind("text/html", 0) == 0)
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' blob: data:; script-src 'self'; style-src 'self'; "
                           "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'");
  if (request.path.rfind("/api/", 0) == 0) r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response Service::route(const Request& request) {
  if (!options_.allowed_hosts.empty()) {
    const std::string host = host_name(request.host);
    if (std::find(options_.allowed_hosts.begin(), options_.allowed_hosts.end(), host) == options_.allowed_hosts.end())
      throw HttpError(403, "host '" + request.host.substr(0, 80) + "' is not served here (open the address neuroshop serve printed)");
  }
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool post = request.method == "POST";
  if (post && !request.origin.empty()) {
    // Browsers send Origin with every POST: one from another site is a cross-site request.
    const std::string authority = request.origin.substr(request.origin.find("://") == std::string::npos
                                                            ? 0
                                                            : request.origin.find("://") + 3);
    if (authority != request.host) throw HttpError(403, "cross-origin request refused (from '" + request.origin.substr(0, 80) + "')");
  }
  const std::string& path = request.path;
  const std::string kSamples = "/api/samples/", kCatalogue = "/api/catalogue/";
  const bool api_post = path == "/api/tryon" || path == "/api/colorize" || path == "/api/stylize";
  const bool api_get = path == "/api/info" || path == "/api/samples" || path.rfind(kSamples, 0) == 0 ||
                       path == "/api/catalogue" || path.rfind(kCatalogue, 0) == 0;
  if (api_post) {
    if (!post) throw HttpError(405, request.method + " " + path + ": expected POST");
    if (path == "/api/tryon") return tryon(request);
    if (path == "/api/colorize") return colorize(request);
    return stylize(request);
  }
  if (!get) throw HttpError(405, request.method + " " + path + ": expected GET");
  if (api_get) {
    if (path == "/api/info") return info();
    if (path == "/api/samples") return samples();
    if (path == "/api/catalogue") return catalogue_listing();
    if (path.rfind(kCatalogue, 0) == 0) return catalogue_picture(percent_decode(path.substr(kCatalogue.size())));
    return sample_picture(percent_decode(path.substr(kSamples.size())));
  }
  if (path.rfind("/api/", 0) == 0) throw HttpError(404, "not found: " + path);
  const fs::path file = resolve_static_path(options_.web_root, path);
  Response r;
  r.content_type = static_content_type(file);
  r.body = read_bytes(file);
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

Response Service::info() const {
  json j;
  j["version"] = 1;
  j["max_upload_bytes"] = options_.upload.max_bytes;
  j["max_pixels"] = options_.upload.max_pixels;
  j["colorize"] = file_exists(options_.colorize_model);
  j["harmonize"] = file_exists(options_.harmonize_model);
  j["matte"] = file_exists(options_.matte_model);
  j["styles"] = styles_;
  j["max_items"] = kMaxTryOnItems;
  return json_response(dump(j));
}

Response Service::samples() const {
  json j;
  j["rooms"] = json::array();
  for (const std::string& r : rooms_) j["rooms"].push_back({{"name", r}});
  j["items"] = json::array();
  for (const SampleItem& it : items_)
    j["items"].push_back({{"name", it.name}, {"title", it.title}, {"width_cm", it.width_cm}, {"depth_cm", it.depth_cm},
                          {"height_cm", it.height_cm}});
  return json_response(dump(j));
}

fs::path Service::sample_path(const std::string& name, bool item) const {
  const bool listed = item ? std::any_of(items_.begin(), items_.end(), [&](const SampleItem& s) { return s.name == name; })
                           : std::find(rooms_.begin(), rooms_.end(), name) != rooms_.end();
  if (!listed) throw HttpError(404, std::string("no sample ") + (item ? "item" : "room") + " named '" + name.substr(0, 80) + "'");
  return options_.samples_dir / name;
}

Response Service::sample_picture(const std::string& name) const {
  const bool item = std::any_of(items_.begin(), items_.end(), [&](const SampleItem& s) { return s.name == name; });
  const fs::path file = sample_path(name, item);
  Response r;
  r.content_type = static_content_type(file);
  if (r.content_type.empty()) r.content_type = "application/octet-stream";
  r.body = read_bytes(file);
  r.headers.emplace_back("Cache-Control", "max-age=3600");
  return r;
}

Response Service::catalogue_listing() const {
  json j;
  j["categories"] = json::array();
  for (const std::string& category : catalogue_.categories()) {
    json items = json::array();
    for (const tryon::CatalogueItem& it : catalogue_.items) {
      if (it.category != category) continue;
      json views = json::array();
      for (const tryon::CatalogueView& v : it.views) {
        const std::string file = fs::path(v.file).filename().string();
        views.push_back({{"view", v.name}, {"picture", "/api/catalogue/" + file}, {"elevation_deg", v.elevation_deg}});
      }
      items.push_back({{"name", it.name}, {"title", it.title}, {"width_cm", it.width_cm}, {"depth_cm", it.depth_cm},
                       {"height_cm", it.height_cm}, {"views", views}, {"creator", it.creator}, {"licence", it.licence},
                       {"attribution", it.attribution}});
    }
    j["categories"].push_back({{"category", category}, {"items", items}});
  }
  return json_response(dump(j));
}

Response Service::catalogue_picture(const std::string& file) const {
  for (const tryon::CatalogueItem& it : catalogue_.items)
    for (const tryon::CatalogueView& v : it.views)
      if (fs::path(v.file).filename().string() == file) {
        Response r;
        r.content_type = static_content_type(v.file);
        r.body = read_bytes(v.file);
        r.headers.emplace_back("Cache-Control", "max-age=3600");
        return r;
      }
  throw HttpError(404, "no catalogue picture named '" + file.substr(0, 80) + "'");
}

Response Service::tryon(const Request& request) {
  const FormPart* room_part = request.part("room");
  const CheckedImage room = check_image_upload(room_part, "room", options_.upload);
  const std::optional<std::string> scene = field_text(request, "scene");
  if (!scene) throw HttpError(400, "missing field 'scene': expected the placement as JSON");
  const TryOnForm form = parse_tryon_form(*scene);

  TempDir job_dir(temp_->path(), "tryon");
  tryon::TryOnJob job;
  job.room = store_upload(*room_part, room, job_dir.path(), "room").string();
  std::vector<std::string> shown_names;
  for (size_t i = 0; i < form.items.size(); ++i) {
    tryon::ItemPlacement p = form.items[i];
    const ItemSource& source = form.sources[i];
    if (!source.catalogue.empty()) {
      // By name, as `neuroshop tryon --item NAME` (run_tryon resolves it in the catalogue).
      if (!catalogue_.find(source.catalogue))
        throw HttpError(400, p.who + ".catalogue: no catalogue item named '" + source.catalogue.substr(0, 80) + "' " +
                                 tryon::close_names_hint(catalogue_, source.catalogue));
      p.file = source.catalogue;
      shown_names.push_back(source.catalogue);
    } else if (!source.sample.empty()) {
      // The sample's own path, so the items.tsv beside it gives its real size, as for the CLI.
      p.file = sample_path(source.sample, true).string();
      shown_names.push_back(source.sample);
    } else {
      const FormPart* part = request.part(source.upload);
      const CheckedImage picture = check_image_upload(part, p.who + " (" + source.upload + ")", options_.upload);
      p.file = store_upload(*part, picture, job_dir.path(), "item" + std::to_string(i)).string();
      shown_names.push_back(picture.name);
    }
    job.items.push_back(p);
  }
  // The CLI's defaults for everything the form does not set (see run_tryon_command in cmd_tryon.cpp).
  job.options.horizon_y = form.horizon_y;
  job.options.camera_height_cm = form.camera_height_cm;
  job.options.harmonize = form.harmonize;
  job.options.poisson_seams = form.poisson_seams;
  job.options.in_front = form.in_front;
  job.catalogue = catalogue_.path;
  job.cutout = tryon::CutoutMode::kAuto;
  job.before_after = form.before_after;
  job.output = (job_dir.path() / "tryon.png").string();

  std::lock_guard<std::mutex> lock(work_mutex_);
  // The networks the CLI uses when their files are there, loaded once.
  const tryon::HarmonizeFn harmonize = models_->tryon.harmonizer(job.options.harmonize);
  const tryon::NetworkCutout cutout = models_->tryon.cutout(job.cutout);
  tryon::TryOnReport report;
  try {
    report = tryon::run_tryon(job, harmonize, cutout);
  } catch (const ArgumentError& e) {
    throw HttpError(400, without_folder(e.what(), job_dir.path()));
  } catch (const IoError& e) {
    throw HttpError(400, without_folder(e.what(), job_dir.path()));
  }

  json j;
  j["horizon"] = {{"y", report.horizon.y}, {"from_image", report.horizon.from_image}, {"given", report.horizon_given},
                  {"note", report.horizon.note}};
  j["light"] = {report.light.x, report.light.y};
  j["camera_height_cm"] = job.options.camera_height_cm;
  j["items"] = json::array();
  for (size_t i = 0; i < report.items.size(); ++i) {
    const tryon::PlacedReport& it = report.items[i];
    j["items"].push_back({{"file", i < shown_names.size() ? shown_names[i] : it.file},
                          {"at", {it.at.x, it.at.y}},
                          {"box", {it.box.x, it.box.y, it.box.width, it.box.height}},
                          {"height_px", it.height_px},
                          {"pixels_per_cm", it.pixels_per_cm},
                          {"size_from", it.size_from},
                          {"colour", it.colour},
                          {"cutout", it.cutout},
                          {"view", it.view},
                          {"view_reason", it.view_reason},
                          {"behind", it.behind}});
  }
  j["in_front"] = json::array();
  for (const tryon::InFrontReport& o : report.in_front)
    j["in_front"].push_back({{"point", {o.point.x, o.point.y}},
                             {"box", {o.box.x, o.box.y, o.box.width, o.box.height}},
                             {"contact_y", o.contact_y},
                             {"hides", o.hides}});
  Response r = png_file(job.output);
  r.headers.emplace_back("X-Neuroshop-Report", dump(j));
  return r;
}

Response Service::colorize(const Request& request) {
  const CheckedImage image = check_image_upload(request.part("image"), "image", options_.upload);
  colorize::ColorizeOptions options;  // the CLI's defaults
  if (const auto v = field_number(request, "vividness", 0.01, 10.0)) options.vividness = static_cast<float>(*v);
  if (!file_exists(options_.colorize_model))
    throw HttpError(503, "the colorize model '" + options_.colorize_model + "' is not installed");

  TempDir job_dir(temp_->path(), "colorize");
  const fs::path out = job_dir.path() / "colorized.png";
  std::lock_guard<std::mutex> lock(work_mutex_);
  if (!models_->colorize)
    models_->colorize = std::make_unique<colorize::ColorizeModel>(colorize::ColorizeModel::load(options_.colorize_model));
  write_image(out.string(), colorize::colorize_image(*models_->colorize, image.image, options));
  return png_file(out);
}

Response Service::stylize(const Request& request) {
  const CheckedImage content = check_image_upload(request.part("content"), "content", options_.upload);
  const std::optional<std::string> style_name = field_text(request, "style");
  const FormPart* style_part = request.part("style_image");
  if (style_name.has_value() == (style_part != nullptr))
    throw HttpError(400, "give either 'style' (a shipped style's name) or 'style_image' (an uploaded painting)");
  const double strength = field_number(request, "strength", 0.0, 1.0).value_or(1.0);
  const bool preserve_colors = field_flag(request, "preserve_colors");

  TempDir job_dir(temp_->path(), "stylize");
  const fs::path out = job_dir.path() / "stylized.png";
  if (style_name) {
    if (std::find(styles_.begin(), styles_.end(), *style_name) == styles_.end()) {
      std::string list;
      for (const std::string& s : styles_) list += (list.empty() ? "" : ", ") + s;
      throw HttpError(400, "style: no shipped style named '" + style_name->substr(0, 40) + "' (shipped: " +
                               (list.empty() ? std::string("none installed") : list) + ")");
    }
    stylize::FastOptions fo;  // as `neuroshop stylize --style NAME`
    fo.strength = strength;
    fo.preserve_colors = preserve_colors;
    fo.size = static_cast<int64_t>(field_number(request, "size", 32, 4096).value_or(0));
    std::lock_guard<std::mutex> lock(work_mutex_);
    auto& model = models_->styles[*style_name];
    if (!model)
      model = std::make_unique<stylize::StyleModel>(
          stylize::StyleModel::load((options_.models_dir / stylize::style_model_file_name(*style_name)).string()));
    write_image(out.string(), stylize::stylize_fast(*model, content.image, fo));
    return png_file(out);
  }
  const CheckedImage style = check_image_upload(style_part, "style_image", options_.upload);
  stylize::StylizeOptions so;  // as `neuroshop stylize --style IMAGE`, smaller bounds for a page
  so.size = static_cast<int64_t>(field_number(request, "size", 32, 1024).value_or(512));
  so.iterations = static_cast<int64_t>(field_number(request, "iterations", 1, 1000).value_or(static_cast<double>(so.iterations)));
  so.strength = strength;
  so.preserve_colors = preserve_colors;
  // parse_method's ArgumentError names the allowed values and becomes a 400 in handle()
  if (const std::optional<std::string> method = field_text(request, "method")) so.method = stylize::parse_method(*method);
  stylize::validate(so);
  std::lock_guard<std::mutex> lock(work_mutex_);
  write_image(out.string(), stylize::stylize_image(content.image, style.image, so));
  return png_file(out);
}

}  // namespace neuroshop::serve
