// CLI11 validators the stock ones lack. CLI::Range and CLI::PositiveNumber let "nan" through
// (every comparison with NaN is false), so every floating-point flag takes one of the finite ones
// below instead:
//   sub->add_option("--lr", opt.lr, "learning rate")->check(positive_number());
// Not here: the options themselves; each command file declares its own.
#pragma once

#include <CLI/CLI.hpp>

namespace neuroshop::cli {

// Accepts numbers that parse as a finite double; rejects nan, inf and non-numbers.
CLI::Validator finite_number();

// A finite number above 0 (CLI::PositiveNumber's own message prints DBL_MAX in full).
CLI::Validator positive_number();

// A finite number in [lo, hi] (inclusive), e.g. an input in [0, 1].
CLI::Validator finite_in(double lo, double hi);

// Accepts whole decimal numbers without a sign, e.g. seeds: "-1" would otherwise wrap around to 2^64-1.
CLI::Validator unsigned_integer();

}  // namespace neuroshop::cli
