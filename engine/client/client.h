#pragma once
// Client: a ClientCore over a real TCP or WebSocket connection, driven by the caller's thread
// (pump() runs I/O for a bounded time). For tests, tools and the demo; the load generator drives
// ClientCore over its own sockets. Not thread-safe.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "engine/client/client_core.h"
#include "engine/common/status.h"

namespace iris::client {

enum class Transport { kTcp, kWebSocket };

class Client {
 public:
  ~Client();

  // Connects to host:port and logs in. Fails with the server's ERROR text (e.g. authentication
  // failed), "redirected to node <id> at <address>" when a cluster node answers LOGIN with
  // REDIRECT (connecting there is the caller's choice; the Redirected event carries the same
  // fields to callers that drive ClientCore themselves), or the socket error, within `timeout`.
  static Result<std::unique_ptr<Client>> connect(const std::string& host, std::uint16_t port,
                                                 ClientOptions options,
                                                 Transport transport = Transport::kTcp,
                                                 std::chrono::milliseconds timeout =
                                                     std::chrono::seconds(5));

  // Connects again (to the same node, or to another: a REDIRECT's address, a user's new home
  // after a view change) and logs in, keeping the ClientCore: sends not yet answered are sent
  // again, and deliveries already seen are still recognised (a message handed over to a new
  // home arrives there with another server id, and is dropped by its sender and client id).
  Status reconnect(const std::string& host, std::uint16_t port,
                   std::chrono::milliseconds timeout = std::chrono::seconds(5));

  std::uint64_t send(std::string_view recipient, std::string_view payload);
  ClientCore& core() { return *core_; }

  // Runs I/O until `done()` holds or `timeout` passes; returns done(). Events accumulate in
  // events() for the caller to read and clear.
  bool pump_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);
  void pump(std::chrono::milliseconds duration);
  // Runs the I/O that is ready now, without waiting; for callers that drive many clients from one
  // loop. Returns whether anything happened (a handler ran).
  bool poll();
  std::vector<ClientEvent>& events() { return events_; }

  // Convenience: collected deliveries and send results, in arrival order.
  std::vector<Delivered> take_deliveries();
  std::size_t count_send_done() const;
  bool connected() const;
  void close();              // abrupt close (no BYE): the node sees a dropped connection
  std::string last_error() const { return last_error_; }

  // Raw access for tests that misbehave on purpose.
  void write_raw(std::span<const std::uint8_t> bytes);

  struct Impl;

 private:
  Client();
  Status open(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<ClientCore> core_;
  std::vector<ClientEvent> events_;
  std::string last_error_;
};

}  // namespace iris::client
