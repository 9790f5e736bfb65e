// The options of every `train NAME` subcommand that steer the shared training loop
// (apps/common/training_loop.h), bound by name to the trainer's options struct: --steps, --resume,
// --lr, --val-every and --checkpoint-every; and the command line a run records in its model file.
// -o/--output for the model file (--out kept as a hidden alias).
// Not here: each trainer's data, network and time-limit options (its own cmd_*.cpp).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "cli/validators.h"

namespace neuroshop::cli {

template <class TrainerOptions>
void add_training_loop_options(CLI::App& sub, TrainerOptions& o) {
  const auto count = CLI::Range(int64_t{1}, int64_t{100000000});
  sub.add_option("--steps", o.steps, "training steps (the learning-rate schedule's length)")->check(count);
  sub.add_flag("--resume", o.resume, "continue from the checkpoint beside --out");
  sub.add_option("--lr", o.learning_rate, "Adam learning rate (cosine decay to lr/20)")->check(finite_in(1e-7, 1.0));
  sub.add_option("--val-every", o.val_every, "steps between validation scores")->check(count);
  sub.add_option("--checkpoint-every", o.checkpoint_every, "steps between checkpoints")->check(count);
}

// `prefix` followed by each option of `sub` that was given: flags by name, options with their
// values as typed (e.g. "neuroshop train matte --renders r --steps 4200 --resume").
// -o/--output: the model file a trainer writes, with the checkpoint, JSON log and loss curve beside
// it. --out, the old spelling, stays as a hidden alias so existing scripts keep working.
inline CLI::Option* add_model_output(CLI::App& sub, std::string& out) {
  CLI::Option* output = sub.add_option("-o,--output", out, "model file to write (checkpoint, JSON log and loss curve go beside it)")
                            ->type_name("MODEL.nsm");
  sub.add_option("--out", out, "old spelling of --output")->group("");
  return output;
}

// A spelling kept for old scripts: not listed in --help (CLI11's hidden group), its values checked
// by `check`. CLI11 leaves a hidden option's name out of its error messages, so the check's own
// message names it.
inline CLI::Option* hidden_alias(CLI::Option* option, const CLI::Validator& check) {
  const std::string name = option->get_name();
  option->check(CLI::Validator(
      [check, name](std::string& input) {
        const std::string error = check(input);
        return error.empty() ? error : name + ": " + error;
      },
      check.get_description()));
  return option->group("");
}

inline std::string recorded_command(const std::string& prefix, const CLI::App& sub) {
  std::string line = prefix;
  for (const CLI::Option* opt : sub.get_options())
    if (opt->count() > 0 && !opt->get_lnames().empty()) {
      line += " --" + opt->get_lnames().front();
      if (opt->get_items_expected_max() == 0) continue;  // a flag: its name says it all
      for (const std::string& r : opt->results()) line += " " + r;
    }
  return line;
}

}  // namespace neuroshop::cli
