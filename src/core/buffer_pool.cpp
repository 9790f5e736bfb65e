// Size-class pool behind Tensor buffers; see buffer_pool.h for why it exists.
#include "core/buffer_pool.h"

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace neuroshop {
namespace {

constexpr size_t kAlignment = 64;
// Blocks up to this many floats are rounded to the next multiple of 16 (one cache line);
// larger ones to the next of 4 classes per power of two, so reuse is likely and waste < 25 %.
constexpr size_t kSmall = 1024;

size_t size_class(size_t count) {
  if (count <= kSmall) return (count + 15) / 16 * 16;
  size_t p = 1;
  while (p * 2 <= count) p *= 2;
  const size_t quarter = p / 4;
  return (count + quarter - 1) / quarter * quarter;
}

struct Pool {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<float*>> free_blocks;
  size_t cached_bytes = 0;

  ~Pool() {
    for (auto& [cap, blocks] : free_blocks)
      for (float* b : blocks) std::free(b);
  }
};

Pool& pool() {
  // Leaked on purpose: tensors in static storage may be released after the pool would be destroyed.
  static Pool* p = new Pool;
  return *p;
}

}  // namespace

float* pool_allocate(size_t count, size_t* capacity) {
  const size_t cap = size_class(count == 0 ? 1 : count);
  *capacity = cap;
  Pool& p = pool();
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    auto it = p.free_blocks.find(cap);
    if (it != p.free_blocks.end() && !it->second.empty()) {
      float* block = it->second.back();
      it->second.pop_back();
      p.cached_bytes -= cap * sizeof(float);
      return block;
    }
  }
  const size_t bytes = (cap * sizeof(float) + kAlignment - 1) / kAlignment * kAlignment;
  void* block = std::aligned_alloc(kAlignment, bytes);
  if (block == nullptr) throw std::bad_alloc();
  return static_cast<float*>(block);
}

void pool_release(float* block, size_t capacity) {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.free_blocks[capacity].push_back(block);
  p.cached_bytes += capacity * sizeof(float);
}

size_t pool_cached_bytes() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  return p.cached_bytes;
}

void pool_trim() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  for (auto& [cap, blocks] : p.free_blocks) {
    for (float* b : blocks) std::free(b);
    blocks.clear();
  }
  p.cached_bytes = 0;
}

}  // namespace neuroshop
