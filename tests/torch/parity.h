// LibTorch parity checks of the engine's ops (STYLE.md section 5), behind a torch-free interface.
//
// Each check feeds the same inputs and weights to our op and to LibTorch, backpropagates the same
// fixed random g (torch: (ty * g).sum().backward()) and reports the largest errors of y, dx and
// every dW as a ParityRow. Only the parity_*.cpp files include torch; the gtest file and the
// neuroshop-gradcheck executable see this header alone, so they compile in seconds.
// Not here: finite-difference tests (tests/core), benchmarks (bench/).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace neuroshop::parity {

// Float tolerances of every comparison: |ours - torch| <= kAtol + kRtol * |torch|.
inline constexpr double kAtol = 1e-4;
inline constexpr double kRtol = 1e-3;

// One line of the parity table. An error is the largest |ours - torch| over the compared tensor;
// a negative error means "not applicable" (an op with no input gradient or no parameters).
struct ParityRow {
  std::string op;
  std::string config;
  double err_y = -1.0;
  double err_dx = -1.0;
  double err_dw = -1.0;
  bool pass = false;
  std::string note;  // why a row failed (first offending tensor), or what y/dW stand for
};

struct ParityCase {
  std::string op;
  std::string config;
  std::function<ParityRow()> run;
};

// Every check, in table order. Building the list runs nothing (cheap, no torch calls).
const std::vector<ParityCase>& parity_cases();

// Runs one case; an exception becomes a failing row whose note is the message.
ParityRow run_case(const ParityCase& c);

// Aligned text table with a PASS/FAIL column and a summary line.
std::string format_table(const std::vector<ParityRow>& rows);
// {"atol":..,"rtol":..,"rows":[{"op":..,"config":..,"err_y":..|null,...,"pass":true}],"passed":n,"failed":n}
std::string format_json(const std::vector<ParityRow>& rows);

// Deliberately wrong references (sigmoid vs tanh, a perturbed weight, a wrong optimizer
// setting): every row must FAIL, or the checker could not tell right from wrong.
std::vector<ParityRow> checker_self_test();

// Sets LibTorch's intra-op threads (it defaults to 1 here). Declared here so the torch-free
// main can call it.
void set_torch_threads(int n);

// The per-file case lists parity_cases() concatenates (one per parity_*.cpp).
void add_layer_cases(std::vector<ParityCase>& cases);
void add_loss_cases(std::vector<ParityCase>& cases);
void add_optim_cases(std::vector<ParityCase>& cases);
void add_e2e_cases(std::vector<ParityCase>& cases);

}  // namespace neuroshop::parity
