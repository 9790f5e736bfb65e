// cv::Mat <-> Tensor: channel order, scaling, rounding and clamping, batches, refused shapes.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <opencv2/core.hpp>

#include "core/errors.h"
#include "io/tensor_image.h"

namespace neuroshop {
namespace {

bool same(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0.0;
}

cv::Mat random_mat(int rows, int cols, int type, uint64_t seed) {
  cv::Mat m(rows, cols, type);
  cv::RNG rng(seed);
  rng.fill(m, cv::RNG::UNIFORM, 0, m.depth() == CV_16U ? 65536 : 256);
  return m;
}

TEST(TensorImage, BgrMatBecomesRgbPlanes) {
  cv::Mat m(2, 3, CV_8UC3);
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 3; ++x) m.at<cv::Vec3b>(y, x) = cv::Vec3b(10 * x, 100 + y, 200 + x + y);  // B, G, R
  const Tensor t = mat_to_tensor(m);
  ASSERT_EQ(t.shape(), (Shape{1, 3, 2, 3}));
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 3; ++x) {
      EXPECT_FLOAT_EQ(t.at(0, 0, y, x), (200 + x + y) / 255.0f);  // R
      EXPECT_FLOAT_EQ(t.at(0, 1, y, x), (100 + y) / 255.0f);      // G
      EXPECT_FLOAT_EQ(t.at(0, 2, y, x), (10 * x) / 255.0f);       // B
    }
  }
}

TEST(TensorImage, RoundTripsExactly) {
  for (const int type : {CV_8UC3, CV_8UC1, CV_16UC3, CV_16UC1}) {
    const cv::Mat m = random_mat(7, 5, type, 3 + type);
    const Tensor t = mat_to_tensor(m);
    EXPECT_EQ(t.shape(), (Shape{1, m.channels(), 7, 5}));
    EXPECT_TRUE(same(tensor_to_mat(t, m.depth()), m)) << type;
  }
  // 16-bit scales by 65535.
  const cv::Mat m16(1, 1, CV_16UC1, cv::Scalar(65535));
  EXPECT_FLOAT_EQ(mat_to_tensor(m16)[0], 1.0f);
}

TEST(TensorImage, RoundsAndClamps) {
  const Tensor t = Tensor::from({1, 1, 1, 7}, {-0.5f, 1.5f, std::numeric_limits<float>::quiet_NaN(), 0.4f / 255,
                                               0.6f / 255, 0.2f, std::numeric_limits<float>::infinity()});
  const cv::Mat m8 = tensor_to_mat(t);
  ASSERT_EQ(m8.type(), CV_8UC1);
  const uint8_t expected8[] = {0, 255, 0, 0, 1, 51, 255};
  for (int i = 0; i < 7; ++i) EXPECT_EQ(m8.at<uint8_t>(0, i), expected8[i]) << i;
  const cv::Mat m16 = tensor_to_mat(t, CV_16U);
  EXPECT_EQ(m16.at<uint16_t>(0, 0), 0);
  EXPECT_EQ(m16.at<uint16_t>(0, 1), 65535);
  EXPECT_EQ(m16.at<uint16_t>(0, 5), 13107);  // 0.2 * 65535
  // CV_32F copies values as they are (Lab and unclamped results stay intact).
  const cv::Mat mf = tensor_to_mat(t, CV_32F);
  EXPECT_FLOAT_EQ(mf.at<float>(0, 0), -0.5f);
  EXPECT_FLOAT_EQ(mf.at<float>(0, 1), 1.5f);
  EXPECT_TRUE(same(tensor_to_mat(mat_to_tensor(mf), CV_32F), mf));
}

TEST(TensorImage, Batches) {
  const cv::Mat a = random_mat(4, 6, CV_8UC3, 1), b = random_mat(4, 6, CV_8UC3, 2);
  const Tensor t = mats_to_tensor({a, b});
  ASSERT_EQ(t.shape(), (Shape{2, 3, 4, 6}));
  const std::vector<cv::Mat> back = tensor_to_mats(t);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_TRUE(same(back[0], a));
  EXPECT_TRUE(same(back[1], b));
  EXPECT_FLOAT_EQ(t.at(1, 0, 2, 3), b.at<cv::Vec3b>(2, 3)[2] / 255.0f);
}

TEST(TensorImage, RefusesWhatItCannotConvert) {
  EXPECT_THROW(mat_to_tensor(cv::Mat()), ShapeError);
  EXPECT_THROW(mat_to_tensor(cv::Mat(2, 2, CV_8UC4)), ShapeError);
  EXPECT_THROW(mat_to_tensor(cv::Mat(2, 2, CV_64FC3)), ArgumentError);
  EXPECT_THROW(mats_to_tensor({cv::Mat(2, 2, CV_8UC3), cv::Mat(2, 3, CV_8UC3)}), ShapeError);
  EXPECT_THROW(mats_to_tensor({}), ShapeError);
  EXPECT_THROW(tensor_to_mat(Tensor({2, 3, 4, 4})), ShapeError);
  EXPECT_THROW(tensor_to_mat(Tensor({1, 2, 4, 4})), ShapeError);
  EXPECT_THROW(tensor_to_mat(Tensor({3, 4, 4})), ShapeError);
  EXPECT_THROW(tensor_to_mat(Tensor({1, 3, 4, 4}), CV_64F), ArgumentError);
  try {
    tensor_to_mat(Tensor({1, 4, 2, 2}));
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("(1,4,2,2)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace neuroshop
