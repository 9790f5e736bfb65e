// BatchPrefetcher: a trainer's next batch made on a second thread while the current step trains.
// The batches are the ones making them in place would give, in the same order: the maker draws
// from a copy of the data RNG started where the in-place loop would start it, and the data RNG
// takes the copy's end state when the batch is handed over. So between two steps the data RNG
// holds the state before the next batch, as without prefetching, and a checkpoint taken there
// resumes into the same batches. The maker runs with parallel_for serial on its thread (the pool
// stays with the training step); it must not touch what the step uses, only its own inputs.
// Not here: the training loop (training_loop.h), what a batch is (the trainer's maker).
#pragma once

#include <functional>
#include <future>
#include <utility>

#include "core/kernels/parallel.h"
#include "core/rng.h"

namespace neuroshop::apps {

template <class Batch>
class BatchPrefetcher {
 public:
  // `rng` is the trainer's data RNG (checkpointed by the training loop); it must outlive this.
  BatchPrefetcher(std::function<Batch(Rng&)> make, Rng& rng) : make_(std::move(make)), rng_(rng) {}
  ~BatchPrefetcher() {
    if (pending_.valid()) pending_.wait();
  }
  BatchPrefetcher(const BatchPrefetcher&) = delete;
  BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

  // The next batch. The first call (and any after the data RNG was changed from outside, which
  // the caller must not do while a batch is in flight) makes it in place; every call starts the
  // one after it on the helper thread. Rethrows what the maker threw.
  Batch next() {
    Batch batch;
    if (pending_.valid()) {
      std::pair<Batch, Rng> made = pending_.get();
      batch = std::move(made.first);
      rng_ = made.second;
    } else {
      batch = make_(rng_);
    }
    pending_ = std::async(std::launch::async, [this, from = rng_]() mutable {
      SerialScope serial;
      Batch b = make_(from);
      return std::pair<Batch, Rng>(std::move(b), from);
    });
    return batch;
  }

 private:
  std::function<Batch(Rng&)> make_;
  Rng& rng_;
  std::future<std::pair<Batch, Rng>> pending_;
};

}  // namespace neuroshop::apps
