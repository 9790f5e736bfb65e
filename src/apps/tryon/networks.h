// The try-on's two optional networks, read from their model files when those are there: the
// harmonizer (a HarmonizeFn for run_tryon) and the matting network (a NetworkCutout for items
// without alpha). Each file is read on first use and kept, so one TryOnNetworks serves every job of
// a server; without the files the try-on uses the classical colour match and GrabCut.
// Not here: which files (the CLI's flags and defaults, serve's options), the networks themselves
// (harmonize/model.h, matte/model.h).
#pragma once

#include <memory>
#include <string>

#include "apps/tryon/item.h"
#include "apps/tryon/tryon.h"

namespace neuroshop::harmonize {
class HarmonizeModel;
}
namespace neuroshop::matte {
class MatteModel;
}

namespace neuroshop::tryon {

class TryOnNetworks {
 public:
  TryOnNetworks(std::string harmonize_model, std::string matte_model);

  // The harmonization network when `wanted` and its file is there; otherwise empty.
  HarmonizeFn harmonizer(bool wanted);
  // The matting network as `mode` uses it: none for kAlpha and kGrabcut; for kAuto when its file is
  // there; for kNetwork always (ModelError naming the file when it is missing).
  NetworkCutout cutout(CutoutMode mode);

 private:
  std::string harmonize_path_, matte_path_;
  std::shared_ptr<harmonize::HarmonizeModel> harmonize_;  // shared with the functions handed out
  std::shared_ptr<matte::MatteModel> matte_;
};

}  // namespace neuroshop::tryon
