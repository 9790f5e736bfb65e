// The shared training loop (apps/common/training_loop.h) on a tiny regression: it validates and
// saves on the right steps, follows the cosine schedule, stops at the time limit, writes the
// checkpoint after the model and the log, and resumes from a checkpoint exactly (the log trimmed
// back to it). The trainers' own behaviour is in their tests and tests/cli/test_training_resume.cpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <thread>

#include "apps/common/batch_prefetch.h"
#include "apps/common/training_files.h"
#include "apps/common/training_loop.h"
#include "core/errors.h"
#include "core/layers/dense.h"
#include "core/layers/sequential.h"
#include "core/losses/regression.h"
#include "core/model/model_file.h"
#include "core/model/named_params.h"
#include "core/optim/adam.h"
#include "core/optim/lr_schedule.h"

namespace neuroshop::apps {
namespace {
namespace fs = std::filesystem;

int64_t checkpoint_step(const std::string& path) { return std::stoll(read_model_file(path).values.at("step")); }

// The last train step of the JSON log on disk (0 without one).
int64_t logged_step(const std::string& model_path) {
  TrainingLog log("", log_json_path(model_path), loss_png_path(model_path));
  log.load();
  return log.train().empty() ? 0 : log.train().back().step;
}

// A Dense layer learning a fixed linear map of random inputs drawn from its data RNG, so each loss
// depends on the weights, Adam's moments and the RNG alike. Records what the loop asked of it.
struct TinyTrainer {
  explicit TinyTrainer(std::string model) : model_path(std::move(model)) {
    net.emplace<Dense>(4, 2, init_rng, "fc");
    adam = std::make_unique<Adam>(net.params(), AdamOptions{0.05});
  }

  TrainingLoopOptions options(int64_t steps) const {
    TrainingLoopOptions o;
    o.model_path = model_path;
    o.command_line = "tiny";
    o.log_title = "tiny";
    o.stage = "train tiny";
    o.steps = steps;
    o.learning_rate = 0.05;
    o.max_warmup_steps = 100;
    o.batch_size = 8;
    o.val_every = 4;
    o.checkpoint_every = 3;
    return o;
  }

  TrainingLoopSteps steps() {
    TrainingLoopSteps s;
    s.train_step = [this] {
      if (++step == fail_at) throw std::runtime_error("killed at step " + std::to_string(step));
      Tensor x = Tensor::empty({8, 4}), y = Tensor::empty({8, 2});
      for (int64_t i = 0; i < 8; ++i) {
        for (int64_t j = 0; j < 4; ++j) x[i * 4 + j] = static_cast<float>(data_rng.uniform(-1.0, 1.0));
        y[i * 2 + 0] = x[i * 4 + 0] - 2.0f * x[i * 4 + 1];
        y[i * 2 + 1] = x[i * 4 + 2] + 0.5f * x[i * 4 + 3];
      }
      Tensor dy;
      const double loss = mse_loss(net.forward(x), y, &dy);
      net.backward(dy);
      if (sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
      return loss;
    };
    s.validate = [this] {
      validated.push_back(step);
      return 1.0 / static_cast<double>(step);
    };
    s.save_model = [this](const std::map<std::string, std::string>& metadata) {
      const std::string ckpt = checkpoint_path(model_path);
      on_disk_at_save.push_back({fs::is_regular_file(ckpt) ? checkpoint_step(ckpt) : 0, logged_step(model_path)});
      EXPECT_EQ(metadata.at("training_command"), "tiny");
      EXPECT_EQ(metadata.count("training_seconds"), 1u);
      saved.push_back(std::stoll(metadata.at("training_steps")));
      write_text_atomically(model_path, metadata.at("training_steps"));
    };
    s.figures = [](const TrainPoint& p) -> std::vector<std::pair<std::string, double>> { return {{"loss", p.loss}}; };
    return s;
  }

  std::vector<float> weights() {
    std::vector<float> w;
    for (const auto& [name, p] : named_params(net))
      for (float v : p->value.to_vector()) w.push_back(v);
    return w;
  }

  std::string model_path;
  Rng init_rng{1}, data_rng{2};
  Sequential net{"tiny"};
  std::unique_ptr<Adam> adam;
  int64_t step = 0;              // the step being trained, as the callables see it
  int64_t fail_at = 0;           // train_step throws for this step, as a kill would end the run
  int sleep_ms = 0;              // added to each step
  std::vector<int64_t> validated, saved;
  // At each save_model: the steps of the checkpoint (0: none) and of the log on disk.
  std::vector<std::pair<int64_t, int64_t>> on_disk_at_save;
};

// Each test's files in a folder of their own.
class SharedTrainingLoop : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("neuroshop_loop_" + std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST_F(SharedTrainingLoop, ValidatesAndSavesOnTheirStepsAndFollowsTheSchedule) {
  TinyTrainer t(path("m.nsm"));
  const std::vector<float> initial = t.weights();
  TrainingLoop loop(t.options(10), t.net, *t.adam, {{"data", &t.data_rng}});
  EXPECT_EQ(loop.start_step(), 0);
  std::vector<ProgressEvent> events;
  const TrainingLoopResult r = loop.run(t.steps(), [&](const ProgressEvent& e) { events.push_back(e); });
  EXPECT_EQ(r.step, 10);
  EXPECT_GT(r.seconds, 0.0);
  EXPECT_EQ(t.validated, (std::vector<int64_t>{4, 8, 10}));  // every 4 steps and at the last
  EXPECT_EQ(t.saved, (std::vector<int64_t>{3, 6, 9, 10}));   // every 3 steps and at the last
  // The model goes first: the log and the checkpoint are still the previous save's.
  EXPECT_EQ(t.on_disk_at_save, (std::vector<std::pair<int64_t, int64_t>>{{0, 0}, {3, 3}, {6, 6}, {9, 9}}));
  EXPECT_EQ(checkpoint_step(checkpoint_path(t.model_path)), 10);
  EXPECT_EQ(logged_step(t.model_path), 10);
  EXPECT_TRUE(fs::exists(loss_png_path(t.model_path)));

  const CosineLr schedule(0.05, 10, 0.05 / 20.0, 1);  // warm-up min(100, 10 / 10) steps
  ASSERT_EQ(loop.log().train().size(), 10u);
  for (int64_t i = 0; i < 10; ++i) {
    const TrainPoint& p = loop.log().train()[static_cast<size_t>(i)];
    EXPECT_EQ(p.step, i + 1);
    EXPECT_DOUBLE_EQ(p.learning_rate, schedule.lr_at(i));
  }
  EXPECT_NE(t.weights(), initial) << "the optimizer did not step";
  ASSERT_EQ(loop.log().val().size(), 3u);
  EXPECT_EQ(loop.log().val()[2].step, 10);
  EXPECT_DOUBLE_EQ(loop.log().val()[2].loss, 0.1);

  ASSERT_EQ(events.size(), 10u);
  EXPECT_EQ(events.back().stage, "train tiny");
  EXPECT_EQ(events.back().done, 10);
  EXPECT_EQ(events.back().total, 10);
  EXPECT_EQ(events.back().figures.at(0).second, loop.log().train().back().loss);
}

TEST_F(SharedTrainingLoop, StopsAtTheTimeLimitAndSavesWhereItStopped) {
  for (const bool validate_on_early_stop : {false, true}) {
    TinyTrainer t(path(validate_on_early_stop ? "validated.nsm" : "m.nsm"));
    t.sleep_ms = 10;
    TrainingLoopOptions o = t.options(1000);
    o.seconds_limit = 0.05;
    o.val_every = 1000;
    o.checkpoint_every = 1000;
    o.validate_on_early_stop = validate_on_early_stop;
    TrainingLoop loop(o, t.net, *t.adam, {{"data", &t.data_rng}});
    const TrainingLoopResult r = loop.run(t.steps());
    EXPECT_GE(r.step, 1);
    EXPECT_LE(r.step, 6) << "steps of at least 10 ms went on past 0.05 s";
    EXPECT_EQ(t.saved, std::vector<int64_t>{r.step});
    EXPECT_EQ(checkpoint_step(checkpoint_path(t.model_path)), r.step);
    EXPECT_EQ(t.validated, validate_on_early_stop ? std::vector<int64_t>{r.step} : std::vector<int64_t>{});
  }
}

// The limit is checked after each step: a limit that is over before the first step still trains
// one, so a resumed run always gets somewhere.
TEST_F(SharedTrainingLoop, ALimitOverBeforeTheFirstStepStillTrainsOne) {
  TinyTrainer t(path("m.nsm"));
  TrainingLoopOptions o = t.options(10);
  o.seconds_limit = 1e-12;
  TrainingLoop loop(o, t.net, *t.adam, {{"data", &t.data_rng}});
  const TrainingLoopResult r = loop.run(t.steps());
  EXPECT_EQ(r.step, 1);
  EXPECT_EQ(t.saved, std::vector<int64_t>{1});
  EXPECT_EQ(checkpoint_step(checkpoint_path(t.model_path)), 1);
}

// A folder in the checkpoint's place makes its write fail: by then the model and the log, with
// the step being saved, are on disk.
TEST_F(SharedTrainingLoop, WritesTheCheckpointAfterTheModelAndTheLog) {
  TinyTrainer t(path("m.nsm"));
  fs::create_directories(checkpoint_path(t.model_path));
  TrainingLoop loop(t.options(10), t.net, *t.adam, {{"data", &t.data_rng}});
  try {
    loop.run(t.steps());
    ADD_FAILURE() << "the checkpoint cannot have been written";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(checkpoint_path(t.model_path)), std::string::npos) << e.what();
  }
  EXPECT_EQ(t.saved, (std::vector<int64_t>{3}));
  EXPECT_EQ(logged_step(t.model_path), 3);
}

TEST_F(SharedTrainingLoop, ResumesFromTheCheckpointExactlyAndTrimsTheLogBackToIt) {
  TinyTrainer reference(path("reference.nsm"));
  TrainingLoop uninterrupted(reference.options(12), reference.net, *reference.adam, {{"data", &reference.data_rng}});
  uninterrupted.run(reference.steps());
  const std::vector<TrainPoint> expected = uninterrupted.log().train();
  ASSERT_EQ(expected.size(), 12u);

  // Killed in step 5 (saved at 3), resumed and killed in step 11 (saved at 9); then the step-3
  // checkpoint is put back, so the log (steps 1-9) is ahead of it, as after a kill between the two writes.
  const std::string model = path("m.nsm"), ckpt = checkpoint_path(model);
  const std::string kept = path("step3.ckpt.nsm");
  {
    TinyTrainer t(model);
    t.fail_at = 5;
    TrainingLoop loop(t.options(12), t.net, *t.adam, {{"data", &t.data_rng}});
    EXPECT_THROW(loop.run(t.steps()), std::runtime_error);
    EXPECT_EQ(checkpoint_step(ckpt), 3);
    fs::copy_file(ckpt, kept);
  }
  {
    TinyTrainer t(model);
    TrainingLoopOptions o = t.options(12);
    o.resume = true;
    TrainingLoop loop(o, t.net, *t.adam, {{"data", &t.data_rng}});
    EXPECT_EQ(loop.start_step(), 3);
    t.step = loop.start_step();
    t.fail_at = 11;
    EXPECT_THROW(loop.run(t.steps()), std::runtime_error);
    EXPECT_EQ(checkpoint_step(ckpt), 9);
    fs::copy_file(kept, ckpt, fs::copy_options::overwrite_existing);
  }
  EXPECT_EQ(logged_step(model), 9);

  TinyTrainer t(model);
  TrainingLoopOptions o = t.options(12);
  o.resume = true;
  TrainingLoop loop(o, t.net, *t.adam, {{"data", &t.data_rng}});
  EXPECT_EQ(loop.start_step(), 3);
  ASSERT_EQ(loop.log().train().size(), 3u) << "the log's steps past the checkpoint were not dropped";
  EXPECT_EQ(loop.log().val().size(), 0u);
  t.step = loop.start_step();
  const TrainingLoopResult r = loop.run(t.steps());
  EXPECT_EQ(r.step, 12);
  EXPECT_EQ(t.validated, (std::vector<int64_t>{4, 8, 12}));
  EXPECT_EQ(t.saved, (std::vector<int64_t>{6, 9, 12}));
  EXPECT_EQ(t.on_disk_at_save, (std::vector<std::pair<int64_t, int64_t>>{{3, 9}, {6, 6}, {9, 9}}));
  EXPECT_EQ(t.weights(), reference.weights());
  ASSERT_EQ(loop.log().train().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const TrainPoint& p = loop.log().train()[i];
    EXPECT_EQ(p.step, expected[i].step);
    if (p.step <= 3) {  // reloaded from the JSON log, written with 8 significant digits
      EXPECT_NEAR(p.loss, expected[i].loss, 1e-7 * expected[i].loss) << "step " << p.step;
    } else {
      EXPECT_EQ(p.loss, expected[i].loss) << "step " << p.step;
      EXPECT_EQ(p.learning_rate, expected[i].learning_rate) << "step " << p.step;
    }
  }
}

}  // namespace
}  // namespace neuroshop::apps

namespace neuroshop::apps {
namespace {

TEST_F(SharedTrainingLoop, ContinuesASnapshotsScheduleWithoutACheckpoint) {
  // A run trained 6 of 10 steps, then lost its checkpoint: only the model (weights) and its log remain.
  TinyTrainer first(path("m.nsm"));
  TrainingLoopOptions o = first.options(10);
  first.fail_at = 7;
  EXPECT_THROW(TrainingLoop(o, first.net, *first.adam, {{"data", &first.data_rng}}).run(first.steps()), std::runtime_error);
  fs::remove(checkpoint_path(path("m.nsm")));

  TinyTrainer next(path("m.nsm"));
  o.start_step = 6;
  o.start_seconds = 12.5;
  o.resume = true;  // nothing to resume: the start step applies
  TrainingLoop loop(o, next.net, *next.adam, {{"data", &next.data_rng}});
  EXPECT_EQ(loop.start_step(), 6);
  const TrainingLoopResult r = loop.run(next.steps());
  EXPECT_EQ(next.step, 4) << "steps 7..10 trained";
  EXPECT_EQ(r.step, 10);
  EXPECT_GT(r.seconds, 12.5);
  EXPECT_EQ(logged_step(path("m.nsm")), 10);
  TrainingLog log("", log_json_path(path("m.nsm")), loss_png_path(path("m.nsm")));
  log.load();
  EXPECT_EQ(log.train().front().step, 1) << "the first run's log is kept";

  o.start_step = 10;  // nothing left of the schedule
  fs::remove(checkpoint_path(path("m.nsm")));
  EXPECT_THROW(TrainingLoop(o, next.net, *next.adam, {{"data", &next.data_rng}}), ArgumentError);
}

// Prefetched batches are the in-place ones, in order; between two batches the data RNG holds the
// state the in-place loop has there (what a checkpoint saves), so a prefetcher started from a
// saved state continues the same stream; the maker runs on another thread with parallel_for
// serial there; a maker's exception reaches next().
TEST(BatchPrefetch, GivesTheInPlaceBatchesAndRngStates) {
  auto make = [](Rng& rng) {
    std::vector<uint64_t> batch(1 + rng.below(5));
    for (uint64_t& v : batch) v = rng.next_u64();
    return batch;
  };
  Rng in_place(42), data(42);
  std::vector<Rng> states;  // the in-place RNG after each batch
  std::vector<std::vector<uint64_t>> expected;
  for (int i = 0; i < 12; ++i) {
    expected.push_back(make(in_place));
    states.push_back(in_place);
  }
  {
    BatchPrefetcher<std::vector<uint64_t>> batches(make, data);
    for (int i = 0; i < 6; ++i) {
      EXPECT_EQ(batches.next(), expected[static_cast<size_t>(i)]) << i;
      Rng a = data, b = states[static_cast<size_t>(i)];
      EXPECT_EQ(a.next_u64(), b.next_u64()) << "data RNG after batch " << i;
    }
  }
  Rng resumed = states[5];  // a checkpoint after batch 6
  BatchPrefetcher<std::vector<uint64_t>> again(make, resumed);
  for (int i = 6; i < 12; ++i) EXPECT_EQ(again.next(), expected[static_cast<size_t>(i)]) << i;

  Rng rng(1);
  const std::thread::id me = std::this_thread::get_id();
  BatchPrefetcher<std::pair<bool, int>> where(
      [&](Rng&) {
        std::atomic<int> chunks{0};
        parallel_for(100, [&](int64_t, int64_t) { ++chunks; });
        return std::make_pair(std::this_thread::get_id() == me, chunks.load());
      },
      rng);
  EXPECT_TRUE(where.next().first);                    // the first batch is made in place
  EXPECT_EQ(where.next(), std::make_pair(false, 1));  // then on the helper thread, serially
  int calls = 0;
  BatchPrefetcher<int> failing(
      [&](Rng&) {
        if (++calls == 2) throw IoError("unreadable photo");
        return calls;
      },
      rng);
  EXPECT_EQ(failing.next(), 1);
  EXPECT_THROW(failing.next(), IoError);
}

}  // namespace
}  // namespace neuroshop::apps
