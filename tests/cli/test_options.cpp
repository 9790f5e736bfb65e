// Every command's options, in-process (the cli library's make_app, nothing run): one command-line
// vocabulary across all subcommands, their defaults, conflicts refused at parse time, help text,
// and the old spellings kept as hidden aliases.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/app.h"

namespace neuroshop::cli {
namespace {

struct Command {
  std::string path;  // "train colorize"
  CLI::App* app;
};

void collect(CLI::App* app, const std::string& prefix, std::vector<Command>& out) {
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; })) {
    const std::string path = prefix.empty() ? sub->get_name() : prefix + " " + sub->get_name();
    out.push_back({path, sub});
    collect(sub, path, out);
  }
}

// Thrown once parsing and validation are complete, before any command's callback runs.
struct ParsedOnly {};

class CliOptions : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = make_app(global_);
    collect(app_.get(), "", commands_);
    // Parsing only: the top-level callback runs after every option is parsed and validated and
    // before any subcommand's (the commands' own, which hold their options, stay in place).
    app_->parse_complete_callback([] { throw ParsedOnly{}; });
  }
  CLI::App* command(const std::string& path) {
    for (const Command& c : commands_)
      if (c.path == path) return c.app;
    ADD_FAILURE() << "no command '" << path << "'";
    return nullptr;
  }
  // Leaf commands: those that take options of their own rather than a further command.
  std::vector<Command> leaves() const {
    std::vector<Command> out;
    for (const Command& c : commands_)
      if (c.app->get_subcommands([](CLI::App*) { return true; }).empty()) out.push_back(c);
    return out;
  }
  void parse(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());  // CLI11 takes the arguments back to front
    try {
      app_->parse(args);
    } catch (const ParsedOnly&) {
    }
  }

  GlobalOptions global_;
  std::unique_ptr<CLI::App> app_;
  std::vector<Command> commands_;
};

bool visible(const CLI::Option* o) { return !o->get_group().empty(); }

TEST_F(CliOptions, EveryCommandIsListedWithItsApplicationName) {
  std::set<std::string> paths;
  for (const Command& c : commands_) paths.insert(c.path);
  for (const char* p : {"colorize", "stylize", "tryon", "cutout", "serve", "demo xor", "demo outside", "info", "gradcheck",
                        "train colorize", "train stylize", "train harmonize", "train matte", "eval colorize",
                        "eval stylize", "eval harmonize", "eval matte"})
    EXPECT_TRUE(paths.count(p)) << p;
  EXPECT_FALSE(paths.count("train style")) << "training commands are named after their application";
  const std::vector<std::string> aliases = command("train stylize")->get_aliases();
  EXPECT_NE(std::find(aliases.begin(), aliases.end(), "style"), aliases.end()) << "`train style` stays as an alias";
}

// -o/--output everywhere a command writes a file; --hours for time limits; --size the long side of
// the working image; the old spellings only as hidden aliases; every visible option described.
TEST_F(CliOptions, OneVocabulary) {
  for (const Command& c : leaves()) {
    for (const CLI::Option* o : c.app->get_options()) {
      if (o->get_name() == "--help" || o->get_name() == "-h") continue;
      const std::vector<std::string> longs = o->get_lnames(), shorts = o->get_snames();
      auto named = [&](const std::string& n) { return std::find(longs.begin(), longs.end(), n) != longs.end(); };
      if (visible(o)) {
        EXPECT_FALSE(o->get_description().empty()) << c.path << " " << o->get_name() << " has no description";
        EXPECT_FALSE(named("out")) << c.path << ": write -o/--output, not --out";
        EXPECT_FALSE(named("minutes")) << c.path << ": time limits are --hours";
        if (named("size")) {
          EXPECT_NE(o->get_description().find("long side"), std::string::npos)
              << c.path << ": --size is the long side of the working image";
        }
        if (named("output")) {
          EXPECT_NE(std::find(shorts.begin(), shorts.end(), "o"), shorts.end()) << c.path << ": --output without -o";
        }
        if (std::find(shorts.begin(), shorts.end(), "o") != shorts.end()) {
          EXPECT_TRUE(named("output")) << c.path;
        }
      }
    }
  }
}

// Every command that takes image files or folders runs them as a batch: --jobs, --shard, -r and
// --skip-existing are all there.
TEST_F(CliOptions, FolderCommandsTakeBatchOptions) {
  int folder_commands = 0;
  for (const Command& c : leaves()) {
    bool takes_many = false;
    for (const CLI::Option* o : c.app->get_options())
      if (o->get_positional() && o->get_items_expected_max() > 1) takes_many = true;
    if (!takes_many) continue;
    ++folder_commands;
    for (const char* name : {"--jobs", "--shard", "--recursive", "--skip-existing", "--output"})
      EXPECT_NO_THROW(c.app->get_option(name)) << c.path << " takes folders but has no " << name;
  }
  EXPECT_EQ(folder_commands, 4) << "colorize, stylize, cutout, tryon";
}

TEST_F(CliOptions, Defaults) {
  auto default_of = [&](const std::string& path, const std::string& option) {
    return command(path)->get_option(option)->get_default_str();
  };
  EXPECT_EQ(default_of("colorize", "--vividness"), "1");
  EXPECT_EQ(default_of("colorize", "--prior-correction"), "0.25");
  EXPECT_EQ(default_of("colorize", "--size"), "384");  // the long side (before: a 256 px short side)
  EXPECT_EQ(default_of("colorize", "--jobs"), "1");
  EXPECT_EQ(default_of("colorize", "--shard"), "0/1");
  EXPECT_EQ(default_of("stylize", "--optimizer"), "lbfgs");
  EXPECT_EQ(default_of("cutout", "--method"), "auto");
  EXPECT_EQ(default_of("tryon", "--camera-height-cm"), "150");
  EXPECT_EQ(default_of("tryon", "--cutout"), "auto");
  EXPECT_EQ(default_of("serve", "--host"), "127.0.0.1");
  EXPECT_EQ(default_of("serve", "--port"), "8080");
}

TEST_F(CliOptions, ConflictsAndBadValuesAreRefusedWhileParsing) {
  EXPECT_THROW(parse({"eval", "colorize", "--data", "d", "--list", "l"}), CLI::ExcludesError);
  EXPECT_THROW(parse({"train", "stylize", "--style", "s.png", "--data", "d", "--hours", "1", "--minutes", "5"}),
               CLI::ExcludesError);
  EXPECT_THROW(parse({"colorize", "a.png", "--jobs", "0"}), CLI::ValidationError);
  EXPECT_THROW(parse({"colorize", "a.png", "--vividness", "nan"}), CLI::ValidationError);
  EXPECT_THROW(parse({"colorize"}), CLI::RequiredError);
  EXPECT_THROW(parse({"cutout", "a.png", "--method", "magic"}), CLI::ValidationError);
  EXPECT_THROW(parse({"colorize", "a.png", "--no-such-flag"}), CLI::ExtrasError);
  EXPECT_THROW(parse({"train"}), CLI::RequiredError);
}

TEST_F(CliOptions, OldSpellingsStillParse) {
  EXPECT_NO_THROW(parse({"train", "style", "--style", "s.png", "--data", "d", "--out", "m.nsm", "--minutes", "3",
                         "--size", "32", "--steps", "1"}));
  CLI::App* train_stylize = command("train stylize");
  EXPECT_EQ(train_stylize->get_option("--out")->as<std::string>(), "m.nsm");
  EXPECT_EQ(train_stylize->get_option("--minutes")->as<double>(), 3.0);
  EXPECT_EQ(train_stylize->get_option("--size")->as<int>(), 32);
}

TEST_F(CliOptions, NewSpellingsParse) {
  EXPECT_NO_THROW(parse({"train", "colorize", "--data", "d", "-o", "m.nsm", "--hours", "0.5"}));
  EXPECT_EQ(command("train colorize")->get_option("--output")->as<std::string>(), "m.nsm");
  EXPECT_NO_THROW(parse({"cutout", "a.png", "--trim", "--jobs", "2", "--shard", "1/3", "--skip-existing"}));
  EXPECT_NO_THROW(parse({"tryon", "rooms/", "--item", "sofa.png", "--at", "1,2", "--jobs", "2", "-o", "out/"}));
}

TEST_F(CliOptions, HelpListsVisibleOptionsOnly) {
  for (const Command& c : leaves()) {
    const std::string help = c.app->help();
    for (const CLI::Option* o : c.app->get_options()) {
      if (o->get_lnames().empty()) continue;
      const std::string name = "--" + o->get_lnames().front();
      if (visible(o)) {
        EXPECT_NE(help.find(name), std::string::npos) << c.path << " --help does not list " << name;
      }
    }
  }
  const std::string train_help = command("train stylize")->help();
  EXPECT_EQ(train_help.find("--minutes"), std::string::npos) << "hidden aliases stay out of --help";
  EXPECT_EQ(train_help.find("--out "), std::string::npos);
  const std::string top = app_->help();
  for (const char* name : {"colorize", "stylize", "tryon", "cutout", "serve", "train", "eval"})
    EXPECT_NE(top.find(name), std::string::npos) << name;
}

}  // namespace
}  // namespace neuroshop::cli
