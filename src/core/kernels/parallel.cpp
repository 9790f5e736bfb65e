// parallel_for: a serial stand-in until the pool lands.
#include "core/kernels/parallel.h"

#include <thread>

namespace neuroshop {
namespace {
int g_threads = 0;
}

int num_threads() {
  if (g_threads <= 0) {
    const unsigned hw = std::thread::hardware_concurrency();
    g_threads = hw == 0 ? 1 : static_cast<int>(hw);
  }
  return g_threads;
}

void set_num_threads(int n) { g_threads = n < 1 ? 1 : n; }

void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t grain) {
  (void)grain;
  if (n > 0) fn(0, n);
}

}  // namespace neuroshop
