// The checks every application's model class makes when it loads a file, written once: that the
// file is a model of THIS application (metadata "app"), and its whole-number metadata such as
// "input_size". Each app's model.h adds what is its own (output shapes, extra tensors).
// Not here: the file format itself (core/model/model_file.h).
#pragma once

#include <cstdint>
#include <string>

#include "core/model/model_file.h"

namespace neuroshop::apps {

// Loads `path` and checks its "app" metadata is `app`; otherwise ModelError "model file 'PATH' is
// not a NOUN model (its app is 'X')", `noun` being how users call the model (e.g. "style").
LoadedModel load_app_model(const std::string& path, const std::string& app, const std::string& noun);

// Metadata `key` as a whole number, `fallback` when absent; ModelError "NOUN model 'PATH': KEY 'V' is
// not a number" when it is not one.
int64_t metadata_int(const LoadedModel& model, const std::string& key, int64_t fallback, const std::string& noun,
                     const std::string& path);

}  // namespace neuroshop::apps
