// LayerSpec accessors and the shared Layer checks; see layer.h.
#include "core/layer.h"

#include <optional>
#include <sstream>

#include "core/errors.h"
#include "core/parse_number.h"

namespace neuroshop {

LayerSpec& LayerSpec::set(const std::string& key, const std::string& value) {
  for (auto& kv : attrs)
    if (kv.first == key) {
      kv.second = value;
      return *this;
    }
  attrs.emplace_back(key, value);
  return *this;
}

LayerSpec& LayerSpec::set(const std::string& key, double value) {
  std::ostringstream os;
  os.precision(17);
  os << value;
  return set(key, os.str());
}

bool LayerSpec::has(const std::string& key) const {
  for (const auto& kv : attrs)
    if (kv.first == key) return true;
  return false;
}

std::string LayerSpec::get_string(const std::string& key) const {
  for (const auto& kv : attrs)
    if (kv.first == key) return kv.second;
  throw ModelError("layer " + type + " '" + name + "': attribute '" + key + "' is missing");
}

int64_t LayerSpec::get_int(const std::string& key) const {
  const std::string s = get_string(key);
  const std::optional<int64_t> v = parse_int64(s);
  if (!v) throw ModelError("layer " + type + " '" + name + "': attribute '" + key + "' should be an integer, got '" + s + "'");
  return *v;
}

double LayerSpec::get_float(const std::string& key) const {
  const std::string s = get_string(key);
  const std::optional<double> v = parse_finite(s);
  if (!v)
    throw ModelError("layer " + type + " '" + name + "': attribute '" + key + "' should be a finite number, got '" + s + "'");
  return *v;
}

bool LayerSpec::get_bool(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  const int64_t v = get_int(key);
  if (v != 0 && v != 1)
    throw ModelError("layer " + type + " '" + name + "': attribute '" + key + "' should be 0 or 1, got " + std::to_string(v));
  return v == 1;
}

void Layer::expect_forward_ran(bool ran, const std::string& type) const {
  if (!ran) throw Error(who(type) + ": backward called before forward");
}

}  // namespace neuroshop
