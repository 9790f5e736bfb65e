// Image files on disk: reading (validated, EXIF-oriented), atomic writing, and listing inputs.
// PNG, JPEG, TIFF, WebP and BMP only. Headers are checked before anything is decoded, so a file
// that declares 100000x100000 pixels is refused without allocating, and a truncated JPEG or PNG is
// refused instead of being decoded half-grey. Every failure is one IoError line:
//   cannot read image 'x.jpg': file is truncated (no end-of-image marker)
// Not here: pixel conversions (tensor_image.h) and colour spaces (color.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace neuroshop {

struct Image {
  cv::Mat pixels;         // BGR (3 channels) or gray (1 channel); CV_8U or CV_16U
  cv::Mat alpha;          // one channel of the same depth and size, or empty when the file has none
  int bit_depth = 8;      // 8 or 16
  bool was_gray = false;  // the file stored a gray image (pixels then has 1 channel)
};

// Reads an image file as stored: 8 or 16 bits, gray or colour, alpha split off.
// The EXIF orientation of JPEG (APP1), PNG (eXIf) and WebP (EXIF) files is applied, so pixels are
// upright as a viewer shows them; TIFF orientation is left to libtiff.
// Refuses (IoError) missing files, directories, empty files, other formats, truncated JPEG/PNG/WebP/
// TIFF/BMP data, PNG chunks with a bad checksum, and declared sizes that are empty or above
// kMaxImageSide / kMaxImagePixels. OpenCV's own messages are silenced while decoding; libjpeg may
// still print a "Corrupt JPEG data" warning for a damaged but complete JPEG.
Image read_image(const std::string& path);

// The same checks and decoding for the bytes of an image file held in memory (uploads, fuzzing);
// `name` names the image in messages ("cannot read image 'NAME': ...").
Image decode_image(const std::vector<uint8_t>& bytes, const std::string& name);

constexpr long long kMaxImageSide = 30000;
constexpr long long kMaxImagePixels = 100000000;  // 100 megapixels

// Writes pixels (BGR or gray, or BGRA when alpha is empty; CV_8U or CV_16U) with an optional alpha
// (one channel, same size; 8 or 16 bit). The format follows the extension:
//   .png .tif .tiff  keep 16 bits and alpha
//   .webp            8 bits (lossless), keeps alpha
//   .jpg .jpeg .bmp  8 bits (JPEG quality 95); alpha is composited over white
// The file is written under a temporary name in the same directory and renamed into place, so an
// interrupted or failed write never leaves a broken file at `path`.
void write_image(const std::string& path, const cv::Mat& bgr_or_gray, const cv::Mat& alpha = {});
inline void write_image(const std::string& path, const Image& image) {
  write_image(path, image.pixels, image.alpha);
}

// True when the path's extension (any case) is one write_image and list_images know.
bool has_image_extension(const std::string& path);

// Expands files and directories into a sorted, duplicate-free list of image paths. Directories
// contribute the files with an image extension (hidden names starting with '.' are skipped), their
// subdirectories too when `recursive`; a file named explicitly is kept whatever its extension, so
// read_image can say what is wrong with it. A missing input throws IoError. The list may be empty.
std::vector<std::string> list_images(const std::vector<std::string>& inputs, bool recursive);

}  // namespace neuroshop
