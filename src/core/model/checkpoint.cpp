// save_checkpoint / load_checkpoint; see checkpoint.h.
#include "core/model/checkpoint.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <set>
#include <sstream>

#include "core/errors.h"
#include "core/model/model_file.h"
#include "core/model/named_params.h"
#include "core/parse_number.h"

namespace neuroshop {

namespace {

constexpr const char* kStepKey = "step";
constexpr const char* kRngPrefix = "rng/";
constexpr const char* kValuePrefix = "value/";
// Optimizer state entries that were undefined at save time are listed here, one name a line.
constexpr const char* kUndefinedStateKey = "optim_undefined";

std::string file_who(const std::string& path) { return "checkpoint '" + path + "'"; }

}  // namespace

std::string rng_state_to_string(const Rng::State& st) {
  uint64_t spare_bits;
  std::memcpy(&spare_bits, &st.spare, sizeof spare_bits);
  char buf[160];
  std::snprintf(buf, sizeof buf, "%016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %d %016" PRIx64, st.s[0],
                st.s[1], st.s[2], st.s[3], st.has_spare ? 1 : 0, spare_bits);
  return buf;
}

Rng::State rng_state_from_string(const std::string& text, const std::string& who) {
  std::istringstream in(text);
  Rng::State st{};
  uint64_t words[5];
  int has_spare = -1;
  in >> std::hex >> words[0] >> words[1] >> words[2] >> words[3] >> std::dec >> has_spare >> std::hex >> words[4];
  std::string rest;
  if (!in || (in >> rest) || (has_spare != 0 && has_spare != 1))
    throw ModelError(who + ": malformed random generator state '" + text + "'");
  for (int i = 0; i < 4; ++i) st.s[i] = words[i];
  st.has_spare = has_spare == 1;
  std::memcpy(&st.spare, &words[4], sizeof st.spare);
  return st;
}

void save_checkpoint(const std::string& path, Layer& net, const TrainingState& state) {
  ModelFile f;
  f.kind = "checkpoint";
  f.architecture = net.spec();
  f.metadata = state.metadata;
  f.values[kStepKey] = std::to_string(state.step);
  for (const auto& [name, value] : state.values) f.values[kValuePrefix + name] = value;
  std::set<std::string> rng_names;
  for (const auto& [name, rng] : state.rngs) {
    if (!rng_names.insert(name).second) throw ArgumentError("save_checkpoint: two generators are named '" + name + "'");
    f.values[kRngPrefix + name] = rng_state_to_string(rng->state());
  }
  for (const auto& [name, p] : named_params(net)) f.tensors.emplace_back(kParamPrefix + name, p->value);
  for (const auto& [name, p] : named_buffers(net)) f.tensors.emplace_back(kBufferPrefix + name, p->value);
  std::string undefined;
  for (const auto& [name, t] : state.optimizer) {
    if (t->defined()) f.tensors.emplace_back(kOptimPrefix + name, *t);
    else undefined += name + "\n";
  }
  f.values[kUndefinedStateKey] = undefined;
  write_model_file(path, f);
}

void load_checkpoint(const std::string& path, Layer& net, TrainingState& state) {
  const std::string who = file_who(path);
  ModelFile f = read_model_file(path);
  if (f.kind != "checkpoint")
    throw ModelError(who + " is a " + f.kind + " file, not a training checkpoint");
  const std::string diff = spec_difference(f.architecture, net.spec());
  if (!diff.empty())
    throw ModelError(who + " was saved from another architecture than this network's (file vs network: " + diff + ")");

  // Validate everything before writing into the caller's objects.
  auto step_it = f.values.find(kStepKey);
  if (step_it == f.values.end()) throw ModelError(who + " has no step count");
  const std::optional<int64_t> parsed_step = parse_int64(step_it->second);
  if (!parsed_step || *parsed_step < 0) throw ModelError(who + ": malformed step count '" + step_it->second + "'");
  const int64_t step = *parsed_step;

  std::set<std::string> undefined;
  {
    std::istringstream in(f.values[kUndefinedStateKey]);
    for (std::string line; std::getline(in, line);) undefined.insert(line);
  }
  std::set<std::string> expected;
  for (const auto& [name, t] : state.optimizer) {
    expected.insert(name);
    const Tensor* saved = f.find(kOptimPrefix + name);
    if (!saved) {
      if (undefined.count(name)) continue;
      throw ModelError(who + " has no optimizer state '" + name + "' (saved with another optimizer?)");
    }
    if (t->defined() && t->shape() != saved->shape())
      throw ModelError(who + ": optimizer state '" + name + "' has shape " + saved->shape().str() +
                       ", the optimizer's is " + t->shape().str());
  }
  const std::string optim_prefix = kOptimPrefix;
  for (const auto& kv : f.tensors)
    if (kv.first.rfind(optim_prefix, 0) == 0 && !expected.count(kv.first.substr(optim_prefix.size())))
      throw ModelError(who + " has optimizer state '" + kv.first.substr(optim_prefix.size()) +
                       "' that this optimizer does not have (saved with another optimizer?)");
  std::vector<Rng::State> rng_states;
  for (const auto& [name, rng] : state.rngs) {
    auto it = f.values.find(kRngPrefix + name);
    if (it == f.values.end()) throw ModelError(who + " has no state for the random generator '" + name + "'");
    rng_states.push_back(rng_state_from_string(it->second, who));
  }

  // Validates every param and buffer before it copies any.
  assign_weights(f, net, path);

  for (auto& [name, t] : state.optimizer) {
    const Tensor* saved = f.find(kOptimPrefix + name);
    if (!saved) {
      *t = Tensor();
    } else if (t->defined()) {
      t->copy_from(*saved);
    } else {
      *t = saved->clone();
    }
  }
  for (size_t i = 0; i < state.rngs.size(); ++i) state.rngs[i].second->set_state(rng_states[i]);
  state.step = step;
  state.values.clear();
  const std::string value_prefix = kValuePrefix;
  for (const auto& kv : f.values)
    if (kv.first.rfind(value_prefix, 0) == 0) state.values[kv.first.substr(value_prefix.size())] = kv.second;
  state.metadata = f.metadata;
}

}  // namespace neuroshop
