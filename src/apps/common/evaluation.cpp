// The evaluation loop; see evaluation.h.
#include "apps/common/evaluation.h"

#include <chrono>

namespace neuroshop::apps {

void evaluate_methods(int64_t count, const std::function<void(int64_t picture)>& prepare,
                      const std::vector<EvalMethod>& methods,
                      const std::function<void(size_t method, const cv::Mat& output)>& score, const std::string& stage,
                      const ProgressFn& progress) {
  using Clock = std::chrono::steady_clock;
  for (int64_t i = 0; i < count; ++i) {
    prepare(i);
    for (size_t m = 0; m < methods.size(); ++m) {
      const auto start = Clock::now();
      const cv::Mat output = methods[m].run();
      if (methods[m].seconds) *methods[m].seconds += std::chrono::duration<double>(Clock::now() - start).count();
      score(m, output);
    }
    report(progress, {i + 1, count, stage, {}});
  }
}

void divide_sums(std::initializer_list<double*> sums, double n) {
  for (double* s : sums) *s /= n;
}

}  // namespace neuroshop::apps
