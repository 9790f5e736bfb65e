// Checkpoints: everything round-trips bit-exactly into existing objects, training resumes exactly
// (same losses and weights as an uninterrupted run), and mismatches are refused untouched.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/errors.h"
#include "core/layers/activations.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/dense.h"
#include "core/layers/sequential.h"
#include "core/model/checkpoint.h"
#include "core/model/model_file.h"
#include "core/model/named_params.h"
#include "core/optim/adam.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("neuroshop_checkpoint_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

std::unique_ptr<Sequential> tiny_net(uint64_t seed) {
  Rng rng(seed);
  Conv2dOptions o;
  o.in_channels = 1;
  o.out_channels = 3;
  o.kernel_size = 3;
  o.padding = 1;
  auto net = std::make_unique<Sequential>("tiny");
  net->emplace<Conv2d>(o, rng, "conv");
  net->emplace<BatchNorm2d>(3, 1e-5, 0.1, true, "bn");
  net->emplace<Tanh>();
  return net;
}

std::vector<float> all_values(Layer& net) {
  std::vector<float> v;
  for (const auto& [n, p] : named_params(net))
    for (float f : p->value.to_vector()) v.push_back(f);
  for (const auto& [n, p] : named_buffers(net))
    for (float f : p->value.to_vector()) v.push_back(f);
  return v;
}

TEST(Checkpoint, RoundTripsEverythingBitExactly) {
  auto net = tiny_net(1);
  Rng data_rng(5), aug_rng(6);
  for (int i = 0; i < 3; ++i) {
    data_rng.normal();  // leaves a spare normal in the state
    net->forward(testing::random_tensor({2, 1, 4, 4}, aug_rng));
  }
  // An optimizer-like state: two moment tensors and one not allocated yet.
  Tensor m = testing::random_tensor({3, 1, 3, 3}, data_rng), v = testing::random_tensor({3}, data_rng), lazy;
  TrainingState saved;
  saved.step = 1234567890123;
  saved.optimizer = {{"adam.m.0", &m}, {"adam.v.1", &v}, {"adam.m.9", &lazy}};
  saved.rngs = {{"data", &data_rng}, {"augment", &aug_rng}};
  saved.values = {{"epoch", "7"}, {"best_loss", "0.125"}};
  saved.metadata = {{"command", "neuroshop train colorize --epochs 10"}};
  const std::string path = temp_path("ckpt.nsm");
  save_checkpoint(path, *net, saved);

  auto net2 = tiny_net(2);
  ASSERT_NE(all_values(*net2), all_values(*net));
  Tensor m2({3, 1, 3, 3}), v2, lazy2 = Tensor({5});
  Rng data2(0), aug2(0);
  TrainingState loaded;
  loaded.optimizer = {{"adam.m.0", &m2}, {"adam.v.1", &v2}, {"adam.m.9", &lazy2}};
  loaded.rngs = {{"data", &data2}, {"augment", &aug2}};
  load_checkpoint(path, *net2, loaded);

  EXPECT_EQ(all_values(*net2), all_values(*net));
  EXPECT_EQ(m2.to_vector(), m.to_vector());
  EXPECT_EQ(v2.shape(), v.shape());  // undefined target: assigned
  EXPECT_EQ(v2.to_vector(), v.to_vector());
  EXPECT_FALSE(lazy2.defined());  // saved while unallocated
  EXPECT_EQ(loaded.step, saved.step);
  EXPECT_EQ(loaded.values, saved.values);
  EXPECT_EQ(loaded.metadata, saved.metadata);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(data2.normal(), data_rng.normal());  // the spare normal included
    EXPECT_EQ(aug2.next_u64(), aug_rng.next_u64());
  }
  // A checkpoint also loads as a model.
  const Tensor x = testing::random_tensor({1, 1, 4, 4}, aug_rng);
  net->set_training(false);
  EXPECT_EQ(load_model(path).net->forward(x).to_vector(), net->forward(x).to_vector());
}

TEST(Checkpoint, RngStateText) {
  Rng rng(42);
  rng.normal();
  const Rng::State st = rng.state();
  const Rng::State back = rng_state_from_string(rng_state_to_string(st), "test");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(back.s[i], st.s[i]);
  EXPECT_EQ(back.has_spare, st.has_spare);
  EXPECT_EQ(back.spare, st.spare);
  EXPECT_THROW(rng_state_from_string("1 2 3", "test"), ModelError);
  EXPECT_THROW(rng_state_from_string("1 2 3 4 2 0", "test"), ModelError);
  EXPECT_THROW(rng_state_from_string("1 2 3 4 0 0 extra", "test"), ModelError);
}

// One training step with Adam on a fixed regression target; returns the loss.
double train_step(Layer& net, Adam& adam, Rng& data_rng) {
  const Tensor x = testing::random_tensor({2, 1, 4, 4}, data_rng);
  const Tensor y = net.forward(x);
  // loss = 0.5 * sum (y - t)^2 with t = 0.5, so dy = y - t
  Tensor dy = Tensor::empty(y.shape());
  double loss = 0.0;
  for (int64_t i = 0; i < y.numel(); ++i) {
    dy[i] = y[i] - 0.5f;
    loss += 0.5 * dy[i] * dy[i];
  }
  adam.zero_grad();
  net.backward(dy);
  adam.step();
  return loss;
}

TEST(Checkpoint, TrainingResumesExactly) {
  const std::string path = temp_path("resume.nsm");
  // Uninterrupted: 3 steps, checkpoint, 3 more.
  auto net = tiny_net(1);
  Adam adam(net->params(), AdamOptions{0.01});
  Rng data_rng(8);
  for (int i = 0; i < 3; ++i) train_step(*net, adam, data_rng);
  save_checkpoint(path, *net, TrainingState{3, adam.state(), {{"data", &data_rng}}, {}, {}});
  std::vector<double> losses;
  for (int i = 0; i < 3; ++i) losses.push_back(train_step(*net, adam, data_rng));

  // Resumed in fresh objects.
  auto net2 = tiny_net(99);
  Adam adam2(net2->params(), AdamOptions{0.01});
  Rng data2(0);
  TrainingState st{0, adam2.state(), {{"data", &data2}}, {}, {}};
  load_checkpoint(path, *net2, st);
  EXPECT_EQ(st.step, 3);
  std::vector<double> losses2;
  for (int i = 0; i < 3; ++i) losses2.push_back(train_step(*net2, adam2, data2));
  EXPECT_EQ(losses2, losses);
  EXPECT_EQ(all_values(*net2), all_values(*net));
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Checkpoint, MismatchesAreRefusedAndLeaveObjectsUntouched) {
  auto net = tiny_net(1);
  Tensor m = Tensor::full({3}, 1.0f);
  const std::string path = temp_path("mismatch.nsm");
  save_checkpoint(path, *net, TrainingState{5, {{"sgd.momentum.0", &m}}, {}, {}, {}});

  // Another architecture.
  Rng rng(1);
  Sequential other("tiny");
  other.emplace<Dense>(2, 2, rng);
  EXPECT_NE(error_of([&] {
              TrainingState st;
              load_checkpoint(path, other, st);
            }).find("another architecture"),
            std::string::npos);

  // Another optimizer: nothing is written, not even the weights.
  auto net2 = tiny_net(2);
  const std::vector<float> before = all_values(*net2);
  Tensor m2({3});
  TrainingState st{0, {{"adam.m.0", &m2}}, {}, {}, {}};
  const std::string e = error_of([&] { load_checkpoint(path, *net2, st); });
  EXPECT_NE(e.find("no optimizer state 'adam.m.0'"), std::string::npos) << e;
  EXPECT_EQ(all_values(*net2), before);
  EXPECT_EQ(st.step, 0);

  // Same name, another shape.
  Tensor wrong({4});
  TrainingState st2{0, {{"sgd.momentum.0", &wrong}}, {}, {}, {}};
  EXPECT_NE(error_of([&] { load_checkpoint(path, *net2, st2); }).find("has shape (3)"), std::string::npos);

  // A missing generator.
  Rng r;
  Tensor ok({3});
  TrainingState st3{0, {{"sgd.momentum.0", &ok}}, {{"data", &r}}, {}, {}};
  EXPECT_NE(error_of([&] { load_checkpoint(path, *net2, st3); }).find("random generator 'data'"), std::string::npos);

  // A model file is not a checkpoint.
  const std::string model_path = temp_path("model.nsm");
  save_model(model_path, *net);
  TrainingState st4;
  EXPECT_NE(error_of([&] { load_checkpoint(model_path, *net2, st4); }).find("not a training checkpoint"),
            std::string::npos);
}

}  // namespace
}  // namespace neuroshop
