// FeatureNet; see features.h.
#include "apps/stylize/features.h"

#include <utility>

#include "core/errors.h"
#include "core/kernels/concat.h"
#include "core/kernels/parallel.h"
#include "core/rng.h"

namespace neuroshop::stylize {
namespace {

constexpr float kBinomial[3] = {0.25f, 0.5f, 0.25f};

int64_t reflect(int64_t i, int64_t n) { return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i; }

// The image enters centred and scaled to roughly unit variance (photos have a pixel standard
// deviation near 0.25), so the He-initialized filters see inputs of the scale they were drawn for:
//   x' = (x - kFeatureInputMean) * kFeatureInputScale (normalize_feature_input)
constexpr float kInputScale = kFeatureInputScale;

// Removes each filter's spatial mean per input channel:
//   w[oc][ic][kh][kw] -= mean_{kh,kw} w[oc][ic]
// A random filter with a non-zero mean mostly measures the local average colour, and those large,
// smooth responses dominate the Gram matrices; zero-mean filters respond to structure (edges,
// strokes, texture) only. Colour is left to the 1x1 bank.
void make_zero_mean(Tensor& weight) {
  const int64_t planes = weight.dim(0) * weight.dim(1), taps = weight.dim(2) * weight.dim(3);
  float* w = weight.data();
  for (int64_t p = 0; p < planes; ++p) {
    double mean = 0.0;
    for (int64_t t = 0; t < taps; ++t) mean += w[p * taps + t];
    mean /= static_cast<double>(taps);
    for (int64_t t = 0; t < taps; ++t) w[p * taps + t] -= static_cast<float>(mean);
  }
}

}  // namespace

namespace {

// The binomial filter sampled every `step` pixels (1: a blur, 2: the pyramid step):
//   y[i][j] = sum_{a,b in {-1,0,1}} k[a] k[b] x[r(step i + a)][r(step j + b)]
// and its adjoint, dx[r(step i + a)][r(step j + b)] += k[a] k[b] dy[i][j].
Tensor binomial(const Tensor& x, int64_t step) {
  const int64_t planes = x.dim(0) * x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t OH = (H + step - 1) / step, OW = (W + step - 1) / step;
  Tensor y = Tensor::empty({x.dim(0), x.dim(1), OH, OW});
  parallel_for(planes, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      // x[p][h][w] = xp[h*W + w]
      const float* xp = x.data() + p * H * W;
      float* yp = y.data() + p * OH * OW;
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j) {
          float s = 0.0f;
          for (int a = -1; a <= 1; ++a) {
            const float* row = xp + reflect(step * i + a, H) * W;
            for (int b = -1; b <= 1; ++b) s += kBinomial[a + 1] * kBinomial[b + 1] * row[reflect(step * j + b, W)];
          }
          yp[i * OW + j] = s;
        }
    }
  });
  return y;
}

Tensor binomial_adjoint(const Tensor& dy, const Shape& x_shape, int64_t step) {
  const int64_t planes = x_shape[0] * x_shape[1], H = x_shape[2], W = x_shape[3];
  const int64_t OH = dy.dim(2), OW = dy.dim(3);
  Tensor dx(x_shape);
  parallel_for(planes, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      float* dxp = dx.data() + p * H * W;
      const float* dyp = dy.data() + p * OH * OW;
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j) {
          const float g = dyp[i * OW + j];
          for (int a = -1; a <= 1; ++a) {
            float* row = dxp + reflect(step * i + a, H) * W;
            for (int b = -1; b <= 1; ++b) row[reflect(step * j + b, W)] += kBinomial[a + 1] * kBinomial[b + 1] * g;
          }
        }
    }
  });
  return dx;
}

void check_sides(const Shape& x, const char* who) {
  if (x.rank() != 4 || x[2] < 2 || x[3] < 2)
    throw ShapeError(std::string(who) + ": expected (N,C,H,W) with H, W >= 2, got " + x.str());
}

}  // namespace

Tensor binomial_down(const Tensor& x) {
  check_sides(x.shape(), "binomial_down");
  return binomial(x, 2);
}

Tensor binomial_down_backward(const Tensor& dy, const Shape& x_shape) {
  if (x_shape.rank() != 4 || dy.shape() != Shape{x_shape[0], x_shape[1], (x_shape[2] + 1) / 2, (x_shape[3] + 1) / 2})
    throw ShapeError("binomial_down_backward: dy " + dy.shape().str() + " does not match input " + x_shape.str());
  return binomial_adjoint(dy, x_shape, 2);
}

Tensor binomial_blur(const Tensor& x) {
  check_sides(x.shape(), "binomial_blur");
  return binomial(x, 1);
}

Tensor binomial_blur_backward(const Tensor& dy) {
  check_sides(dy.shape(), "binomial_blur_backward");
  return binomial_adjoint(dy, dy.shape(), 1);
}

FeatureNet::FeatureNet(const FeatureNetOptions& options) : options_(options) {
  if (options_.levels < 1 || options_.levels > 6)
    throw ArgumentError("FeatureNet: levels must be in [1, 6], got " + std::to_string(options_.levels));
  if (options_.banks.empty()) throw ArgumentError("FeatureNet: needs at least one filter bank");
  if (options_.deep_channels < 1)
    throw ArgumentError("FeatureNet: deep_channels must be positive, got " + std::to_string(options_.deep_channels));
  for (const FilterBank& b : options_.banks) {
    if (b.kernel_size < 1 || b.kernel_size % 2 == 0 || b.channels < 1)
      throw ArgumentError("FeatureNet: a filter bank needs an odd kernel size and positive channels, got kernel " +
                          std::to_string(b.kernel_size) + ", " + std::to_string(b.channels) + " channels");
    bank_channels_ += b.channels;
  }
  Rng rng(options_.seed);
  for (int64_t l = 0; l < options_.levels; ++l) {
    const std::string prefix = "level" + std::to_string(l);
    Level level;
    for (size_t b = 0; b < options_.banks.size(); ++b) {
      Conv2dOptions c;
      c.in_channels = 3;
      c.out_channels = options_.banks[b].channels;
      c.kernel_size = options_.banks[b].kernel_size;
      c.padding = c.kernel_size / 2;
      c.padding_mode = PaddingMode::kReflect;
      c.bias = false;
      const std::string name = prefix + ".k" + std::to_string(c.kernel_size);
      level.bank_convs.push_back(std::make_unique<Conv2d>(c, rng, name));
      if (c.kernel_size > 1) make_zero_mean(level.bank_convs.back()->weight().value);
      level.bank_convs.back()->freeze();
      level.bank_relus.push_back(std::make_unique<Relu>(ReluFn{}, name + ".relu"));
    }
    Conv2dOptions d;
    d.in_channels = bank_channels_;
    d.out_channels = options_.deep_channels;
    d.kernel_size = 3;
    d.padding = 1;
    d.padding_mode = PaddingMode::kReflect;
    d.bias = false;
    level.deep_conv = std::make_unique<Conv2d>(d, rng, prefix + ".deep");
    level.deep_conv->freeze();
    level.deep_relu = std::make_unique<Relu>(ReluFn{}, prefix + ".deep.relu");
    levels_.push_back(std::move(level));
  }
}

int64_t FeatureNet::min_side() const {
  // Every level must be larger than the largest bank's reflection padding (pad < side) and at least
  // 2 pixels for the 3x3 reflection padding of the blur and the deep layer. Level l has side
  // ceil(H / 2^l) >= H / 2^l, so H >= max(pad + 1, 2) * 2^(levels-1) suffices.
  int64_t pad = 0;
  for (const FilterBank& b : options_.banks) pad = std::max(pad, b.kernel_size / 2);
  return std::max<int64_t>(pad + 1, 2) << (options_.levels - 1);
}

std::string FeatureNet::style_output_name(size_t i) const {
  const size_t per_level = options_.banks.size() + 2, j = i % per_level;
  const std::string level = "level" + std::to_string(i / per_level);
  if (j == 0) return level + ".colour";
  if (j <= options_.banks.size()) return level + ".k" + std::to_string(options_.banks[j - 1].kernel_size);
  return level + ".deep";
}

int64_t FeatureNet::flops(const Shape& in) const {
  int64_t total = 2 * in.numel();  // the input normalization
  Shape s = in;
  for (const Level& level : levels_) {
    if (&level != &levels_.front()) {
      s = Shape{s[0], s[1], (s[2] + 1) / 2, (s[3] + 1) / 2};
      total += 18 * s.numel();  // binomial_down: 9 multiply-adds per output
    }
    for (size_t b = 0; b < level.bank_convs.size(); ++b)
      total += level.bank_convs[b]->flops(s) + s[0] * options_.banks[b].channels * s[2] * s[3];
    const Shape pooled{s[0], bank_channels_, (s[2] + 1) / 2, (s[3] + 1) / 2};
    total += 18 * pooled.numel() + level.deep_conv->flops(pooled) + level.deep_conv->output_shape(pooled).numel();
  }
  return total;
}

// Per level l with image x_l (x_0 the normalized input, x_l = binomial_down(x_{l-1})):
//   colour_l   = concat(x_l, 1)      its Gram holds the colour means and covariance exactly
//   bank_{l,b} = relu(conv_{l,b}(x_l))                                   one style output each
//   deep_l     = relu(conv3x3_l(binomial_down(concat_b bank_{l,b})))       one more
Tensor normalize_feature_input(const Tensor& image, int64_t min_side, const std::string& who) {
  if (image.rank() != 4 || image.dim(1) != 3)
    throw ShapeError(who + ": expected images (N,3,H,W), got " + image.shape().str());
  if (image.dim(2) < min_side || image.dim(3) < min_side)
    throw ShapeError(who + ": images must be at least " + std::to_string(min_side) + " pixels on each side, got " +
                     image.shape().str());
  Tensor x = Tensor::empty(image.shape());
  const float* ip = image.data();
  float* xp = x.data();
  for (int64_t i = 0, n = image.numel(); i < n; ++i) xp[i] = (ip[i] - kFeatureInputMean) * kFeatureInputScale;
  return x;
}

Features FeatureNet::forward(const Tensor& image) {
  Tensor x = normalize_feature_input(image, min_side(), "FeatureNet");

  Features out;
  for (Level& level : levels_) {
    if (&level != &levels_.front()) {
      level.image_shape = x.shape();
      x = binomial_down(x);
    }
    out.style.push_back(concat_channels(x, Tensor::full(Shape{x.dim(0), 1, x.dim(2), x.dim(3)}, 1.0f), "FeatureNet colour"));
    Tensor banks;
    for (size_t b = 0; b < level.bank_convs.size(); ++b) {
      Tensor y = level.bank_relus[b]->forward(level.bank_convs[b]->forward(x));
      out.style.push_back(y);
      banks = banks.defined() ? concat_channels(banks, y, "FeatureNet banks") : y;
    }
    level.banks_shape = banks.shape();
    out.style.push_back(level.deep_relu->forward(level.deep_conv->forward(binomial_down(banks))));
  }
  out.content = out.style[options_.banks.size() + 1];
  forward_ran_ = true;
  return out;
}

// Backward runs the levels from coarse to fine, so each level's image gradient can be pushed
// through its blur-subsample into the finer level's before that level adds its own:
//   dconcat_l  = binomial_down_backward(conv3x3_backward(relu_backward(ddeep_l (+ dcontent at l=0))))
//   dbank_{l,b} = dstyle[bank l,b] + split_b(dconcat_l)
//   dx_l       = dstyle[colour l][:3] + sum_b conv_{l,b}_backward(relu_backward(dbank_{l,b}))
//                + binomial_down_backward(dx_{l+1})
//   dimage     = dx_0 * kInputScale
Tensor FeatureNet::backward(const std::vector<Tensor>& dstyle, const Tensor& dcontent) {
  if (!forward_ran_) throw Error("FeatureNet: backward called before forward");
  if (dstyle.size() != num_style_outputs())
    throw ShapeError("FeatureNet backward: expected " + std::to_string(num_style_outputs()) + " style gradients, got " +
                     std::to_string(dstyle.size()));
  const size_t num_banks = options_.banks.size(), per_level = num_banks + 2;
  Tensor dx_coarser;  // gradient with respect to the next-coarser level's image
  for (int64_t l = options_.levels - 1; l >= 0; --l) {
    const size_t il = static_cast<size_t>(l);
    Level& level = levels_[il];
    Tensor ddeep = dstyle[il * per_level + num_banks + 1];
    if (l == 0 && dcontent.defined()) ddeep = ddeep.defined() ? add(ddeep, dcontent, "FeatureNet content") : dcontent;
    // Each bank's gradient: its own style gradient plus its slice of the deep layer's.
    std::vector<Tensor> dbank(num_banks);
    if (ddeep.defined()) {
      Tensor rest = binomial_down_backward(level.deep_conv->backward(level.deep_relu->backward(ddeep)), level.banks_shape);
      for (size_t b = num_banks; b-- > 1;) {  // peel the banks off the end of the concatenation
        auto parts = split_channels(rest, rest.dim(1) - options_.banks[b].channels, "FeatureNet banks");
        rest = parts.first;
        dbank[b] = parts.second;
      }
      dbank[0] = rest;
    }
    Tensor dx = dx_coarser.defined() ? binomial_down_backward(dx_coarser, levels_[il + 1].image_shape) : Tensor();
    if (dstyle[il * per_level].defined()) {  // the colour output: the image's channels, then the constant
      const Tensor d = split_channels(dstyle[il * per_level], 3, "FeatureNet colour").first;
      dx = dx.defined() ? add(dx, d, "FeatureNet image") : d;
    }
    for (size_t b = 0; b < num_banks; ++b) {
      const Tensor& own = dstyle[il * per_level + 1 + b];
      if (own.defined()) dbank[b] = dbank[b].defined() ? add(dbank[b], own, "FeatureNet bank") : own;
      if (!dbank[b].defined()) continue;
      Tensor d = level.bank_convs[b]->backward(level.bank_relus[b]->backward(dbank[b]));
      dx = dx.defined() ? add(dx, d, "FeatureNet image") : d;
    }
    dx_coarser = dx;
  }
  if (!dx_coarser.defined()) throw Error("FeatureNet backward: every gradient is undefined");
  float* dp = dx_coarser.data();
  for (int64_t i = 0, n = dx_coarser.numel(); i < n; ++i) dp[i] *= kInputScale;
  return dx_coarser;
}

}  // namespace neuroshop::stylize
