// im2col / col2im: known values, the element formula against a direct evaluation, and the adjoint
// identity <im2col(x), c> = <x, col2im(c)> for zero and reflect padding, strides and dilation.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>
#include <utility>

#include "core/errors.h"
#include "core/kernels/im2col.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

ConvGeometry make_geometry(int64_t C, int64_t H, int64_t W, int64_t K, int64_t s, int64_t p, int64_t d,
                           PaddingMode mode) {
  ConvGeometry g;
  g.channels = C;
  g.height = H;
  g.width = W;
  g.kernel_size = K;
  g.stride = s;
  g.padding = p;
  g.dilation = d;
  g.padding_mode = mode;
  return g;
}

std::vector<ConvGeometry> geometries() {
  return {
      make_geometry(3, 5, 5, 3, 1, 1, 1, PaddingMode::kZeros),
      make_geometry(3, 6, 5, 3, 2, 1, 1, PaddingMode::kReflect),
      make_geometry(2, 7, 7, 3, 1, 2, 2, PaddingMode::kReflect),
      make_geometry(2, 7, 6, 3, 1, 2, 2, PaddingMode::kZeros),
      make_geometry(3, 6, 6, 2, 2, 0, 1, PaddingMode::kZeros),
      make_geometry(2, 7, 6, 5, 3, 2, 1, PaddingMode::kZeros),
      make_geometry(2, 5, 7, 4, 1, 3, 1, PaddingMode::kReflect),
      make_geometry(3, 4, 4, 1, 1, 0, 1, PaddingMode::kZeros),
      make_geometry(1, 2, 2, 3, 1, 1, 1, PaddingMode::kReflect),
      // stride 2 (its own vectorized loop): odd and even sizes, zero padding, dilation
      make_geometry(2, 9, 11, 3, 2, 1, 1, PaddingMode::kZeros),
      make_geometry(2, 8, 10, 3, 2, 1, 1, PaddingMode::kZeros),  // col2im's paired-column path, even sizes
      // the three-rows-at-once lowering of 3x3 stride 2 at the narrowest widths
      make_geometry(2, 3, 1, 3, 2, 1, 1, PaddingMode::kZeros),
      make_geometry(1, 2, 2, 3, 2, 1, 1, PaddingMode::kZeros),
      make_geometry(2, 5, 3, 3, 2, 1, 1, PaddingMode::kZeros),
      make_geometry(1, 4, 4, 3, 2, 1, 1, PaddingMode::kZeros),
      make_geometry(2, 10, 13, 3, 2, 2, 2, PaddingMode::kZeros),
  };
}

// What col must hold, straight from the definition in im2col.h.
float expected_col(const Tensor& x, const ConvGeometry& g, int64_t row, int64_t p) {
  const int64_t K = g.kernel_size, OW = g.out_width();
  const int64_t c = row / (K * K), kh = row / K % K, kw = row % K, oh = p / OW, ow = p % OW;
  int64_t ih = oh * g.stride - g.padding + kh * g.dilation;
  int64_t iw = ow * g.stride - g.padding + kw * g.dilation;
  if (g.padding_mode == PaddingMode::kReflect) {
    if (ih < 0) ih = -ih;
    if (ih >= g.height) ih = 2 * (g.height - 1) - ih;
    if (iw < 0) iw = -iw;
    if (iw >= g.width) iw = 2 * (g.width - 1) - iw;
  }
  if (ih < 0 || ih >= g.height || iw < 0 || iw >= g.width) return 0.0f;
  return x[(c * g.height + ih) * g.width + iw];
}

TEST(Im2col, KnownValues) {
  // One 3x3 channel 1..9, 2x2 kernel: four rows of the four 2x2 windows' corners.
  const Tensor x = Tensor::from({1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const ConvGeometry g = make_geometry(1, 3, 3, 2, 1, 0, 1, PaddingMode::kZeros);
  Tensor col({4, 4});
  im2col(x.data(), g, 0, g.out_height(), col.data());
  const std::vector<float> expected = {1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9};
  EXPECT_EQ(col.to_vector(), expected);
}

TEST(Im2col, ReflectPaddingDoesNotRepeatTheBorder) {
  // 3x3 kernel, padding 1 over 1..9: the top-left window is [[5,4,5],[2,1,2],[5,4,5]].
  const Tensor x = Tensor::from({1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const ConvGeometry g = make_geometry(1, 3, 3, 3, 1, 1, 1, PaddingMode::kReflect);
  Tensor col({9, 9});
  im2col(x.data(), g, 0, g.out_height(), col.data());
  const std::vector<float> window = {5, 4, 5, 2, 1, 2, 5, 4, 5};
  for (int64_t r = 0; r < 9; ++r) EXPECT_EQ(col[r * 9 + 0], window[static_cast<size_t>(r)]) << "row " << r;
  // Bottom-right window (p = 8): [[5,6,5],[8,9,8],[5,6,5]].
  const std::vector<float> last = {5, 6, 5, 8, 9, 8, 5, 6, 5};
  for (int64_t r = 0; r < 9; ++r) EXPECT_EQ(col[r * 9 + 8], last[static_cast<size_t>(r)]) << "row " << r;
}

TEST(Im2col, MatchesDefinition) {
  Rng rng(11);
  for (const ConvGeometry& g : geometries()) {
    const Tensor x = testing::random_tensor({g.channels, g.height, g.width}, rng);
    Tensor col = Tensor::full({g.col_rows(), g.col_cols()}, 123.0f);  // every element must be overwritten
    im2col(x.data(), g, 0, g.out_height(), col.data());
    for (int64_t r = 0; r < g.col_rows(); ++r)
      for (int64_t p = 0; p < g.col_cols(); ++p)
        ASSERT_EQ(col[r * g.col_cols() + p], expected_col(x, g, r, p))
            << "K=" << g.kernel_size << " s=" << g.stride << " p=" << g.padding << " d=" << g.dilation
            << " mode=" << padding_mode_name(g.padding_mode) << " row " << r << " col " << p;
  }
}

// im2col_panels holds the same columns as im2col, dealt into panels of nr with a zero tail, for
// whole images and for blocks of rows.
TEST(Im2col, PanelsHoldTheSameColumns) {
  Rng rng(14);
  for (const int64_t nr : {8, 16, 32})
    for (const ConvGeometry& g : geometries()) {
      const Tensor x = testing::random_tensor({g.channels, g.height, g.width}, rng);
      const int64_t OH = g.out_height(), R = g.col_rows();
      for (const auto& [oh0, oh1] : std::vector<std::pair<int64_t, int64_t>>{{0, OH}, {OH / 2, OH}}) {
        const int64_t P = (oh1 - oh0) * g.out_width(), panels = (P + nr - 1) / nr;
        if (P == 0) continue;
        Tensor col({R, P});
        im2col(x.data(), g, oh0, oh1, col.data());
        Tensor dst = Tensor::full({panels * R * nr}, 123.0f);  // every element must be overwritten
        im2col_panels(x.data(), g, oh0, oh1, nr, dst.data());
        for (int64_t r = 0; r < R; ++r)
          for (int64_t j = 0; j < panels * nr; ++j)
            ASSERT_EQ(dst[(j / nr) * R * nr + r * nr + j % nr], j < P ? col[r * P + j] : 0.0f)
                << "K=" << g.kernel_size << " s=" << g.stride << " nr=" << nr << " rows " << oh0 << ".." << oh1
                << " row " << r << " col " << j;
      }
    }
}

TEST(Im2col, Col2imIsTheAdjoint) {
  Rng rng(12);
  for (const ConvGeometry& g : geometries()) {
    const Tensor x = testing::random_tensor({g.channels, g.height, g.width}, rng);
    const Tensor c = testing::random_tensor({g.col_rows(), g.col_cols()}, rng);
    Tensor col({g.col_rows(), g.col_cols()});
    im2col(x.data(), g, 0, g.out_height(), col.data());
    Tensor dx({g.channels, g.height, g.width});
    col2im(c.data(), g, 0, g.out_height(), dx.data());
    EXPECT_NEAR(testing::dot(col, c), testing::dot(x, dx), 1e-4)
        << "K=" << g.kernel_size << " s=" << g.stride << " p=" << g.padding << " d=" << g.dilation
        << " mode=" << padding_mode_name(g.padding_mode);
  }
}

TEST(Im2col, Col2imAccumulates) {
  Rng rng(13);
  const ConvGeometry g = make_geometry(2, 5, 5, 3, 1, 1, 1, PaddingMode::kReflect);
  const Tensor c = testing::random_tensor({g.col_rows(), g.col_cols()}, rng);
  Tensor fresh({2, 5, 5});
  col2im(c.data(), g, 0, g.out_height(), fresh.data());
  Tensor acc = Tensor::full({2, 5, 5}, 0.5f);
  col2im(c.data(), g, 0, g.out_height(), acc.data());
  for (int64_t i = 0; i < acc.numel(); ++i) EXPECT_NEAR(acc[i], 0.5f + fresh[i], 1e-6f);
}

// Blocks of output rows are the whole lowering cut by columns, and col2im of the blocks adds up to
// col2im of the whole (the convolution layer relies on both).
TEST(Im2col, RowBlocksMatchTheWholeImage) {
  Rng rng(14);
  for (const ConvGeometry& g : geometries()) {
    const Tensor x = testing::random_tensor({g.channels, g.height, g.width}, rng);
    const int64_t OH = g.out_height(), OW = g.out_width(), P = g.col_cols(), R = g.col_rows();
    Tensor whole({R, P});
    im2col(x.data(), g, 0, OH, whole.data());
    const Tensor c = testing::random_tensor({R, P}, rng);
    Tensor dx_whole = Tensor::zeros({g.channels, g.height, g.width});
    col2im(c.data(), g, 0, OH, dx_whole.data());
    Tensor dx_blocks = Tensor::zeros({g.channels, g.height, g.width});
    for (int64_t rows = 1; rows <= 2; ++rows) {
      dx_blocks.fill(0.0f);
      for (int64_t oh0 = 0; oh0 < OH; oh0 += rows) {
        const int64_t oh1 = std::min(OH, oh0 + rows), Pb = (oh1 - oh0) * OW;
        Tensor block = Tensor::full({R, Pb}, 123.0f);
        im2col(x.data(), g, oh0, oh1, block.data());
        Tensor c_block({R, Pb});
        for (int64_t r = 0; r < R; ++r)
          for (int64_t j = 0; j < Pb; ++j) {
            ASSERT_EQ(block[r * Pb + j], whole[r * P + oh0 * OW + j]) << "rows " << oh0 << ".." << oh1 << " row " << r;
            c_block[r * Pb + j] = c[r * P + oh0 * OW + j];
          }
        col2im(c_block.data(), g, oh0, oh1, dx_blocks.data());
      }
      for (int64_t i = 0; i < dx_whole.numel(); ++i) ASSERT_NEAR(dx_blocks[i], dx_whole[i], 1e-5f) << "element " << i;
    }
  }
}

TEST(Im2col, GeometrySizesFollowTorch) {
  EXPECT_EQ(make_geometry(1, 7, 7, 3, 2, 1, 1, PaddingMode::kZeros).out_height(), 4);
  EXPECT_EQ(make_geometry(1, 7, 7, 3, 1, 2, 2, PaddingMode::kZeros).out_height(), 7);
  EXPECT_EQ(make_geometry(1, 6, 6, 2, 2, 0, 1, PaddingMode::kZeros).out_width(), 3);
  EXPECT_TRUE(make_geometry(4, 6, 6, 1, 1, 0, 1, PaddingMode::kZeros).is_identity());
  EXPECT_FALSE(make_geometry(4, 6, 6, 1, 2, 0, 1, PaddingMode::kZeros).is_identity());
}

TEST(Im2col, PaddingModeNames) {
  EXPECT_EQ(parse_padding_mode("reflect", "test"), PaddingMode::kReflect);
  EXPECT_EQ(parse_padding_mode(padding_mode_name(PaddingMode::kZeros), "test"), PaddingMode::kZeros);
  EXPECT_THROW(parse_padding_mode("circular", "test"), ArgumentError);
}

}  // namespace
}  // namespace neuroshop
