// A child process for end-to-end tests: one of the real binaries, started with its
// arguments and environment, its output captured to a log file the test can print when
// it fails. The destructor kills it, so a failing test leaves nothing running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace icq::test {

class ChildProcess {
public:
  ChildProcess(std::string program, std::vector<std::string> args, std::string logPath);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool alive();
  /// Sends `signal` and waits up to `timeout` for the exit; returns the exit status
  /// (-1 if it had to be SIGKILLed after the timeout).
  int stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// Waits up to `timeout` for the process to exit by itself; its exit code, or -1 if it
  /// is still running (or died of a signal).
  int wait(std::chrono::milliseconds timeout);
  /// SIGKILL, no grace.
  void kill();
  const std::string& logPath() const { return logPath_; }
  std::string logTail(size_t bytes = 4000) const;

private:
  std::string program_;
  std::string logPath_;
  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
};

/// The full path of `program` in PATH (ChildProcess takes a path, not a name). Throws
/// std::runtime_error, failing the test, when it is not installed.
std::string findInPath(const std::string& program);

/// A new empty directory under the system's temporary directory, named `prefix` and a random
/// suffix ("icq-redis-" → /tmp/icq-redis-a1B2c3). Throws std::runtime_error when it cannot.
std::string makeTempDir(const std::string& prefix);

/// The whole of the file at `path`; empty when it cannot be read (not there yet, say).
std::string fileText(const std::string& path);

}  // namespace icq::test
