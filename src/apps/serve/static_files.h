// Which file a URL names, for the web pages of `neuroshop serve`: only regular files inside the
// web root, under plain names, with a known type. Everything else is refused before the file
// system is touched, and what is left is checked again after symbolic links are resolved:
//   "/../x", "/%2e%2e/x", "//etc/passwd", "/a\\b", "/.hidden", "/x%00.html"  -> HttpError 400
//   "/missing.html", "/notes.txt" (type not served), a link leading out of the root -> 404
// Not here: uploads (uploads.h), sample pictures (served by name from a listing, service.h).
#pragma once

#include <filesystem>
#include <string>

namespace neuroshop::serve {

// A single path component made of [A-Za-z0-9._-] only, not starting with '.', at most 128 bytes.
bool is_plain_file_name(const std::string& name);

// The Content-Type a static file is served with ("text/html; charset=utf-8", ...), or "" when its
// extension is not one the server serves (.html .js .css .svg .png .jpg .ico .json).
std::string static_content_type(const std::filesystem::path& file);

// The file `url_path` (as sent: percent-encoded, starting with '/') names under `root`, the web
// root; "/" and a trailing '/' name index.html. Each path segment must be a plain file name.
// Throws HttpError 400 (a traversal attempt or malformed path) or 404 (no such file, a directory,
// a type not served, or a file whose real path is outside the root).
std::filesystem::path resolve_static_path(const std::filesystem::path& root, const std::string& url_path);

}  // namespace neuroshop::serve
