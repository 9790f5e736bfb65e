// Requests, responses and URL helpers of the web server; see http.h.
#include "apps/serve/http.h"

#include <cctype>

#include <nlohmann/json.hpp>

namespace neuroshop::serve {

const FormPart* Request::part(const std::string& name) const {
  for (const FormPart& p : form)
    if (p.name == name) return &p;
  return nullptr;
}

Response error_response(int status, const std::string& message) {
  // Messages may quote what a client sent (file names, fields): dump with replacement so invalid
  // UTF-8 cannot make the error itself fail.
  const nlohmann::json body = {{"error", message}};
  return json_response(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), status);
}

Response json_response(const std::string& json, int status) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = json;
  return r;
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string percent_decode(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      if (text[i] == '\0') throw HttpError(400, "bad path: it contains a NUL byte");
      out += text[i];
      continue;
    }
    const bool complete = i + 2 < text.size();
    const int hi = complete ? hex_value(text[i + 1]) : -1;
    const int lo = complete ? hex_value(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) throw HttpError(400, "bad path: malformed percent escape at '" + text.substr(i, 3) + "'");
    const char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') throw HttpError(400, "bad path: it contains an encoded NUL byte");
    out += c;
    i += 2;
  }
  return out;
}

std::string host_name(const std::string& host_or_origin) {
  std::string s = host_or_origin;
  const size_t scheme = s.find("://");
  if (scheme != std::string::npos) s = s.substr(scheme + 3);
  const size_t slash = s.find('/');
  if (slash != std::string::npos) s = s.substr(0, slash);
  if (!s.empty() && s[0] == '[') {
    const size_t close = s.find(']');
    s = close == std::string::npos ? s : s.substr(0, close + 1);
  } else {
    const size_t colon = s.find(':');
    if (colon != std::string::npos) s = s.substr(0, colon);
  }
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace neuroshop::serve
