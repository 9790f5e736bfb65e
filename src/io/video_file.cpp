// Video clips through OpenCV's videoio (FFmpeg backend) or folders of frames; see video_file.h.
#include "io/video_file.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "io/image_file.h"
#include "io/pixels.h"

namespace neuroshop {
namespace fs = std::filesystem;

namespace {

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

[[noreturn]] void read_error(const std::string& path, const std::string& what) {
  throw IoError("cannot read video '" + path + "': " + what);
}

cv::Mat to_bgr8(const cv::Mat& frame) {
  cv::Mat out = to_8bit(frame);
  if (out.channels() == 1) cv::cvtColor(out, out, cv::COLOR_GRAY2BGR);
  if (out.channels() == 4) cv::cvtColor(out, out, cv::COLOR_BGRA2BGR);
  return out;
}

// FFmpeg's own complaints ("moov atom not found") would precede our one-line errors; OpenCV reads
// this before its first use of FFmpeg, so every reader and writer sets it first. A value the user
// set is kept.
void quiet_ffmpeg() { ::setenv("OPENCV_FFMPEG_LOGLEVEL", "-8", 0); }

}  // namespace

bool has_video_extension(const std::string& path) {
  static const char* const kExtensions[] = {".mp4", ".m4v", ".mov", ".avi", ".mkv"};
  const std::string ext = lower_extension(path);
  return std::any_of(std::begin(kExtensions), std::end(kExtensions), [&](const char* e) { return ext == e; });
}

std::string frame_file_name(int64_t index) {
  char name[32];
  std::snprintf(name, sizeof name, "frame_%06lld.png", static_cast<long long>(index + 1));
  return name;
}

VideoReader::VideoReader(const std::string& path, double folder_fps) : path_(path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    frame_files_ = list_images({path}, false);
    if (frame_files_.empty()) read_error(path, "the folder holds no image files (expected numbered frames)");
    first_ = to_bgr8(read_image(frame_files_[0]).pixels);
    info_.fps = folder_fps;
    info_.frames = static_cast<int64_t>(frame_files_.size());
  } else {
    if (!fs::exists(path, ec)) read_error(path, "no such file");
    if (!fs::is_regular_file(path, ec)) read_error(path, "not a regular file");
    if (fs::file_size(path, ec) == 0) read_error(path, "the file is empty");
    quiet_ffmpeg();
    capture_ = std::make_unique<cv::VideoCapture>();
    if (!capture_->open(path, cv::CAP_FFMPEG) || !capture_->isOpened())
      read_error(path, "not a video file this build can decode (FFmpeg: any common container and codec)");
    cv::Mat frame;
    if (!capture_->read(frame) || frame.empty()) read_error(path, "the clip has no frames");
    first_ = to_bgr8(frame);
    info_.fps = capture_->get(cv::CAP_PROP_FPS);
    if (!(info_.fps > 0.0 && info_.fps < 1000.0)) info_.fps = 25.0;
    info_.frames = std::max<int64_t>(0, static_cast<int64_t>(std::llround(capture_->get(cv::CAP_PROP_FRAME_COUNT))));
  }
  info_.width = first_.cols;
  info_.height = first_.rows;
  if (info_.width < 8 || info_.height < 8) read_error(path, "frames of " + std::to_string(info_.width) + "x" +
                                                             std::to_string(info_.height) + " are too small (at least 8x8)");
}

VideoReader::~VideoReader() = default;

bool VideoReader::read(cv::Mat& bgr) {
  cv::Mat frame;
  if (!first_.empty()) {
    frame = first_;
    first_.release();
  } else if (capture_) {
    cv::Mat raw;
    if (!capture_->read(raw) || raw.empty()) return false;
    frame = to_bgr8(raw);
  } else {
    if (position_ >= static_cast<int64_t>(frame_files_.size())) return false;
    frame = to_bgr8(read_image(frame_files_[static_cast<size_t>(position_)]).pixels);
  }
  if (frame.cols != info_.width || frame.rows != info_.height)
    read_error(path_, "frame " + std::to_string(position_ + 1) + " is " + std::to_string(frame.cols) + "x" +
                          std::to_string(frame.rows) + ", the first was " + std::to_string(info_.width) + "x" +
                          std::to_string(info_.height) + " (a clip must keep one frame size)");
  ++position_;
  bgr = frame;
  return true;
}

VideoWriter::VideoWriter(const std::string& path, double fps, cv::Size size) : path_(path), size_(size) {
  if (!has_video_extension(path))
    throw IoError("cannot write video '" + path + "': expected a .mp4, .m4v, .mov, .mkv or .avi file name");
  const fs::path target(path);
  const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throw IoError("cannot write video '" + path + "': folder '" + folder.string() + "' does not exist");
  // The extension stays last so FFmpeg picks the container from it.
  temp_ = atomic_temp_name(path, /*extension_last=*/true);
  const std::string ext = lower_extension(path);
  const int fourcc = ext == ".avi" ? cv::VideoWriter::fourcc('M', 'J', 'P', 'G') : cv::VideoWriter::fourcc('m', 'p', '4', 'v');
  quiet_ffmpeg();
  writer_ = std::make_unique<cv::VideoWriter>();
  if (!writer_->open(temp_, cv::CAP_FFMPEG, fourcc, fps, size_, true) || !writer_->isOpened()) {
    fs::remove(temp_, ec);
    throw IoError("cannot write video '" + path + "': this build's FFmpeg cannot encode it");
  }
}

VideoWriter::~VideoWriter() {
  if (!finished_) {
    if (writer_) writer_->release();
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

void VideoWriter::write(const cv::Mat& bgr) {
  if (finished_) throw Error("VideoWriter: write after finish");
  if (bgr.size() != size_ || bgr.type() != CV_8UC3)
    throw ArgumentError("VideoWriter: expected an 8-bit BGR frame of " + std::to_string(size_.width) + "x" +
                        std::to_string(size_.height));
  writer_->write(bgr);
  ++written_;
}

void VideoWriter::finish() {
  if (finished_) return;
  writer_->release();
  const std::string reason = try_rename_into_place(temp_, path_);
  if (!reason.empty()) throw IoError("cannot write video '" + path_ + "': " + reason);
  finished_ = true;
}

}  // namespace neuroshop
