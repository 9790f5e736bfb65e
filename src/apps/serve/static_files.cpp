// Static file resolution for the web root; see static_files.h.
#include "apps/serve/static_files.h"

#include <algorithm>
#include <cctype>

#include "apps/serve/http.h"

namespace neuroshop::serve {
namespace fs = std::filesystem;

bool is_plain_file_name(const std::string& name) {
  if (name.empty() || name.size() > 128 || name[0] == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

std::string static_content_type(const fs::path& file) {
  std::string ext = file.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".ico") return "image/x-icon";
  return "";
}

fs::path resolve_static_path(const fs::path& root, const std::string& url_path) {
  // Decode first, then judge what the file system would be given: "%2e%2e" is ".." here.
  std::string path = percent_decode(url_path);
  if (path.empty() || path[0] != '/') throw HttpError(400, "bad path '" + path + "': expected it to start with '/'");
  if (path.find('\\') != std::string::npos) throw HttpError(400, "bad path '" + path + "': backslashes are not allowed");
  if (path.back() == '/') path += "index.html";

  fs::path relative;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string segment = path.substr(start, end - start);
    // An empty segment ("//etc/passwd") would make the rest absolute; "." and ".." walk around.
    if (segment.empty() || segment == "." || segment == "..")
      throw HttpError(400, "bad path '" + path + "': empty, '.' and '..' segments are not allowed");
    if (!is_plain_file_name(segment))
      throw HttpError(400, "bad path '" + path + "': names may only use letters, digits, '.', '_' and '-' (no leading '.')");
    relative /= segment;
    start = end + 1;
  }
  if (static_content_type(relative).empty()) throw HttpError(404, "not found: " + path);

  // Symbolic links inside the root could still lead out of it: compare real paths.
  std::error_code ec;
  const fs::path real_root = fs::canonical(root, ec);
  if (ec) throw HttpError(404, "not found: " + path + " (the web root is missing)");
  const fs::path real = fs::canonical(real_root / relative, ec);
  if (ec || !fs::is_regular_file(real, ec)) throw HttpError(404, "not found: " + path);
  if (std::mismatch(real_root.begin(), real_root.end(), real.begin(), real.end()).first != real_root.end())
    throw HttpError(404, "not found: " + path);
  return real;
}

}  // namespace neuroshop::serve
