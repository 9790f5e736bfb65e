// Model-file checks shared by the applications; see app_model.h.
#include "apps/common/app_model.h"

#include <optional>

#include "core/errors.h"
#include "core/parse_number.h"

namespace neuroshop::apps {

LoadedModel load_app_model(const std::string& path, const std::string& app, const std::string& noun) {
  LoadedModel loaded = load_model(path);
  const auto found = loaded.metadata.find("app");
  if (found == loaded.metadata.end() || found->second != app)
    throw ModelError("model file '" + path + "' is not a " + noun + " model (its app is '" +
                     (found == loaded.metadata.end() ? std::string("unknown") : found->second) + "')");
  return loaded;
}

int64_t metadata_int(const LoadedModel& model, const std::string& key, int64_t fallback, const std::string& noun,
                     const std::string& path) {
  const auto found = model.metadata.find(key);
  if (found == model.metadata.end()) return fallback;
  const std::optional<int64_t> value = parse_int64(found->second);
  if (!value) throw ModelError(noun + " model '" + path + "': " + key + " '" + found->second + "' is not a number");
  return *value;
}

}  // namespace neuroshop::apps
