// `neuroshop serve`'s upload checks: size limit (413), content type and magic bytes (415), complete
// decoding and pixel limit (400 / 413); client file names only quoted, never used; private
// temporary folders that vanish with their contents.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "apps/serve/uploads.h"

namespace neuroshop::serve {
namespace {
namespace fs = std::filesystem;

std::string encoded(const std::string& ext, int width = 20, int height = 10) {
  cv::Mat m(height, width, CV_8UC3, cv::Scalar(40, 120, 200));
  std::vector<uchar> bytes;
  cv::imencode(ext, m, bytes);
  return std::string(bytes.begin(), bytes.end());
}

FormPart upload(const std::string& bytes, const std::string& type, const std::string& filename = "photo.png") {
  return {"room", filename, type, bytes};
}

// The status and message of the HttpError `fn` throws (0, "" when it does not throw).
std::pair<int, std::string> error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const HttpError& e) {
    return {e.status(), e.what()};
  }
  return {0, ""};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(ServeUploads, SniffsTheFormatsIoReads) {
  EXPECT_EQ(sniff_image_format(encoded(".png")), "png");
  EXPECT_EQ(sniff_image_format(encoded(".jpg")), "jpeg");
  EXPECT_EQ(sniff_image_format(encoded(".bmp")), "bmp");
  EXPECT_EQ(sniff_image_format(encoded(".tif")), "tiff");
  EXPECT_EQ(sniff_image_format(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), "webp");
  EXPECT_EQ(sniff_image_format(encoded(".webp")), "webp");
  EXPECT_EQ(sniff_image_format("GIF89a"), "");
  EXPECT_EQ(sniff_image_format("<html>"), "");
  EXPECT_EQ(sniff_image_format(""), "");
}

TEST(ServeUploads, AcceptsAnImageAndDecodesIt) {
  const FormPart part = upload(encoded(".png"), "image/png", "C:\\Users\\me\\room photo.png");
  const CheckedImage c = check_image_upload(&part, "room", {});
  EXPECT_EQ(c.format, "png");
  EXPECT_EQ(c.name, "room photo.png");
  EXPECT_EQ(c.image.pixels.cols, 20);
  EXPECT_EQ(c.image.pixels.rows, 10);
  const FormPart jpeg = upload(encoded(".jpg"), "image/jpeg; charset=binary");  // parameters are ignored
  EXPECT_EQ(check_image_upload(&jpeg, "room", {}).format, "jpeg");
}

TEST(ServeUploads, RefusesOversizedUploads) {
  UploadLimits limits;
  limits.max_bytes = 100;
  const FormPart part = upload(encoded(".png", 200, 200), "image/png");
  ASSERT_GT(part.content.size(), 100u);
  const auto [status, message] = error_of([&] { check_image_upload(&part, "room", limits); });
  EXPECT_EQ(status, 413);
  EXPECT_TRUE(contains(message, "room 'photo.png'")) << message;
  EXPECT_TRUE(contains(message, "limit is 100 bytes")) << message;

  limits = {};
  limits.max_pixels = 100;  // a small file can still decode to many pixels
  const FormPart many = upload(encoded(".png", 20, 10), "image/png");
  EXPECT_EQ(error_of([&] { check_image_upload(&many, "room", limits); }).first, 413);
}

TEST(ServeUploads, RefusesWrongContent) {
  const std::string png = encoded(".png");
  // A declared type that is not an image.
  for (const char* type : {"text/plain", "application/octet-stream", "image/svg+xml", "image/gif", ""}) {
    const FormPart part = upload(png, type);
    EXPECT_EQ(error_of([&] { check_image_upload(&part, "room", {}); }).first, 415) << type;
  }
  // An image type over bytes that are not an image: the magic bytes decide.
  const FormPart text = upload("#!/bin/sh\necho hello\n", "image/png", "x.png");
  const auto [status, message] = error_of([&] { check_image_upload(&text, "room", {}); });
  EXPECT_EQ(status, 415);
  EXPECT_TRUE(contains(message, "not a PNG, JPEG")) << message;
  const FormPart svg = upload("<svg xmlns='http://www.w3.org/2000/svg'/>", "image/jpeg", "x.jpg");
  EXPECT_EQ(error_of([&] { check_image_upload(&svg, "room", {}); }).first, 415);
  // Right magic, broken file: io's checks refuse it with their own reason.
  const std::string jpeg = encoded(".jpg", 64, 64);
  const FormPart truncated = upload(jpeg.substr(0, jpeg.size() / 2), "image/jpeg", "half.jpg");
  const auto [status2, message2] = error_of([&] { check_image_upload(&truncated, "room", {}); });
  EXPECT_EQ(status2, 400);
  EXPECT_TRUE(contains(message2, "cannot read image 'half.jpg'")) << message2;
  const FormPart empty = upload("", "image/png");
  EXPECT_EQ(error_of([&] { check_image_upload(&empty, "room", {}); }).first, 400);
  EXPECT_EQ(error_of([&] { check_image_upload(nullptr, "room", {}); }).first, 400);
}

TEST(ServeUploads, ClientFileNamesAreOnlyQuoted) {
  EXPECT_EQ(display_name("../../etc/passwd"), "passwd");
  EXPECT_EQ(display_name("..\\..\\boot.ini"), "boot.ini");
  EXPECT_EQ(display_name("a\nb\x01.png"), "a?b?.png");
  EXPECT_EQ(display_name(""), "upload");
  EXPECT_EQ(display_name("dir/"), "upload");
  EXPECT_LE(display_name(std::string(500, 'x')).size(), 80u);
}

TEST(ServeUploads, TempDirIsPrivateAndRemovedWithItsContents) {
  fs::path kept;
  {
    TempDir dir(fs::temp_directory_path(), "neuroshop-test");
    kept = dir.path();
    struct stat st {};
    ASSERT_EQ(stat(kept.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    write_bytes(kept / "a.png", "bytes");
    fs::create_directories(kept / "nested");
    write_bytes(kept / "nested" / "b.png", "more");
    EXPECT_EQ(read_bytes(kept / "a.png"), "bytes");
  }
  EXPECT_FALSE(fs::exists(kept));
  EXPECT_THROW(TempDir(fs::path("/nonexistent-dir-for-neuroshop"), "x"), Error);
}

}  // namespace
}  // namespace neuroshop::serve
