#pragma once
// A client connection living on one worker: reads bytes, splits frames, hands them to the shard
// that owns the session (this worker's, or another through the mailbox), and writes what the
// shards queued — all frames of a turn in one write, one write in flight. Concrete transports:
// TCP (reads through a per-worker buffer: an idle connection holds no read buffer), TLS and
// WebSocket (binary messages carry the same frame stream). Lives and dies on its worker's thread.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>

#include <memory>

#include "engine/core/types.h"
#include "engine/protocol/codec.h"

namespace iris::net {

class Worker;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(Worker& worker) : worker_(worker) {}
  virtual ~Connection() = default;

  void start(core::ConnId id);                 // registered: open the session, start reading
  void queue(std::span<const std::uint8_t> bytes);  // bytes for the peer, written at turn end
  void flush();                                // start a write if bytes wait and none is in flight
  void close_after_flush();
  void abort();                                // close now, drop unwritten bytes
  // Admin fault slow_consumer: bytes queue up unwritten (as if the client stopped reading) until
  // resumed; the shard's slow-consumer policy then acts as it would on a real slow reader.
  void set_writes_paused(bool paused);
  core::ConnId id() const { return id_; }
  core::ShardId home() const { return home_; }
  void set_home(core::ShardId home) { home_ = home; }
  bool dirty = false;

 protected:
  virtual void do_start() = 0;                 // handshake (TLS, WS) then read loop
  virtual void do_write(std::span<const std::uint8_t> bytes) = 0;  // calls on_written
  virtual void do_close() = 0;                 // graceful shutdown of the transport
  void on_bytes(std::span<const std::uint8_t> data);  // framing + dispatch
  void on_written(boost::system::error_code ec);
  void on_error(boost::system::error_code ec);  // the transport failed or the peer closed
  bool reading_allowed() const { return !closing_ && !closed_ && !stop_reading_; }
  void finish();                               // unregister, notify shards; idempotent

  Worker& worker_;

 private:
  void dispatch(const protocol::FrameView& frame, std::span<const std::uint8_t> whole);
  void stream_error(protocol::ErrorCode code);

  core::ConnId id_ = 0;
  core::ShardId home_ = 0;
  protocol::Bytes pending_;
  protocol::Bytes inflight_;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
  bool stop_reading_ = false;
  bool writes_paused_ = false;
  bool aborting_ = false;
  std::unique_ptr<protocol::FrameReader> partial_;  // only while a frame is split across reads
};

std::shared_ptr<Connection> make_tcp_connection(Worker& w, boost::asio::ip::tcp::socket socket);
std::shared_ptr<Connection> make_tls_connection(Worker& w, boost::asio::ip::tcp::socket socket,
                                                boost::asio::ssl::context& ctx);
std::shared_ptr<Connection> make_ws_connection(Worker& w, boost::asio::ip::tcp::socket socket);

}  // namespace iris::net
