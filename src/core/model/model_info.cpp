// model_info and its text table; see model_info.h.
#include "core/model/model_info.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "core/errors.h"
#include "core/layers/sequential.h"
#include "core/model/named_params.h"

namespace neuroshop {

namespace {

constexpr int64_t kBytesPerElement = 4;

int64_t count(const std::vector<Param*>& ps, bool trainable_only) {
  int64_t n = 0;
  for (const Param* p : ps)
    if (!trainable_only || p->trainable) n += p->value.numel();
  return n;
}

// The largest number of activation elements alive at once during a forward of `layer` on `in`.
//   leaf:       in + out
//   Sequential: the largest of its children's peaks (each child frees its input when done)
//   other containers (skips): the input stays alive while each child runs, then the input, the
//               children's outputs and the output are alive together while merging.
int64_t peak_elements(Layer& layer, const Shape& in) {
  auto* container = dynamic_cast<Container*>(&layer);
  const Shape out = layer.output_shape(in);
  if (!container) return in.numel() + out.numel();
  if (dynamic_cast<Sequential*>(&layer)) {
    int64_t peak = in.numel();
    Shape s = in;
    for (size_t i = 0; i < container->num_children(); ++i) {
      peak = std::max(peak, peak_elements(container->child(i), s));
      s = container->child(i).output_shape(s);
    }
    return peak;
  }
  int64_t peak = 0, merge = in.numel() + out.numel();
  for (size_t i = 0; i < container->num_children(); ++i) {
    const Shape ci = container->child_input_shape(i, in);
    peak = std::max(peak, in.numel() + peak_elements(container->child(i), ci));
    merge += container->child(i).output_shape(ci).numel();
  }
  return std::max(peak, merge);
}

void walk(Layer& layer, const Shape& in, const std::string& path, int depth, std::vector<LayerInfo>& out) {
  LayerInfo info;
  info.path = path;
  info.depth = depth;
  const LayerSpec spec = layer.spec();
  info.type = spec.type;
  info.name = layer.name();
  info.input = in;
  info.output = layer.output_shape(in);
  const std::vector<Param*> ps = layer.params();
  info.params = count(ps, false);
  info.trainable_params = count(ps, true);
  info.buffer_elements = count(layer.buffers(), false);
  info.flops = layer.flops(in);
  auto* container = dynamic_cast<Container*>(&layer);
  info.container = container != nullptr;
  info.activation_elements = dynamic_cast<Sequential*>(&layer) ? 0 : info.output.numel();
  out.push_back(info);
  if (!container) return;
  const std::vector<std::string> steps = child_path_steps(layer);
  for (size_t i = 0; i < container->num_children(); ++i)
    walk(container->child(i), container->child_input_shape(i, in), path.empty() ? steps[i] : path + "." + steps[i],
         depth + 1, out);
}

std::string human_bytes(int64_t bytes) {
  char buf[32];
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024) std::snprintf(buf, sizeof buf, "%.2f GiB", b / (1024.0 * 1024 * 1024));
  else if (b >= 1024.0 * 1024) std::snprintf(buf, sizeof buf, "%.2f MiB", b / (1024.0 * 1024));
  else if (b >= 1024.0) std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024.0);
  else std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  return buf;
}

std::string human_count(double n) {
  char buf[32];
  if (n >= 1e9) std::snprintf(buf, sizeof buf, "%.2fG", n / 1e9);
  else if (n >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM", n / 1e6);
  else if (n >= 1e3) std::snprintf(buf, sizeof buf, "%.1fk", n / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", n);
  return buf;
}

}  // namespace

ModelInfo model_info(Layer& net, const Shape& input, int optimizer_slots) {
  if (optimizer_slots < 0) throw ArgumentError("model_info: optimizer_slots must be >= 0, got " + std::to_string(optimizer_slots));
  ModelInfo m;
  m.input = input;
  m.output = net.output_shape(input);
  m.optimizer_slots = optimizer_slots;
  walk(net, input, "", 0, m.layers);
  const LayerInfo& root = m.layers.front();
  m.params = root.params;
  m.trainable_params = root.trainable_params;
  m.buffer_elements = root.buffer_elements;
  m.flops = root.flops;
  const Shape& o = m.output;
  const int64_t pixels = o.rank() == 4 ? o[0] * o[2] * o[3] : (o.rank() >= 1 ? o[0] : 1);
  m.flops_per_output_pixel = pixels > 0 ? static_cast<double>(m.flops) / static_cast<double>(pixels) : 0.0;

  m.weight_bytes = (m.params + m.buffer_elements) * kBytesPerElement;
  m.peak_activation_bytes = peak_elements(net, input) * kBytesPerElement;
  m.inference_bytes = m.weight_bytes + m.peak_activation_bytes;

  int64_t cached = input.numel();
  for (const LayerInfo& l : m.layers) cached += l.activation_elements;
  // Sequential passes its last child's output through; the root's output is already counted by
  // whichever layer produced it.
  m.cached_activation_bytes = cached * kBytesPerElement;
  m.gradient_bytes = m.params * kBytesPerElement;
  m.optimizer_bytes = static_cast<int64_t>(optimizer_slots) * m.trainable_params * kBytesPerElement;
  // Backward mirrors forward: a layer's dy and dx are alive together, like its y and x.
  m.backward_peak_bytes = m.peak_activation_bytes;
  m.training_bytes =
      m.weight_bytes + m.gradient_bytes + m.optimizer_bytes + m.cached_activation_bytes + m.backward_peak_bytes;
  return m;
}

std::string format_model_info(const ModelInfo& info) {
  std::ostringstream os;
  char line[256];
  std::snprintf(line, sizeof line, "%-36s %-18s %-18s %10s %10s\n", "layer", "input", "output", "params", "FLOPs");
  os << line;
  for (const LayerInfo& l : info.layers) {
    std::string label(static_cast<size_t>(l.depth) * 2, ' ');
    label += l.type;
    if (!l.name.empty()) label += " '" + l.name + "'";
    std::snprintf(line, sizeof line, "%-36s %-18s %-18s %10s %10s\n", label.c_str(), l.input.str().c_str(),
                  l.output.str().c_str(), human_count(static_cast<double>(l.params)).c_str(),
                  human_count(static_cast<double>(l.flops)).c_str());
    os << line;
  }
  os << "parameters: " << info.params << " (" << info.trainable_params << " trainable), buffers: "
     << info.buffer_elements << "\n";
  os << "FLOPs per forward: " << human_count(static_cast<double>(info.flops)) << " ("
     << human_count(info.flops_per_output_pixel) << " per output pixel)\n";
  os << "inference memory: " << human_bytes(info.inference_bytes) << " = weights " << human_bytes(info.weight_bytes)
     << " + peak activations " << human_bytes(info.peak_activation_bytes) << "\n";
  os << "training memory:  " << human_bytes(info.training_bytes) << " = weights " << human_bytes(info.weight_bytes)
     << " + gradients " << human_bytes(info.gradient_bytes) << " + optimizer state (" << info.optimizer_slots
     << " per weight) " << human_bytes(info.optimizer_bytes) << " + cached activations "
     << human_bytes(info.cached_activation_bytes) << " + backward peak " << human_bytes(info.backward_peak_bytes)
     << "\n";
  return os.str();
}

}  // namespace neuroshop
