// RandomVgg; see random_vgg.h.
#include "apps/stylize/random_vgg.h"

#include <algorithm>

#include "core/errors.h"
#include "core/kernels/concat.h"
#include "core/rng.h"

namespace neuroshop::stylize {
namespace {

// As FeatureNet: the image enters centred and scaled to about unit variance, x' = (x - 0.45) * 4.
constexpr float kInputScale = kFeatureInputScale;

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

RandomVgg::RandomVgg(const RandomVggOptions& options) : options_(options) {
  const auto& blocks = options_.convs_per_block;
  if (options_.width < 1) throw ArgumentError("RandomVgg: width must be positive, got " + std::to_string(options_.width));
  if (blocks.size() != 5 || blocks[3] < 2 || std::any_of(blocks.begin(), blocks.end(), [](int64_t n) { return n < 1; }))
    throw ArgumentError("RandomVgg: needs 5 blocks of at least one convolution, block 4 at least two (conv4_2)");
  Rng rng(options_.seed);
  int64_t in = 3;
  for (size_t b = 0; b < blocks.size(); ++b) {
    if (b > 0) steps_.push_back(Step{});  // binomial_down
    const int64_t out = options_.width * (int64_t{1} << std::min<size_t>(b, 3));
    for (int64_t i = 0; i < blocks[b]; ++i) {
      Conv2dOptions c;
      c.in_channels = in;
      c.out_channels = out;
      c.kernel_size = 3;
      c.padding = 1;
      c.padding_mode = PaddingMode::kReflect;
      c.bias = false;
      const std::string name = "conv" + std::to_string(b + 1) + "_" + std::to_string(i + 1);
      Step s;
      s.conv = std::make_unique<Conv2d>(c, rng, name);
      if (b == 0 && i == 0) make_zero_mean(s.conv->weight().value);
      s.conv->freeze();
      s.relu = std::make_unique<Relu>(ReluFn{}, name + ".relu");
      if (i == 0) s.style_index = static_cast<int>(b + 1);
      s.content = b == 3 && i == 1;
      steps_.push_back(std::move(s));
      in = out;
    }
  }
}

std::string RandomVgg::style_output_name(size_t i) const {
  return i == 0 ? std::string("colour") : "relu" + std::to_string(i) + "_1";
}

int64_t RandomVgg::flops(const Shape& in) const {
  int64_t total = 2 * in.numel();
  Shape s = in;
  for (const Step& step : steps_) {
    if (!step.conv) {
      s = Shape{s[0], s[1], (s[2] + 1) / 2, (s[3] + 1) / 2};
      total += 18 * s.numel();
      continue;
    }
    total += step.conv->flops(s);
    s = step.conv->output_shape(s);
    total += s.numel();
  }
  return total;
}

// x_0 = (image - 0.45) * 4; each step x_{i+1} = relu(conv_i(x_i)) or binomial_down(x_i);
// style outputs: concat(x_0, 1) and relu{b}_1; content: relu4_2.
Features RandomVgg::forward(const Tensor& image) {
  Tensor x = normalize_feature_input(image, min_side(), "RandomVgg");
  Features out;
  out.style.resize(num_style_outputs());
  out.style[0] = concat_channels(x, Tensor::full(Shape{x.dim(0), 1, x.dim(2), x.dim(3)}, 1.0f), "RandomVgg colour");
  for (Step& step : steps_) {
    step.in_shape = x.shape();
    if (!step.conv) {
      x = binomial_down(x);
      continue;
    }
    x = step.relu->forward(step.conv->forward(x));
    if (step.style_index >= 0) out.style[static_cast<size_t>(step.style_index)] = x;
    if (step.content) out.content = x;
  }
  forward_ran_ = true;
  return out;
}

// Back through the chain from the last tap: at a ReLU with a style or content output, that
// output's gradient joins the one coming from above, dy_i += dstyle (+ dcontent); then
//   conv step:  dx_i = conv_backward(relu_backward(dy_i));   subsampling: binomial_down_backward
// and finally dimage = dx_0 * 4 + dstyle[colour][:3] * 4.
Tensor RandomVgg::backward(const std::vector<Tensor>& dstyle, const Tensor& dcontent) {
  if (!forward_ran_) throw Error("RandomVgg: backward called before forward");
  if (dstyle.size() != num_style_outputs())
    throw ShapeError("RandomVgg backward: expected " + std::to_string(num_style_outputs()) + " style gradients, got " +
                     std::to_string(dstyle.size()));
  Tensor d;
  auto accumulate = [&d](const Tensor& g) {
    if (g.defined()) d = d.defined() ? add(d, g, "RandomVgg backward") : g;
  };
  for (size_t i = steps_.size(); i-- > 0;) {
    Step& step = steps_[i];
    if (step.conv) {
      if (step.style_index >= 0) accumulate(dstyle[static_cast<size_t>(step.style_index)]);
      if (step.content) accumulate(dcontent);
    }
    if (!d.defined()) continue;
    d = step.conv ? step.conv->backward(step.relu->backward(d)) : binomial_down_backward(d, step.in_shape);
  }
  if (dstyle[0].defined()) accumulate(split_channels(dstyle[0], 3, "RandomVgg colour").first);
  if (!d.defined()) throw Error("RandomVgg backward: every gradient is undefined");
  float* dp = d.data();
  for (int64_t i = 0, n = d.numel(); i < n; ++i) dp[i] *= kInputScale;
  return d;
}

}  // namespace neuroshop::stylize
