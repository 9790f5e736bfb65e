// `neuroshop items [--json]`: the furniture catalogue that `tryon --item NAME` picks from, grouped
// by category: each item's name, real size, views and licence. The catalogue is read by
// src/apps/tryon/catalogue.h; this file only prints it.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "apps/tryon/catalogue.h"
#include "cli/commands.h"
#include "cli/json.h"
#include "cli/shared_options.h"

namespace neuroshop::cli {
namespace {

struct ItemsArgs {
  std::string catalogue;
  bool json = false;
};

std::string view_names(const tryon::CatalogueItem& it) {
  std::string names;
  for (const tryon::CatalogueView& v : it.views) names += (names.empty() ? "" : ", ") + v.name;
  return names;
}

void print_items(const tryon::Catalogue& c, bool json) {
  if (json) {
    JsonWriter j(std::cout);
    j.begin_object().field("catalogue", c.path).key("categories").begin_array();
    for (const std::string& category : c.categories()) {
      j.begin_object().field("category", category).key("items").begin_array();
      for (const tryon::CatalogueItem& it : c.items) {
        if (it.category != category) continue;
        j.begin_object().field("name", it.name).field("title", it.title);
        j.field("width_cm", it.width_cm).field("depth_cm", it.depth_cm).field("height_cm", it.height_cm);
        j.key("views").begin_array();
        for (const tryon::CatalogueView& v : it.views)
          j.begin_object().field("view", v.name).field("file", v.file).field("azimuth_deg", v.azimuth_deg)
              .field("elevation_deg", v.elevation_deg).end_object();
        j.end_array();
        j.field("creator", it.creator).field("licence", it.licence).field("licence_url", it.licence_url);
        j.field("source", it.source).field("attribution", it.attribution).end_object();
      }
      j.end_array().end_object();
    }
    j.end_array().end_object();
    return;
  }
  for (const std::string& category : c.categories()) {
    std::cout << category << "\n";
    for (const tryon::CatalogueItem& it : c.items) {
      if (it.category != category) continue;
      std::printf("  %-20s %-22s %5.0f x %3.0f x %3.0f cm  views: %-10s %s\n", it.name.c_str(), it.title.c_str(), it.width_cm,
                  it.depth_cm, it.height_cm, view_names(it).c_str(), it.licence.c_str());
    }
  }
  std::printf("%zu items (width x depth x height); `neuroshop tryon ROOM --item NAME` places one; credits: --json\n",
              c.items.size());
}

}  // namespace

void add_items_command(CLI::App& app, const GlobalOptions&) {
  auto args = std::make_shared<ItemsArgs>();
  args->catalogue = default_catalogue_path();
  CLI::App* sub = app.add_subcommand("items", "list the furniture catalogue that tryon --item NAME picks from");
  sub->add_option("--catalogue", args->catalogue, "the catalogue file")->type_name("FILE");
  sub->add_flag("--json", args->json, "print the catalogue as JSON, with every item's credits");
  sub->callback([args] { print_items(tryon::read_catalogue(args->catalogue), args->json); });
}

}  // namespace neuroshop::cli
