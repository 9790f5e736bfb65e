// TrainingLog: the record every training command keeps — train and validation loss per step,
// throughput, learning rate — written as a JSON log and drawn as a loss-curve PNG, so under- and
// over-fitting are visible at a glance. Survives resume: it is reloaded from the JSON file.
// Not here: the training loop itself (training_loop.h) or checkpoints (core/model).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace neuroshop::apps {

struct TrainPoint {
  int64_t step = 0;
  double loss = 0.0;
  double learning_rate = 0.0;
  double images_per_second = 0.0;
};

struct ValPoint {
  int64_t step = 0;
  double loss = 0.0;
};

class TrainingLog {
 public:
  TrainingLog() = default;
  TrainingLog(std::string title, std::string json_path, std::string png_path);

  void add_train(const TrainPoint& p) { train_.push_back(p); }
  void add_val(const ValPoint& p) { val_.push_back(p); }
  // Drops points after `step` (used on resume, when the log ran ahead of the last checkpoint).
  void truncate_after(int64_t step);

  // Reloads points from an earlier run's JSON log; a missing file leaves the log empty.
  void load();
  // Writes the JSON log and the loss-curve PNG (both atomically: temporary name, then rename).
  void save() const;

  const std::vector<TrainPoint>& train() const { return train_; }
  const std::vector<ValPoint>& val() const { return val_; }

 private:
  std::string title_, json_path_, png_path_;
  std::vector<TrainPoint> train_;
  std::vector<ValPoint> val_;
};

// Writes `text` to `path` atomically (core/atomic_file.h).
void write_text_atomically(const std::string& path, const std::string& text);

}  // namespace neuroshop::apps
