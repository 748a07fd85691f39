#include "engine/client/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>

namespace iris::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;

namespace {
std::uint64_t wall_us() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(
      duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
}
}  // namespace

struct Client::Impl {
  asio::io_context io;
  Transport transport = Transport::kTcp;
  asio::ip::tcp::socket tcp{io};
  std::unique_ptr<beast::websocket::stream<beast::tcp_stream>> ws;
  std::vector<std::uint8_t> rbuf = std::vector<std::uint8_t>(64 * 1024);
  beast::flat_buffer wsbuf;
  protocol::Bytes writing;
  protocol::Bytes queued;
  bool write_in_flight = false;
  bool reading = false;
  bool open = false;
  Client* owner = nullptr;

  void start_read();
  void on_read(error_code ec, std::span<const std::uint8_t> data);
  void flush();
};

void Client::Impl::start_read() {
  if (reading || !open) return;
  reading = true;
  if (transport == Transport::kTcp) {
    tcp.async_read_some(asio::buffer(rbuf), [this](error_code ec, std::size_t n) {
      on_read(ec, {rbuf.data(), n});
    });
  } else {
    ws->async_read(wsbuf, [this](error_code ec, std::size_t) {
      // Take the message out before on_read() arms the next read on the same buffer.
      auto d = wsbuf.cdata();
      const auto* p = static_cast<const std::uint8_t*>(d.data());
      std::vector<std::uint8_t> message(p, p + (ec ? 0 : d.size()));
      wsbuf.consume(wsbuf.size());
      on_read(ec, message);
    });
  }
}

void Client::Impl::on_read(error_code ec, std::span<const std::uint8_t> data) {
  reading = false;
  if (ec) {
    open = false;
    if (owner->last_error_.empty()) {  // the node's ERROR text, if any, says more than EOF
      owner->last_error_ = ec == asio::error::eof ? "connection closed by the node" : ec.message();
    }
    owner->core_->on_disconnected();
    return;
  }
  owner->core_->on_bytes(data, wall_us());
  for (auto& e : owner->core_->take_events()) {
    if (auto* err = std::get_if<ServerError>(&e)) owner->last_error_ = err->text;
    // A REDIRECT ends the login like an ERROR (the node closes next): connect() fails with it at
    // once. Reconnecting to the home node is the caller's choice.
    if (auto* r = std::get_if<Redirected>(&e)) {
      owner->last_error_ = "redirected to node " + r->node_id +
                           (r->address.empty() ? std::string() : " at " + r->address);
    }
    owner->events_.push_back(std::move(e));
  }
  flush();
  start_read();
}

void Client::Impl::flush() {
  auto out = owner->core_->take_output();
  queued.insert(queued.end(), out.begin(), out.end());
  if (write_in_flight || queued.empty() || !open) return;
  writing.swap(queued);
  queued.clear();
  write_in_flight = true;
  auto done = [this](error_code ec, std::size_t) {
    write_in_flight = false;
    writing.clear();
    if (ec) {
      open = false;
      owner->last_error_ = ec.message();
      return;
    }
    flush();
  };
  if (transport == Transport::kTcp) {
    asio::async_write(tcp, asio::buffer(writing), done);
  } else {
    ws->async_write(asio::buffer(writing), done);
  }
}

Client::Client() : impl_(std::make_unique<Impl>()) { impl_->owner = this; }
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::connect(const std::string& host, std::uint16_t port,
                                                ClientOptions options, Transport transport,
                                                std::chrono::milliseconds timeout) {
  std::unique_ptr<Client> c(new Client());
  c->core_ = std::make_unique<ClientCore>(std::move(options), wall_us());
  c->impl_->transport = transport;
  if (Status s = c->open(host, port, timeout); !s) return s;
  return c;
}

Status Client::reconnect(const std::string& host, std::uint16_t port,
                         std::chrono::milliseconds timeout) {
  if (impl_->open) close();
  const Transport transport = impl_->transport;
  impl_ = std::make_unique<Impl>();  // a new socket; the ClientCore (and what it knows) stays
  impl_->owner = this;
  impl_->transport = transport;
  last_error_.clear();
  return open(host, port, timeout);
}

Status Client::open(const std::string& host, std::uint16_t port,
                    std::chrono::milliseconds timeout) {
  Client* c = this;
  Impl& im = *impl_;
  const Transport transport = im.transport;
  error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Status::invalid("bad host " + host);
  asio::ip::tcp::endpoint ep(addr, port);
  if (transport == Transport::kTcp) {
    im.tcp.connect(ep, ec);
    if (!ec) im.tcp.set_option(asio::ip::tcp::no_delay(true), ec);
  } else {
    im.ws = std::make_unique<beast::websocket::stream<beast::tcp_stream>>(im.io);
    beast::get_lowest_layer(*im.ws).connect(ep, ec);
    if (!ec) {
      beast::get_lowest_layer(*im.ws).socket().set_option(asio::ip::tcp::no_delay(true), ec);
      im.ws->binary(true);
      im.ws->handshake(host + ":" + std::to_string(port), "/", ec);
    }
  }
  if (ec) return Status::io_error("connect to " + host + ":" + std::to_string(port) + ": " +
                                  ec.message());
  im.open = true;
  c->core_->on_connected(wall_us());
  im.flush();
  im.start_read();
  bool ok = c->pump_until([&] { return c->core_->logged_in() || !im.open ||
                                       !c->last_error_.empty(); }, timeout);
  if (!ok || !c->core_->logged_in()) {
    return Status::unavailable(c->last_error_.empty() ? "login timed out" : c->last_error_);
  }
  return Status::ok();
}

std::uint64_t Client::send(std::string_view recipient, std::string_view payload) {
  auto id = core_->send(recipient, payload, wall_us());
  impl_->flush();
  return id;
}

bool Client::pump_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    impl_->io.restart();
    impl_->io.run_for(std::min<std::chrono::steady_clock::duration>(deadline - now,
                                                                    std::chrono::milliseconds(5)));
    core_->on_tick(wall_us());
    impl_->flush();
    if (!impl_->open && impl_->io.stopped()) {
      if (done()) return true;
      if (!impl_->write_in_flight && !impl_->reading) return done();
    }
  }
  return true;
}

void Client::pump(std::chrono::milliseconds duration) {
  pump_until([] { return false; }, duration);
}

bool Client::poll() {
  impl_->io.restart();
  const bool ran = impl_->io.poll() != 0;
  core_->on_tick(wall_us());
  impl_->flush();
  return ran;
}

std::vector<Delivered> Client::take_deliveries() {
  std::vector<Delivered> out;
  std::vector<ClientEvent> rest;
  for (auto& e : events_) {
    if (auto* d = std::get_if<Delivered>(&e)) {
      out.push_back(std::move(*d));
    } else {
      rest.push_back(std::move(e));
    }
  }
  events_.swap(rest);
  return out;
}

std::size_t Client::count_send_done() const {
  std::size_t n = 0;
  for (const auto& e : events_) n += std::holds_alternative<SendDone>(e);
  return n;
}

bool Client::connected() const { return impl_->open; }

void Client::close() {
  error_code ec;
  if (impl_->transport == Transport::kTcp) {
    impl_->tcp.close(ec);
  } else if (impl_->ws) {
    beast::get_lowest_layer(*impl_->ws).socket().close(ec);
  }
  impl_->open = false;
  impl_->io.restart();
  impl_->io.poll();  // let the cancelled operations finish
  core_->on_disconnected();
}

void Client::write_raw(std::span<const std::uint8_t> bytes) {
  error_code ec;
  if (impl_->transport == Transport::kTcp) {
    asio::write(impl_->tcp, asio::buffer(bytes.data(), bytes.size()), ec);
  } else {
    impl_->ws->write(asio::buffer(bytes.data(), bytes.size()), ec);
  }
}

}  // namespace iris::client
