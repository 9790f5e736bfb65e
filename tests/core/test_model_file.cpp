// The .nsm format: architecture text, byte-level round trips, save/load reproducing a network's
// outputs bit-exactly, and one test per validation error.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

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
#include "core/model/model_file.h"
#include "core/model/named_params.h"
#include "layer_checks.h"

namespace neuroshop {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("neuroshop_model_file_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void put_u32(std::string& bytes, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// Recomputes the trailing checksum after a deliberate edit, so the edit itself is what is caught.
void refresh_crc(std::string& bytes) {
  put_u32(bytes, bytes.size() - 4, crc32(bytes.data(), bytes.size() - 4));
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "message: " << (haystack)

Conv2dOptions conv(int64_t C, int64_t OC, int64_t K = 3, int64_t pad = 1) {
  Conv2dOptions o;
  o.in_channels = C;
  o.out_channels = OC;
  o.kernel_size = K;
  o.padding = pad;
  return o;
}

// A U-Net-like net touching every image layer type.
std::unique_ptr<Layer> image_net(uint64_t seed) {
  Rng rng(seed);
  auto net = std::make_unique<Sequential>("colorizer");
  net->emplace<Conv2d>(conv(1, 4), rng, "enc1");
  net->emplace<BatchNorm2d>(4, 1e-5, 0.1, true, "bn1");
  net->emplace<LeakyRelu>(LeakyReluFn{0.2f});
  auto middle = std::make_unique<Sequential>("middle");
  middle->emplace<MaxPool2d>(2);
  middle->emplace<Conv2d>(conv(4, 6), rng);
  middle->emplace<InstanceNorm2d>(6);
  middle->emplace<Maxout>(2);
  middle->emplace<Upsample>(2, UpsampleMode::kBilinear);
  middle->emplace<Residual>(std::make_unique<Elu>());
  net->emplace<SkipConcat>(std::move(middle), "skip1");
  net->emplace<Dropout>(0.25, uint64_t{99});
  net->emplace<AvgPool2d>(3, 1);
  net->emplace<Conv2d>(conv(7, 5, 1, 0), rng, "dec");
  net->emplace<Softmax>();
  return net;
}

TEST(ArchitectureText, RoundTripsAwkwardStrings) {
  LayerSpec s{"Sequential", "", {}, {}};
  s.children.push_back(LayerSpec{"Relu", "name with \"quotes\" and \\ and\nnewline", {}, {}});
  s.children.push_back(LayerSpec{"X", "é=ü{}", {{"key with space", "v=1 {x}"}, {"empty", ""}, {"ctl", "\x01\t"}}, {}});
  s.children.push_back(LayerSpec{"Sequential", "inner", {}, {LayerSpec{"Tanh", "-1.5e+3", {}, {}}}});
  const std::string text = spec_to_text(s);
  EXPECT_EQ(spec_difference(s, spec_from_text(text)), "") << text;
  EXPECT_EQ(text.find('\x01'), std::string::npos);
}

TEST(ArchitectureText, IsReadable) {
  LayerSpec s{"Sequential", "net", {}, {LayerSpec{"Conv2d", "enc1", {{"kernel_size", "3"}}, {}}}};
  EXPECT_EQ(spec_to_text(s), "Sequential net {\n  Conv2d enc1 kernel_size=3\n}\n");
}

TEST(ArchitectureText, MalformedTextIsAModelError) {
  for (const char* bad : {"", "Sequential", "Sequential x {", "Relu \"unterminated", "Relu x }", "Relu x k=",
                          "Relu x k=1 k=2", "Relu x\nRelu y", "Relu x ;", "Relu \"a\\q\""}) {
    EXPECT_THROW(spec_from_text(bad, "test"), ModelError) << bad;
  }
  EXPECT_CONTAINS(error_of([] { spec_from_text("Seq a {\n  Relu b\n  Relu c k=\n}", "model file 'm.nsm'"); }),
                  "model file 'm.nsm': malformed architecture at line 4");
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += "S x {";
  EXPECT_THROW(spec_from_text(deep), ModelError);
}

TEST(ModelFileBytes, RoundTrip) {
  ModelFile f;
  f.kind = "checkpoint";
  f.architecture = LayerSpec{"Relu", "r", {}, {}};
  f.metadata = {{"app", "colorize"}, {"binary", std::string("a\0b", 3)}};
  f.values = {{"step", "12"}};
  Rng rng(4);
  f.tensors.emplace_back("param/w", testing::random_tensor({2, 3, 4}, rng));
  f.tensors.emplace_back("extra/scalar", Tensor::from(Shape{}, {3.5f}));
  f.tensors.emplace_back("extra/empty", Tensor(Shape{0, 3}));
  const std::string bytes = encode_model_file(f);
  EXPECT_EQ(bytes.substr(0, 4), std::string("NSM\0", 4));
  const ModelFile g = decode_model_file(bytes, "mem");
  EXPECT_EQ(g.kind, "checkpoint");
  EXPECT_EQ(spec_difference(g.architecture, f.architecture), "");
  EXPECT_EQ(g.metadata, f.metadata);
  EXPECT_EQ(g.values, f.values);
  ASSERT_EQ(g.tensors.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(g.tensors[i].first, f.tensors[i].first);
    EXPECT_EQ(g.tensors[i].second.shape(), f.tensors[i].second.shape());
    EXPECT_EQ(g.tensors[i].second.to_vector(), f.tensors[i].second.to_vector());
  }
  EXPECT_EQ(encode_model_file(g), bytes);
  EXPECT_EQ(crc32("123456789", 9), 0xcbf43926u);  // the standard check value
}

TEST(ModelFileBytes, EncodeRejectsBadContents) {
  ModelFile f;
  f.tensors.emplace_back("a", Tensor({1}));
  f.tensors.emplace_back("a", Tensor({1}));
  EXPECT_THROW(encode_model_file(f), ModelError);
  ModelFile k;
  k.kind = "weights";
  EXPECT_THROW(encode_model_file(k), ModelError);
  ModelFile r;
  r.tensors.emplace_back("deep", Tensor(Shape{1, 1, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_THROW(encode_model_file(r), ModelError);
}

TEST(SaveLoadModel, ReproducesOutputsBitExactly) {
  auto net = image_net(1);
  Rng rng(2);
  // Train-mode forwards move the batch-norm running statistics away from their initial values.
  for (int i = 0; i < 3; ++i) net->forward(testing::random_tensor({2, 1, 8, 8}, rng));
  net->set_training(false);
  const Tensor x = testing::random_tensor({2, 1, 8, 8}, rng);
  const Tensor y = net->forward(x);
  const std::map<std::string, std::string> meta = {{"app", "colorize"}, {"input_size", "8"}};
  const Tensor bins = testing::random_tensor({313, 2}, rng);
  const std::string path = temp_path("net.nsm");
  save_model(path, *net, meta, {{"ab_bins", bins}});
  for (const auto& entry : fs::directory_iterator(fs::path(path).parent_path()))
    EXPECT_EQ(entry.path().filename().string().find(".net.nsm.tmp" + std::to_string(::getpid()) + "_"), std::string::npos) << "temporary left behind";

  LoadedModel m = load_model(path);
  EXPECT_FALSE(m.net->training());
  EXPECT_EQ(m.metadata, meta);
  ASSERT_EQ(m.extra_tensors.count("ab_bins"), 1u);
  EXPECT_EQ(m.extra_tensors.at("ab_bins").to_vector(), bins.to_vector());
  EXPECT_EQ(spec_difference(m.net->spec(), net->spec()), "");
  EXPECT_EQ(m.net->forward(x).to_vector(), y.to_vector());
  const auto a = named_buffers(*net), b = named_buffers(*m.net);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].second->value.to_vector(), b[i].second->value.to_vector());

  // load_weights into a network built in code with other initial weights.
  auto other = image_net(77);
  other->set_training(false);
  EXPECT_NE(other->forward(x).to_vector(), y.to_vector());
  load_weights(path, *other);
  EXPECT_EQ(other->forward(x).to_vector(), y.to_vector());
}

TEST(SaveLoadModel, DenseNetRoundTrip) {
  Rng rng(9);
  Sequential net;
  net.emplace<Dense>(4, 6, rng, "fc1");
  net.emplace<Sigmoid>();
  net.emplace<Dense>(6, 2, rng, "fc2", false);
  const std::string path = temp_path("dense.nsm");
  save_model(path, net);
  const Tensor x = testing::random_tensor({3, 4}, rng);
  EXPECT_EQ(load_model(path).net->forward(x).to_vector(), net.forward(x).to_vector());
}

class ModelFileErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    Rng rng(3);
    net_.emplace<Conv2d>(conv(1, 2), rng, "enc1");
    net_.emplace<Relu>();
    path_ = temp_path("errors.nsm");
    save_model(path_, net_, {{"app", "test"}});
    bytes_ = read_bytes(path_);
  }
  std::string load_error(const std::string& bytes) {
    write_bytes(path_, bytes);
    return error_of([&] { load_model(path_); });
  }
  Sequential net_;
  std::string path_, bytes_;
};

TEST_F(ModelFileErrors, MissingFile) {
  const std::string e = error_of([] { load_model(temp_path("does-not-exist.nsm")); });
  EXPECT_CONTAINS(e, "does-not-exist.nsm");
  EXPECT_CONTAINS(e, "does not exist");
  EXPECT_CONTAINS(error_of([] { load_model(fs::path(::testing::TempDir()).string()); }), "directory");
}

TEST_F(ModelFileErrors, NotAnNsmFile) {
  EXPECT_CONTAINS(load_error("\x89PNG\r\n\x1a\n and more"), "bad magic");
  EXPECT_CONTAINS(load_error(""), "empty");
  EXPECT_THROW(load_model(path_), ModelError);
}

TEST_F(ModelFileErrors, WrongVersion) {
  std::string b = bytes_;
  put_u32(b, 4, 7);
  EXPECT_CONTAINS(load_error(b), "is format version 7; this neuroshop reads version 1");
  EXPECT_CONTAINS(load_error(b), path_);
}

TEST_F(ModelFileErrors, Truncated) {
  const std::string e = load_error(bytes_.substr(0, 100));
  EXPECT_CONTAINS(e, "truncated");
  EXPECT_CONTAINS(e, "ends after 100 bytes, expected " + std::to_string(bytes_.size()));
  EXPECT_CONTAINS(load_error(bytes_.substr(0, 10)), "ends after 10 bytes, expected at least");
  EXPECT_CONTAINS(load_error(bytes_.substr(0, 2)), "truncated");
  EXPECT_CONTAINS(load_error(bytes_ + "xyz"), "corrupt");
}

TEST_F(ModelFileErrors, ChecksumMismatch) {
  std::string b = bytes_;
  b[b.size() - 20] ^= 0x40;  // a bit inside the last tensor's data
  const std::string e = load_error(b);
  EXPECT_CONTAINS(e, "corrupt");
  EXPECT_CONTAINS(e, "checksum");
}

TEST_F(ModelFileErrors, AbsurdSizes) {
  // The kind string's length claims more bytes than the file has.
  std::string b = bytes_;
  put_u32(b, 16, 0xfffffff0u);
  refresh_crc(b);
  EXPECT_CONTAINS(load_error(b), "kind");
  EXPECT_CONTAINS(load_error(b), "only");
  // Tensor rank 9, negative and huge dimensions.
  const std::string name = "param/enc1.weight";
  const size_t at = bytes_.find(name);
  ASSERT_NE(at, std::string::npos);
  const size_t rank_at = at + name.size();
  b = bytes_;
  put_u32(b, rank_at, 9);
  refresh_crc(b);
  EXPECT_CONTAINS(load_error(b), "rank 9");
  b = bytes_;
  put_u32(b, rank_at + 4, 0xffffffffu);
  put_u32(b, rank_at + 8, 0xffffffffu);  // dim 0 = -1
  refresh_crc(b);
  EXPECT_CONTAINS(load_error(b), "negative");
  b = bytes_;
  put_u32(b, rank_at + 4, 0);
  put_u32(b, rank_at + 8, 0x10);  // dim 0 = 2^36
  refresh_crc(b);
  EXPECT_CONTAINS(load_error(b), "2^31");
  b = bytes_;
  put_u32(b, rank_at + 4, 1000);  // dim 0 = 1000: more data than the file holds
  refresh_crc(b);
  EXPECT_CONTAINS(load_error(b), "enc1.weight");
}

TEST_F(ModelFileErrors, UnknownLayerType) {
  ModelFile f = read_model_file(path_);
  f.architecture.children[1].type = "Swish";
  write_model_file(path_, f);
  const std::string e = error_of([&] { load_model(path_); });
  EXPECT_CONTAINS(e, path_);
  EXPECT_CONTAINS(e, "unknown layer type 'Swish'");
}

TEST_F(ModelFileErrors, TensorsMustMatchTheArchitecture) {
  ModelFile f = read_model_file(path_);
  ModelFile missing = f;
  missing.tensors.erase(missing.tensors.begin());
  write_model_file(path_, missing);
  EXPECT_CONTAINS(error_of([&] { load_model(path_); }), "declares 20 parameters but holds 2");
  EXPECT_CONTAINS(error_of([&] { load_weights(path_, net_); }), "has no tensor 'param/enc1.weight' (2,1,3,3)");

  ModelFile wrong = f;
  wrong.tensors[1].second = Tensor({3});
  write_model_file(path_, wrong);
  EXPECT_CONTAINS(error_of([&] { load_model(path_); }), "tensor 'param/enc1.bias' has shape (3), the architecture needs (2)");

  ModelFile extra = f;
  extra.tensors.emplace_back("param/ghost.weight", Tensor({1}));
  write_model_file(path_, extra);
  EXPECT_CONTAINS(error_of([&] { load_model(path_); }), "'param/ghost.weight' that the architecture does not use");

  // A failed load_weights leaves the network untouched.
  const std::vector<float> before = net_.params()[0]->value.to_vector();
  write_model_file(path_, wrong);
  EXPECT_THROW(load_weights(path_, net_), ModelError);
  EXPECT_EQ(net_.params()[0]->value.to_vector(), before);
}

// A few bytes of architecture can ask for gigabytes of weights; the loader compares that with
// the weights the file holds before it builds (and allocates) anything.
TEST_F(ModelFileErrors, ArchitectureLargerThanTheWeightsItHolds) {
  auto error_for = [&](const std::string& architecture, bool keep_tensors) {
    ModelFile f = decode_model_file(bytes_, path_);
    f.architecture = spec_from_text(architecture);
    if (!keep_tensors) f.tensors.clear();
    write_model_file(path_, f);
    return error_of([&] { load_model(path_); });
  };
  const std::string dense = error_for("Dense fc in_features=100000 out_features=100000", false);
  EXPECT_CONTAINS(dense, path_);
  EXPECT_CONTAINS(dense, "declares 10000100000 parameters but holds 0 (corrupt or truncated file)");
  EXPECT_CONTAINS(error_for("Conv2d c in_channels=100000 out_channels=100000 kernel_size=100 bias=0", false),
                  "declares 100000000000000 parameters but holds 0");
  EXPECT_CONTAINS(error_for("Sequential \"\" { BatchNorm2d bn channels=100000000000 }", false),
                  "declares 400000000000 parameters but holds 0");
  // The stored weights of the small convolution (2*1*3*3 + 2) against a kernel of 1000.
  EXPECT_CONTAINS(error_for("Sequential \"\" { Conv2d enc1 in_channels=1 out_channels=2 kernel_size=1000 Relu \"\" }", true),
                  "declares 2000002 parameters but holds 20");
  // Counts beyond 64 bits do not wrap around to something small.
  EXPECT_CONTAINS(error_for("Dense fc in_features=4611686018427387904 out_features=4611686018427387904", false),
                  "declares 9223372036854775807 or more parameters but holds 0");
  // Values the layers reject still get the layer's own message.
  EXPECT_CONTAINS(error_for("Dense fc in_features=-100000 out_features=-100000", false), "features must be positive");
}

// Random edits with a valid checksum either load or throw ModelError; nothing else escapes.
TEST_F(ModelFileErrors, RandomEditsOnlyEverThrowModelError) {
  Rng rng(17);
  for (int trial = 0; trial < 300; ++trial) {
    std::string b = bytes_;
    const size_t at = 16 + rng.below(b.size() - 20);
    b[at] = static_cast<char>(rng.below(256));
    refresh_crc(b);
    try {
      decode_model_file(b, "fuzz");
      write_bytes(path_, b);
      load_model(path_);
    } catch (const ModelError&) {
    }
  }
}

TEST_F(ModelFileErrors, InterruptedWriteKeepsTheOldFile) {
  // A file-size limit below the model's size stands in for a full disk: the write fails, and the
  // previous file is intact (SIGXFSZ ignored, so the write returns EFBIG instead of killing us).
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto saved_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = saved;
  small.rlim_cur = 16;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  EXPECT_THROW(save_model(path_, net_), IoError);
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, saved_handler);
  EXPECT_EQ(read_bytes(path_), bytes_);
  for (const auto& entry : fs::directory_iterator(fs::path(path_).parent_path()))
    EXPECT_EQ(entry.path().filename().string().find(".errors.nsm.tmp" + std::to_string(::getpid()) + "_"), std::string::npos) << "temporary left behind";
  EXPECT_NO_THROW(load_model(path_));
  EXPECT_THROW(save_model(temp_path("no/such/dir/x.nsm"), net_), IoError);
}

}  // namespace
}  // namespace neuroshop
