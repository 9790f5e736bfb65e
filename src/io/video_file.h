// Video clips in and out: any container and codec OpenCV's FFmpeg backend reads, or a folder of
// numbered frames (frame_000001.png ...), as 8-bit BGR frames of one size. Audio is not carried.
// Reading refuses (IoError, one line) what is not a video, a clip without frames, and a frame
// whose size differs from the first one's. Writing goes to a temporary name beside the target and
// is renamed into place by finish(), so an interrupted or failed write leaves nothing under the
// output name.
// Not here: what is done to the frames (src/apps/video/), argument parsing (the CLI).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace cv {
class VideoCapture;
class VideoWriter;
}  // namespace cv

namespace neuroshop {

// True when the path's extension (any case) is a video container we write: .mp4 .m4v .mov .avi .mkv.
bool has_video_extension(const std::string& path);

struct VideoInfo {
  double fps = 25.0;
  int width = 0, height = 0;
  int64_t frames = 0;  // as the container declares it (a folder: exact); 0 when unknown
};

class VideoReader {
 public:
  // A video file, or a folder whose image files (sorted by name) are the frames at `folder_fps`.
  explicit VideoReader(const std::string& path, double folder_fps = 25.0);
  ~VideoReader();
  VideoReader(const VideoReader&) = delete;
  VideoReader& operator=(const VideoReader&) = delete;

  const VideoInfo& info() const { return info_; }
  // The next frame (CV_8UC3); false at the end of the clip.
  bool read(cv::Mat& bgr);
  int64_t position() const { return position_; }  // frames read so far

 private:
  std::string path_;
  VideoInfo info_;
  std::unique_ptr<cv::VideoCapture> capture_;
  std::vector<std::string> frame_files_;  // folder input
  cv::Mat first_;                         // decoded while opening, returned by the first read()
  int64_t position_ = 0;
};

class VideoWriter {
 public:
  // A video file; the codec follows the extension: mp4v for .mp4/.m4v/.mov/.mkv, MJPG for .avi.
  // (Frame folders are written frame by frame with write_image.)
  VideoWriter(const std::string& path, double fps, cv::Size size);
  ~VideoWriter();  // without finish(): removes what was written
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  void write(const cv::Mat& bgr);
  void finish();
  int64_t frames_written() const { return written_; }

 private:
  std::string path_, temp_;
  cv::Size size_;
  bool finished_ = false;
  std::unique_ptr<cv::VideoWriter> writer_;
  int64_t written_ = 0;
};

// Name of frame i (0-based) in a frame folder: frame_000001.png for i = 0.
std::string frame_file_name(int64_t index);

}  // namespace neuroshop
