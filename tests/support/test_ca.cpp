// TestCa: `openssl req` for the CA and each server's key and request, `openssl x509 -req`
// to sign them; see test_ca.hpp.
#include "tests/support/test_ca.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tests/support/process.hpp"

namespace icq::test {
namespace {

constexpr auto kOpensslTimeout = std::chrono::seconds(30);

/// A new P-256 key and, with "-x509", a self-signed certificate instead of a request.
std::vector<std::string> newKey(const std::string& key, const std::string& out, const std::string& subject) {
  return {"req",  "-newkey", "ec",    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
          "-out", out,       "-subj", subject};
}

}  // namespace

TestCa::TestCa() {
  dir_ = makeTempDir("icq-ca-");
  caCert_ = dir_ + "/ca.crt";
  caKey_ = dir_ + "/ca.key";
  std::vector<std::string> args = newKey(caKey_, caCert_, "/CN=" + std::filesystem::path(dir_).filename().string());
  args.insert(args.end(), {"-x509", "-days", "1"});
  openssl(args);
}

TestCa::~TestCa() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

TlsFiles TestCa::issue(const std::string& name, const std::string& host) const {
  const std::string base = dir_ + "/" + name;
  TlsFiles files{base + ".crt", base + ".key", caCert_};
  openssl(newKey(files.key, base + ".csr", "/CN=" + host));
  std::ofstream(base + ".ext") << "basicConstraints = critical, CA:FALSE\n"
                               << "extendedKeyUsage = serverAuth\n"
                               << "subjectAltName = DNS:" << host << ", IP:127.0.0.1\n";
  openssl({"x509", "-req", "-in", base + ".csr", "-CA", caCert_, "-CAkey", caKey_, "-CAcreateserial", "-days", "1",
           "-extfile", base + ".ext", "-out", files.cert});
  return files;
}

void TestCa::openssl(std::vector<std::string> args) const {
  ChildProcess tool(findInPath("openssl"), std::move(args), dir_ + "/openssl.log");
  if (tool.wait(kOpensslTimeout) != 0) throw std::runtime_error("openssl failed:\n" + tool.logTail());
}

}  // namespace icq::test
