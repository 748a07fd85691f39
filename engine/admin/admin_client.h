#pragma once
// AdminClient: a small blocking HTTP client for a node's admin API (iris-fire --target; tests).
// One request per connection, bounded by a timeout; plain HTTP (the admin API's TLS is for
// operators across networks: a fire test runs beside its nodes).

#include <chrono>
#include <cstdint>
#include <string>

#include "engine/common/status.h"

namespace iris::admin {

struct AdminReply {
  int status = 0;
  std::string body;
};

class AdminClient {
 public:
  AdminClient(std::string address, std::string token,
              std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // method: "GET", "POST", "DELETE". An error Status when the node cannot be reached or answers
  // with something that is not HTTP; any HTTP status is a reply.
  Result<AdminReply> request(const std::string& method, const std::string& target,
                             const std::string& body = {}) const;
  const std::string& address() const { return address_; }

 private:
  std::string address_, token_;
  std::chrono::milliseconds timeout_;
};

}  // namespace iris::admin
