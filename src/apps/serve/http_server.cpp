// The HTTP side of `neuroshop serve`; see http_server.h.
#include "apps/serve/http_server.h"

#include <httplib.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <thread>

#include "core/errors.h"

namespace neuroshop::serve {
namespace {


// Ctrl-C and SIGTERM stop the server so its destructors run (the temporary folder goes). The handler
// only writes a byte to a pipe (async-signal-safe, whichever thread it runs on); a thread waiting
// on the pipe stops the server. A SIGINT the shell ignores (a background job) stays ignored.
class StopSignals {
 public:
  StopSignals() {
    if (pipe2(fds_, O_CLOEXEC) != 0) throw Error(std::string("serve: cannot create a pipe: ") + std::strerror(errno));
    write_fd() = fds_[1];
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, &old_term_);
    sigaction(SIGINT, nullptr, &old_int_);
    if (old_int_.sa_handler != SIG_IGN) sigaction(SIGINT, &action, nullptr);
  }
  ~StopSignals() {
    sigaction(SIGTERM, &old_term_, nullptr);
    sigaction(SIGINT, &old_int_, nullptr);
    write_fd() = -1;
    close(fds_[0]);
    close(fds_[1]);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Blocks until a signal arrives (true) or wake() is called (false).
  bool wait() {
    char byte = 0;
    while (read(fds_[0], &byte, 1) < 0 && errno == EINTR) {
    }
    return byte == kSignalled;
  }
  void wake() {
    const char byte = kWoken;
    (void)!write(fds_[1], &byte, 1);
  }

 private:
  static constexpr char kSignalled = 1, kWoken = 2;
  static int& write_fd() {
    static int fd = -1;
    return fd;
  }
  static void on_signal(int) {
    const int saved = errno;
    const char byte = kSignalled;
    if (write_fd() >= 0) (void)!write(write_fd(), &byte, 1);
    errno = saved;
  }

  int fds_[2] = {-1, -1};
  struct sigaction old_term_ {}, old_int_ {};
};

Request to_request(const httplib::Request& req) {
  Request r;
  r.method = req.method;
  // The target as sent (still percent-encoded): the service decodes once and judges the result.
  const std::string& target = req.target.empty() ? req.path : req.target;
  r.path = target.substr(0, target.find('?'));
  r.host = req.get_header_value("Host");
  r.origin = req.get_header_value("Origin");
  for (const auto& [name, part] : req.files) r.form.push_back({part.name, part.filename, part.content_type, part.content});
  return r;
}

}  // namespace

bool is_loopback(const std::string& host) { return host == "127.0.0.1" || host == "localhost" || host == "::1"; }

void run_http_server(const ServeOptions& options, const std::string& listen_host, int listen_port, bool quiet) {
  signal(SIGPIPE, SIG_IGN);  // a browser closing its connection early must not end the process
  StopSignals stop;  // before the temporary folder exists, so a signal never leaves it behind

  Service service(options);
  httplib::Server server;
  // SO_REUSEADDR only: the library's default adds SO_REUSEPORT, with which a second server would
  // silently share a port in use instead of being told.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // The whole request: a room and a few pictures, each within the per-file limit.
  server.set_payload_max_length(options.upload.max_bytes * 4 + (size_t{1} << 20));
  std::mutex log_mutex;
  auto handler = [&](const httplib::Request& req, httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    Response r = service.handle(to_request(req));
    res.status = r.status;
    for (const auto& [name, value] : r.headers) res.set_header(name, value);
    const size_t bytes = r.body.size();
    res.set_content(std::move(r.body), r.content_type);
    if (!quiet) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::lock_guard<std::mutex> lock(log_mutex);
      std::fprintf(stderr, "%s %s -> %d (%zu bytes, %.2f s)\n", req.method.c_str(), req.path.c_str(), r.status, bytes, seconds);
    }
  };
  server.Get(".*", handler);
  server.Post(".*", handler);
  server.Put(".*", handler);
  server.Delete(".*", handler);
  server.Patch(".*", handler);
  server.Options(".*", handler);
  // Errors the library answers itself (a request too large or malformed) get the same JSON shape.
  server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const std::string message = res.status == 413 ? "request too large" : res.status == 400 ? "bad request" : "request refused";
    res.set_content(error_response(res.status, message + " (HTTP " + std::to_string(res.status) + ")").body,
                    "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }));

  const int port = listen_port == 0 ? server.bind_to_any_port(listen_host)
                                    : (server.bind_to_port(listen_host, listen_port) ? listen_port : -1);
  if (port <= 0) {
    throw Error("serve: cannot listen on " + listen_host + ":" + std::to_string(listen_port) +
                " (in use, or not an address of this machine? --port 0 picks a free port)");
  }
  const std::string host = listen_host.find(':') != std::string::npos ? "[" + listen_host + "]" : listen_host;
  std::cout << "neuroshop serve: http://" << host << ":" << port << "/  (try-on, colorize, stylize; Ctrl-C stops)"
            << std::endl;
  if (!is_loopback(listen_host))
    std::cerr << "warning: listening on " << listen_host << ": anyone who can reach this machine can use the pages" << std::endl;

  std::atomic<bool> listening_done{false};
  std::thread waiter([&] {
    if (!stop.wait()) return;
    // A signal right at the start: stop() only acts once the server runs.
    while (!server.is_running() && !listening_done) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    server.stop();
  });
  server.listen_after_bind();
  listening_done = true;
  stop.wake();  // when the server ended by itself
  waiter.join();
  if (!quiet) std::cerr << "neuroshop serve: stopped" << std::endl;
}

}  // namespace neuroshop::serve
