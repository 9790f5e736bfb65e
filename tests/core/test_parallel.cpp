// Tests of the thread pool behind parallel_for: coverage, grain, nesting, exceptions, resizing.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/kernels/parallel.h"

namespace neuroshop {
namespace {

// Restores the thread count a test changed.
class ThreadCountGuard {
 public:
  ThreadCountGuard() : saved_(num_threads()) {}
  ~ThreadCountGuard() { set_num_threads(saved_); }

 private:
  int saved_;
};

TEST(Parallel, DefaultIsHardwareConcurrency) {
  const unsigned hw = std::thread::hardware_concurrency();
  if (hw > 0 && hw <= 256) {
    EXPECT_EQ(num_threads(), static_cast<int>(hw));
  }
  EXPECT_GE(num_threads(), 1);
}

TEST(Parallel, CoversEveryIndexOnce) {
  ThreadCountGuard guard;
  for (int threads : {1, 2, 3, 4}) {
    set_num_threads(threads);
    for (int64_t n : {1, 2, 3, 7, 100, 1001}) {
      for (int64_t grain : {1, 3, 64}) {
        std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
        std::mutex mutex;
        std::vector<std::pair<int64_t, int64_t>> chunks;
        parallel_for(
            n,
            [&](int64_t begin, int64_t end) {
              {
                std::lock_guard<std::mutex> lock(mutex);
                chunks.emplace_back(begin, end);
              }
              for (int64_t i = begin; i < end; ++i) hits[static_cast<size_t>(i)]++;
            },
            grain);
        for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << "n=" << n << " i=" << i;
        EXPECT_LE(static_cast<int>(chunks.size()), threads);
        for (const auto& [begin, end] : chunks) {
          EXPECT_LT(begin, end);
          if (chunks.size() > 1) {
            EXPECT_GE(end - begin, grain) << "n=" << n << " grain=" << grain;
          }
        }
      }
    }
  }
}

TEST(Parallel, ZeroOrNegativeLengthCallsNothing) {
  bool called = false;
  parallel_for(0, [&](int64_t, int64_t) { called = true; });
  parallel_for(-5, [&](int64_t, int64_t) { called = true; });
  EXPECT_FALSE(called);
}

TEST(Parallel, UsesSeveralThreadsAndTheCaller) {
  ThreadCountGuard guard;
  set_num_threads(2);
  const std::thread::id caller = std::this_thread::get_id();
  bool caller_ran = false;
  std::set<std::thread::id> ids;
  std::mutex mutex;
  // Each chunk waits a little so that the worker gets to claim the second one; the caller
  // still takes at least one chunk because it starts claiming before it waits.
  for (int attempt = 0; attempt < 20 && ids.size() < 2; ++attempt) {
    parallel_for(2, [&](int64_t, int64_t) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      std::lock_guard<std::mutex> lock(mutex);
      ids.insert(std::this_thread::get_id());
      if (std::this_thread::get_id() == caller) caller_ran = true;
    });
  }
  EXPECT_TRUE(caller_ran);
  EXPECT_EQ(ids.size(), 2u);
}

TEST(Parallel, OneThreadRunsOnTheCaller) {
  ThreadCountGuard guard;
  set_num_threads(1);
  EXPECT_EQ(num_threads(), 1);
  const std::thread::id caller = std::this_thread::get_id();
  int calls = 0;
  parallel_for(1000, [&](int64_t begin, int64_t end) {
    ++calls;
    EXPECT_EQ(begin, 0);
    EXPECT_EQ(end, 1000);
    EXPECT_EQ(std::this_thread::get_id(), caller);
  });
  EXPECT_EQ(calls, 1);
  set_num_threads(0);  // clamped to 1
  EXPECT_EQ(num_threads(), 1);
}

TEST(Parallel, NestedCallsRunSerially) {
  ThreadCountGuard guard;
  set_num_threads(2);
  std::atomic<int> inner_calls{0};
  std::atomic<int64_t> total{0};
  parallel_for(4, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const std::thread::id outer = std::this_thread::get_id();
      parallel_for(100, [&](int64_t b, int64_t e) {
        ++inner_calls;
        EXPECT_EQ(std::this_thread::get_id(), outer);
        total += e - b;
      });
    }
  });
  EXPECT_EQ(inner_calls.load(), 4);  // one serial call per outer index
  EXPECT_EQ(total.load(), 400);
}

TEST(Parallel, ExceptionPropagatesToCaller) {
  ThreadCountGuard guard;
  for (int threads : {1, 2, 4}) {
    set_num_threads(threads);
    for (int64_t bad : {0, 999}) {
      EXPECT_THROW(parallel_for(1000,
                                [&](int64_t begin, int64_t end) {
                                  if (bad >= begin && bad < end) throw std::runtime_error("chunk failed");
                                }),
                   std::runtime_error);
    }
    // The pool still works afterwards.
    std::atomic<int64_t> sum{0};
    parallel_for(1000, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) sum += i;
    });
    EXPECT_EQ(sum.load(), 999 * 1000 / 2);
  }
}

TEST(Parallel, ManySmallJobsInARow) {
  ThreadCountGuard guard;
  set_num_threads(2);
  std::atomic<int64_t> sum{0};
  for (int rep = 0; rep < 20000; ++rep) {
    parallel_for(2, [&](int64_t begin, int64_t end) { sum += end - begin; });
  }
  EXPECT_EQ(sum.load(), 40000);
}

TEST(Parallel, CallsFromSeveralProgramThreads) {
  ThreadCountGuard guard;
  set_num_threads(2);
  std::atomic<int64_t> sum{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t) {
    callers.emplace_back([&] {
      for (int rep = 0; rep < 2000; ++rep) {
        parallel_for(10, [&](int64_t begin, int64_t end) { sum += end - begin; });
      }
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(sum.load(), 3 * 2000 * 10);
}

TEST(Parallel, ResizingKeepsWorking) {
  ThreadCountGuard guard;
  for (int threads : {4, 1, 3, 2, 8, 2}) {
    set_num_threads(threads);
    EXPECT_EQ(num_threads(), threads);
    std::atomic<int64_t> sum{0};
    parallel_for(10000, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) sum += 1;
    });
    EXPECT_EQ(sum.load(), 10000);
  }
}

// Under a SerialScope the calling thread's parallel_for runs as one chunk on that thread, and the
// scope restores the previous behaviour when it ends (scopes nest).
TEST(Parallel, SerialScopeRunsTheThreadsLoopsInOneChunk) {
  ThreadCountGuard guard;
  set_num_threads(2);
  auto chunks = [] {
    std::atomic<int> count{0};
    std::atomic<bool> other_thread{false};
    const std::thread::id me = std::this_thread::get_id();
    parallel_for(1000, [&](int64_t, int64_t) {
      ++count;
      if (std::this_thread::get_id() != me) other_thread = true;
    });
    return std::make_pair(count.load(), other_thread.load());
  };
  EXPECT_EQ(chunks().first, 2);
  {
    SerialScope serial;
    EXPECT_EQ(chunks(), std::make_pair(1, false));
    {
      SerialScope inner;
      EXPECT_EQ(chunks(), std::make_pair(1, false));
    }
    EXPECT_EQ(chunks(), std::make_pair(1, false));
  }
  EXPECT_EQ(chunks().first, 2);
}

}  // namespace
}  // namespace neuroshop
