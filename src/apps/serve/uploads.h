// Uploaded pictures and the server's private temporary folder. An upload is accepted only when it
// is within the size limit (413 otherwise), declares an image content type and starts with the
// magic bytes of PNG, JPEG, WebP, TIFF or BMP (415 otherwise), and decodes completely through
// io's decode_image, with its header checks, within the pixel limit (400 / 413 otherwise).
// Files the applications must read from disk go into a TempDir: created private (mode 0700) by
// mkdtemp, under names the server chooses, removed with its contents when it goes out of scope.
// Not here: which form field holds what (service.h).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "apps/serve/http.h"
#include "io/image_file.h"

namespace neuroshop::serve {

struct UploadLimits {
  size_t max_bytes = size_t{25} << 20;  // one uploaded file
  long long max_pixels = 40000000;      // its decoded width x height
};

// "png", "jpeg", "webp", "tiff" or "bmp" from the first bytes; "" when none of them.
std::string sniff_image_format(const std::string& bytes);

// The client's file name reduced to something safe to quote in a message: the last path
// component, control characters replaced, at most 80 bytes; "upload" when empty.
std::string display_name(const std::string& filename);

struct CheckedImage {
  Image image;          // decoded as read_image would
  std::string format;   // sniffed: "png", "jpeg", ...
  std::string name;     // display_name of the client's file name
};

// Checks the uploaded picture in `part` (`field` names it in messages; a null part is a missing
// field) as described above. Throws HttpError 400, 413 or 415.
CheckedImage check_image_upload(const FormPart* part, const std::string& field, const UploadLimits& limits);

// A private folder for one job's files.
class TempDir {
 public:
  // Creates PARENT/PREFIX-XXXXXX with mode 0700 (Error when it cannot).
  TempDir(const std::filesystem::path& parent, const std::string& prefix);
  ~TempDir();  // removes the folder and everything in it
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Writes `bytes` to `path` (Error when it cannot); reads a whole file (Error when it cannot).
void write_bytes(const std::filesystem::path& path, const std::string& bytes);
std::string read_bytes(const std::filesystem::path& path);

}  // namespace neuroshop::serve
