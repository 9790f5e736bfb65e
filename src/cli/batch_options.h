// The command-line side of the batch runner (apps/common/batch.h), the same for every command that
// takes image files or folders: the inputs, -o/--output, -r, --jobs, --shard I/N, --skip-existing,
// and how a batch's outcome is printed.
// Not here: running the batch (apps/common/batch.h) or what a command does to each image.
#pragma once

#include <string>

#include "apps/common/batch.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace neuroshop::cli {

struct BatchArgs {
  apps::BatchOptions options;
  std::string shard = "0/1";  // parsed by batch_options()
};

// The positional inputs (required).
CLI::Option* add_batch_inputs(CLI::App& sub, BatchArgs& args, const std::string& help, const std::string& type_name);
// -o/--output.
CLI::Option* add_batch_output(CLI::App& sub, BatchArgs& args, const std::string& help, const std::string& type_name);
// -r/--recursive, --jobs, --shard, --skip-existing.
void add_batch_options(CLI::App& sub, BatchArgs& args);

// The options with --shard parsed (ArgumentError for a malformed one).
apps::BatchOptions batch_options(const BatchArgs& args);

// Prints each output (written or skipped) on stdout unless quiet; for failures, prints one line per
// failed file on stderr ("failed: INPUT: MESSAGE") and throws the summary (main prints it last).
void finish_batch(const apps::BatchReport& report, bool quiet);

}  // namespace neuroshop::cli
