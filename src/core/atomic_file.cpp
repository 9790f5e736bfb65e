// Atomic file writes; see atomic_file.h.
#include "core/atomic_file.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/errors.h"

namespace neuroshop {
namespace fs = std::filesystem;

namespace {

// Marks a temporary in its name: ".NAME" + kTempTag + "PID_N" (see atomic_temp_name).
constexpr char kTempTag[] = ".tmp";

}  // namespace

std::string atomic_temp_name(const std::string& path, bool extension_last) {
  static std::atomic<unsigned> counter{0};
  const fs::path target(path);
  const std::string unique = kTempTag + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  const std::string name = extension_last
                               ? "." + target.stem().string() + unique + target.extension().string()
                               : "." + target.filename().string() + unique;
  return (target.parent_path() / name).string();
}

namespace {

// The PID in a temporary's name: `rest` starts right after kTempTag, as "PID_N..." (-1 if it does not).
pid_t temporary_pid(const std::string& rest) {
  const size_t underscore = rest.find('_');
  if (underscore == 0 || underscore == std::string::npos || underscore > 9) return -1;
  pid_t pid = 0;
  for (size_t i = 0; i < underscore; ++i) {
    if (rest[i] < '0' || rest[i] > '9') return -1;
    pid = pid * 10 + (rest[i] - '0');
  }
  return pid;
}

}  // namespace

int remove_stale_temporaries(const std::string& path) {
  const fs::path target(path);
  const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  // ".NAME.tmpPID_N" and ".STEM.tmpPID_N.EXT" (atomic_temp_name's two forms)
  const std::string prefixes[2] = {"." + target.filename().string() + kTempTag,
                                   "." + target.stem().string() + kTempTag};
  const std::string extension = target.extension().string();
  std::error_code ec;
  int removed = 0;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    for (int form = 0; form < 2; ++form) {
      const std::string& prefix = prefixes[form];
      if (name.rfind(prefix, 0) != 0) continue;
      if (form == 1 && (name.size() < extension.size() ||
                        name.compare(name.size() - extension.size(), extension.size(), extension) != 0))
        continue;
      const pid_t pid = temporary_pid(name.substr(prefix.size()));
      // kill(pid, 0) asks whether the process exists without signalling it
      if (pid <= 0 || pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
      std::error_code ignored;
      if (fs::remove(it->path(), ignored)) ++removed;
      break;
    }
  }
  return removed;
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
