// Path names for params and buffers; see named_params.h.
#include "core/model/named_params.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/errors.h"
#include "core/layers/sequential.h"

namespace neuroshop {

namespace {

bool usable_as_step(const std::string& name) {
  if (name.empty() || name.find('.') != std::string::npos) return false;
  return !std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Collects params (buffers == false) or buffers under `prefix`.
void collect(Layer& layer, const std::string& prefix, bool buffers,
             std::vector<std::pair<std::string, Param*>>& out) {
  if (auto* container = dynamic_cast<Container*>(&layer)) {
    const std::vector<std::string> steps = child_path_steps(layer);
    for (size_t i = 0; i < steps.size(); ++i) collect(container->child(i), prefix + steps[i] + ".", buffers, out);
    return;
  }
  const std::vector<Param*> ps = buffers ? layer.buffers() : layer.params();
  for (size_t i = 0; i < ps.size(); ++i)
    out.emplace_back(prefix + (ps[i]->name.empty() ? std::to_string(i) : ps[i]->name), ps[i]);
}

std::vector<std::pair<std::string, Param*>> collect_unique(Layer& net, bool buffers) {
  std::vector<std::pair<std::string, Param*>> out;
  collect(net, "", buffers, out);
  std::set<std::string> seen;
  for (const auto& kv : out)
    if (!seen.insert(kv.first).second)
      throw ModelError("network '" + net.name() + "': two " + (buffers ? "buffers" : "params") + " are both named '" +
                       kv.first + "'; give the layers distinct param names");
  return out;
}

}  // namespace

std::vector<std::string> child_path_steps(Layer& layer) {
  auto* container = dynamic_cast<Container*>(&layer);
  if (!container) return {};
  const size_t n = container->num_children();
  std::vector<std::string> names(n);
  for (size_t i = 0; i < n; ++i) names[i] = container->child(i).name();
  std::vector<std::string> steps(n);
  for (size_t i = 0; i < n; ++i) {
    const bool unique = std::count(names.begin(), names.end(), names[i]) == 1;
    steps[i] = unique && usable_as_step(names[i]) ? names[i] : std::to_string(i);
  }
  return steps;
}

std::vector<std::pair<std::string, Param*>> named_params(Layer& net) { return collect_unique(net, false); }
std::vector<std::pair<std::string, Param*>> named_buffers(Layer& net) { return collect_unique(net, true); }

}  // namespace neuroshop
