// The web server's requests and responses as plain values, so every rule of `neuroshop serve` (what
// is served, what is refused, what a render returns) is a function of a Request that tests can call
// without a socket. The HTTP library (cpp-httplib, src/cli/cmd_serve.cpp) only copies its requests
// into these and these back into its responses.
// Not here: sockets, threads or the HTTP library itself; the routes (service.h).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/errors.h"

namespace neuroshop::serve {

// One part of a multipart/form-data body: a text field (filename empty) or an uploaded file.
struct FormPart {
  std::string name;
  std::string filename;      // as the browser sent it; only ever shown, never used as a path
  std::string content_type;  // as declared by the browser, e.g. "image/png"
  std::string content;       // the bytes
};

struct Request {
  std::string method;          // "GET", "POST", ...
  std::string path;            // as sent: still percent-encoded, without the query string
  std::string host;            // the Host header ("" when absent)
  std::string origin;          // the Origin header ("" when absent)
  std::vector<FormPart> form;  // the multipart/form-data parts, in order

  // The first part named `name`, or null.
  const FormPart* part(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
};

// A failure the client caused (or may retry), with the HTTP status to answer: 400 bad request,
// 403 forbidden, 404 not found, 405 wrong method, 413 too large, 415 not an image, 503 a model
// file is missing. The message becomes {"error": message}.
class HttpError : public Error {
 public:
  HttpError(int status, const std::string& message) : Error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// {"error": message} with `status` (the message JSON-escaped).
Response error_response(int status, const std::string& message);
// A JSON body (already serialized) with `status`.
Response json_response(const std::string& json, int status = 200);

// Percent-decodes a URL path ('+' stays '+': it is a form encoding, not a path one). Throws
// HttpError 400 on a malformed escape ("%2", "%zz") or an encoded NUL byte.
std::string percent_decode(const std::string& text);

// The host name of a Host header or an Origin ("http://localhost:8080" -> "localhost",
// "[::1]:80" -> "[::1]"), lower-cased.
std::string host_name(const std::string& host_or_origin);

}  // namespace neuroshop::serve
