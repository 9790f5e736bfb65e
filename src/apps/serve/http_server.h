// The HTTP side of `neuroshop serve`: binds the socket (cpp-httplib, Debian's libcpp-httplib-dev),
// copies each request into a plain serve::Request and the serve::Response back, logs, and stops
// cleanly on Ctrl-C / SIGTERM (the service's private temporary folder is removed then).
// Not here: routes, upload checks, path safety (service.h) or argument parsing (src/cli/cmd_serve.cpp).
#pragma once

#include <string>

#include "apps/serve/service.h"

namespace neuroshop::serve {

// True for the addresses of this machine only (127.0.0.1, localhost, ::1).
bool is_loopback(const std::string& host);

// Serves `options` on host:port (port 0: any free port) until Ctrl-C or SIGTERM. Prints the URL on
// stdout when listening; logs each request on stderr unless `quiet`. Error when it cannot listen.
void run_http_server(const ServeOptions& options, const std::string& host, int port, bool quiet);

}  // namespace neuroshop::serve
