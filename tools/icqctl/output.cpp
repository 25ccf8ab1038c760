// icqctl's output; see output.hpp.
#include "tools/icqctl/output.hpp"

#include <iostream>

namespace icq::icqctl {
namespace {

std::string scalarText(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "-";
  return value.dump();
}

/// Readable lines: "key: value" per field; a list of objects one line each, "k=v k=v".
void printText(const nlohmann::json& value, const std::string& indent) {
  for (const auto& [key, field] : value.items()) {
    if (field.is_array() && !field.empty() && field.front().is_object()) {
      std::cout << indent << key << ": " << field.size() << "\n";
      for (const nlohmann::json& item : field) {
        std::cout << indent << " ";
        for (const auto& [k, v] : item.items()) std::cout << " " << k << "=" << (v.is_object() ? v.dump() : scalarText(v));
        std::cout << "\n";
      }
    } else if (field.is_object()) {
      std::cout << indent << key << ":\n";
      printText(field, indent + "  ");
    } else if (field.is_array()) {
      std::cout << indent << key << ":";
      for (const nlohmann::json& item : field) std::cout << " " << scalarText(item);
      std::cout << "\n";
    } else {
      std::cout << indent << key << ": " << scalarText(field) << "\n";
    }
  }
}

}  // namespace

void printResult(bool json, const nlohmann::json& result) {
  if (json)
    std::cout << result.dump() << "\n";
  else
    printText(result, "");
}

void printFailure(bool json, const ApiReply& reply) {
  std::string message = reply.failure;
  if (reply.status != 0) {
    message = "HTTP " + std::to_string(reply.status);
    if (reply.body.is_object() && reply.body.contains("error") && reply.body["error"].is_object())
      message = reply.body["error"].value("message", message);
  }
  std::cerr << "icqctl: " << message << "\n";
  if (json && !reply.body.is_null()) std::cout << reply.body.dump() << "\n";
}

int printOutcome(bool json, const admin::Outcome& outcome) {
  switch (outcome.status) {
    case admin::Status::ok:
    case admin::Status::created: printResult(json, outcome.body); return kDone;
    default: break;
  }
  std::cerr << "icqctl: " << outcome.message() << "\n";
  if (json) std::cout << outcome.body.dump() << "\n";
  switch (outcome.status) {
    case admin::Status::bad_input: return kUsage;
    case admin::Status::not_found: return kNotFound;
    case admin::Status::conflict: return kExists;
    default: return kFailed;
  }
}

}  // namespace icq::icqctl
