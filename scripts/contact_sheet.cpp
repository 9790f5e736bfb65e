// A contact sheet for scripts/stylize-sheet.sh: images in a grid of equal cells, each fitted into its
// cell (aspect kept, centred on white) with a caption under it. Built by that script with g++ and
// OpenCV; not part of neuroshop.
//   contact_sheet OUT.jpg CELL_WIDTH CELL_HEIGHT COLUMNS QUALITY CELL...
// where each CELL is IMAGE=CAPTION, or '-' for an empty cell, row by row.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s OUT.jpg CELL_WIDTH CELL_HEIGHT COLUMNS QUALITY CELL...\n", argv[0]);
    return 2;
  }
  const int cw = std::atoi(argv[2]), ch = std::atoi(argv[3]), cols = std::atoi(argv[4]), quality = std::atoi(argv[5]);
  const int caption = 22, pad = 4;
  const int cells = argc - 6, rows = (cells + cols - 1) / cols;
  cv::Mat sheet(rows * (ch + caption + pad) + pad, cols * (cw + pad) + pad, CV_8UC3, cv::Scalar(255, 255, 255));
  for (int i = 0; i < cells; ++i) {
    const std::string cell = argv[6 + i];
    if (cell == "-") continue;
    const size_t eq = cell.find('=');
    const std::string path = cell.substr(0, eq), text = eq == std::string::npos ? "" : cell.substr(eq + 1);
    cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
    if (image.empty()) {
      std::fprintf(stderr, "error: cannot read image '%s'\n", path.c_str());
      return 1;
    }
    const double f = std::min(static_cast<double>(cw) / image.cols, static_cast<double>(ch) / image.rows);
    const cv::Size size(std::max(1, static_cast<int>(image.cols * f + 0.5)), std::max(1, static_cast<int>(image.rows * f + 0.5)));
    if (size != image.size()) cv::resize(image, image, size, 0, 0, f < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
    const int x0 = pad + (i % cols) * (cw + pad), y0 = pad + (i / cols) * (ch + caption + pad);
    image.copyTo(sheet(cv::Rect(x0 + (cw - size.width) / 2, y0 + (ch - size.height) / 2, size.width, size.height)));
    cv::putText(sheet, text, cv::Point(x0 + 2, y0 + ch + caption - 6), cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(0, 0, 0), 1,
                cv::LINE_AA);
  }
  if (!cv::imwrite(argv[1], sheet, {cv::IMWRITE_JPEG_QUALITY, quality})) {
    std::fprintf(stderr, "error: cannot write '%s'\n", argv[1]);
    return 1;
  }
  return 0;
}
