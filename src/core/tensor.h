// Shape and Tensor: a contiguous, 64-byte-aligned float32 buffer plus a shape (NCHW, row-major).
//
// Copying a Tensor shares its buffer (like a handle); clone() makes a deep copy. Layers cache
// their inputs by sharing, so nobody may modify a tensor in place after handing it to forward().
// Buffers come from a process-wide pool of recycled blocks (see buffer_pool.h): a training step
// that allocates the same shapes as the previous one touches no fresh pages.
// Not here: views with strides, broadcasting, autograd. Those live in the layers that need them.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace neuroshop {

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}

  int rank() const { return static_cast<int>(dims_.size()); }
  int64_t operator[](int i) const { return dims_[static_cast<size_t>(i)]; }
  int64_t& operator[](int i) { return dims_[static_cast<size_t>(i)]; }
  int64_t numel() const;
  const std::vector<int64_t>& dims() const { return dims_; }

  bool operator==(const Shape& o) const { return dims_ == o.dims_; }
  bool operator!=(const Shape& o) const { return dims_ != o.dims_; }

  // "(2,3,64,64)"
  std::string str() const;

 private:
  std::vector<int64_t> dims_;
};

class Tensor {
 public:
  Tensor() = default;
  // Zero-filled.
  explicit Tensor(const Shape& shape);
  static Tensor zeros(const Shape& shape) { return Tensor(shape); }
  static Tensor full(const Shape& shape, float value);
  // Uninitialized contents; use only when every element is written before it is read.
  static Tensor empty(const Shape& shape);
  static Tensor from(const Shape& shape, const std::vector<float>& values);

  const Shape& shape() const { return shape_; }
  int rank() const { return shape_.rank(); }
  int64_t dim(int i) const { return shape_[i]; }
  int64_t numel() const { return numel_; }
  bool defined() const { return buffer_ != nullptr; }

  float* data() { return data_; }
  const float* data() const { return data_; }
  float& operator[](int64_t i) { return data_[i]; }
  const float& operator[](int64_t i) const { return data_[i]; }

  // x[n][c][h][w] for a rank-4 tensor.
  float& at(int64_t n, int64_t c, int64_t h, int64_t w) {
    return data_[((n * shape_[1] + c) * shape_[2] + h) * shape_[3] + w];
  }
  float at(int64_t n, int64_t c, int64_t h, int64_t w) const {
    return data_[((n * shape_[1] + c) * shape_[2] + h) * shape_[3] + w];
  }

  Tensor clone() const;
  void fill(float value);
  void zero() { fill(0.0f); }
  // Same buffer, another shape with the same number of elements.
  Tensor reshaped(const Shape& shape) const;
  // Copies values from a tensor with the same number of elements.
  void copy_from(const Tensor& other);

  std::vector<float> to_vector() const { return std::vector<float>(data_, data_ + numel_); }

 private:
  struct Buffer;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<Buffer> buffer_;
  float* data_ = nullptr;
};

// Throws ShapeError naming `who` unless `t` has rank `rank`.
void expect_rank(const Tensor& t, int rank, const std::string& who);
// Throws ShapeError naming `who` unless the shapes agree.
void expect_same_shape(const Shape& a, const Shape& b, const std::string& who);

}  // namespace neuroshop
