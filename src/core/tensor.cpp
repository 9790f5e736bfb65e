// Shape and Tensor; see tensor.h.
#include "core/tensor.h"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "core/buffer_pool.h"
#include "core/errors.h"

namespace neuroshop {

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int64_t d : dims_) n *= d;
  return n;
}

std::string Shape::str() const {
  std::ostringstream os;
  os << '(';
  for (size_t i = 0; i < dims_.size(); ++i) os << (i ? "," : "") << dims_[i];
  os << ')';
  return os.str();
}

struct Tensor::Buffer {
  float* data = nullptr;
  size_t capacity = 0;
  explicit Buffer(size_t count) { data = pool_allocate(count, &capacity); }
  ~Buffer() { pool_release(data, capacity); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
};

Tensor Tensor::empty(const Shape& shape) {
  for (int64_t d : shape.dims())
    if (d < 0) throw ShapeError("Tensor: negative dimension in shape " + shape.str());
  Tensor t;
  t.shape_ = shape;
  t.numel_ = shape.numel();
  t.buffer_ = std::make_shared<Buffer>(static_cast<size_t>(t.numel_));
  t.data_ = t.buffer_->data;
  return t;
}

Tensor::Tensor(const Shape& shape) : Tensor(empty(shape)) { fill(0.0f); }

Tensor Tensor::full(const Shape& shape, float value) {
  Tensor t = empty(shape);
  t.fill(value);
  return t;
}

Tensor Tensor::from(const Shape& shape, const std::vector<float>& values) {
  if (static_cast<int64_t>(values.size()) != shape.numel())
    throw ShapeError("Tensor::from: shape " + shape.str() + " needs " + std::to_string(shape.numel()) +
                     " values, got " + std::to_string(values.size()));
  Tensor t = empty(shape);
  std::copy(values.begin(), values.end(), t.data_);
  return t;
}

Tensor Tensor::clone() const {
  if (!defined()) return Tensor();
  Tensor t = empty(shape_);
  std::memcpy(t.data_, data_, static_cast<size_t>(numel_) * sizeof(float));
  return t;
}

void Tensor::fill(float value) { std::fill(data_, data_ + numel_, value); }

Tensor Tensor::reshaped(const Shape& shape) const {
  if (shape.numel() != numel_)
    throw ShapeError("Tensor::reshaped: cannot view " + shape_.str() + " as " + shape.str());
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

void Tensor::copy_from(const Tensor& other) {
  if (other.numel_ != numel_)
    throw ShapeError("Tensor::copy_from: " + other.shape_.str() + " into " + shape_.str());
  std::memcpy(data_, other.data_, static_cast<size_t>(numel_) * sizeof(float));
}

void expect_rank(const Tensor& t, int rank, const std::string& who) {
  if (t.rank() != rank)
    throw ShapeError(who + ": expected a rank-" + std::to_string(rank) + " input, got " + t.shape().str());
}

void expect_same_shape(const Shape& a, const Shape& b, const std::string& who) {
  if (a != b) throw ShapeError(who + ": shapes differ, " + a.str() + " vs " + b.str());
}

}  // namespace neuroshop
