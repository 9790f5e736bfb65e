// Upload checks and private temporary folders; see uploads.h.
#include "apps/serve/uploads.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace neuroshop::serve {
namespace fs = std::filesystem;

std::string sniff_image_format(const std::string& bytes) {
  auto starts = [&](const char* magic, size_t n, size_t at = 0) {
    return bytes.size() >= at + n && std::memcmp(bytes.data() + at, magic, n) == 0;
  };
  if (starts("\x89PNG\r\n\x1a\n", 8)) return "png";
  if (starts("\xFF\xD8\xFF", 3)) return "jpeg";
  if (starts("RIFF", 4) && starts("WEBP", 4, 8)) return "webp";
  if (starts("II*\0", 4) || starts("MM\0*", 4) || starts("II+\0", 4) || starts("MM\0+", 4)) return "tiff";
  if (starts("BM", 2)) return "bmp";
  return "";
}

std::string display_name(const std::string& filename) {
  std::string name = filename;
  const size_t slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name = name.substr(slash + 1);
  if (name.size() > 80) name = name.substr(0, 77) + "...";
  for (char& c : name)
    if (std::iscntrl(static_cast<unsigned char>(c))) c = '?';
  return name.empty() ? "upload" : name;
}

namespace {

// "image/png; name=x" -> "image/png"
std::string media_type(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.erase(t.begin());
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t;
}

bool is_image_media_type(const std::string& t) {
  for (const char* ok : {"image/png", "image/jpeg", "image/jpg", "image/pjpeg", "image/webp", "image/tiff",
                         "image/bmp", "image/x-bmp", "image/x-ms-bmp"})
    if (t == ok) return true;
  return false;
}

}  // namespace

CheckedImage check_image_upload(const FormPart* part, const std::string& field, const UploadLimits& limits) {
  if (part == nullptr) throw HttpError(400, "missing upload '" + field + "': expected an image file in that form field");
  CheckedImage out;
  out.name = display_name(part->filename);
  const std::string who = field + " '" + out.name + "'";
  if (part->content.size() > limits.max_bytes)
    throw HttpError(413, who + ": " + std::to_string(part->content.size()) + " bytes, the limit is " +
                             std::to_string(limits.max_bytes) + " bytes (" + std::to_string(limits.max_bytes >> 20) + " MiB)");
  if (part->content.empty()) throw HttpError(400, who + ": the file is empty");
  const std::string type = media_type(part->content_type);
  if (!is_image_media_type(type))
    throw HttpError(415, who + ": expected an image (PNG, JPEG, WebP, TIFF or BMP), got content type '" +
                             (type.empty() ? std::string("none") : type) + "'");
  out.format = sniff_image_format(part->content);
  if (out.format.empty())
    throw HttpError(415, who + ": the content is not a PNG, JPEG, WebP, TIFF or BMP image (declared '" + type + "')");
  const std::vector<uint8_t> bytes(part->content.begin(), part->content.end());
  try {
    out.image = decode_image(bytes, out.name);
  } catch (const Error& e) {
    throw HttpError(400, field + ": " + e.what());
  }
  const long long pixels = static_cast<long long>(out.image.pixels.cols) * out.image.pixels.rows;
  if (pixels > limits.max_pixels)
    throw HttpError(413, who + ": " + std::to_string(out.image.pixels.cols) + "x" + std::to_string(out.image.pixels.rows) +
                             " pixels, the limit is " + std::to_string(limits.max_pixels / 1000000) + " megapixels");
  return out;
}

TempDir::TempDir(const fs::path& parent, const std::string& prefix) {
  std::string pattern = (parent / (prefix + "-XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr)  // mkdtemp creates it with mode 0700
    throw Error("cannot create a temporary folder in '" + parent.string() + "': " + std::strerror(errno));
  path_ = buffer.data();
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error("cannot write '" + path.string() + "' (disk full?)");
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read '" + path.string() + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace neuroshop::serve
