// A growing, 64-byte-aligned scratch buffer, meant to be thread_local: after the first large call
// nothing allocates (or touches fresh pages) again. Used for GEMM's packed panels and for the
// column blocks of convolution.
// Not here: tensors' storage (core/buffer_pool.h), anything shared between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>

namespace neuroshop {

class Workspace {
 public:
  Workspace() = default;
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  ~Workspace() { release(); }

  // At least `floats` floats; the contents are unspecified (kept when the buffer does not grow).
  float* get(int64_t floats) {
    if (floats > capacity_) {
      release();
      data_ = static_cast<float*>(::operator new(static_cast<size_t>(floats) * sizeof(float), std::align_val_t(64)));
      capacity_ = floats;
    }
    return data_;
  }

 private:
  void release() {
    if (data_) ::operator delete(data_, std::align_val_t(64));
    data_ = nullptr;
    capacity_ = 0;
  }
  float* data_ = nullptr;
  int64_t capacity_ = 0;
};

}  // namespace neuroshop
