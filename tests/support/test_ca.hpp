// A throwaway certificate authority for the TLS tests (PostgreSQL with ssl=on, Redis on its
// tls-port, the stunnel tunnel in front of it): a CA and the server certificates it signs,
// made by the openssl command in a temporary directory that goes away with it.
#pragma once

#include <string>
#include <vector>

namespace icq::test {

/// Paths of a server's certificate and key, and of the CA certificate that signed them.
struct TlsFiles {
  std::string cert;
  std::string key;
  std::string ca;
};

class TestCa {
public:
  /// Makes the CA (P-256, valid for a day; its name is unique, so two CAs never pass for
  /// each other). Throws std::runtime_error, failing the test, if openssl fails.
  TestCa();
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::string& caFile() const { return caCert_; }

  /// A server certificate signed by this CA, naming `host` and 127.0.0.1 in its
  /// subjectAltName; `name` names its files.
  TlsFiles issue(const std::string& name, const std::string& host = "localhost") const;

private:
  void openssl(std::vector<std::string> args) const;

  std::string dir_;
  std::string caCert_;
  std::string caKey_;
};

}  // namespace icq::test
