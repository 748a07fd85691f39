#pragma once
// AdminServer: carries an AdminApi over HTTP/1.1 (Boost.Beast), on its own listener, thread and
// io_context, with TLS when given a certificate. Bounds: request headers 8 KiB, bodies
// AdminOptions::max_body_bytes (413 beyond), a request rate per client address (429 beyond),
// at most max_sessions connections, 30 s idle timeout. Malformed HTTP gets 400 and the
// connection is closed; the node is not affected. GET /v1/stream?hz=N upgrades to a WebSocket
// that receives one JSON snapshot (AdminApi::snapshot_json) every 1/N s, N in 1..10; a client
// may change N by sending {"hz": N}. Fault TTLs expire on this thread even with no request.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "engine/admin/admin_api.h"
#include "engine/common/status.h"

namespace iris::admin {

struct AdminServerOptions {
  std::string listen = "127.0.0.1:7480";  // "host:port"; port 0 picks one
  std::string tls_cert, tls_key;          // both set: HTTPS and WSS only
  double requests_per_s_per_client = 200;
  std::uint32_t max_sessions = 64;
};

class AdminServer {
 public:
  AdminServer(AdminApi& api, AdminServerOptions options);
  ~AdminServer();  // stop()
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  Status start();  // binds, starts the thread
  void stop();     // closes the listener and every session, joins; idempotent
  std::uint16_t port() const { return port_; }
  bool tls() const;

  struct Impl;  // the sessions (admin_server.cpp) reach it; opaque to everyone else

 private:
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace iris::admin
