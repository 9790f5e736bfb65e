// `neuroshop serve`: a local web server for the try-on, colorize and stylize pages. This file only
// turns the options into serve::ServeOptions (the shipped pages, samples and models) and starts
// the server (src/apps/serve/http_server.h); every rule of what is answered is in
// src/apps/serve/service.h; the pages are in web/.
// Not here: the HTTP binding, routes, upload checks, path safety or any application logic.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>

#include "apps/serve/http_server.h"
#include "apps/serve/service.h"
#include "cli/commands.h"
#include "cli/shared_options.h"
#include "cli/validators.h"
#include "core/errors.h"

namespace neuroshop::cli {
namespace {
namespace fs = std::filesystem;

struct ServeArgs {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string web;
  std::string samples;
  std::string catalogue;
  double max_upload_mb = 25.0;
};

// The shipped folder DIR that holds MARKER (find_shipped: ./DIR, an install's share/neuroshop/DIR,
// or the checkout's DIR above the executable).
fs::path default_data_dir(const fs::path& dir, const std::string& marker) {
  return fs::path(find_shipped(dir / marker)).parent_path();
}

void run_serve(const ServeArgs& args, const GlobalOptions& global) {
  serve::ServeOptions o;
  o.web_root = args.web.empty() ? default_data_dir("web", "neuroshop.js") : fs::path(args.web);
  o.samples_dir = args.samples.empty() ? default_data_dir(fs::path("samples") / "tryon", "items.tsv") : fs::path(args.samples);
  if (!fs::is_regular_file(o.web_root / "index.html"))
    throw ArgumentError("--web '" + o.web_root.string() + "': expected the folder of the pages (with index.html)");
  if (!fs::is_directory(o.samples_dir))
    throw ArgumentError("--samples '" + o.samples_dir.string() + "': expected a folder of sample pictures");
  o.catalogue = args.catalogue.empty() ? default_catalogue_path() : args.catalogue;
  if (!args.catalogue.empty() && !fs::is_regular_file(args.catalogue))
    throw ArgumentError("--catalogue '" + args.catalogue + "': expected the furniture catalogue file (catalogue.tsv)");
  o.colorize_model = default_model_path("colorize.nsm");
  o.harmonize_model = default_model_path("harmonize.nsm");
  o.matte_model = default_model_path("matte.nsm");
  o.models_dir = fs::path(o.colorize_model).parent_path();
  o.upload.max_bytes = static_cast<size_t>(args.max_upload_mb * 1024 * 1024);
  if (serve::is_loopback(args.host)) o.allowed_hosts = {"127.0.0.1", "localhost", "[::1]"};

  serve::run_http_server(o, args.host, args.port, global.quiet);
}

}  // namespace

void add_serve_command(CLI::App& app, const GlobalOptions& global) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* sub = app.add_subcommand("serve", "a local web page for try-on, colorize and stylize (upload, place, render, download)");
  sub->add_option("--host", args->host, "address to listen on (127.0.0.1: this machine only)");
  sub->add_option("--port", args->port, "port to listen on (0: any free port; the URL is printed)")->check(CLI::Range(0, 65535));
  sub->add_option("--web", args->web, "folder of the pages (default: the shipped web/)")->type_name("DIR");
  sub->add_option("--samples", args->samples, "folder of the sample rooms and furniture offered (default: samples/tryon/)")
      ->type_name("DIR");
  sub->add_option("--catalogue", args->catalogue, "the furniture catalogue offered (default: the shipped samples/furniture/)")
      ->type_name("FILE");
  sub->add_option("--max-upload-mb", args->max_upload_mb, "largest uploaded picture in MiB")->check(finite_in(0.01, 1024.0));
  sub->callback([args, &global] { run_serve(*args, global); });
}

}  // namespace neuroshop::cli
