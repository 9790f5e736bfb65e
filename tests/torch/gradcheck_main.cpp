// neuroshop-gradcheck: runs every LibTorch parity case and prints the table (or JSON with --json).
// Exit code 0 when every row passes, 1 when any fails, 2 on a usage error.
// `neuroshop gradcheck` execs this binary from beside itself.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "parity.h"

namespace {

void usage(FILE* to) {
  std::fprintf(to,
               "usage: neuroshop-gradcheck [--json] [--filter TEXT] [--threads N] [--list]\n"
               "  Compares every op of the neuroshop engine (y, dx, dW) with LibTorch.\n"
               "  --json         print the rows as JSON instead of a table\n"
               "  --filter TEXT  only cases whose \"op config\" contains TEXT\n"
               "  --threads N    LibTorch intra-op threads (default: hardware threads, at most 8)\n"
               "  --list         list the cases without running them\n"
               "exit status: 0 when every row passes, 1 when any fails, 2 on a usage error\n");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace neuroshop::parity;
  bool json = false, list = false;
  std::string filter;
  int threads = static_cast<int>(std::min(8u, std::max(1u, std::thread::hardware_concurrency())));
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--list") {
      list = true;
    } else if (a == "--filter" && i + 1 < argc) {
      filter = argv[++i];
    } else if (a == "--threads" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
      if (threads < 1) {
        std::fprintf(stderr, "error: --threads expects a positive integer, got '%s'\n", argv[i]);
        return 2;
      }
    } else if (a == "-h" || a == "--help") {
      usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "error: unknown argument '%s'\n", a.c_str());
      usage(stderr);
      return 2;
    }
  }
  set_torch_threads(threads);

  std::vector<ParityRow> rows;
  for (const ParityCase& c : parity_cases()) {
    if (!filter.empty() && (c.op + " " + c.config).find(filter) == std::string::npos) continue;
    if (list) {
      std::printf("%s  %s\n", c.op.c_str(), c.config.c_str());
      continue;
    }
    rows.push_back(run_case(c));
  }
  if (list) return 0;
  if (rows.empty()) {
    std::fprintf(stderr, "error: no parity case matches --filter '%s' (see --list)\n", filter.c_str());
    return 2;
  }
  const std::string out = json ? format_json(rows) : format_table(rows);
  std::fwrite(out.data(), 1, out.size(), stdout);
  for (const ParityRow& r : rows)
    if (!r.pass) return 1;
  return 0;
}
