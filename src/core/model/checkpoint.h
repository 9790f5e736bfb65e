// Training checkpoints: a .nsm file (model_file.h) of kind "checkpoint" holding the network's
// architecture, params and buffers plus everything needed to resume training exactly: the
// optimizer's state tensors, random generator states, the step count and named values.
// Loading goes into existing objects (the network and optimizer built by the training code) and
// checks that the architecture and the optimizer's state names and shapes match.
// Not here: choosing when to checkpoint, or learning-rate schedules (they derive from the step).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/layer.h"
#include "core/rng.h"
#include "core/tensor.h"

namespace neuroshop {

// What a checkpoint holds besides the network. The pointers are the caller's objects: saving reads
// them, loading writes into them.
struct TrainingState {
  int64_t step = 0;
  // Optimizer::state(): names like "adam.m.3". An undefined tensor (state not allocated yet) is
  // saved as absent-but-declared and loaded by assignment.
  std::vector<std::pair<std::string, Tensor*>> optimizer;
  // Named generators, e.g. {"data", &shuffle_rng}; Rng::state() is saved bit-exactly.
  std::vector<std::pair<std::string, Rng*>> rngs;
  // Anything else that must resume exactly (epoch, best loss as text, ...).
  std::map<std::string, std::string> values;
  std::map<std::string, std::string> metadata;
};

// Throws IoError when the file cannot be written; the previous file stays intact until the rename.
void save_checkpoint(const std::string& path, Layer& net, const TrainingState& state);

// Restores net params/buffers, optimizer tensors, rng states, step, values and metadata.
// Throws ModelError when the file is not a checkpoint, its architecture differs from net.spec(),
// or the optimizer's state names or shapes differ from the file's. The caller's objects are only
// written once everything has been validated.
void load_checkpoint(const std::string& path, Layer& net, TrainingState& state);

// Rng state as text ("s0 s1 s2 s3 has_spare spare", hex, bit-exact) and back.
std::string rng_state_to_string(const Rng::State& st);
Rng::State rng_state_from_string(const std::string& text, const std::string& who);

}  // namespace neuroshop
