// A training run killed with SIGKILL resumes from its last checkpoint with nothing lost: the
// executable trains a tiny colorizer on generated photos; one run goes through uninterrupted, a
// second is killed once its first checkpoint is on disk and then rerun with --resume. Training is
// deterministic for a seed (checked first, with a second uninterrupted run), so the resumed run
// must end with exactly the same weights and the same loss log as the uninterrupted one. Every
// trainer writes its checkpoint after its model and log. Fine-tuning (--init) starts from the
// given model.
// Not here: the checkpoint format itself (tests/core/test_checkpoint.cpp).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "cli/cli_runner.h"
#include "core/model/model_file.h"
#include "core/rng.h"
#include "io/image_file.h"

namespace neuroshop {
namespace {
namespace fs = std::filesystem;

// A 64x64 photo of blurred coloured rectangles on a coloured ground, different per seed.
cv::Mat synthetic_photo(uint64_t seed) {
  Rng rng(seed);
  auto colour = [&] {
    return cv::Scalar(static_cast<double>(rng.below(256)), static_cast<double>(rng.below(256)),
                      static_cast<double>(rng.below(256)));
  };
  cv::Mat bgr(64, 64, CV_8UC3, colour());
  for (int k = 0; k < 6; ++k) {
    const int x = static_cast<int>(rng.below(48)), y = static_cast<int>(rng.below(48));
    bgr(cv::Rect(x, y, 8 + static_cast<int>(rng.below(9)), 8 + static_cast<int>(rng.below(9)))).setTo(colour());
  }
  return bgr;
}

// The tensors of a model file or checkpoint that training produces (weights, buffers, bin tables,
// optimizer state), by name.
std::map<std::string, std::vector<float>> weights_of(const std::string& path) {
  const ModelFile f = read_model_file(path);
  std::map<std::string, std::vector<float>> w;
  for (const auto& [name, t] : f.tensors)
    if (name.rfind(kParamPrefix, 0) == 0 || name.rfind(kBufferPrefix, 0) == 0 || name.rfind(kExtraPrefix, 0) == 0 ||
        name.rfind(kOptimPrefix, 0) == 0)
      w[name] = std::vector<float>(t.data(), t.data() + t.numel());
  return w;
}

// The training losses of a JSON log, as "step loss lr" lines (throughput varies and is left out).
std::vector<std::string> losses_of(const std::string& log_path) {
  const std::string text = testing::read_whole_file(log_path);
  const std::regex entry(R"re("step": (\d+), "loss": ([^,]+), "lr": ([^,]+),)re");
  std::vector<std::string> lines;
  for (std::sregex_iterator it(text.begin(), text.end(), entry), end; it != end; ++it)
    lines.push_back((*it)[1].str() + " " + (*it)[2].str() + " " + (*it)[3].str());
  return lines;
}

int64_t checkpoint_step(const std::string& path) {
  const ModelFile f = read_model_file(path);
  return std::stoll(f.values.at("step"));
}

class TrainingResume : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("neuroshop_resume_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
    for (uint64_t i = 0; i < 6; ++i) write_image((dir_ / "data" / ("p" + std::to_string(i) + ".png")).string(), synthetic_photo(i + 1));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // The training command writing its model to RUN/m.nsm.
  std::vector<std::string> train_args(const std::string& run, bool resume, int steps = 40) const {
    fs::create_directories(dir_ / run);
    std::vector<std::string> args{"--threads", "2", "train", "colorize", "--data", (dir_ / "data").string(),
                                  "--out", model(run), "--steps", std::to_string(steps), "--batch", "2", "--crop", "32", "--width", "4",
                                  "--checkpoint-every", "5", "--val-every", "10", "--seed", "3"};
    if (resume) args.push_back("--resume");
    return args;
  }
  // Starts the training of RUN, SIGKILLs it once its checkpoint has reached `min_step`, and
  // returns the checkpoint's step (a failure when the run ends on its own first).
  int64_t run_and_kill(const std::string& run, bool resume, int64_t min_step) {
    const std::string out_path = (dir_ / run / "stdout.txt").string(), err_path = (dir_ / run / "stderr.txt").string();
    const pid_t pid = testing::spawn_cli(train_args(run, resume), out_path, err_path);
    EXPECT_GT(pid, 0);
    if (pid <= 0) return -1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    int status = 0;
    bool exited = false;
    for (;;) {
      if (waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        break;
      }
      // The checkpoint is renamed into place whole; a reader holds the version it opened.
      if (fs::exists(checkpoint(run)) && checkpoint_step(checkpoint(run)) >= min_step) break;
      if (std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (!exited) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the run ended before it could be killed; stderr: " << testing::read_whole_file(err_path);
    const int64_t step = checkpoint_step(checkpoint(run));
    EXPECT_LT(step, 40) << "killed too late to test resuming";
    return step;
  }

  std::string model(const std::string& run) const { return (dir_ / run / "m.nsm").string(); }
  std::string checkpoint(const std::string& run) const { return (dir_ / run / "m.ckpt.nsm").string(); }
  std::string log(const std::string& run) const { return (dir_ / run / "m.log.json").string(); }

  fs::path dir_;
};

TEST_F(TrainingResume, KilledRunResumesToTheSameWeights) {
  // 1. Same seed, same result: two uninterrupted runs agree bit for bit.
  const testing::CliResult a = testing::run_cli(train_args("a", false), 120.0);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const testing::CliResult b = testing::run_cli(train_args("b", false), 120.0);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const auto reference = weights_of(model("a"));
  ASSERT_FALSE(reference.empty());
  ASSERT_EQ(weights_of(model("b")), reference) << "training is not deterministic for a fixed seed";
  ASSERT_EQ(losses_of(log("b")), losses_of(log("a")));
  ASSERT_EQ(losses_of(log("a")).size(), 40u);

  // 2. Killed once its first checkpoint is on disk, resumed and killed again past step 20: each
  //    time well before the end, and what a kill leaves is whole (the model file loads).
  const int64_t first_kill = run_and_kill("c", false, 5);
  EXPECT_GE(first_kill, 5);
  EXPECT_NO_THROW(read_model_file(model("c")));
  const int64_t second_kill = run_and_kill("c", true, 20);
  EXPECT_GT(second_kill, first_kill);
  EXPECT_NO_THROW(read_model_file(model("c")));
  RecordProperty("killed_at_steps", std::to_string(first_kill) + "," + std::to_string(second_kill));
  const int64_t killed_at = second_kill;

  // 3. Resumed to the end: the same weights and the same loss at every step, each step once.
  const testing::CliResult c = testing::run_cli(train_args("c", true), 120.0);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(checkpoint_step(checkpoint("c")), 40);
  EXPECT_EQ(weights_of(model("c")), reference) << "resumed from step " << killed_at;
  EXPECT_EQ(weights_of(checkpoint("c")), weights_of(checkpoint("a")));
  EXPECT_EQ(losses_of(log("c")), losses_of(log("a"))) << "resumed from step " << killed_at;
  for (const auto& entry : fs::directory_iterator(dir_ / "c")) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name.find(".tmp") == std::string::npos && name.find(".part") == std::string::npos)
        << "leftover temporary file " << name;
  }
}

// The largest absolute difference between the parameters two model files share (by name), and
// how many they share.
std::pair<float, size_t> param_difference(const std::string& a, const std::string& b) {
  const auto wa = weights_of(a), wb = weights_of(b);
  float worst = 0.0f;
  size_t shared = 0;
  for (const auto& [name, va] : wa) {
    if (name.rfind(kParamPrefix, 0) != 0 || !wb.count(name) || wb.at(name).size() != va.size()) continue;
    ++shared;
    for (size_t i = 0; i < va.size(); ++i) worst = std::max(worst, std::abs(va[i] - wb.at(name)[i]));
  }
  return {worst, shared};
}

// --init fine-tunes a trained model: with a negligible learning rate the result keeps the initial
// model's weights and bin table, where a new network (same seed and width) starts elsewhere; a
// file that is no colorize model is refused before any training, with nothing written.
TEST_F(TrainingResume, FineTuningStartsFromTheInitModel) {
  std::vector<std::string> base = train_args("base", false, 8);
  base.insert(base.begin(), "-q");
  ASSERT_EQ(testing::run_cli(base, 120.0).exit_code, 0);
  const auto tuned_args = [&](const std::string& run, const std::string& init) {
    fs::create_directories(dir_ / run);
    std::vector<std::string> args{"-q", "train", "colorize", "--data", (dir_ / "data").string(), "--out", model(run),
                                  "--steps", "2", "--batch", "2", "--crop", "32", "--width", "4", "--lr", "1e-7",
                                  "--seed", "3"};
    if (!init.empty()) args.insert(args.end(), {"--init", init});
    return args;
  };
  const testing::CliResult tuned = testing::run_cli(tuned_args("tuned", model("base")), 120.0);
  ASSERT_EQ(tuned.exit_code, 0) << tuned.err;
  const testing::CliResult fresh = testing::run_cli(tuned_args("fresh", ""), 120.0);
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;

  const auto [tuned_change, tuned_shared] = param_difference(model("base"), model("tuned"));
  EXPECT_GT(tuned_shared, 10u);
  EXPECT_LT(tuned_change, 1e-5f) << "the fine-tuned model did not start from the --init weights";
  const auto [fresh_change, fresh_shared] = param_difference(model("base"), model("fresh"));
  EXPECT_EQ(fresh_shared, tuned_shared);
  EXPECT_GT(fresh_change, 1e-3f) << "the comparison cannot tell the two starts apart";
  const auto base_w = weights_of(model("base")), tuned_w = weights_of(model("tuned"));
  size_t tables = 0;
  for (const auto& [name, values] : base_w)
    if (name.rfind(kExtraPrefix, 0) == 0) {
      ++tables;
      EXPECT_TRUE(tuned_w.count(name) && tuned_w.at(name) == values) << name << " of the --init model was not kept";
    }
  EXPECT_GT(tables, 0u) << "the model has no bin tables to compare";

  const std::string not_a_model = (dir_ / "data" / "p1.png").string();
  const testing::CliResult bad = testing::run_cli(tuned_args("bad", not_a_model), 60.0);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("p1.png"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(model("bad")));
}

// Each trainer saves the model, then the log, then the checkpoint, so a kill between two writes
// never leaves the log behind the checkpoint that --resume starts from. A folder in the
// checkpoint's place makes that last write fail: the model and the log must be on disk by then,
// the model with the command line that trained it.
TEST_F(TrainingResume, EveryTrainerWritesItsCheckpointLast) {
  fs::create_directories(dir_ / "renders");
  for (int i = 0; i < 3; ++i) {
    cv::Mat alpha(64, 64, CV_8U, cv::Scalar(0));
    alpha(cv::Rect(8 + 4 * i, 10, 40, 44)).setTo(255);
    write_image((dir_ / "renders" / ("item" + std::to_string(i) + ".png")).string(), synthetic_photo(10 + i), alpha);
  }
  const std::string data = (dir_ / "data").string();
  const std::map<std::string, std::vector<std::string>> trainers = {
      {"colorize", {"train", "colorize", "--data", data, "--crop", "32", "--width", "4"}},
      {"style", {"train", "style", "--style", (dir_ / "data" / "p0.png").string(), "--data", data, "--size", "32",
                 "--width", "2"}},
      {"harmonize", {"train", "harmonize", "--data", data, "--crop", "64", "--width", "4"}},
      {"matte", {"train", "matte", "--renders", (dir_ / "renders").string(), "--crop", "64", "--width", "4"}},
  };
  for (const auto& [name, command] : trainers) {
    fs::create_directories(dir_ / name / "m.ckpt.nsm");
    std::vector<std::string> args = command;
    args.insert(args.begin(), "-q");
    args.insert(args.end(), {"--out", model(name), "--steps", "1", "--batch", "1"});
    const testing::CliResult r = testing::run_cli(args, 120.0);
    EXPECT_NE(r.exit_code, 0) << name << ": the checkpoint cannot have been written";
    EXPECT_NE(r.err.find("m.ckpt.nsm"), std::string::npos) << name << ": " << r.err;
    EXPECT_TRUE(fs::exists(model(name))) << name << ": the model was not saved before the checkpoint";
    EXPECT_TRUE(fs::exists(log(name))) << name << ": the log was not saved before the checkpoint";
    // The model records how it was trained: the subcommand's options as given, flags by name.
    if (fs::exists(model(name))) {
      const std::string recorded = read_model_file(model(name)).metadata["training_command"];
      EXPECT_EQ(recorded.rfind("neuroshop train " + name + " --", 0), 0u) << recorded;
      for (const std::string& part : {std::string(" --steps 1"), std::string(" --batch 1"), " --out " + model(name)})
        EXPECT_NE(recorded.find(part), std::string::npos) << name << ": '" << part << "' missing from " << recorded;
    }
  }
}

}  // namespace
}  // namespace neuroshop
