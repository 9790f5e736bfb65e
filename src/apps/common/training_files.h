// The files every training and evaluation command shares: lists of photo paths (a validation
// split), the model file a trainer writes, and where a run keeps its checkpoint and logs next to it.
// Not here: the log's contents (training_log.h) or the checkpoint format (core/model/checkpoint.h).
#pragma once

#include <string>
#include <vector>

namespace neuroshop::apps {

// Paths named by a list file, one per line, relative to the list's folder ('#' starts a comment).
// Throws IoError naming it as `what` (e.g. "validation list") when it is a folder, cannot be
// read, or names no files.
std::vector<std::string> read_path_list(const std::string& list_path, const std::string& what = "list");

// Splits photo paths into (train, validation) by a validation list (read_path_list); with an
// empty `val_list` everything is training data.
void split_by_val_list(const std::vector<std::string>& all, const std::string& val_list, std::vector<std::string>* train,
                       std::vector<std::string>* val);

// Throws ArgumentError unless `out` (a trainer's --out) names a .nsm file in an existing folder.
// Trainers call it before loading any data, so a typo does not surface at the first checkpoint.
void check_model_out(const std::string& out);

// Beside the model file X.nsm: X.ckpt.nsm, X.log.json, X.loss.png.
std::string checkpoint_path(const std::string& model_path);
std::string log_json_path(const std::string& model_path);
std::string loss_png_path(const std::string& model_path);

}  // namespace neuroshop::apps
