// Clip processing with resumable frame folders; see process.h.
#include "apps/video/process.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "io/image_file.h"

namespace neuroshop::video {
namespace fs = std::filesystem;

namespace {

constexpr const char* kJobFile = ".neuroshop-job";

std::string job_text(const ClipOptions& o) {
  std::error_code ec;
  const fs::path input = fs::weakly_canonical(o.input, ec);
  std::ostringstream s;
  s << "input " << (ec ? o.input : input.string()) << "\nstart " << o.start << "\nframes " << o.frames << "\nstable "
    << (o.stable ? 1 : 0) << "\ncarry " << o.temporal.carry << "\n";
  return s.str();
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The work folder, checked to be this job's (or new), with the job file written.
void claim_work_folder(const fs::path& work, const ClipOptions& o) {
  const fs::path job = work / kJobFile;
  const std::string text = job_text(o);
  std::error_code ec;
  if (fs::exists(work, ec)) {
    if (!fs::is_directory(work, ec)) throw IoError("'" + work.string() + "' exists and is not a folder");
    if (fs::exists(job, ec)) {
      if (read_text(job) != text)
        throw IoError("'" + work.string() + "' holds frames of another job (other input, range or mode); remove it to start over");
      return;
    }
    if (!fs::is_empty(work, ec))
      throw IoError("output folder '" + work.string() + "' is not empty (expected a new or empty folder for the frames)");
  }
  fs::create_directories(work, ec);
  if (ec) throw IoError("cannot create '" + work.string() + "': " + ec.message());
  std::ofstream(job) << text;
}

int64_t frames_present(const fs::path& work) {
  int64_t n = 0;
  std::error_code ec;
  while (fs::exists(work / frame_file_name(n), ec)) ++n;
  return n;
}

}  // namespace

std::string work_folder(const std::string& output) {
  if (!has_video_extension(output)) return output;
  const fs::path out(output);
  return (out.parent_path() / ("." + out.filename().string() + ".frames")).string();
}

ClipSummary process_clip(const ClipOptions& o, const FrameFn& per_frame, const ProgressFn& progress) {
  if (o.start < 0 || o.frames < 0) throw ArgumentError("--start and --frames must not be negative");
  std::error_code ec;
  if (fs::exists(o.output, ec) && fs::exists(o.input, ec) && fs::equivalent(o.input, o.output, ec))
    throw ArgumentError("the output '" + o.output + "' is the input clip");
  const bool to_video = has_video_extension(o.output);
  if (to_video) {
    const fs::path folder = fs::path(o.output).parent_path();
    if (!folder.empty() && !fs::is_directory(folder, ec))
      throw IoError("cannot write video '" + o.output + "': folder '" + folder.string() + "' does not exist");
  }
  VideoReader reader(o.input, o.folder_fps);
  ClipSummary summary;
  summary.info = reader.info();
  int64_t total = 0;  // frames to process, when known
  if (summary.info.frames > 0) total = std::max<int64_t>(0, summary.info.frames - o.start);
  if (o.frames > 0) total = total > 0 ? std::min(total, o.frames) : o.frames;

  cv::Mat frame;
  for (int64_t i = 0; i < o.start; ++i)
    if (!reader.read(frame)) throw IoError("'" + o.input + "' has only " + std::to_string(i) + " frames, --start is " + std::to_string(o.start));

  const fs::path work = work_folder(o.output);
  const bool existed = fs::exists(work, ec);
  claim_work_folder(work, o);
  summary.resumed_from = frames_present(work);
  // A clip that turns out bad midway (a frame of another size, a decoding error) leaves nothing this
  // run created; a run that is killed or interrupted otherwise keeps its frames for the next one.
  auto read_next = [&](cv::Mat& f) {
    try {
      return reader.read(f);
    } catch (const IoError&) {
      if (!existed) fs::remove_all(work, ec);
      throw;
    }
  };

  TemporalCarry carry(o.temporal);
  const auto start_time = std::chrono::steady_clock::now();
  cv::Mat previous_input;
  int64_t index = 0;
  while ((o.frames == 0 || index < o.frames) && read_next(frame)) {
    if (index < summary.resumed_from) {  // written by an earlier run
      previous_input = frame;
      ++index;
      continue;
    }
    if (index == summary.resumed_from && index > 0 && o.stable)
      carry.restore(previous_input, read_image((work / frame_file_name(index - 1)).string()).pixels);
    const cv::Mat result = per_frame(frame);
    const cv::Mat out = o.stable ? carry.next(frame, result) : result;
    write_image((work / frame_file_name(index)).string(), out);
    ++index;
    report(progress, {index, std::max(total, index), "video", {}});
  }
  if (index == 0) throw IoError("'" + o.input + "': no frames to process from frame " + std::to_string(o.start));
  summary.frames = index;
  summary.cuts = carry.cuts();

  if (to_video) {
    VideoWriter writer(o.output, summary.info.fps, cv::Size(summary.info.width, summary.info.height));
    for (int64_t i = 0; i < index; ++i) {
      writer.write(read_image((work / frame_file_name(i)).string()).pixels);
      report(progress, {i + 1, index, "encode", {}});
    }
    writer.finish();
    fs::remove_all(work, ec);
  } else {
    fs::remove(work / kJobFile, ec);  // the folder now holds only the finished frames
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
  return summary;
}

}  // namespace neuroshop::video
