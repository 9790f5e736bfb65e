// Writing a file atomically: the bytes go to a temporary file in the target's folder, which is then
// renamed over the target, so a reader (or a killed process) sees the old file or the new one,
// never half of one. The temporary name is unique per process and per call
// (".NAME.tmpPID_N"), so two writers of one target, threads or processes, never share one.
// Not here: file formats (model_file.h, io/image_file.h).
#pragma once

#include <cstddef>
#include <string>

namespace neuroshop {

// Writes; on failure removes the temporary file, leaves the target as it was and returns why
// ("cannot create a file in its directory: ...", "write failed (disk full?)", "cannot rename the
// temporary file into place: ..."). Empty on success.
std::string try_write_file_atomically(const std::string& path, const void* data, size_t size);

// The same, throwing IoError "cannot write 'PATH': REASON" on failure.
void write_file_atomically(const std::string& path, const void* data, size_t size);
inline void write_file_atomically(const std::string& path, const std::string& bytes) {
  write_file_atomically(path, bytes.data(), bytes.size());
}

// The temporary name try_write_file_atomically uses next for `path` (exposed for tests). With
// `extension_last` the extension moves behind the unique part (".NAME.tmpPID_N.EXT"), for writers
// that pick the format from the name (video_file.h streams frames into one, then renames it).
std::string atomic_temp_name(const std::string& path, bool extension_last = false);

// Removes what writers of `path` that were killed mid-write left beside it: temporaries named as
// atomic_temp_name makes them (either form) whose process no longer runs. A temporary of a live
// process, this one included, stays. Returns how many were removed. For a command that takes over
// a target a killed run was writing (training with --resume).
int remove_stale_temporaries(const std::string& path);

// Renames a finished temporary file over `path`; on failure removes it and returns why (empty on
// success). The last step of try_write_file_atomically, for writers that stream into the temporary.
std::string try_rename_into_place(const std::string& temp, const std::string& path);

}  // namespace neuroshop
