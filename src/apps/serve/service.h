// What `neuroshop serve` answers, as one function of a Request (http.h). Routes:
//   GET  /, /NAME.html, /neuroshop.js, ...  the pages, only from the web root (static_files.h)
//   GET  /api/info                          {"styles": [...], "colorize": true, "max_upload_bytes": ...}
//   GET  /api/samples                       {"rooms": [{"name"}], "items": [{"name", "title", "width_cm", ...}]}
//                                           (rooms: the pictures of samples_dir without an items.tsv row,
//                                           but for NAME-before-after.EXT, a try-on's result)
//   GET  /api/samples/NAME                  a sample picture, only a NAME from that listing
//   GET  /api/catalogue                     {"categories": [{"category", "items": [{"name", "title", "width_cm", ...,
//                                            "views": [{"view", "picture"}], "licence", "attribution"}]}]}
//   GET  /api/catalogue/FILE                a catalogue picture, only a FILE from that listing
//   POST /api/tryon     room, scene (tryon_form.h), item0.. -> PNG; X-Neuroshop-Report: the placement report
//   POST /api/colorize  image [, vividness]                 -> PNG
//   POST /api/stylize   content, style NAME | style_image [, strength, preserve_colors, size, iterations] -> PNG
// The work is done by the same application functions, with the same defaults and the same networks,
// as the CLI's: tryon::run_tryon (what `neuroshop tryon ROOM --item ... -o OUT.png` runs),
// colorize::colorize_image, stylize::stylize_fast / stylize_image; results are written with
// write_image and sent as those files' bytes. One job runs at a time (the networks cache activations).
// Safety: uploads are checked (uploads.h) and written, under names the server picks, into a
// per-job folder inside the service's private temporary folder, removed when the job ends; samples
// are served by name from a listing made at start; with allowed_hosts set, other Host headers are
// refused (DNS rebinding) and so are POSTs whose Origin is not the page's own. Errors are
// {"error": "..."} with a 4xx status (503 when a model file is missing, 500 for a bug).
// Not here: sockets and the HTTP library (src/cli/cmd_serve.cpp), the pages themselves (web/).
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "apps/serve/http.h"
#include "apps/serve/uploads.h"
#include "apps/tryon/catalogue.h"

namespace neuroshop::serve {

struct ServeOptions {
  std::filesystem::path web_root;          // the pages (web/)
  std::filesystem::path samples_dir;       // rooms and furniture offered by name (samples/tryon/)
  std::string catalogue;                   // the furniture catalogue (catalogue.tsv); empty or missing: none
  std::filesystem::path models_dir;        // where the shipped fast styles are (style-NAME.nsm)
  std::string colorize_model;              // model files, as the CLI's defaults
  std::string harmonize_model;             // missing: the classical colour match (as the CLI)
  std::string matte_model;                 // missing: GrabCut (as the CLI)
  UploadLimits upload;
  std::filesystem::path temp_parent;       // where the private folder goes; empty: the system's
  std::vector<std::string> allowed_hosts;  // host names accepted in Host; empty: any
};

struct SampleItem {
  std::string name;   // file name in samples_dir
  std::string title;  // items.tsv's item_name
  double width_cm = 0, depth_cm = 0, height_cm = 0;
};

class Service {
 public:
  // Lists the samples and styles and creates the private temporary folder (Error when it cannot).
  explicit Service(ServeOptions options);
  ~Service();  // removes the temporary folder
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Never throws: every failure becomes an error response.
  Response handle(const Request& request);

  const std::filesystem::path& temp_dir() const;
  const std::vector<std::string>& sample_rooms() const { return rooms_; }
  const std::vector<SampleItem>& sample_items() const { return items_; }
  const std::vector<std::string>& styles() const { return styles_; }
  const tryon::Catalogue& catalogue() const { return catalogue_; }

 private:
  struct Models;  // the networks, loaded on first use

  Response route(const Request& request);
  Response info() const;
  Response samples() const;
  Response sample_picture(const std::string& name) const;
  Response catalogue_listing() const;
  Response catalogue_picture(const std::string& file) const;
  Response tryon(const Request& request);
  Response colorize(const Request& request);
  Response stylize(const Request& request);
  std::filesystem::path sample_path(const std::string& name, bool item) const;  // HttpError 400 when not listed

  ServeOptions options_;
  std::vector<std::string> rooms_;
  std::vector<SampleItem> items_;
  std::vector<std::string> styles_;
  tryon::Catalogue catalogue_;
  std::unique_ptr<TempDir> temp_;
  std::unique_ptr<Models> models_;
  std::mutex work_mutex_;  // one job at a time
};

}  // namespace neuroshop::serve
