// Runs the built neuroshop executable (NEUROSHOP_BINARY) and checks its command-line contract:
// help and version, one-line "error: ..." reports with a non-zero exit code, rejected numbers,
// the demos, the progress display's quiet/log behaviour and the gradcheck hand-off.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "core/layers/activations.h"
#include "core/layers/dense.h"
#include "core/layers/sequential.h"
#include "core/model/model_file.h"
#include "core/rng.h"

namespace {

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `neuroshop <args>` through the shell; stdout through a pipe, stderr into a temporary file.
RunResult run(const std::string& args) {
  char err_path[] = "/tmp/neuroshop_cli_test_XXXXXX";
  const int fd = mkstemp(err_path);
  EXPECT_GE(fd, 0);
  close(fd);
  const std::string command = std::string("'") + NEUROSHOP_BINARY + "' " + args + " 2>'" + err_path + "' </dev/null";
  RunResult r;
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream err_file(err_path);
  std::stringstream ss;
  ss << err_file.rdbuf();
  r.err = ss.str();
  std::remove(err_path);
  return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A failure must be exactly one line starting with "error:".
void expect_one_error_line(const RunResult& r, const std::string& args) {
  EXPECT_NE(r.exit_code, 0) << args;
  EXPECT_EQ(r.err.rfind("error:", 0), 0u) << args << " -> stderr: " << r.err;
  ASSERT_FALSE(r.err.empty()) << args;
  EXPECT_EQ(r.err.back(), '\n') << args;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << args << " -> stderr has several lines: " << r.err;
}

TEST(CliBasics, HelpListsSubcommandsAndDefaults) {
  const RunResult r = run("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(contains(r.out, "demo"));
  EXPECT_TRUE(contains(r.out, "gradcheck"));
  EXPECT_TRUE(contains(r.out, "--threads"));
  EXPECT_TRUE(contains(r.out, "--quiet"));
  const RunResult xor_help = run("demo xor --help");
  EXPECT_EQ(xor_help.exit_code, 0);
  EXPECT_TRUE(contains(xor_help.out, "--seed"));
  EXPECT_TRUE(contains(xor_help.out, "=3000")) << "defaults are shown: " << xor_help.out;
}

TEST(CliBasics, Version) {
  const RunResult r = run("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("neuroshop ", 0), 0u) << r.out;
  EXPECT_TRUE(r.out.size() > 10 && std::isdigit(static_cast<unsigned char>(r.out[10]))) << r.out;
}

TEST(CliBasics, UnknownOrMissingSubcommandIsAnError) {
  for (const std::string args : {"frobnicate", "", "demo", "demo nosuchdemo", "demo xor --no-such-flag"})
    expect_one_error_line(run(args), args);
}

TEST(CliBasics, BadNumbersAreRejected) {
  for (const std::string args :
       {"--threads 0 demo xor", "--threads nan demo xor", "--threads -1 demo xor", "--threads 257 demo xor",
        "--threads abc demo xor", "demo xor --seed -1", "demo xor --seed 1.5", "demo xor --lr nan",
        "demo xor --lr inf", "demo xor --lr -0.1", "demo xor --lr 0", "demo xor --epochs 0", "demo xor --hidden -3",
        "demo xor --activation relu6", "demo outside --inputs 1,nan,0", "demo outside --inputs 1,0",
        "demo outside --inputs 2,0,1", "demo outside --lr nan", "demo outside --target inf",
        "demo outside --w2 1,nan"})
    expect_one_error_line(run(args), args);
}

TEST(CliBasics, DemoXorRunsAndSolvesXor) {
  const RunResult r = run("-q demo xor");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "100% (4/4)")) << r.out;
  EXPECT_TRUE(r.err.empty()) << "--quiet must silence the progress display: " << r.err;
  // Not a terminal and not quiet: plain progress lines on stderr, never '\r' redraws.
  const RunResult logged = run("demo xor --epochs 500 --threads 1");
  EXPECT_EQ(logged.exit_code, 0);
  EXPECT_TRUE(contains(logged.err, "xor mlp")) << logged.err;
  EXPECT_FALSE(contains(logged.err, "\r"));
  // Global flags after the subcommand work too.
  EXPECT_EQ(run("demo xor --epochs 10 --quiet").exit_code, 0);
}

TEST(CliBasics, DemoXorJson) {
  const RunResult r = run("-q demo xor --json --epochs 200 --seed 3");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.front(), '{');
  EXPECT_TRUE(contains(r.out, "\"linear\""));
  EXPECT_TRUE(contains(r.out, "\"mlp\""));
  EXPECT_TRUE(contains(r.out, "\"loss\": ["));
  EXPECT_EQ(run("-q demo xor --json --epochs 200 --seed 3").out, r.out) << "same seed, same numbers";
}

TEST(CliBasics, DemoOutsideShowsTheChainRuleAndASmallerError) {
  const RunResult r = run("demo outside --inputs 1,0,1 --target 1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "dE/dW1_11"));
  EXPECT_TRUE(contains(r.out, "(smaller)")) << r.out;
  const RunResult json = run("demo outside --json");
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_TRUE(contains(json.out, "\"dE_dW1\""));
}

TEST(CliBasics, InfoReportsParamsFlopsAndMemory) {
  char dir[] = "/tmp/neuroshop_info_test_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/tiny.nsm";
  {
    neuroshop::Rng rng(1);
    neuroshop::Sequential net("tiny");
    net.emplace<neuroshop::Dense>(4, 3, rng, "fc");  // 4*3 + 3 = 15 params
    net.emplace<neuroshop::Relu>();
    neuroshop::save_model(path, net);
  }
  const RunResult text = run("info '" + path + "'");
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(contains(text.out, "parameters: 15")) << text.out;
  EXPECT_TRUE(contains(text.out, "training memory")) << text.out;
  const RunResult json = run("info '" + path + "' --json --optimizer sgd");
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(contains(json.out, "\"params\": 15")) << json.out;
  EXPECT_TRUE(contains(json.out, "\"input\": [1, 4]")) << json.out;
  expect_one_error_line(run("info '" + path + "' --size 64"), "--size 64");
  expect_one_error_line(run("info '" + path + "' --batch 0"), "--batch 0");
  expect_one_error_line(run(std::string("info '") + dir + "/missing.nsm'"), "missing file");
  const std::string junk = std::string(dir) + "/junk.nsm";
  std::ofstream(junk) << "not a model\n";
  expect_one_error_line(run("info '" + junk + "'"), "not a model");
  std::remove(junk.c_str());
  std::remove(path.c_str());
  rmdir(dir);
}

TEST(CliBasics, GradcheckWithoutLibTorchSaysSo) {
  std::string dir = NEUROSHOP_BINARY;
  dir = dir.substr(0, dir.rfind('/'));
  if (access((dir + "/neuroshop-gradcheck").c_str(), X_OK) == 0) GTEST_SKIP() << "this build has LibTorch";
  const RunResult r = run("gradcheck");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: this build has no LibTorch cross-check (install libtorch-dev and rebuild)\n");
}

}  // namespace
