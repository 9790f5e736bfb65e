// Channel concatenation, its split backward and an in-place add; see concat.h.
#include "core/kernels/concat.h"

#include <cstring>

#include "core/errors.h"

namespace neuroshop {

namespace {

// Elements per channel: the product of the dimensions after the channel axis.
int64_t inner_size(const Shape& s) {
  int64_t n = 1;
  for (int i = 2; i < s.rank(); ++i) n *= s[i];
  return n;
}

}  // namespace

Shape concat_channels_shape(const Shape& a, const Shape& b, const std::string& who) {
  bool ok = a.rank() >= 2 && a.rank() == b.rank() && a[0] == b[0];
  for (int i = 2; ok && i < a.rank(); ++i) ok = a[i] == b[i];
  if (!ok)
    throw ShapeError(who + ": cannot concatenate channels of " + a.str() + " and " + b.str() +
                     " (all dimensions but 1 must agree)");
  Shape y = a;
  y[1] = a[1] + b[1];
  return y;
}

Tensor concat_channels(const Tensor& a, const Tensor& b, const std::string& who) {
  const Shape ys = concat_channels_shape(a.shape(), b.shape(), who);
  Tensor y = Tensor::empty(ys);
  const int64_t N = ys[0];
  // Per sample, a's channels form one contiguous block and b's the next.
  const int64_t a_block = a.shape()[1] * inner_size(a.shape());
  const int64_t b_block = b.shape()[1] * inner_size(b.shape());
  const float* ap = a.data();
  const float* bp = b.data();
  float* yp = y.data();
  for (int64_t n = 0; n < N; ++n) {
    float* yn = yp + n * (a_block + b_block);
    if (a_block) std::memcpy(yn, ap + n * a_block, static_cast<size_t>(a_block) * sizeof(float));
    if (b_block) std::memcpy(yn + a_block, bp + n * b_block, static_cast<size_t>(b_block) * sizeof(float));
  }
  return y;
}

std::pair<Tensor, Tensor> split_channels(const Tensor& dy, int64_t Ca, const std::string& who) {
  const Shape& s = dy.shape();
  if (s.rank() < 2 || Ca < 0 || Ca > s[1])
    throw ShapeError(who + ": cannot split " + std::to_string(Ca) + " channels off " + s.str());
  Shape sa = s, sb = s;
  sa[1] = Ca;
  sb[1] = s[1] - Ca;
  Tensor da = Tensor::empty(sa), db = Tensor::empty(sb);
  const int64_t inner = inner_size(s);
  const int64_t a_block = Ca * inner, b_block = sb[1] * inner;
  const float* dyp = dy.data();
  for (int64_t n = 0; n < s[0]; ++n) {
    const float* dyn = dyp + n * (a_block + b_block);
    if (a_block) std::memcpy(da.data() + n * a_block, dyn, static_cast<size_t>(a_block) * sizeof(float));
    if (b_block) std::memcpy(db.data() + n * b_block, dyn + a_block, static_cast<size_t>(b_block) * sizeof(float));
  }
  return {da, db};
}

Tensor add(const Tensor& a, const Tensor& b, const std::string& who) {
  expect_same_shape(a.shape(), b.shape(), who);
  Tensor y = Tensor::empty(a.shape());
  const float* ap = a.data();
  const float* bp = b.data();
  float* yp = y.data();
  for (int64_t i = 0, n = y.numel(); i < n; ++i) yp[i] = ap[i] + bp[i];
  return y;
}

void add_inplace(Tensor& y, const Tensor& x, const std::string& who) {
  expect_same_shape(y.shape(), x.shape(), who);
  float* yp = y.data();
  const float* xp = x.data();
  for (int64_t i = 0, n = y.numel(); i < n; ++i) yp[i] += xp[i];
}

}  // namespace neuroshop
