// Image files: round trips per format and depth, EXIF orientation, every refused input, atomic writes,
// input listing. All files are generated into a fresh temporary directory.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/crc32.h"
#include "core/errors.h"
#include "io/image_file.h"
#include "io/metrics.h"

namespace neuroshop {
namespace {
namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

// A deterministic, asymmetric test picture: every pixel and channel differs, so flips show.
cv::Mat pattern(int width, int height, int type) {
  cv::Mat m(height, width, type);
  const int channels = m.channels();
  const double peak = m.depth() == CV_16U ? 65535.0 : 255.0;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        const double v = std::fmod(0.37 * x + 0.71 * y + 0.23 * c + 0.013 * x * y, 1.0) * peak;
        if (m.depth() == CV_16U) m.ptr<uint16_t>(y)[x * channels + c] = static_cast<uint16_t>(v);
        else m.ptr<uint8_t>(y)[x * channels + c] = static_cast<uint8_t>(v);
      }
    }
  }
  return m;
}

// Big flat blocks (survive JPEG): the four quadrants get four different colours.
cv::Mat quadrants(int width, int height) {
  cv::Mat m(height, width, CV_8UC3);
  m(cv::Rect(0, 0, width / 2, height / 2)).setTo(cv::Scalar(0, 0, 255));
  m(cv::Rect(width / 2, 0, width - width / 2, height / 2)).setTo(cv::Scalar(0, 255, 0));
  m(cv::Rect(0, height / 2, width / 2, height - height / 2)).setTo(cv::Scalar(255, 0, 0));
  m(cv::Rect(width / 2, height / 2, width - width / 2, height - height / 2)).setTo(cv::Scalar(255, 255, 255));
  return m;
}

// Smooth colour gradients: what photographs look like to JPEG.
cv::Mat smooth(int width, int height) {
  cv::Mat m(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      m.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uint8_t>(255 * x / width), static_cast<uint8_t>(255 * y / height),
                                        static_cast<uint8_t>(128 + 100 * std::sin(0.1 * (x + y))));
    }
  }
  return m;
}

bool same(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && (a.empty() || cv::norm(a, b, cv::NORM_INF) == 0.0);
}

Bytes encode(const std::string& ext, const cv::Mat& m) {
  Bytes out;
  EXPECT_TRUE(cv::imencode(ext, m, out));
  return out;
}

void put_be32(Bytes& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

// A TIFF structure with one IFD entry: Orientation (0x0112), SHORT, count 1.
Bytes exif_tiff(int orientation, bool big_endian) {
  if (big_endian) {
    return {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1,
            0, static_cast<uint8_t>(orientation), 0, 0, 0, 0, 0, 0};
  }
  return {'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0,
          static_cast<uint8_t>(orientation), 0, 0, 0, 0, 0, 0, 0};
}

// Splices an APP1 "Exif" segment carrying `payload` after the JPEG's APP0 (or right after SOI).
Bytes jpeg_with_exif(const Bytes& jpeg, const Bytes& payload) {
  size_t at = 2;
  if (jpeg[2] == 0xFF && jpeg[3] == 0xE0) at = 4 + (size_t{jpeg[4]} << 8 | jpeg[5]);
  Bytes segment = {0xFF, 0xE1};
  const size_t length = 2 + 6 + payload.size();
  segment.push_back(static_cast<uint8_t>(length >> 8));
  segment.push_back(static_cast<uint8_t>(length & 0xFF));
  for (char c : std::string("Exif\0\0", 6)) segment.push_back(static_cast<uint8_t>(c));
  segment.insert(segment.end(), payload.begin(), payload.end());
  Bytes out(jpeg.begin(), jpeg.begin() + static_cast<long>(at));
  out.insert(out.end(), segment.begin(), segment.end());
  out.insert(out.end(), jpeg.begin() + static_cast<long>(at), jpeg.end());
  return out;
}

// Inserts an eXIf chunk (with its CRC) after the PNG's IHDR.
Bytes png_with_exif(const Bytes& png, const Bytes& payload) {
  Bytes chunk;
  put_be32(chunk, static_cast<uint32_t>(payload.size()));
  for (char c : std::string("eXIf")) chunk.push_back(static_cast<uint8_t>(c));
  chunk.insert(chunk.end(), payload.begin(), payload.end());
  put_be32(chunk, crc32(chunk.data() + 4, chunk.size() - 4));
  Bytes out(png.begin(), png.begin() + 33);  // signature (8) + IHDR chunk (25)
  out.insert(out.end(), chunk.begin(), chunk.end());
  out.insert(out.end(), png.begin() + 33, png.end());
  return out;
}

// Orientation tag -> upright image, written independently of the library (cv::rotate where it can).
cv::Mat upright(const cv::Mat& m, int orientation) {
  cv::Mat out;
  switch (orientation) {
    case 2: cv::flip(m, out, 1); return out;
    case 3: cv::rotate(m, out, cv::ROTATE_180); return out;
    case 4: cv::flip(m, out, 0); return out;
    case 5: cv::transpose(m, out); return out;
    case 6: cv::rotate(m, out, cv::ROTATE_90_CLOCKWISE); return out;
    case 7: cv::transpose(m, out); cv::rotate(out, out, cv::ROTATE_180); return out;
    case 8: cv::rotate(m, out, cv::ROTATE_90_COUNTERCLOCKWISE); return out;
    default: return m.clone();
  }
}

// Runs fn, expects one IoError line containing every word.
void expect_io_error(const std::function<void()>& fn, const std::vector<std::string>& words) {
  try {
    fn();
    ADD_FAILURE() << "expected IoError mentioning '" << words.front() << "'";
  } catch (const IoError& e) {
    const std::string message = e.what();
    for (const std::string& w : words) EXPECT_NE(message.find(w), std::string::npos) << "'" << w << "' not in: " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

class ImageFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) / ("neuroshop_io_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string write_bytes(const std::string& name, const Bytes& bytes) const {
    std::ofstream out(path(name), std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return path(name);
  }

  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    return names;
  }

  fs::path dir_;
};

// ---- round trips -------------------------------------------------------------------------------

TEST_F(ImageFileTest, LosslessFormatsRoundTrip8BitColour) {
  const cv::Mat bgr = pattern(23, 17, CV_8UC3);
  for (const std::string ext : {".png", ".tif", ".tiff", ".webp", ".bmp"}) {
    SCOPED_TRACE(ext);
    write_image(path("a" + ext), bgr);
    const Image img = read_image(path("a" + ext));
    EXPECT_TRUE(same(img.pixels, bgr));
    EXPECT_TRUE(img.alpha.empty());
    EXPECT_EQ(img.bit_depth, 8);
    EXPECT_FALSE(img.was_gray);
  }
}

TEST_F(ImageFileTest, JpegRoundTripIsCloseAndQuality95) {
  const cv::Mat bgr = smooth(64, 48);
  for (const std::string name : {"a.jpg", "b.jpeg", "c.JPG"}) {
    write_image(path(name), bgr);
    const Image img = read_image(path(name));
    EXPECT_EQ(img.pixels.type(), CV_8UC3);
    EXPECT_GT(psnr(img.pixels, bgr), 35.0) << name;
  }
}

TEST_F(ImageFileTest, SixteenBitKeptInPngAndTiff) {
  for (const int type : {CV_16UC3, CV_16UC1}) {
    const cv::Mat m = pattern(19, 13, type);
    for (const std::string ext : {".png", ".tif"}) {
      SCOPED_TRACE(ext + " channels " + std::to_string(m.channels()));
      write_image(path("a" + ext), m);
      const Image img = read_image(path("a" + ext));
      EXPECT_TRUE(same(img.pixels, m));
      EXPECT_EQ(img.bit_depth, 16);
      EXPECT_EQ(img.was_gray, m.channels() == 1);
    }
  }
}

TEST_F(ImageFileTest, GrayStaysGray) {
  const cv::Mat gray = pattern(21, 11, CV_8UC1);
  for (const std::string ext : {".png", ".tif", ".bmp", ".jpg"}) {
    SCOPED_TRACE(ext);
    write_image(path("g" + ext), gray);
    const Image img = read_image(path("g" + ext));
    EXPECT_TRUE(img.was_gray);
    ASSERT_EQ(img.pixels.type(), CV_8UC1);
    if (ext == ".jpg") EXPECT_GT(psnr(img.pixels, gray), 30.0);
    else EXPECT_TRUE(same(img.pixels, gray));
  }
}

TEST_F(ImageFileTest, AlphaKeptInPngTiffWebp) {
  // Alpha at least 1: lossless WebP may drop the colour under fully transparent pixels.
  const cv::Mat bgr8 = pattern(16, 12, CV_8UC3), alpha8 = cv::max(pattern(16, 12, CV_8UC1), 1);
  for (const std::string ext : {".png", ".tif", ".webp"}) {
    SCOPED_TRACE(ext);
    write_image(path("a" + ext), bgr8, alpha8);
    const Image img = read_image(path("a" + ext));
    EXPECT_TRUE(same(img.pixels, bgr8));
    EXPECT_TRUE(same(img.alpha, alpha8));
  }
  const cv::Mat bgr16 = pattern(16, 12, CV_16UC3), alpha16 = pattern(16, 12, CV_16UC1);
  for (const std::string ext : {".png", ".tif"}) {
    SCOPED_TRACE(ext + " 16-bit");
    write_image(path("b" + ext), bgr16, alpha16);
    const Image img = read_image(path("b" + ext));
    EXPECT_TRUE(same(img.pixels, bgr16));
    EXPECT_TRUE(same(img.alpha, alpha16));
    EXPECT_EQ(img.bit_depth, 16);
  }
}

TEST_F(ImageFileTest, BgraInputAndGrayWithAlpha) {
  const cv::Mat bgr = pattern(10, 8, CV_8UC3), alpha = pattern(10, 8, CV_8UC1);
  cv::Mat bgra;
  cv::merge(std::vector<cv::Mat>{bgr, alpha}, bgra);
  write_image(path("bgra.png"), bgra);
  Image img = read_image(path("bgra.png"));
  EXPECT_TRUE(same(img.pixels, bgr));
  EXPECT_TRUE(same(img.alpha, alpha));

  // There is no gray+alpha encoder: gray with alpha is stored as BGRA with three equal channels.
  const cv::Mat gray = pattern(10, 8, CV_8UC1);
  write_image(path("ga.png"), gray, alpha);
  img = read_image(path("ga.png"));
  cv::Mat gray3;
  cv::cvtColor(gray, gray3, cv::COLOR_GRAY2BGR);
  EXPECT_TRUE(same(img.pixels, gray3));
  EXPECT_TRUE(same(img.alpha, alpha));

  // An 8-bit alpha with 16-bit pixels is widened (x 257).
  write_image(path("mixed.png"), pattern(10, 8, CV_16UC3), alpha);
  img = read_image(path("mixed.png"));
  cv::Mat alpha16;
  alpha.convertTo(alpha16, CV_16U, 257.0);
  EXPECT_TRUE(same(img.alpha, alpha16));
}

TEST_F(ImageFileTest, JpegAndBmpCompositeAlphaOverWhite) {
  cv::Mat bgr(32, 32, CV_8UC3, cv::Scalar(0, 0, 200));
  cv::Mat alpha(32, 32, CV_8UC1, cv::Scalar(255));
  alpha(cv::Rect(0, 0, 16, 32)).setTo(0);
  for (const std::string ext : {".jpg", ".bmp"}) {
    SCOPED_TRACE(ext);
    write_image(path("c" + ext), bgr, alpha);
    const Image img = read_image(path("c" + ext));
    EXPECT_TRUE(img.alpha.empty());
    const cv::Vec3b clear = img.pixels.at<cv::Vec3b>(16, 4), opaque = img.pixels.at<cv::Vec3b>(16, 28);
    EXPECT_GE(clear[0], 250);
    EXPECT_GE(clear[1], 250);
    EXPECT_GE(clear[2], 250);
    EXPECT_LE(opaque[0], 5);
    EXPECT_NEAR(opaque[2], 200, 5);
  }
}

TEST_F(ImageFileTest, SixteenBitToEightBitFormats) {
  const cv::Mat m16 = pattern(12, 9, CV_16UC3);
  cv::Mat m8;
  m16.convertTo(m8, CV_8U, 1.0 / 257.0);
  for (const std::string ext : {".webp", ".bmp"}) {
    write_image(path("x" + ext), m16);
    const Image img = read_image(path("x" + ext));
    EXPECT_EQ(img.bit_depth, 8);
    EXPECT_TRUE(same(img.pixels, m8)) << ext;
  }
  write_image(path("x.jpg"), m16);
  EXPECT_EQ(read_image(path("x.jpg")).bit_depth, 8);
}

TEST_F(ImageFileTest, OverwritesAtomicallyWithoutLeftovers) {
  write_image(path("o.png"), pattern(8, 8, CV_8UC3));
  const cv::Mat second = pattern(5, 7, CV_8UC1);
  write_image(path("o.png"), second);
  EXPECT_TRUE(same(read_image(path("o.png")).pixels, second));
  EXPECT_EQ(files(), std::vector<std::string>{"o.png"});
  // A path without a directory part writes into the working directory.
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  write_image("rel.png", second);
  fs::current_path(cwd);
  EXPECT_TRUE(fs::exists(dir_ / "rel.png"));
}

// ---- EXIF orientation --------------------------------------------------------------------------

TEST_F(ImageFileTest, JpegExifOrientationAllEight) {
  const Bytes plain = encode(".jpg", quadrants(48, 32));
  const cv::Mat stored = read_image(write_bytes("plain.jpg", plain)).pixels;
  for (const bool big_endian : {false, true}) {
    for (int o = 1; o <= 8; ++o) {
      SCOPED_TRACE("orientation " + std::to_string(o) + (big_endian ? " MM" : " II"));
      const std::string file = write_bytes("o.jpg", jpeg_with_exif(plain, exif_tiff(o, big_endian)));
      const Image img = read_image(file);
      EXPECT_EQ(img.pixels.cols, o >= 5 ? 32 : 48);
      EXPECT_TRUE(same(img.pixels, upright(stored, o)));
      // OpenCV's own imread (IMREAD_COLOR) applies EXIF orientation too: it must agree.
      EXPECT_TRUE(same(img.pixels, cv::imread(file, cv::IMREAD_COLOR)));
    }
  }
}

TEST_F(ImageFileTest, GarbageExifIsIgnored) {
  const Bytes plain = encode(".jpg", quadrants(24, 16));
  const cv::Mat stored = read_image(write_bytes("plain.jpg", plain)).pixels;
  Bytes bad_offset = exif_tiff(6, false);
  bad_offset[4] = 0xF0;  // IFD offset far past the end
  Bytes huge_count = exif_tiff(6, false);
  huge_count[8] = 0xFF;
  huge_count[9] = 0xFF;
  Bytes wrong_type = exif_tiff(6, false);
  wrong_type[12] = 2;  // ASCII instead of SHORT
  const Bytes whole = exif_tiff(6, false);
  const Bytes cut(whole.begin(), whole.begin() + 14);  // IFD cut inside its entry
  const std::vector<Bytes> payloads = {{},           {'I', 'I'},  {'X', 'X', 42, 0, 8, 0, 0, 0},
                                       exif_tiff(9, false), exif_tiff(0, true), bad_offset,
                                       huge_count,   wrong_type,  cut};
  for (size_t i = 0; i < payloads.size(); ++i) {
    SCOPED_TRACE("payload " + std::to_string(i));
    const Image img = read_image(write_bytes("g.jpg", jpeg_with_exif(plain, payloads[i])));
    EXPECT_TRUE(same(img.pixels, stored));
  }
}

TEST_F(ImageFileTest, PngExifOrientation) {
  const cv::Mat bgr = pattern(9, 5, CV_8UC3), alpha = pattern(9, 5, CV_8UC1);
  cv::Mat bgra;
  cv::merge(std::vector<cv::Mat>{bgr, alpha}, bgra);
  const Bytes png = png_with_exif(encode(".png", bgra), exif_tiff(6, false));
  const Image img = read_image(write_bytes("r.png", png));
  EXPECT_TRUE(same(img.pixels, upright(bgr, 6)));
  EXPECT_TRUE(same(img.alpha, upright(alpha, 6)));
}

// ---- refused inputs ----------------------------------------------------------------------------

TEST_F(ImageFileTest, RefusesMissingDirectoryEmptyAndText) {
  expect_io_error([&] { read_image(path("nope.png")); }, {"cannot read image '", "nope.png': ", "does not exist"});
  fs::create_directory(path("d.png"));
  expect_io_error([&] { read_image(path("d.png")); }, {"is a directory"});
  write_bytes("empty.jpg", {});
  expect_io_error([&] { read_image(path("empty.jpg")); }, {"empty.jpg", "file is empty"});
  const std::string text = "hello, this is not a picture\n";
  write_bytes("text.jpg", Bytes(text.begin(), text.end()));
  expect_io_error([&] { read_image(path("text.jpg")); }, {"not a supported image file"});
}

TEST_F(ImageFileTest, RefusesOtherFormats) {
  const std::string gif = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";
  write_bytes("a.gif", Bytes(gif.begin(), gif.end()));
  expect_io_error([&] { read_image(path("a.gif")); }, {"not a supported image file"});
  const Bytes ppm = encode(".ppm", pattern(4, 4, CV_8UC3));
  write_bytes("a.png", ppm);  // misleading extension: the content decides
  expect_io_error([&] { read_image(path("a.png")); }, {"not a supported image file"});
}

TEST_F(ImageFileTest, RefusesTruncatedFiles) {
  const cv::Mat bgr = pattern(16, 12, CV_8UC3), alpha = pattern(16, 12, CV_8UC1);
  cv::Mat bgra;
  cv::merge(std::vector<cv::Mat>{bgr, alpha}, bgra);
  for (const std::string ext : {".jpg", ".png", ".webp", ".tif", ".bmp"}) {
    const Bytes full = encode(ext, ext == ".png" ? bgra : bgr);
    read_image(write_bytes("full" + ext, full));  // the whole file reads
    // Every cut inside the first 48 bytes (signatures, headers), then some 60 spread over the rest,
    // and the last few bytes (end markers); writing files is what costs here.
    std::vector<size_t> lengths;
    for (size_t length = 1; length < full.size(); ++length) {
      if (length < 48 || length % (full.size() / 60 + 1) == 0 || length + 4 >= full.size()) lengths.push_back(length);
    }
    for (const size_t length : lengths) {
      SCOPED_TRACE(ext + " cut at " + std::to_string(length) + " of " + std::to_string(full.size()));
      const std::string file = write_bytes("cut" + ext, Bytes(full.begin(), full.begin() + static_cast<long>(length)));
      expect_io_error([&] { read_image(file); }, {"cannot read image"});
    }
  }
  // The typical messages.
  const Bytes jpeg = encode(".jpg", pattern(128, 96, CV_8UC3)), png = encode(".png", bgr);
  write_bytes("half.jpg", Bytes(jpeg.begin(), jpeg.begin() + static_cast<long>(jpeg.size() / 2 + 50)));
  expect_io_error([&] { read_image(path("half.jpg")); }, {"truncated", "end-of-image"});
  write_bytes("half.png", Bytes(png.begin(), png.end() - 12));
  expect_io_error([&] { read_image(path("half.png")); }, {"truncated", "IEND"});
}

TEST_F(ImageFileTest, RefusesEmptyAndAbsurdDeclaredSizesBeforeDecoding) {
  // PNG IHDR: width at bytes 16..19, height at 20..23 (big-endian).
  const Bytes png = encode(".png", pattern(4, 4, CV_8UC3));
  auto png_sized = [&](uint32_t w, uint32_t h) {
    Bytes b = png;
    for (int i = 0; i < 4; ++i) {
      b[16 + i] = static_cast<uint8_t>(w >> (24 - 8 * i));
      b[20 + i] = static_cast<uint8_t>(h >> (24 - 8 * i));
    }
    const uint32_t crc = crc32(b.data() + 12, 17);  // a crafted file has a valid checksum
    for (int i = 0; i < 4; ++i) b[29 + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
    return b;
  };
  write_bytes("zero.png", png_sized(0, 0));
  expect_io_error([&] { read_image(path("zero.png")); }, {"empty size 0x0"});
  write_bytes("huge.png", png_sized(100000, 100000));
  expect_io_error([&] { read_image(path("huge.png")); }, {"100000x100000", "too large"});
  write_bytes("many.png", png_sized(20000, 20000));  // each side allowed, 400 megapixels not
  expect_io_error([&] { read_image(path("many.png")); }, {"too large"});

  // JPEG SOF0: FF C0, length (2), precision (1), height (2), width (2).
  Bytes jpeg = encode(".jpg", pattern(4, 4, CV_8UC3));
  size_t sof = 0;
  for (size_t i = 2; i + 1 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) { sof = i; break; }
  }
  ASSERT_GT(sof, 0u);
  jpeg[sof + 5] = 40000 >> 8;
  jpeg[sof + 6] = 40000 & 0xFF;
  jpeg[sof + 7] = 40000 >> 8;
  jpeg[sof + 8] = 40000 & 0xFF;
  write_bytes("huge.jpg", jpeg);
  expect_io_error([&] { read_image(path("huge.jpg")); }, {"JPEG", "40000x40000", "too large"});
}

TEST_F(ImageFileTest, CorruptBytesNeverCrash) {
  // Random byte damage must end in an Image or an IoError, nothing else.
  const Bytes files[] = {encode(".jpg", quadrants(24, 16)), encode(".png", pattern(24, 16, CV_8UC3)),
                         encode(".webp", pattern(24, 16, CV_8UC3)), encode(".tif", pattern(24, 16, CV_8UC3))};
  cv::RNG rng(12345);
  for (const Bytes& original : files) {
    for (int trial = 0; trial < 40; ++trial) {
      Bytes damaged = original;
      for (int k = 0; k < 4; ++k) {
        // Past the first 16 bytes, where libjpeg would print a harmless JFIF-version warning.
        const size_t at = static_cast<size_t>(rng.uniform(16, std::min<int>(static_cast<int>(damaged.size()), 160)));
        damaged[at] = static_cast<uint8_t>(rng.uniform(0, 256));
      }
      const std::string file = write_bytes("damaged.img", damaged);
      try {
        const Image img = read_image(file);
        EXPECT_FALSE(img.pixels.empty());
      } catch (const IoError&) {
      }
    }
  }
}

// ---- refused writes ----------------------------------------------------------------------------

TEST_F(ImageFileTest, WriteErrorsLeaveNoFile) {
  const cv::Mat bgr = pattern(6, 4, CV_8UC3);
  expect_io_error([&] { write_image(path("a.xyz"), bgr); },
                  {"cannot write image '", "unsupported output extension '.xyz'", ".png", ".jpg"});
  expect_io_error([&] { write_image(path("noext"), bgr); }, {"unsupported output extension ''"});
  expect_io_error([&] { write_image(path("missing/a.png"), bgr); }, {"directory", "missing", "does not exist"});
  expect_io_error([&] { write_image(path("a.png"), cv::Mat()); }, {"empty"});
  expect_io_error([&] { write_image(path("a.png"), cv::Mat(4, 4, CV_32FC3, cv::Scalar::all(0.5))); }, {"8- or 16-bit"});
  expect_io_error([&] { write_image(path("a.png"), cv::Mat(4, 4, CV_8UC2)); }, {"channels"});
  expect_io_error([&] { write_image(path("a.png"), bgr, cv::Mat(3, 3, CV_8UC1)); }, {"alpha"});
  EXPECT_TRUE(files().empty());

  fs::create_directory(path("taken.png"));
  expect_io_error([&] { write_image(path("taken.png"), bgr); }, {"is a directory"});
  write_bytes("file", {1, 2, 3});
  expect_io_error([&] { write_image(path("file/a.png"), bgr); }, {"not a directory"});
  EXPECT_EQ(files().size(), 2u);
}

// ---- listing -----------------------------------------------------------------------------------

TEST_F(ImageFileTest, ListImages) {
  fs::create_directories(dir_ / "sub" / "deeper");
  fs::create_directories(dir_ / ".git");
  for (const std::string name : {"a.png", "B.JPG", "c.txt", ".hidden.png", "sub/d.tif", "sub/deeper/e.webp", ".git/f.png"}) {
    write_bytes(name, {0});
  }
  const std::string d = dir_.string();
  EXPECT_EQ(list_images({d}, false), (std::vector<std::string>{d + "/B.JPG", d + "/a.png"}));
  EXPECT_EQ(list_images({d}, true), (std::vector<std::string>{d + "/B.JPG", d + "/a.png", d + "/sub/d.tif",
                                                              d + "/sub/deeper/e.webp"}));
  // Explicit files are kept whatever their extension; duplicates collapse.
  EXPECT_EQ(list_images({d + "/c.txt", d + "/a.png", d}, false),
            (std::vector<std::string>{d + "/B.JPG", d + "/a.png", d + "/c.txt"}));
  EXPECT_TRUE(list_images({d + "/sub/deeper/"}, false).size() == 1);
  expect_io_error([&] { list_images({d + "/nothing"}, false); }, {"nothing", "no such file or directory"});
  EXPECT_TRUE(has_image_extension("x.TIFF"));
  EXPECT_FALSE(has_image_extension("x.gif"));
}

}  // namespace
}  // namespace neuroshop
