// Runs the built neuroshop executable (NEUROSHOP_BINARY) as a child process for the CLI tests:
// fork + execv with an argument vector (no shell, so no quoting and no shell between the test and
// a signal), stdout and stderr captured through temporary files, an optional time limit.
// spawn_cli() starts one without waiting, for tests that kill it mid-run.
// Not here: any expectation about what the executable prints (each test says that).
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace neuroshop::testing {

struct CliResult {
  int exit_code = -1;  // the exit status when it exited, -1 when a signal ended it
  int signal = 0;      // the signal that ended it, 0 when it exited
  bool timed_out = false;
  std::string out;     // stdout
  std::string err;     // stderr
};

inline std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts `neuroshop args...` with stdin from /dev/null, stdout and stderr into the given files
// (created or truncated), in the folder `cwd` (empty: the test's own). Returns the child's pid (-1
// when fork fails).
inline pid_t spawn_cli(const std::vector<std::string>& args, const std::string& out_path, const std::string& err_path,
                       const std::string& cwd = "") {
  std::vector<std::string> argv_strings{NEUROSHOP_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  // Child: only async-signal-safe calls until execv.
  const int in = open("/dev/null", O_RDONLY);
  const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0 || err < 0) _exit(127);
  if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  execv(argv[0], argv.data());
  _exit(127);
}

// Waits for a spawned child, killing it (SIGKILL) after `timeout_s` seconds.
inline void wait_cli(pid_t pid, double timeout_s, CliResult& r) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                        std::chrono::duration<double>(timeout_s));
  int status = 0;
  for (;;) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0) return;
    if (Clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      r.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
}

// Runs `neuroshop args...` (in `cwd`, see spawn_cli) to the end (or `timeout_s`) and returns what it
// printed.
inline CliResult run_cli(const std::vector<std::string>& args, double timeout_s = 300.0, const std::string& cwd = "") {
  char out_path[] = "/tmp/neuroshop_cli_out_XXXXXX";
  char err_path[] = "/tmp/neuroshop_cli_err_XXXXXX";
  const int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
  if (out_fd >= 0) close(out_fd);
  if (err_fd >= 0) close(err_fd);
  CliResult r;
  const pid_t pid = spawn_cli(args, out_path, err_path, cwd);
  if (pid > 0) wait_cli(pid, timeout_s, r);
  r.out = read_whole_file(out_path);
  r.err = read_whole_file(err_path);
  std::remove(out_path);
  std::remove(err_path);
  return r;
}

// "neuroshop a b c", for messages.
inline std::string command_text(const std::vector<std::string>& args) {
  std::string text = "neuroshop";
  for (const std::string& a : args) text += " " + a;
  return text;
}

}  // namespace neuroshop::testing
