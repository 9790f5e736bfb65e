// The torch-free half of the parity library: the case list, running a case, the text and JSON tables.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <sstream>

#include "parity.h"

namespace neuroshop::parity {

const std::vector<ParityCase>& parity_cases() {
  static const std::vector<ParityCase> cases = [] {
    std::vector<ParityCase> c;
    add_layer_cases(c);
    add_loss_cases(c);
    add_optim_cases(c);
    add_e2e_cases(c);
    return c;
  }();
  return cases;
}

ParityRow run_case(const ParityCase& c) {
  try {
    ParityRow row = c.run();
    row.op = c.op;
    row.config = c.config;
    return row;
  } catch (const std::exception& e) {
    ParityRow row;
    row.op = c.op;
    row.config = c.config;
    row.pass = false;
    row.note = std::string("threw: ") + e.what();
    return row;
  }
}

namespace {

std::string format_err(double e) {
  if (e < 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2e", e);
  return buf;
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(ch)));
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out;
}

std::string json_number(double e) {
  if (e < 0) return "null";
  if (!std::isfinite(e)) return "\"inf\"";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", e);
  return buf;
}

}  // namespace

std::string format_table(const std::vector<ParityRow>& rows) {
  const std::vector<std::string> head = {"op", "config", "max err y", "max err dx", "max err dW", "result"};
  std::vector<std::vector<std::string>> cells;
  for (const ParityRow& r : rows)
    cells.push_back({r.op, r.config, format_err(r.err_y), format_err(r.err_dx), format_err(r.err_dw),
                     r.pass ? "PASS" : "FAIL"});
  std::vector<size_t> width(head.size());
  for (size_t k = 0; k < head.size(); ++k) width[k] = head[k].size();
  for (const auto& line : cells)
    for (size_t k = 0; k < line.size(); ++k) width[k] = std::max(width[k], line[k].size());

  std::ostringstream out;
  auto emit = [&](const std::vector<std::string>& line, const std::string& tail) {
    for (size_t k = 0; k < line.size(); ++k) {
      const bool numeric = k >= 2 && k <= 4;
      const size_t pad = width[k] - line[k].size();
      if (numeric) out << std::string(pad, ' ') << line[k];
      else out << line[k] << std::string(k + 1 < line.size() ? pad : 0, ' ');
      if (k + 1 < line.size()) out << "  ";
    }
    if (!tail.empty()) out << "  " << tail;
    out << "\n";
  };
  emit(head, "");
  size_t total = 0;
  for (size_t w : width) total += w + 2;
  out << std::string(total - 2, '-') << "\n";
  int failed = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].pass) ++failed;
    emit(cells[i], rows[i].pass ? "" : rows[i].note);
  }
  out << std::string(total - 2, '-') << "\n";
  out << rows.size() - static_cast<size_t>(failed) << " passed, " << failed << " failed"
      << "  (ours in float, torch in float64; default tolerance |ours - torch| <= " << kAtol << " + " << kRtol
      << " * |torch|)\n";
  return out.str();
}

std::string format_json(const std::vector<ParityRow>& rows) {
  std::ostringstream out;
  int failed = 0;
  out << "{\"atol\": " << kAtol << ", \"rtol\": " << kRtol << ", \"rows\": [";
  for (size_t i = 0; i < rows.size(); ++i) {
    const ParityRow& r = rows[i];
    if (!r.pass) ++failed;
    out << (i ? ",\n  " : "\n  ") << "{\"op\": \"" << json_escape(r.op) << "\", \"config\": \"" << json_escape(r.config)
        << "\", \"err_y\": " << json_number(r.err_y) << ", \"err_dx\": " << json_number(r.err_dx)
        << ", \"err_dw\": " << json_number(r.err_dw) << ", \"pass\": " << (r.pass ? "true" : "false")
        << ", \"note\": \"" << json_escape(r.note) << "\"}";
  }
  out << "\n], \"passed\": " << rows.size() - static_cast<size_t>(failed) << ", \"failed\": " << failed << "}\n";
  return out.str();
}

}  // namespace neuroshop::parity
