// `neuroshop info MODEL.nsm [--input HxW] [--json]`: what a model costs. Parameters, FLOPs per
// forward pass and per output pixel, and memory for inference vs training (the lecture's "why
// training needs extra memory": gradients, optimizer state and every cached activation).
// The numbers come from core/model/model_info.h; this file loads the model, picks the input shape
// and prints. Not here: any counting.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/json.h"
#include "cli/training_options.h"
#include "core/errors.h"
#include "core/model/model_file.h"
#include "core/model/model_info.h"

namespace neuroshop::cli {
namespace {

struct InfoArgs {
  std::string model;
  std::string size = "256x256";
  int64_t batch = 1;
  int64_t channels = 0;  // 0: from the first layer
  std::string optimizer = "adam";
  bool json = false;
};

// "HxW" -> {H, W}; both in [1, 65536].
bool parse_size(const std::string& text, int64_t& h, int64_t& w) {
  const size_t x = text.find_first_of("xX");
  if (x == std::string::npos || x == 0 || x + 1 >= text.size()) return false;
  const std::string a = text.substr(0, x), b = text.substr(x + 1);
  if (a.find_first_not_of("0123456789") != std::string::npos || b.find_first_not_of("0123456789") != std::string::npos ||
      a.size() > 6 || b.size() > 6)
    return false;
  h = std::atoll(a.c_str());
  w = std::atoll(b.c_str());
  return h >= 1 && w >= 1 && h <= 65536 && w <= 65536;
}

CLI::Validator size_validator() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        int64_t h = 0, w = 0;
        return parse_size(input, h, w) ? std::string() : "'" + input + "' is not a size HxW such as 256x256";
      },
      "HxW", "SIZE");
}

// The input the network expects, from the first layer that says: Conv2d/BatchNorm-style layers
// take (N, C, H, W), Dense takes (N, F). Pre-order, so a container's first real layer decides.
bool infer_input(const LayerSpec& spec, int64_t batch, int64_t channels, int64_t h, int64_t w, Shape& in) {
  for (const char* key : {"in_channels", "channels"})
    if (spec.has(key)) {
      in = Shape{batch, channels > 0 ? channels : spec.get_int(key), h, w};
      return true;
    }
  if (spec.has("in_features")) {
    in = Shape{batch, spec.get_int("in_features")};
    return true;
  }
  for (const LayerSpec& child : spec.children)
    if (infer_input(child, batch, channels, h, w, in)) return true;
  return false;
}

void print_json(const InfoArgs& args, const ModelInfo& m) {
  JsonWriter j(std::cout);
  j.begin_object().field("model", args.model);
  j.key("input").numbers({m.input.dims().begin(), m.input.dims().end()});
  j.key("output").numbers({m.output.dims().begin(), m.output.dims().end()});
  j.field("params", m.params).field("trainable_params", m.trainable_params).field("buffer_elements", m.buffer_elements);
  j.field("flops", m.flops).field("flops_per_output_pixel", m.flops_per_output_pixel);
  j.field("optimizer", args.optimizer).field("optimizer_slots", m.optimizer_slots);
  j.key("inference_bytes").begin_object();
  j.field("total", m.inference_bytes).field("weights", m.weight_bytes).field("peak_activations", m.peak_activation_bytes);
  j.end_object();
  j.key("training_bytes").begin_object();
  j.field("total", m.training_bytes).field("weights", m.weight_bytes).field("gradients", m.gradient_bytes);
  j.field("optimizer", m.optimizer_bytes).field("cached_activations", m.cached_activation_bytes);
  j.field("backward_peak", m.backward_peak_bytes);
  j.end_object();
  j.key("layers").begin_array();
  for (const LayerInfo& l : m.layers) {
    j.begin_object().field("path", l.path).field("depth", l.depth).field("type", l.type).field("name", l.name);
    j.key("input").numbers({l.input.dims().begin(), l.input.dims().end()});
    j.key("output").numbers({l.output.dims().begin(), l.output.dims().end()});
    j.field("params", l.params).field("flops", l.flops).field("activation_elements", l.activation_elements);
    j.end_object();
  }
  j.end_array();
  j.end_object();
}

void run_info(const InfoArgs& args) {
  LoadedModel loaded = load_model(args.model);
  int64_t h = 0, w = 0;
  parse_size(args.size, h, w);
  Shape in;
  if (!infer_input(loaded.net->spec(), args.batch, args.channels, h, w, in))
    throw ArgumentError("info: cannot tell the input shape of '" + args.model +
                        "' from its first layer; pass --channels C");
  const int slots = args.optimizer == "sgd" ? 0 : args.optimizer == "momentum" ? 1 : 2;
  const ModelInfo m = model_info(*loaded.net, in, slots);
  if (args.json) {
    print_json(args, m);
    return;
  }
  std::cout << args.model << ": input " << m.input.str() << " -> output " << m.output.str() << ", optimizer "
            << args.optimizer << "\n\n"
            << format_model_info(m);
  if (m.inference_bytes > 0)
    std::cout << "training needs " << std::fixed << std::setprecision(1)
              << static_cast<double>(m.training_bytes) / m.inference_bytes << "x the memory of inference: backward needs every layer's cached input, a gradient per weight"
              << (slots > 0 ? " and the optimizer's state" : "") << "\n";
}

}  // namespace

void add_info_command(CLI::App& app, const GlobalOptions& global) {
  (void)global;
  auto args = std::make_shared<InfoArgs>();
  CLI::App* sub =
      app.add_subcommand("info", "a model's parameters, FLOPs per pixel, and memory for inference vs training");
  sub->add_option("model", args->model, "the model file (.nsm)")->required()->check(CLI::ExistingFile);
  sub->add_option("--input", args->size, "input height x width")->type_name("HxW")->check(size_validator());
  // --size elsewhere is one number, the long side of a working image; here it was the input shape.
  hidden_alias(sub->add_option("--size", args->size, "old spelling of --input"), size_validator());
  sub->add_option("--batch", args->batch, "images per batch")->check(CLI::Range(1, 4096));
  sub->add_option("--channels", args->channels, "input channels (0: from the first layer)")->check(CLI::Range(0, 4096));
  sub->add_option("--optimizer", args->optimizer, "optimizer state counted for training (sgd 0, momentum 1, adam 2 per weight)")
      ->check(CLI::IsMember({"sgd", "momentum", "adam"}));
  sub->add_flag("--json", args->json, "print the numbers as JSON");
  sub->callback([args] { run_info(*args); });
}

}  // namespace neuroshop::cli
