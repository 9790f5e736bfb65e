// Atomic file writes; see atomic_file.h.
#include "core/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/errors.h"

namespace neuroshop {
namespace fs = std::filesystem;

std::string atomic_temp_name(const std::string& path, bool extension_last) {
  static std::atomic<unsigned> counter{0};
  const fs::path target(path);
  const std::string unique = ".tmp" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  const std::string name = extension_last
                               ? "." + target.stem().string() + unique + target.extension().string()
                               : "." + target.filename().string() + unique;
  return (target.parent_path() / name).string();
}

std::string try_rename_into_place(const std::string& temp, const std::string& path) {
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (!ec) return {};
  std::error_code ignored;
  fs::remove(temp, ignored);
  return "cannot rename the temporary file into place: " + ec.message();
}

std::string try_write_file_atomically(const std::string& path, const void* data, size_t size) {
  const std::string temp = atomic_temp_name(path);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return std::string("cannot create a file in its directory: ") + std::strerror(errno);
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) {
      std::error_code ignored;
      fs::remove(temp, ignored);
      return "write failed (disk full?)";
    }
  }
  return try_rename_into_place(temp, path);
}

void write_file_atomically(const std::string& path, const void* data, size_t size) {
  const std::string reason = try_write_file_atomically(path, data, size);
  if (!reason.empty()) throw IoError("cannot write '" + path + "': " + reason);
}

}  // namespace neuroshop
