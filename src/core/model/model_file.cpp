// The .nsm reader and writer, the architecture text, save_model/load_model; see model_file.h.
#include "core/model/model_file.h"

#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "core/atomic_file.h"
#include "core/errors.h"
#include "core/model/layer_factory.h"
#include "core/model/named_params.h"

namespace neuroshop {

namespace {

constexpr char kMagic[4] = {'N', 'S', 'M', '\0'};
constexpr size_t kHeaderSize = 16;  // magic, version, total size
constexpr size_t kChecksumSize = 4;
constexpr int kMaxSpecDepth = 256;
constexpr int64_t kMaxTensorElements = int64_t{1} << 31;

std::string quoted(const std::string& path) { return "'" + path + "'"; }
std::string file_who(const std::string& path) { return "model file " + quoted(path); }

bool host_is_little_endian() {
  const uint32_t one = 1;
  unsigned char first;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// ---- little-endian bytes ----------------------------------------------------------------------

class ByteWriter {
 public:
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void str(const std::string& s, const std::string& what) {
    if (s.size() > 0xffffffffull) throw ModelError("model file: " + what + " is longer than 4 GiB");
    u32(static_cast<uint32_t>(s.size()));
    out_ += s;
  }
  void floats(const float* p, int64_t n) {
    const size_t bytes = static_cast<size_t>(n) * 4;
    const size_t at = out_.size();
    out_.resize(at + bytes);
    if (host_is_little_endian()) {
      if (bytes) std::memcpy(&out_[at], p, bytes);
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      uint32_t v;
      std::memcpy(&v, &p[i], 4);
      for (int b = 0; b < 4; ++b) out_[at + static_cast<size_t>(i) * 4 + b] = static_cast<char>((v >> (8 * b)) & 0xff);
    }
  }
  void raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

class ByteReader {
 public:
  ByteReader(const std::string& bytes, size_t begin, size_t end, std::string who)
      : bytes_(bytes), pos_(begin), end_(end), who_(std::move(who)) {}

  size_t pos() const { return pos_; }
  size_t left() const { return end_ - pos_; }

  void need(size_t n, const std::string& what) const {
    if (left() < n)
      throw ModelError(who_ + " is corrupt: " + what + " at byte " + std::to_string(pos_) + " needs " +
                       std::to_string(n) + " bytes, only " + std::to_string(left()) + " remain");
  }
  uint32_t u32(const std::string& what) {
    need(4, what);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
    pos_ += 4;
    return v;
  }
  uint64_t u64(const std::string& what) {
    need(8, what);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return v;
  }
  std::string str(const std::string& what) {
    const size_t at = pos_;
    const uint32_t n = u32(what + " length");
    if (n > left())
      throw ModelError(who_ + " is corrupt: " + what + " at byte " + std::to_string(at) + " claims " +
                       std::to_string(n) + " bytes, only " + std::to_string(left()) + " remain");
    std::string s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  // A u32 entry count, each entry at least `min_entry_bytes` long.
  uint32_t count(const std::string& what, size_t min_entry_bytes) {
    const size_t at = pos_;
    const uint32_t n = u32(what);
    if (static_cast<uint64_t>(n) * min_entry_bytes > left())
      throw ModelError(who_ + " is corrupt: " + what + " at byte " + std::to_string(at) + " is " + std::to_string(n) +
                       ", more than the " + std::to_string(left()) + " remaining bytes can hold");
    return n;
  }
  void floats(float* p, int64_t n) {
    const size_t bytes = static_cast<size_t>(n) * 4;
    if (host_is_little_endian()) {
      if (bytes) std::memcpy(p, &bytes_[pos_], bytes);
    } else {
      for (int64_t i = 0; i < n; ++i) {
        uint32_t v = 0;
        for (int b = 0; b < 4; ++b)
          v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes_[pos_ + static_cast<size_t>(i) * 4 + b])) << (8 * b);
        std::memcpy(&p[i], &v, 4);
      }
    }
    pos_ += bytes;
  }

 private:
  const std::string& bytes_;
  size_t pos_, end_;
  std::string who_;
};

// ---- architecture text ------------------------------------------------------------------------

bool is_bare_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '+' || c == '-';
}

std::string token(const std::string& s) {
  bool bare = !s.empty();
  for (char c : s) bare = bare && is_bare_char(c);
  if (bare) return s;
  std::string out = "\"";
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void write_spec(const LayerSpec& s, int depth, std::string& out) {
  out.append(static_cast<size_t>(depth) * 2, ' ');
  out += token(s.type) + " " + token(s.name);
  for (const auto& kv : s.attrs) out += " " + token(kv.first) + "=" + token(kv.second);
  if (s.children.empty()) {
    out += "\n";
    return;
  }
  out += " {\n";
  for (const auto& c : s.children) write_spec(c, depth + 1, out);
  out.append(static_cast<size_t>(depth) * 2, ' ');
  out += "}\n";
}

class SpecParser {
 public:
  SpecParser(const std::string& text, std::string who) : text_(text), who_(std::move(who)) { advance(); }

  LayerSpec parse_root() {
    LayerSpec s = parse_spec(0);
    if (tok_.kind != Tok::kEnd) fail("expected the end of the text after the root layer, got " + describe());
    return s;
  }

 private:
  enum class Tok { kWord, kEq, kOpen, kClose, kEnd };
  struct Token {
    Tok kind = Tok::kEnd;
    std::string text;
    int line = 1;
  };

  [[noreturn]] void fail(const std::string& what) const {
    throw ModelError(who_ + ": malformed architecture at line " + std::to_string(tok_.line) + ": " + what);
  }
  std::string describe() const {
    switch (tok_.kind) {
      case Tok::kWord: return "'" + tok_.text + "'";
      case Tok::kEq: return "'='";
      case Tok::kOpen: return "'{'";
      case Tok::kClose: return "'}'";
      case Tok::kEnd: return "the end of the text";
    }
    return "?";
  }

  // Reads the token after tok_ into tok_ (and keeps one token of lookahead in next_).
  void advance() {
    if (has_next_) {
      tok_ = next_;
      has_next_ = false;
      return;
    }
    tok_ = lex();
  }
  const Token& peek_next() {
    if (!has_next_) {
      next_ = lex();
      has_next_ = true;
    }
    return next_;
  }

  Token lex() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      if (text_[pos_] == '\n') ++line_;
      ++pos_;
    }
    Token t;
    t.line = line_;
    if (pos_ >= text_.size()) return t;
    const char c = text_[pos_];
    if (c == '=' || c == '{' || c == '}') {
      ++pos_;
      t.kind = c == '=' ? Tok::kEq : c == '{' ? Tok::kOpen : Tok::kClose;
      return t;
    }
    t.kind = Tok::kWord;
    if (is_bare_char(c)) {
      while (pos_ < text_.size() && is_bare_char(text_[pos_])) t.text += text_[pos_++];
      return t;
    }
    if (c != '"') {
      tok_.line = line_;
      fail("unexpected character '" + std::string(1, c) + "'");
    }
    ++pos_;
    for (;;) {
      if (pos_ >= text_.size()) {
        tok_.line = t.line;
        fail("unterminated quoted string");
      }
      const char q = text_[pos_++];
      if (q == '"') break;
      if (q != '\\') {
        if (q == '\n') ++line_;
        t.text += q;
        continue;
      }
      if (pos_ >= text_.size()) {
        tok_.line = t.line;
        fail("unterminated quoted string");
      }
      const char e = text_[pos_++];
      if (e == '"' || e == '\\') t.text += e;
      else if (e == 'n') t.text += '\n';
      else if (e == 't') t.text += '\t';
      else if (e == 'r') t.text += '\r';
      else if (e == 'x' && pos_ + 2 <= text_.size() && std::isxdigit(static_cast<unsigned char>(text_[pos_])) &&
               std::isxdigit(static_cast<unsigned char>(text_[pos_ + 1]))) {
        t.text += static_cast<char>(std::stoi(text_.substr(pos_, 2), nullptr, 16));
        pos_ += 2;
      } else {
        tok_.line = line_;
        fail(std::string("unknown escape '\\") + e + "' in a quoted string");
      }
    }
    return t;
  }

  std::string expect_word(const std::string& what) {
    if (tok_.kind != Tok::kWord) fail("expected " + what + ", got " + describe());
    std::string s = tok_.text;
    advance();
    return s;
  }

  LayerSpec parse_spec(int depth) {
    if (depth > kMaxSpecDepth) fail("layers nested deeper than " + std::to_string(kMaxSpecDepth));
    LayerSpec s;
    s.type = expect_word("a layer type");
    if (s.type.empty()) fail("empty layer type");
    s.name = expect_word("the name of the " + s.type + " layer (\"\" when unnamed)");
    // key=value pairs: a word followed by '='
    while (tok_.kind == Tok::kWord && peek_next().kind == Tok::kEq) {
      std::string key = tok_.text;
      advance();  // key
      advance();  // '='
      std::string value = expect_word("the value of attribute '" + key + "'");
      if (s.has(key)) fail("attribute '" + key + "' given twice in " + s.type + " '" + s.name + "'");
      s.attrs.emplace_back(std::move(key), std::move(value));
    }
    if (tok_.kind == Tok::kOpen) {
      advance();
      while (tok_.kind != Tok::kClose) {
        if (tok_.kind == Tok::kEnd) fail("missing '}' closing the children of " + s.type + " '" + s.name + "'");
        s.children.push_back(parse_spec(depth + 1));
      }
      advance();
    }
    return s;
  }

  const std::string& text_;
  std::string who_;
  size_t pos_ = 0;
  int line_ = 1;
  Token tok_, next_;
  bool has_next_ = false;
};

std::string describe_layer(const LayerSpec& s, const std::string& path) {
  return "layer " + (path.empty() ? std::string("<root>") : path) + " (" + s.type + " '" + s.name + "')";
}

std::string spec_difference_at(const LayerSpec& a, const LayerSpec& b, const std::string& path) {
  const std::string where = describe_layer(a, path);
  if (a.type != b.type) return where + ": type " + a.type + " vs " + b.type;
  if (a.name != b.name) return where + ": name '" + a.name + "' vs '" + b.name + "'";
  for (const auto& kv : a.attrs) {
    if (!b.has(kv.first)) return where + ": attribute '" + kv.first + "' only in the first";
    const std::string bv = b.get_string(kv.first);
    if (bv != kv.second) return where + ": attribute '" + kv.first + "' is " + kv.second + " vs " + bv;
  }
  for (const auto& kv : b.attrs)
    if (!a.has(kv.first)) return where + ": attribute '" + kv.first + "' only in the second";
  if (a.children.size() != b.children.size())
    return where + ": " + std::to_string(a.children.size()) + " vs " + std::to_string(b.children.size()) + " children";
  for (size_t i = 0; i < a.children.size(); ++i) {
    const std::string d = spec_difference_at(a.children[i], b.children[i], path.empty() ? std::to_string(i) : path + "." + std::to_string(i));
    if (!d.empty()) return d;
  }
  return "";
}

void check_tensor_shape(const Shape& s, const std::string& who) {
  if (s.rank() > kMaxTensorRank)
    throw ModelError(who + " has rank " + std::to_string(s.rank()) + "; at most " + std::to_string(kMaxTensorRank) +
                     " is allowed");
  int64_t numel = 1;
  for (int i = 0; i < s.rank(); ++i) {
    if (s[i] < 0) throw ModelError(who + " has a negative dimension: " + s.str());
    if (s[i] > 0 && numel > kMaxTensorElements / s[i])
      throw ModelError(who + " has shape " + s.str() + ", more than 2^31 elements");
    numel *= s[i];
  }
  if (numel > kMaxTensorElements) throw ModelError(who + " has shape " + s.str() + ", more than 2^31 elements");
}

}  // namespace

// ---- ModelFile ----------------------------------------------------------------------------------

const Tensor* ModelFile::find(const std::string& name) const {
  for (const auto& kv : tensors)
    if (kv.first == name) return &kv.second;
  return nullptr;
}

std::string spec_to_text(const LayerSpec& spec) {
  std::string out;
  write_spec(spec, 0, out);
  return out;
}

LayerSpec spec_from_text(const std::string& text, const std::string& who) { return SpecParser(text, who).parse_root(); }

std::string spec_difference(const LayerSpec& a, const LayerSpec& b) { return spec_difference_at(a, b, ""); }

std::string encode_model_file(const ModelFile& file) {
  if (file.kind != "model" && file.kind != "checkpoint")
    throw ModelError("model file: kind must be \"model\" or \"checkpoint\", got \"" + file.kind + "\"");
  std::set<std::string> names;
  for (const auto& kv : file.tensors) {
    if (!names.insert(kv.first).second) throw ModelError("model file: two tensors are named '" + kv.first + "'");
    if (!kv.second.defined()) throw ModelError("model file: tensor '" + kv.first + "' is undefined");
    check_tensor_shape(kv.second.shape(), "model file: tensor '" + kv.first + "'");
  }
  ByteWriter w;
  w.raw(kMagic, 4);
  w.u32(kModelFormatVersion);
  w.u64(0);  // total size, patched below
  w.str(file.kind, "the kind");
  w.str(spec_to_text(file.architecture), "the architecture");
  for (const auto* map : {&file.metadata, &file.values}) {
    w.u32(static_cast<uint32_t>(map->size()));
    for (const auto& kv : *map) {
      w.str(kv.first, "key '" + kv.first + "'");
      w.str(kv.second, "value of '" + kv.first + "'");
    }
  }
  w.u32(static_cast<uint32_t>(file.tensors.size()));
  for (const auto& kv : file.tensors) {
    const Tensor& t = kv.second;
    w.str(kv.first, "tensor name");
    w.u32(static_cast<uint32_t>(t.rank()));
    for (int64_t d : t.shape().dims()) w.u64(static_cast<uint64_t>(d));
    w.floats(t.data(), t.numel());
  }
  std::string& bytes = w.bytes();
  const uint64_t total = bytes.size() + kChecksumSize;
  for (int i = 0; i < 8; ++i) bytes[8 + static_cast<size_t>(i)] = static_cast<char>((total >> (8 * i)) & 0xff);
  w.u32(crc32(bytes.data(), bytes.size()));
  return std::move(bytes);
}

ModelFile decode_model_file(const std::string& bytes, const std::string& path) {
  const std::string who = file_who(path);
  const size_t size = bytes.size();
  if (size == 0) throw ModelError(who + " is empty");
  if (std::memcmp(bytes.data(), kMagic, std::min<size_t>(size, 4)) != 0)
    throw ModelError(who + " is not a neuroshop model (.nsm) file (bad magic)");
  if (size < kHeaderSize)
    throw ModelError(who + " is truncated: it ends after " + std::to_string(size) + " bytes, expected at least " +
                     std::to_string(kHeaderSize + kChecksumSize));
  ByteReader header(bytes, 4, size, who);
  const uint32_t version = header.u32("format version");
  if (version != kModelFormatVersion)
    throw ModelError(who + " is format version " + std::to_string(version) + "; this neuroshop reads version " +
                     std::to_string(kModelFormatVersion));
  const uint64_t total = header.u64("file size");
  if (size < total)
    throw ModelError(who + " is truncated: it ends after " + std::to_string(size) + " bytes, expected " +
                     std::to_string(total));
  if (total < kHeaderSize + kChecksumSize)
    throw ModelError(who + " is corrupt: its header gives an impossible size of " + std::to_string(total) + " bytes");
  if (size > total)
    throw ModelError(who + " is corrupt: it has " + std::to_string(size) + " bytes, but its header says " +
                     std::to_string(total));
  const size_t body_end = size - kChecksumSize;
  const uint32_t stored = ByteReader(bytes, body_end, size, who).u32("checksum");
  const uint32_t computed = crc32(bytes.data(), body_end);
  if (stored != computed)
    throw ModelError(who + " is corrupt: checksum mismatch (stored " + hex32(stored) + ", computed " + hex32(computed) +
                     ")");

  ByteReader r(bytes, kHeaderSize, body_end, who);
  ModelFile f;
  f.kind = r.str("kind");
  if (f.kind != "model" && f.kind != "checkpoint")
    throw ModelError(who + " has unknown kind \"" + f.kind + "\" (expected \"model\" or \"checkpoint\")");
  f.architecture = spec_from_text(r.str("architecture"), who);
  for (auto* map : {&f.metadata, &f.values}) {
    const char* what = map == &f.metadata ? "metadata" : "values";
    const uint32_t n = r.count(std::string(what) + " count", 8);
    for (uint32_t i = 0; i < n; ++i) {
      std::string key = r.str(std::string(what) + " key");
      std::string value = r.str(std::string(what) + " value of '" + key + "'");
      if (!map->emplace(key, std::move(value)).second)
        throw ModelError(who + " is corrupt: " + what + " key '" + key + "' appears twice");
    }
  }
  const uint32_t n_tensors = r.count("tensor count", 8);
  std::set<std::string> names;
  for (uint32_t i = 0; i < n_tensors; ++i) {
    std::string name = r.str("tensor name");
    const std::string tw = who + ": tensor '" + name + "'";
    if (!names.insert(name).second) throw ModelError(tw + " appears twice");
    const uint32_t rank = r.u32("rank of tensor '" + name + "'");
    if (rank > static_cast<uint32_t>(kMaxTensorRank))
      throw ModelError(tw + " has rank " + std::to_string(rank) + "; at most " + std::to_string(kMaxTensorRank) +
                       " is allowed (corrupt?)");
    std::vector<int64_t> dims(rank);
    for (auto& d : dims) d = static_cast<int64_t>(r.u64("dimensions of tensor '" + name + "'"));
    const Shape shape(dims);
    check_tensor_shape(shape, tw);
    r.need(static_cast<size_t>(shape.numel()) * 4, "the data of tensor '" + name + "' " + shape.str());
    Tensor t = Tensor::empty(shape);
    r.floats(t.data(), t.numel());
    f.tensors.emplace_back(std::move(name), std::move(t));
  }
  if (r.left() != 0)
    throw ModelError(who + " is corrupt: " + std::to_string(r.left()) + " unexplained bytes before the checksum");
  return f;
}

void write_model_file(const std::string& path, const ModelFile& file) {
  const std::string bytes = encode_model_file(file);
  const std::string reason = try_write_file_atomically(path, bytes.data(), bytes.size());
  if (!reason.empty()) throw IoError("cannot write " + file_who(path) + ": " + reason);
}

ModelFile read_model_file(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) throw ModelError(file_who(path) + " does not exist");
  if (std::filesystem::is_directory(status)) throw ModelError(file_who(path) + " is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelError("cannot open " + file_who(path) + " (" + std::strerror(errno) + ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw ModelError("cannot read " + file_who(path));
  return decode_model_file(ss.str(), path);
}

// ---- models -------------------------------------------------------------------------------------

void save_model(const std::string& path, Layer& net, const std::map<std::string, std::string>& metadata,
                const std::map<std::string, Tensor>& extra_tensors) {
  ModelFile f;
  f.kind = "model";
  f.architecture = net.spec();
  f.metadata = metadata;
  for (const auto& [name, p] : named_params(net)) f.tensors.emplace_back(kParamPrefix + name, p->value);
  for (const auto& [name, p] : named_buffers(net)) f.tensors.emplace_back(kBufferPrefix + name, p->value);
  for (const auto& [name, t] : extra_tensors) f.tensors.emplace_back(kExtraPrefix + name, t);
  write_model_file(path, f);
}

void assign_weights(const ModelFile& file, Layer& net, const std::string& path) {
  const std::string who = file_who(path);
  std::map<std::string, const Tensor*> available;
  for (const auto& kv : file.tensors)
    if (kv.first.rfind(kParamPrefix, 0) == 0 || kv.first.rfind(kBufferPrefix, 0) == 0)
      available.emplace(kv.first, &kv.second);
  // First match every name and shape, then copy, so a mismatch leaves the network untouched.
  std::vector<std::pair<Param*, const Tensor*>> pairs;
  auto match = [&](const std::vector<std::pair<std::string, Param*>>& named, const std::string& prefix) {
    for (const auto& [name, p] : named) {
      const std::string key = prefix + name;
      auto it = available.find(key);
      if (it == available.end())
        throw ModelError(who + " has no tensor '" + key + "' " + p->value.shape().str() +
                         " that the architecture needs");
      if (it->second->shape() != p->value.shape())
        throw ModelError(who + ": tensor '" + key + "' has shape " + it->second->shape().str() +
                         ", the architecture needs " + p->value.shape().str());
      pairs.emplace_back(p, it->second);
      available.erase(it);
    }
  };
  match(named_params(net), kParamPrefix);
  match(named_buffers(net), kBufferPrefix);
  if (!available.empty())
    throw ModelError(who + " has tensor '" + available.begin()->first + "' that the architecture does not use");
  for (auto& [p, t] : pairs) p->value.copy_from(*t);
}

void load_weights(const std::string& path, Layer& net) { assign_weights(read_model_file(path), net, path); }

LoadedModel load_model(const std::string& path) {
  ModelFile f = read_model_file(path);
  LoadedModel m;
  try {
    // A damaged "Dense in_features=100000 out_features=100000" would allocate 80 GB before
    // assign_weights found its weights missing; the weights the file holds bound what it may build.
    const int64_t declared = parameter_count(f.architecture);
    int64_t held = 0;
    for (const auto& kv : f.tensors)
      if (kv.first.rfind(kParamPrefix, 0) == 0 || kv.first.rfind(kBufferPrefix, 0) == 0) held += kv.second.numel();
    if (declared > held)
      throw ModelError("declares " + std::to_string(declared) +
                       (declared == std::numeric_limits<int64_t>::max() ? " or more" : "") + " parameters but holds " +
                       std::to_string(held) + " (corrupt or truncated file)");
    m.net = make_layer(f.architecture);
  } catch (const Error& e) {  // the above, a malformed attribute, or a constructor refusing a value
    throw ModelError(file_who(path) + ": " + e.what());
  }
  assign_weights(f, *m.net, path);
  m.net->set_training(false);
  m.metadata = std::move(f.metadata);
  const std::string extra = kExtraPrefix;
  for (auto& kv : f.tensors)
    if (kv.first.rfind(extra, 0) == 0) m.extra_tensors.emplace(kv.first.substr(extra.size()), std::move(kv.second));
  return m;
}

}  // namespace neuroshop
