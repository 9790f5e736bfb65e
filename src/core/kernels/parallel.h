// The engine's one thread pool. Every parallel loop in the engine goes through parallel_for.
#pragma once

#include <cstdint>
#include <functional>

namespace neuroshop {

// Number of threads parallel_for uses (default: hardware concurrency).
int num_threads();
void set_num_threads(int n);

// Calls fn(begin, end) on disjoint chunks covering [0, n), possibly on several threads, and
// returns when all are done. Chunks are at least `grain` long. Nested calls run serially.
void parallel_for(int64_t n, const std::function<void(int64_t begin, int64_t end)>& fn, int64_t grain = 1);

// While alive, parallel_for calls made on the constructing thread run serially: a helper thread's
// work (e.g. preparing the next training batch) leaves the pool to the thread that trains.
class SerialScope {
 public:
  SerialScope();
  ~SerialScope();
  SerialScope(const SerialScope&) = delete;
  SerialScope& operator=(const SerialScope&) = delete;

 private:
  bool previous_;
};

}  // namespace neuroshop
