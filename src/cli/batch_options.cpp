// Batch options and reporting; see batch_options.h.
#include "cli/batch_options.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace neuroshop::cli {

CLI::Option* add_batch_inputs(CLI::App& sub, BatchArgs& args, const std::string& help, const std::string& type_name) {
  return sub.add_option("inputs", args.options.inputs, help)->required()->type_name(type_name);
}

CLI::Option* add_batch_output(CLI::App& sub, BatchArgs& args, const std::string& help, const std::string& type_name) {
  return sub.add_option("-o,--output", args.options.output, help)->type_name(type_name);
}

void add_batch_options(CLI::App& sub, BatchArgs& args) {
  sub.add_flag("-r,--recursive", args.options.recursive, "search folders recursively");
  sub.add_option("--jobs", args.options.jobs, "images processed at once")->check(CLI::Range(1, 64));
  sub.add_option("--shard", args.shard, "process only shard I of N of the sorted inputs (for job arrays)")
      ->type_name("I/N");
  sub.add_flag("--skip-existing", args.options.skip_existing, "leave outputs that are already there (resume a batch)");
}

apps::BatchOptions batch_options(const BatchArgs& args) {
  apps::BatchOptions options = args.options;
  options.shard = apps::parse_shard(args.shard);
  return options;
}

void finish_batch(const apps::BatchReport& report, bool quiet) {
  apps::throw_if_failed(report, [](const std::string& line) { std::cerr << "failed: " << line << "\n"; });
  if (!quiet)
    for (const auto& [in, out] : report.plan) std::cout << out << "\n";
}

}  // namespace neuroshop::cli
