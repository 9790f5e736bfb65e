// The .nsm model file: neuroshop's own binary format for trained networks and checkpoints.
//
// Layout (all integers little-endian; a "string" is a u32 byte count and the bytes):
//   "NSM\0"  u32 format version (1)  u64 total file size in bytes (checksum included)
//   string kind                      "model" or "checkpoint"
//   string architecture              the root LayerSpec as text (spec_to_text below)
//   u32 count, then count x (string key, string value)   metadata
//   u32 count, then count x (string key, string value)   values: exact scalars/strings of a checkpoint
//   u32 count, then count x tensor: string name, u32 rank (<= 8), rank x i64 dims, numel x f32
//   u32 CRC-32 (IEEE, as zlib) of every byte before it
// Tensor names carry their role as a prefix: "param/", "buffer/", "extra/" (app data such as a
// colour-bin table), "optim/" (optimizer state).
//
// Reading validates everything and names what is wrong (missing, bad magic, other version,
// truncated, corrupt, absurd sizes, malformed architecture); writing goes to a temporary file that
// is renamed into place, so an interrupted save never leaves a broken file.
// Not here: building layers from the architecture (layer_factory.h); checkpoints (checkpoint.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/crc32.h"  // the files' checksum, declared there
#include "core/layer.h"
#include "core/tensor.h"

namespace neuroshop {

inline constexpr uint32_t kModelFormatVersion = 1;
inline constexpr int kMaxTensorRank = 8;

inline constexpr const char* kParamPrefix = "param/";
inline constexpr const char* kBufferPrefix = "buffer/";
inline constexpr const char* kExtraPrefix = "extra/";
inline constexpr const char* kOptimPrefix = "optim/";

struct ModelFile {
  std::string kind = "model";  // "model" or "checkpoint"
  LayerSpec architecture;
  std::map<std::string, std::string> metadata;  // app name, input size, training command, ...
  std::map<std::string, std::string> values;    // checkpoints: step, rng states, epoch, ...
  std::vector<std::pair<std::string, Tensor>> tensors;

  // nullptr when there is no tensor of that name.
  const Tensor* find(const std::string& name) const;
};

// The bytes of a file; `file` is validated (unique tensor names, ranks, kind).
std::string encode_model_file(const ModelFile& file);
// Parses bytes; `path` only names the file in error messages. Throws ModelError.
ModelFile decode_model_file(const std::string& bytes, const std::string& path);

// Writes atomically (core/atomic_file.h). Throws IoError when the file cannot be written.
void write_model_file(const std::string& path, const ModelFile& file);
// Throws ModelError naming the file and what is wrong with it.
ModelFile read_model_file(const std::string& path);

// The architecture as text, one layer per line, children in braces:
//   Sequential "" {
//     Conv2d enc1 in_channels=1 out_channels=8 kernel_size=3
//     Relu ""
//   }
// Words made of [A-Za-z0-9_.+-] stand bare; anything else is quoted with \" \\ \n \t \r \xHH escapes.
std::string spec_to_text(const LayerSpec& spec);
// Throws ModelError naming `who` (e.g. "model file 'x.nsm'") and where the text is malformed.
LayerSpec spec_from_text(const std::string& text, const std::string& who = "architecture");
// "" when equal, otherwise the first difference, e.g. "layer 1.0 (Conv2d 'enc1'): attribute
// 'kernel_size' is 3 vs 5" (a's value first; paths are child indices from the root).
std::string spec_difference(const LayerSpec& a, const LayerSpec& b);

// ---- models --------------------------------------------------------------------------------------

// Saves the architecture, every param and buffer, the metadata and extra tensors (app data).
void save_model(const std::string& path, Layer& net, const std::map<std::string, std::string>& metadata = {},
                const std::map<std::string, Tensor>& extra_tensors = {});

struct LoadedModel {
  std::unique_ptr<Layer> net;  // in inference mode (set_training(false))
  std::map<std::string, std::string> metadata;
  std::map<std::string, Tensor> extra_tensors;
};
// Rebuilds the network from the architecture (layer_factory.h) and loads its weights. Reads models
// and checkpoints alike. An architecture declaring more parameters than the file holds is refused
// before anything is built, so a damaged file cannot make it allocate far more than its own size.
LoadedModel load_model(const std::string& path);

// Copies the file's "param/" and "buffer/" tensors into `net`, which must have exactly those names
// and shapes (named_params.h); all are checked before any is copied. `path` names the file in
// error messages.
void assign_weights(const ModelFile& file, Layer& net, const std::string& path);
// Reads a file and assign_weights() into a network built in code.
void load_weights(const std::string& path, Layer& net);

}  // namespace neuroshop
