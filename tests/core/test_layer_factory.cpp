// make_layer: every layer type of the core round-trips spec -> make_layer -> spec, parameter_count
// agrees with what make_layer builds, and bad specs are rejected with messages naming the layer.
#include <gtest/gtest.h>

#include <limits>
#include <set>

#include "core/errors.h"
#include "core/layers/activations.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/dense.h"
#include "core/layers/dropout.h"
#include "core/layers/instance_norm.h"
#include "core/layers/maxout.h"
#include "core/layers/pooling.h"
#include "core/layers/skip.h"
#include "core/layers/softmax.h"
#include "core/layers/upsample.h"
#include "core/model/layer_factory.h"
#include "core/model/model_file.h"
#include "core/model/named_params.h"

namespace neuroshop {
namespace {

// One instance of every type, with attributes away from their defaults where possible.
std::vector<std::unique_ptr<Layer>> one_of_each() {
  Rng rng(1);
  std::vector<std::unique_ptr<Layer>> v;
  v.push_back(std::make_unique<Sigmoid>(SigmoidFn{}, "sig"));
  v.push_back(std::make_unique<Tanh>(TanhFn{}, "tanh"));
  v.push_back(std::make_unique<Relu>());
  v.push_back(std::make_unique<LeakyRelu>(LeakyReluFn{0.2f}, "leaky"));
  v.push_back(std::make_unique<Elu>(EluFn{0.7f}, "elu"));
  v.push_back(std::make_unique<Softmax>("sm"));
  v.push_back(std::make_unique<Dense>(5, 3, rng, "fc", false));
  Conv2dOptions o;
  o.in_channels = 3;
  o.out_channels = 4;
  o.kernel_size = 5;
  o.stride = 2;
  o.padding = 2;
  o.dilation = 1;
  o.padding_mode = PaddingMode::kReflect;
  o.bias = false;
  v.push_back(std::make_unique<Conv2d>(o, rng, "conv"));
  v.push_back(std::make_unique<MaxPool2d>(3, 2, "mp"));
  v.push_back(std::make_unique<AvgPool2d>(2, 0, "ap"));
  v.push_back(std::make_unique<Upsample>(3, UpsampleMode::kBilinear, "up"));
  v.push_back(std::make_unique<BatchNorm2d>(4, 1e-3, 0.05, false, "bn"));
  v.push_back(std::make_unique<InstanceNorm2d>(4, 1e-4, true, "in"));
  v.push_back(std::make_unique<Dropout>(0.3, uint64_t{0xfedcba9876543210ull}, "drop"));
  v.push_back(std::make_unique<Maxout>(3, "maxout"));
  auto seq = std::make_unique<Sequential>("seq");
  seq->emplace<Relu>(ReluFn{}, "r");
  seq->add(std::make_unique<Sequential>());
  v.push_back(std::move(seq));
  v.push_back(std::make_unique<SkipConcat>(std::make_unique<Tanh>(), "skip"));
  v.push_back(std::make_unique<Residual>(std::make_unique<Elu>(EluFn{0.5f}), "res"));
  return v;
}

TEST(LayerFactory, EveryTypeRoundTripsItsSpec) {
  std::set<std::string> covered;
  for (const auto& layer : one_of_each()) {
    const LayerSpec spec = layer->spec();
    covered.insert(spec.type);
    const std::unique_ptr<Layer> rebuilt = make_layer(spec);
    EXPECT_EQ(spec_difference(spec, rebuilt->spec()), "") << spec.type;
    EXPECT_EQ(spec_to_text(spec), spec_to_text(rebuilt->spec()));
    // ... and through the architecture text of a model file.
    EXPECT_EQ(spec_difference(spec, make_layer(spec_from_text(spec_to_text(spec)))->spec()), "") << spec.type;
  }
  const std::set<std::string> known(known_layer_types().begin(), known_layer_types().end());
  EXPECT_EQ(covered, known) << "a layer type is missing from this test or from the factory";
}

// parameter_count, from the spec alone, against the params and buffers of the built layer.
TEST(LayerFactory, ParameterCountIsWhatTheBuiltLayerHolds) {
  std::vector<LayerSpec> specs;
  for (const auto& layer : one_of_each()) specs.push_back(layer->spec());
  Rng rng(2);
  auto net = std::make_unique<Sequential>("net");
  net->emplace<Dense>(7, 2, rng, "fc");
  Conv2dOptions o;
  o.in_channels = 2;
  o.out_channels = 3;
  o.kernel_size = 3;
  net->emplace<Conv2d>(o, rng, "conv");
  net->emplace<BatchNorm2d>(3, 1e-5, 0.1, true, "bn");
  net->emplace<InstanceNorm2d>(3, 1e-5, false, "in");
  net->add(std::make_unique<SkipConcat>(std::make_unique<Dense>(2, 2, rng, "inner"), "skip"));
  specs.push_back(net->spec());
  for (const LayerSpec& spec : specs) {
    const std::unique_ptr<Layer> layer = make_layer(spec);
    int64_t held = 0;
    for (const auto& [name, p] : named_params(*layer)) held += p->value.numel();
    for (const auto& [name, p] : named_buffers(*layer)) held += p->value.numel();
    EXPECT_EQ(parameter_count(spec), held) << spec_to_text(spec);
  }
  // Without building: sizes no machine could allocate, and no wrap-around past 64 bits.
  EXPECT_EQ(parameter_count(spec_from_text("Dense fc in_features=100000 out_features=100000")), 10000100000);
  EXPECT_EQ(parameter_count(spec_from_text("Dense fc in_features=4294967296 out_features=4294967296 bias=0")),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(parameter_count(spec_from_text("Dense fc in_features=-3 out_features=-3")), 0);
}

TEST(LayerFactory, MissingOptionalAttributesTakeDefaults) {
  LayerSpec s{"Conv2d", "c", {{"in_channels", "2"}, {"out_channels", "3"}, {"kernel_size", "3"}}, {}};
  auto layer = make_layer(s);
  EXPECT_EQ(layer->output_shape({1, 2, 5, 5}), Shape({1, 3, 3, 3}));
  auto pool = make_layer(LayerSpec{"MaxPool2d", "", {{"kernel_size", "2"}}, {}});
  EXPECT_EQ(pool->output_shape({1, 1, 4, 4}), Shape({1, 1, 2, 2}));
}

std::string message_of(const LayerSpec& s) {
  try {
    make_layer(s);
  } catch (const ModelError& e) {
    return e.what();
  }
  return "(no ModelError)";
}

TEST(LayerFactory, BadSpecsNameTheLayer) {
  const LayerSpec inner{"Frobnicate", "mystery", {}, {}};
  const LayerSpec outer{"Sequential", "net", {}, {LayerSpec{"Relu", "", {}, {}}, inner}};
  const std::string unknown = message_of(outer);
  EXPECT_NE(unknown.find("Frobnicate"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("'mystery'"), std::string::npos) << unknown;
  const std::string missing = message_of(LayerSpec{"Dense", "fc", {{"in_features", "3"}}, {}});
  EXPECT_NE(missing.find("out_features"), std::string::npos) << missing;
  EXPECT_NE(missing.find("'fc'"), std::string::npos) << missing;
  const std::string typo = message_of(LayerSpec{"MaxPool2d", "p", {{"kernal_size", "2"}}, {}});
  EXPECT_NE(typo.find("kernal_size"), std::string::npos) << typo;
  const std::string malformed = message_of(LayerSpec{"Maxout", "m", {{"pieces", "two"}}, {}});
  EXPECT_NE(malformed.find("pieces"), std::string::npos) << malformed;
  EXPECT_NE(message_of(LayerSpec{"Dense", "fc", {{"in_features", "3"}, {"out_features", "2"}, {"bias", "2"}}, {}}),
            "(no ModelError)");
  EXPECT_NE(message_of(LayerSpec{"SkipConcat", "s", {}, {}}).find("child"), std::string::npos);
  EXPECT_NE(message_of(LayerSpec{"Relu", "r", {}, {LayerSpec{"Relu", "", {}, {}}}}).find("child"), std::string::npos);
  // Out-of-range values are the constructors' to reject.
  EXPECT_THROW(make_layer(LayerSpec{"Dropout", "d", {{"p", "1.5"}}, {}}), Error);
}

}  // namespace
}  // namespace neuroshop
