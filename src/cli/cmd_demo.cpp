// `neuroshop demo xor|outside`: the lecture's demos (src/apps/demos/), printed as text with an
// ASCII loss plot, or as numbers with --json. Not here: the demos themselves.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <vector>

#include "apps/demos/outside.h"
#include "apps/demos/xor.h"
#include "cli/ascii_plot.h"
#include "cli/commands.h"
#include "cli/json.h"
#include "cli/progress.h"
#include "cli/validators.h"

namespace neuroshop::cli {
namespace {

void write_model_json(JsonWriter& j, const demos::XorModelResult& m) {
  j.key(m.name).begin_object();
  j.field("architecture", m.architecture);
  j.field("accuracy", m.accuracy);
  j.field("correct", m.correct);
  j.field("final_loss", m.final_loss);
  j.key("predictions").numbers({m.predictions.begin(), m.predictions.end()});
  j.key("loss").numbers(m.loss);
  j.end_object();
}

void print_xor(const demos::XorResult& r, bool json) {
  if (json) {
    JsonWriter j(std::cout);
    j.begin_object().field("demo", "xor");
    j.key("options").begin_object();
    j.field("seed", static_cast<int64_t>(r.options.seed));
    j.field("hidden", r.options.hidden).field("activation", r.options.activation);
    j.field("epochs", r.options.epochs).field("lr", r.options.lr);
    j.end_object();
    j.key("inputs").begin_array();
    for (const auto& x : demos::kXorInputs) j.numbers({x[0], x[1]});
    j.end_array();
    j.key("targets").numbers({demos::kXorTargets.begin(), demos::kXorTargets.end()});
    write_model_json(j, r.linear);
    write_model_json(j, r.mlp);
    j.end_object();
    return;
  }
  demos::write_xor_summary(r, std::cout);
  PlotOptions plot;
  plot.log_y = true;
  plot.x_label = "epoch";
  std::cout << "\nLoss E per epoch\n"
            << ascii_plot({{"linear", r.linear.loss, 'l'}, {"mlp", r.mlp.loss, 'm'}}, plot);
}

void add_xor(CLI::App& demo, const GlobalOptions& global) {
  auto opt = std::make_shared<demos::XorOptions>();
  auto json = std::make_shared<bool>(false);
  CLI::App* sub = demo.add_subcommand(
      "xor", "a linear model cannot learn XOR (at most 75%), a one-hidden-layer MLP can (100%)");
  sub->add_option("--seed", opt->seed, "random seed for the initial weights")->check(unsigned_integer());
  sub->add_option("--hidden", opt->hidden, "neurons in the MLP's hidden layer")->check(CLI::Range(1, 4096));
  sub->add_option("--activation", opt->activation, "the hidden layer's activation")
      ->check(CLI::IsMember({"tanh", "sigmoid"}));
  sub->add_option("--epochs", opt->epochs, "full-batch SGD steps per model")->check(CLI::Range(1, 10000000));
  sub->add_option("--lr", opt->lr, "SGD learning rate")->check(positive_number());
  sub->add_flag("--json", *json, "print the loss curves and predictions as JSON instead of text");
  sub->callback([opt, json, &global] {
    ProgressBar bar(std::cerr, ProgressBar::stderr_style(global.quiet));
    const demos::XorResult result = demos::run_xor(*opt, bar.callback());
    bar.finish();
    print_xor(result, *json);
  });
}

void write_pass_json(JsonWriter& j, const std::string& name, const demos::OutsidePass& p) {
  auto matrix = [&j](const std::string& key, const std::array<std::array<double, 3>, 2>& m) {
    j.key(key).begin_array();
    for (const auto& row : m) j.numbers({row.begin(), row.end()});
    j.end_array();
  };
  auto vec = [&j](const std::string& key, const auto& v) { j.key(key).numbers({v.begin(), v.end()}); };
  j.key(name).begin_object();
  j.key("weights").begin_object();
  matrix("W1", p.weights.w1);
  vec("b1", p.weights.b1);
  vec("W2", p.weights.w2);
  j.field("b2", p.weights.b2);
  j.end_object();
  vec("x", p.x);
  j.field("y", p.y);
  vec("z1", p.z1);
  vec("a1", p.a1);
  j.field("z2", p.z2).field("a2", p.a2).field("error", p.error);
  j.field("dE_da2", p.dE_da2).field("da2_dz2", p.da2_dz2).field("delta2", p.delta2);
  vec("dz2_dW2", p.dz2_dW2);
  vec("dE_dW2", p.dE_dW2);
  j.field("dE_db2", p.dE_db2);
  vec("dz2_da1", p.dz2_da1);
  vec("da1_dz1", p.da1_dz1);
  vec("delta1", p.delta1);
  matrix("dE_dW1", p.dE_dW1);
  vec("dE_db1", p.dE_db1);
  vec("dE_dx", p.dE_dx);
  j.end_object();
}

void add_outside(CLI::App& demo) {
  auto opt = std::make_shared<demos::OutsideOptions>();
  auto json = std::make_shared<bool>(false);
  // CLI11 fills vectors; the callback copies them into the fixed-size Options arrays.
  struct Flat {
    std::vector<double> inputs, w1, b1, w2;
  };
  auto flat = std::make_shared<Flat>();
  const demos::OutsideOptions defaults;
  flat->inputs.assign(defaults.inputs.begin(), defaults.inputs.end());
  for (const auto& row : defaults.weights.w1) flat->w1.insert(flat->w1.end(), row.begin(), row.end());
  flat->b1.assign(defaults.weights.b1.begin(), defaults.weights.b1.end());
  flat->w2.assign(defaults.weights.w2.begin(), defaults.weights.w2.end());

  CLI::App* sub = demo.add_subcommand(
      "outside", "the lecture's \"should I go outside?\" network: forward, error, chain-rule gradients, one SGD step");
  sub->add_option("--inputs", flat->inputs, "sunny,warm,friends-outside, each in [0,1]")
      ->delimiter(',')
      ->expected(3)
      ->check(finite_in(0.0, 1.0));
  sub->add_option("--target", opt->target, "y: 1 = go outside, 0 = stay in")->check(finite_number());
  sub->add_option("--w1", flat->w1, "hidden weights W1, row by row: W1_11,W1_12,W1_13,W1_21,W1_22,W1_23")
      ->delimiter(',')
      ->expected(6)
      ->check(finite_number());
  sub->add_option("--b1", flat->b1, "hidden biases b1_1,b1_2")->delimiter(',')->expected(2)->check(finite_number());
  sub->add_option("--w2", flat->w2, "output weights W2_1,W2_2")->delimiter(',')->expected(2)->check(finite_number());
  sub->add_option("--b2", opt->weights.b2, "output bias")->check(finite_number());
  sub->add_option("--lr", opt->lr, "SGD learning rate")->check(positive_number());
  sub->add_flag("--json", *json, "print every number as JSON instead of the walk-through");
  sub->callback([opt, flat, json] {
    for (size_t i = 0; i < 3; ++i) opt->inputs[i] = flat->inputs[i];
    for (size_t j = 0; j < 2; ++j) {
      for (size_t i = 0; i < 3; ++i) opt->weights.w1[j][i] = flat->w1[j * 3 + i];
      opt->weights.b1[j] = flat->b1[j];
      opt->weights.w2[j] = flat->w2[j];
    }
    const demos::OutsideResult r = demos::run_outside(*opt);
    if (!*json) {
      demos::write_outside_report(r, std::cout);
      return;
    }
    JsonWriter j(std::cout);
    j.begin_object().field("demo", "outside").field("lr", r.options.lr);
    write_pass_json(j, "before", r.before);
    write_pass_json(j, "after", r.after);
    j.end_object();
  });
}

}  // namespace

void add_demo_command(CLI::App& app, const GlobalOptions& global) {
  CLI::App* demo = app.add_subcommand("demo", "the lecture's demos: xor, outside");
  demo->require_subcommand(1);
  add_xor(*demo, global);
  add_outside(*demo);
}

}  // namespace neuroshop::cli
