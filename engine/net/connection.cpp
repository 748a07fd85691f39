#include "engine/net/connection.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "engine/net/worker.h"

namespace iris::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;

void Connection::start(core::ConnId id) {
  id_ = id;
  home_ = worker_.id();
  worker_.shard().on_open(id_);
  do_start();
}

void Connection::queue(std::span<const std::uint8_t> bytes) {
  if (closed_) return;
  // One frame always fits an empty queue; beyond that the bound holds.
  if (!pending_.empty() && pending_.size() + bytes.size() > worker_.options().max_outbound_bytes) {
    spdlog::warn("conn {}: outbound queue over {} bytes, disconnecting slow reader", id_,
                 worker_.options().max_outbound_bytes);
    abort();
    return;
  }
  pending_.insert(pending_.end(), bytes.begin(), bytes.end());
  if (!dirty) {
    dirty = true;
    worker_.mark_dirty(shared_from_this());
  }
}

void Connection::set_writes_paused(bool paused) {
  writes_paused_ = paused;
  if (!paused) flush();
}

void Connection::flush() {
  dirty = false;
  if (writing_ || pending_.empty() || closed_ || (writes_paused_ && !closing_)) return;
  inflight_.swap(pending_);
  pending_.clear();
  writing_ = true;
  do_write(inflight_);
}

void Connection::on_written(error_code ec) {
  writing_ = false;
  inflight_.clear();
  if (ec) {
    on_error(ec);
    return;
  }
  if (!pending_.empty()) {
    flush();
  } else if (closing_) {
    do_close();
    finish();
  }
}

// Never finishes synchronously: the shard that asked is still on the stack.
void Connection::close_after_flush() {
  if (closing_ || closed_) return;
  closing_ = true;
  if (writing_ || !pending_.empty()) {
    // on_written closes once the queue is empty — unless the peer stops reading: then the
    // linger timer cuts it (allocated only for closing connections).
    auto timer = std::make_shared<asio::steady_timer>(
        worker_.io(), std::chrono::microseconds(worker_.options().close_linger_us));
    timer->async_wait([self = shared_from_this(), timer](error_code ec) {
      if (!ec) self->abort();
    });
    if (!writing_) flush();
    return;
  }
  asio::post(worker_.io(), [self = shared_from_this()] {
    self->do_close();
    self->finish();
    self->worker_.end_turn();
  });
}

void Connection::abort() {
  if (closed_ || aborting_) return;
  aborting_ = true;
  closing_ = true;
  pending_.clear();
  asio::post(worker_.io(), [self = shared_from_this()] {
    self->do_close();
    self->finish();
    self->worker_.end_turn();
  });
}

void Connection::on_error(error_code ec) {
  if (closed_) return;
  if (ec && ec != asio::error::eof && ec != asio::error::operation_aborted) {
    spdlog::debug("conn {}: {}", id_, ec.message());
  }
  do_close();
  finish();
}

void Connection::finish() {
  if (closed_) return;
  closed_ = true;
  auto self = shared_from_this();  // the worker's map may hold the last reference
  worker_.connection_closed(id_, home_);
}

void Connection::on_bytes(std::span<const std::uint8_t> data) {
  if (!partial_) {  // common case: whole frames straight from the read buffer, no copy
    while (!data.empty() && reading_allowed()) {
      auto r = protocol::split_frame(data);
      if (r.status == protocol::SplitStatus::kFrame) {
        dispatch(r.frame, data.first(r.consumed));
        data = data.subspan(r.consumed);
      } else if (r.status == protocol::SplitStatus::kNeedMore) {
        partial_ = std::make_unique<protocol::FrameReader>();
        partial_->feed(data);
        return;
      } else {
        stream_error(r.status == protocol::SplitStatus::kTooLarge
                         ? protocol::ErrorCode::kFrameTooLarge
                         : protocol::ErrorCode::kBadFrame);
        return;
      }
    }
    return;
  }
  partial_->feed(data);
  protocol::FrameView f;
  while (reading_allowed()) {
    auto st = partial_->next(f);
    if (st == protocol::FrameReader::State::kFrame) {
      // The reader keeps header and body contiguous: the whole frame starts 5 bytes earlier.
      dispatch(f, {f.body.data() - protocol::kHeaderSize, f.body.size() + protocol::kHeaderSize});
    } else if (st == protocol::FrameReader::State::kNeedMore) {
      if (partial_->buffered() == 0) partial_.reset();  // idle connections hold no buffer
      return;
    } else {
      stream_error(partial_->error());
      return;
    }
  }
}

void Connection::dispatch(const protocol::FrameView& frame, std::span<const std::uint8_t> whole) {
  if (home_ == worker_.id()) {
    worker_.shard().on_frame(id_, frame);
  } else {
    worker_.forward_bytes(home_, Forwarded::Kind::kFrames, id_, whole);
  }
}

void Connection::stream_error(protocol::ErrorCode code) {
  stop_reading_ = true;  // read no more; the shard answers with ERROR and closes
  if (home_ == worker_.id()) {
    worker_.shard().on_stream_error(id_, code);
  } else {
    worker_.forward(home_, Forwarded{Forwarded::Kind::kStreamError, id_, {}, code});
  }
}

// ---- TCP: wait for readability, then read into the worker's shared buffer ----
namespace {

class TcpConnection final : public Connection {
 public:
  TcpConnection(Worker& w, asio::ip::tcp::socket s) : Connection(w), socket_(std::move(s)) {}

 private:
  void do_start() override {
    error_code ec;
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    socket_.non_blocking(true, ec);
    wait_readable();
  }
  void wait_readable() {
    socket_.async_wait(asio::ip::tcp::socket::wait_read,
                       [self = shared_from_this(), this](error_code ec) { on_readable(ec); });
  }
  void on_readable(error_code ec) {
    auto& buf = worker_.read_buffer();
    for (int reads = 0; !ec && reading_allowed() && reads < 4; ++reads) {
      std::size_t n = socket_.read_some(asio::buffer(buf), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        ec = {};
        break;
      }
      if (!ec) on_bytes({buf.data(), n});
      if (n < buf.size()) break;
    }
    if (ec) on_error(ec);
    worker_.end_turn();
    if (reading_allowed()) wait_readable();
  }
  void do_write(std::span<const std::uint8_t> bytes) override {
    asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                      [self = shared_from_this(), this](error_code ec, std::size_t) {
                        on_written(ec);
                        worker_.end_turn();
                      });
  }
  void do_close() override {
    error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }
  std::shared_ptr<TcpConnection> shared_from_this() {
    return std::static_pointer_cast<TcpConnection>(Connection::shared_from_this());
  }

  asio::ip::tcp::socket socket_;
};

// ---- TLS ----
class TlsConnection final : public Connection {
 public:
  TlsConnection(Worker& w, asio::ip::tcp::socket s, asio::ssl::context& ctx)
      : Connection(w), stream_(std::move(s), ctx) {}

 private:
  void do_start() override {
    error_code ec;
    stream_.next_layer().set_option(asio::ip::tcp::no_delay(true), ec);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = shared_from_this(), this](error_code hec) {
                              if (hec) {
                                on_error(hec);
                              } else {
                                read();
                              }
                              worker_.end_turn();
                            });
  }
  void read() {
    buf_.resize(16 * 1024);
    stream_.async_read_some(asio::buffer(buf_),
                            [self = shared_from_this(), this](error_code ec, std::size_t n) {
                              if (ec) {
                                on_error(ec);
                              } else {
                                on_bytes({buf_.data(), n});
                              }
                              worker_.end_turn();
                              if (!ec && reading_allowed()) read();
                            });
  }
  void do_write(std::span<const std::uint8_t> bytes) override {
    asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                      [self = shared_from_this(), this](error_code ec, std::size_t) {
                        on_written(ec);
                        worker_.end_turn();
                      });
  }
  void do_close() override {
    error_code ec;
    stream_.lowest_layer().close(ec);
  }
  std::shared_ptr<TlsConnection> shared_from_this() {
    return std::static_pointer_cast<TlsConnection>(Connection::shared_from_this());
  }

  asio::ssl::stream<asio::ip::tcp::socket> stream_;
  std::vector<std::uint8_t> buf_;
};

// ---- WebSocket: each binary message carries a piece of the frame stream ----
class WsConnection final : public Connection {
 public:
  WsConnection(Worker& w, asio::ip::tcp::socket s) : Connection(w), ws_(std::move(s)) {}

 private:
  void do_start() override {
    error_code nodelay_ec;  // without it, Nagle and delayed ACKs add ~40 ms to small replies
    beast::get_lowest_layer(ws_).socket().set_option(asio::ip::tcp::no_delay(true), nodelay_ec);
    ws_.set_option(beast::websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4 * protocol::kMaxFrameLength);
    ws_.binary(true);
    ws_.async_accept([self = shared_from_this(), this](error_code ec) {
      if (ec) {
        on_error(ec);
      } else {
        read();
      }
      worker_.end_turn();
    });
  }
  void read() {
    ws_.async_read(buf_, [self = shared_from_this(), this](error_code ec, std::size_t) {
      if (ec) {
        on_error(ec);
      } else {
        auto data = buf_.cdata();
        on_bytes({static_cast<const std::uint8_t*>(data.data()), data.size()});
        buf_.consume(buf_.size());
      }
      worker_.end_turn();
      if (!ec && reading_allowed()) read();
    });
  }
  void do_write(std::span<const std::uint8_t> bytes) override {
    ws_.async_write(asio::buffer(bytes.data(), bytes.size()),
                    [self = shared_from_this(), this](error_code ec, std::size_t) {
                      on_written(ec);
                      worker_.end_turn();
                    });
  }
  void do_close() override {
    error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).socket().close(ec);
  }
  std::shared_ptr<WsConnection> shared_from_this() {
    return std::static_pointer_cast<WsConnection>(Connection::shared_from_this());
  }

  beast::websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buf_;
};

}  // namespace

std::shared_ptr<Connection> make_tcp_connection(Worker& w, asio::ip::tcp::socket socket) {
  return std::make_shared<TcpConnection>(w, std::move(socket));
}
std::shared_ptr<Connection> make_tls_connection(Worker& w, asio::ip::tcp::socket socket,
                                                asio::ssl::context& ctx) {
  return std::make_shared<TlsConnection>(w, std::move(socket), ctx);
}
std::shared_ptr<Connection> make_ws_connection(Worker& w, asio::ip::tcp::socket socket) {
  return std::make_shared<WsConnection>(w, std::move(socket));
}

}  // namespace iris::net
