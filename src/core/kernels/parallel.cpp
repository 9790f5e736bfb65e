// parallel_for on a persistent thread pool: num_threads() - 1 workers plus the calling thread.
//
// A job is split into at most num_threads() chunks. Chunks are claimed through one atomic word
// (generation | chunk count | next chunk), so whoever is awake first takes the next chunk: if the
// second vCPU is busy elsewhere, the caller simply runs both chunks itself instead of waiting.
// Idle threads spin for a few tens of microseconds (back-to-back parallel loops, e.g. the GEMMs
// of one layer, then find a worker awake), then sleep on a condition variable, so a pool that has
// nothing to do costs nothing.
// Not here: work stealing, task graphs, affinity. Nested parallel_for calls run serially, and so
// does a call made while another thread is using the pool.
#include "core/kernels/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace neuroshop {
namespace {

// How long an idle thread busy-waits before it blocks. Waking a sleeping thread costs a futex
// round trip (5-50 us on a VM); spinning longer than that only steals the other vCPU.
constexpr std::chrono::microseconds kSpinTime(30);

// True on pool workers, and on a caller while it runs its share of a job: parallel_for called
// from there runs serially.
thread_local bool t_inside_parallel = false;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// The claim word: generation (32 bits) | number of chunks (16 bits) | next unclaimed chunk (16 bits).
constexpr uint64_t kChunkMask = 0xFFFF;
inline uint32_t generation_of(uint64_t s) { return static_cast<uint32_t>(s >> 32); }
inline uint64_t make_state(uint32_t generation, uint64_t chunks) {
  return (static_cast<uint64_t>(generation) << 32) | (chunks << 16);
}

class Pool {
 public:
  Pool() {
    const unsigned hw = std::thread::hardware_concurrency();
    threads_.store(hw == 0 ? 1 : static_cast<int>(std::min(hw, 256u)));
  }

  int threads() const { return threads_.load(std::memory_order_relaxed); }

  void set_threads(int n) {
    n = std::clamp(n, 1, 256);
    std::lock_guard<std::mutex> run_lock(run_mutex_);  // waits for a running job
    threads_.store(n);
    if (static_cast<int>(workers_.size()) > n - 1) stop_workers();
  }

  void run(int64_t n, const std::function<void(int64_t, int64_t)>& fn, int64_t grain) {
    if (n <= 0) return;
    grain = std::max<int64_t>(grain, 1);
    const int64_t most_chunks = std::max<int64_t>(1, n / grain);  // every chunk at least `grain` long
    const int64_t chunks = std::min<int64_t>(threads(), most_chunks);
    if (chunks <= 1 || t_inside_parallel) {
      fn(0, n);
      return;
    }
    std::unique_lock<std::mutex> run_lock(run_mutex_, std::try_to_lock);
    if (!run_lock.owns_lock()) {  // another thread of the program is using the pool
      fn(0, n);
      return;
    }
    start_workers(threads() - 1);

    fn_ = &fn;
    n_ = n;
    chunks_ = chunks;
    error_ = nullptr;
    failed_.store(false, std::memory_order_relaxed);
    remaining_.store(chunks, std::memory_order_relaxed);
    const uint32_t generation = ++generation_;
    {
      // Published under the mutex so a worker about to sleep cannot miss it.
      std::lock_guard<std::mutex> lock(mutex_);
      state_.store(make_state(generation, static_cast<uint64_t>(chunks)), std::memory_order_release);
      if (sleepers_ > 0) wake_cv_.notify_all();
    }

    t_inside_parallel = true;
    run_chunks(generation);
    t_inside_parallel = false;
    wait_until_done();

    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  // Chunk c covers [c*q + min(c, r), (c+1)*q + min(c+1, r)) with q = n / chunks, r = n % chunks.
  void run_chunk(int64_t c) {
    const int64_t q = n_ / chunks_, r = n_ % chunks_;
    const int64_t begin = c * q + std::min(c, r);
    const int64_t end = begin + q + (c < r ? 1 : 0);
    if (!failed_.load(std::memory_order_relaxed)) {
      try {
        (*fn_)(begin, end);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
        failed_.store(true, std::memory_order_relaxed);
      }
    }
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_cv_.notify_one();
    }
  }

  // Claims and runs chunks of job `generation` until none is left. A claim succeeds only while
  // that job is current, so a late worker never touches a finished job's fields.
  void run_chunks(uint32_t generation) {
    uint64_t s = state_.load(std::memory_order_acquire);
    for (;;) {
      if (generation_of(s) != generation) return;
      const uint64_t next = s & kChunkMask, chunks = (s >> 16) & kChunkMask;
      if (next >= chunks) return;
      if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        run_chunk(static_cast<int64_t>(next));
        s = state_.load(std::memory_order_acquire);
      }
    }
  }

  void wait_until_done() {
    const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
    for (int i = 1; remaining_.load(std::memory_order_acquire) != 0; ++i) {
      cpu_relax();
      if (i % 64 == 0 && std::chrono::steady_clock::now() > deadline) {
        std::unique_lock<std::mutex> lock(mutex_);
        done_cv_.wait(lock, [&] { return remaining_.load(std::memory_order_acquire) == 0; });
        return;
      }
    }
  }

  void worker_loop(uint32_t seen) {
    t_inside_parallel = true;
    for (;;) {
      bool woke = false;
      const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
      for (int i = 1;; ++i) {
        if (generation_of(state_.load(std::memory_order_acquire)) != seen || stop_.load()) {
          woke = true;
          break;
        }
        cpu_relax();
        if (i % 64 == 0 && std::chrono::steady_clock::now() > deadline) break;
      }
      if (!woke) {
        std::unique_lock<std::mutex> lock(mutex_);
        ++sleepers_;
        wake_cv_.wait(lock, [&] {
          return stop_.load() || generation_of(state_.load(std::memory_order_acquire)) != seen;
        });
        --sleepers_;
      }
      if (stop_.load()) return;
      seen = generation_of(state_.load(std::memory_order_acquire));
      run_chunks(seen);
    }
  }

  // Called with run_mutex_ held.
  void start_workers(int count) {
    while (static_cast<int>(workers_.size()) < count) {
      const uint32_t current = generation_of(state_.load());
      workers_.emplace_back([this, current] { worker_loop(current); });
    }
  }

  // Called with run_mutex_ held.
  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_.store(true);
      wake_cv_.notify_all();
    }
    for (std::thread& t : workers_) t.join();
    workers_.clear();
    stop_.store(false);
  }

  std::atomic<int> threads_{1};
  std::mutex run_mutex_;  // held by the one caller whose job the workers run

  std::mutex mutex_;  // guards sleeping and waking
  std::condition_variable wake_cv_, done_cv_;
  int sleepers_ = 0;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> workers_;

  // The current job. Written by the caller before the state word is published.
  std::atomic<uint64_t> state_{0};
  uint32_t generation_ = 0;
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t n_ = 0, chunks_ = 1;
  std::atomic<int64_t> remaining_{0};
  std::atomic<bool> failed_{false};
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

Pool& pool() {
  // Leaked on purpose: its workers sleep on its condition variables until the process ends, and
  // static destructors of other objects may still run parallel loops.
  static Pool* p = new Pool;
  return *p;
}

}  // namespace

int num_threads() { return pool().threads(); }

void set_num_threads(int n) { pool().set_threads(n); }

void parallel_for(int64_t n, const std::function<void(int64_t begin, int64_t end)>& fn, int64_t grain) {
  pool().run(n, fn, grain);
}

SerialScope::SerialScope() : previous_(t_inside_parallel) { t_inside_parallel = true; }

SerialScope::~SerialScope() { t_inside_parallel = previous_; }

}  // namespace neuroshop
