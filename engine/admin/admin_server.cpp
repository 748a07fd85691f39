#include "engine/admin/admin_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <unordered_map>

#include "engine/core/token_bucket.h"
#include "engine/net/node_server.h"
#include "engine/net/tls_context.h"

namespace iris::admin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr std::size_t kHeaderLimit = 8 * 1024;
constexpr std::size_t kMaxWsMessage = 4 * 1024;  // what a stream client may send ({"hz": N})

std::uint64_t steady_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

std::uint64_t steady_us() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

// ?hz=N in a target; `fallback` when absent; 0 when present but not 1..10.
int hz_of(std::string_view target, int fallback) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return fallback;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view kv = query.substr(0, amp);
    if (kv.starts_with("hz=")) {
      const std::string_view v = kv.substr(3);
      if (v.size() == 1 && v[0] >= '1' && v[0] <= '9') return v[0] - '0';
      if (v == "10") return 10;
      return 0;
    }
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
  return fallback;
}

http::response<http::string_body> to_beast(const HttpResponse& r, unsigned version,
                                           bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "iris-node");
  res.set(http::field::content_type, r.content_type);
  res.set(http::field::cache_control, "no-store");
  if (r.www_authenticate) res.set(http::field::www_authenticate, "Bearer");
  res.keep_alive(keep_alive);
  res.body() = r.body;
  res.prepare_payload();
  return res;
}

HttpResponse plain_error(int status, std::string_view why) {
  HttpResponse r;
  r.status = status;
  r.body = std::string("{\"error\":\"") + std::string(why) + "\"}\n";
  return r;
}

}  // namespace

struct AdminServer::Impl {
  Impl(AdminApi& a, AdminServerOptions o) : api(a), options(std::move(o)) {}

  // Declared before io: sessions (destroyed with io's pending handlers) still use them.
  AdminApi& api;
  AdminServerOptions options;
  std::unique_ptr<asio::ssl::context> tls;
  std::unordered_map<std::string, core::TokenBucket> rate;  // this thread only
  std::uint32_t sessions = 0;                              // this thread only
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::steady_timer expiry{io};
  std::thread thread;
  bool started = false, stopped = false;

  void accept();
  void start_session(tcp::socket socket);
  void tick_expiry();

  // False (and the wait in retry_ms) when this client has used up its request rate.
  bool admit(const std::string& client, std::uint32_t& retry_ms) {
    const std::uint64_t now = steady_us();
    auto [it, fresh] = rate.try_emplace(client, options.requests_per_s_per_client, now);
    if (rate.size() > 10'000) rate.clear();  // bounded: forget everyone rather than grow
    return it->second.take(1, now, retry_ms);
  }
};

// One WebSocket client of /v1/stream.
template <class Stream>
class StreamSession : public std::enable_shared_from_this<StreamSession<Stream>> {
 public:
  StreamSession(AdminServer::Impl& impl, Stream&& stream, int hz)
      : impl_(impl), ws_(std::move(stream)), timer_(ws_.get_executor()), hz_(hz) {}
  ~StreamSession() { --impl_.sessions; }

  void run(http::request<http::string_body> req) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(kMaxWsMessage);
    ws_.async_accept(req, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->push();
      self->read();
    });
  }

 private:
  void push() {
    if (closed_) return;
    out_ = impl_.api.snapshot_json(steady_ms());
    ws_.text(true);
    ws_.async_write(asio::buffer(out_), [self = this->shared_from_this()](beast::error_code ec,
                                                                          std::size_t) {
      if (ec) {
        self->closed_ = true;
        self->timer_.cancel();
        return;
      }
      self->timer_.expires_after(std::chrono::milliseconds(1000 / self->hz_));
      self->timer_.async_wait([self](beast::error_code e) {
        if (!e) self->push();
      });
    });
  }
  void read() {
    ws_.async_read(in_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->closed_ = true;
        self->timer_.cancel();
        return;
      }
      boost::system::error_code jec;
      const auto v = boost::json::parse(beast::buffers_to_string(self->in_.data()), jec);
      self->in_.consume(self->in_.size());
      if (!jec && v.is_object()) {
        if (const auto* hz = v.as_object().if_contains("hz"); hz && hz->is_int64()) {
          const auto n = hz->as_int64();
          if (n >= 1 && n <= 10) self->hz_ = static_cast<int>(n);
        }
      }
      self->read();
    });
  }

  AdminServer::Impl& impl_;
  websocket::stream<Stream> ws_;
  asio::steady_timer timer_;
  beast::flat_buffer in_;
  std::string out_;
  int hz_;
  bool closed_ = false;
};

// One HTTP connection: requests in order, keep-alive, then maybe an upgrade to a stream.
template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(AdminServer::Impl& impl, Stream&& stream, std::string client)
      : impl_(impl), stream_(std::move(stream)), client_(std::move(client)) {}
  ~HttpSession() {
    if (!upgraded_) --impl_.sessions;
  }

  void run() {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->read();
                              });
    } else {
      read();
    }
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(impl_.api.options().max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      return;
    }
    if (ec == http::error::body_limit) return send(plain_error(413, "request body too large"), 11, false);
    if (ec == http::error::header_limit) return send(plain_error(431, "request headers too large"), 11, false);
    if (ec) return send(plain_error(400, "malformed HTTP request"), 11, false);
    http::request<http::string_body> req = parser_->release();
    std::uint32_t retry_ms = 0;
    if (!impl_.admit(client_, retry_ms)) {
      HttpResponse r = plain_error(429, "too many requests");
      return send(r, req.version(), false, retry_ms);
    }
    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.authorization = std::string(req[http::field::authorization]);
    r.client = client_;
    if (websocket::is_upgrade(req)) {
      const std::string_view target = req.target();
      if (target.substr(0, target.find('?')) != "/v1/stream") {
        return send(plain_error(404, "no such stream"), req.version(), false);
      }
      if (!impl_.api.authorize(r)) {
        HttpResponse u = plain_error(401, "unauthorized");
        u.www_authenticate = true;
        return send(u, req.version(), false);
      }
      const int hz = hz_of(target, 2);
      if (hz == 0) return send(plain_error(400, "hz must be 1 to 10"), req.version(), false);
      upgraded_ = true;  // the stream session counts itself from here
      std::make_shared<StreamSession<Stream>>(impl_, std::move(stream_), hz)->run(std::move(req));
      return;
    }
    r.body = std::move(req.body());
    send(impl_.api.handle(r, steady_ms()), req.version(), req.keep_alive());
  }

  void send(const HttpResponse& r, unsigned version, bool keep_alive, std::uint32_t retry_ms = 0) {
    res_ = to_beast(r, version, keep_alive);
    if (retry_ms) res_.set(http::field::retry_after, std::to_string((retry_ms + 999) / 1000));
    http::async_write(stream_, res_,
                      [self = this->shared_from_this(), keep_alive](beast::error_code ec,
                                                                    std::size_t) {
                        if (ec) return;
                        if (keep_alive) {
                          self->read();
                        } else {
                          self->shutdown();
                        }
                      });
  }

  void shutdown() {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  AdminServer::Impl& impl_;
  Stream stream_;
  std::string client_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  bool upgraded_ = false;
};

void AdminServer::Impl::accept() {
  acceptor.async_accept(io, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) start_session(std::move(socket));
    accept();
  });
}

void AdminServer::Impl::start_session(tcp::socket socket) {
  if (sessions >= options.max_sessions) return;  // closed at once: the socket goes out of scope
  beast::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  std::string client = ec ? std::string("?") : remote.address().to_string();
  ++sessions;
  beast::tcp_stream stream(std::move(socket));
  if (tls) {
    std::make_shared<HttpSession<beast::ssl_stream<beast::tcp_stream>>>(
        *this, beast::ssl_stream<beast::tcp_stream>(std::move(stream), *tls), std::move(client))
        ->run();
  } else {
    std::make_shared<HttpSession<beast::tcp_stream>>(*this, std::move(stream), std::move(client))
        ->run();
  }
}

void AdminServer::Impl::tick_expiry() {
  api.expire(steady_ms());
  expiry.expires_after(std::chrono::milliseconds(100));
  expiry.async_wait([this](beast::error_code ec) {
    if (!ec) tick_expiry();
  });
}

AdminServer::AdminServer(AdminApi& api, AdminServerOptions options)
    : impl_(std::make_unique<Impl>(api, std::move(options))) {}

AdminServer::~AdminServer() {
  stop();
}

bool AdminServer::tls() const {
  return impl_->tls != nullptr;
}

Status AdminServer::start() {
  Impl& m = *impl_;
  if (m.started) return Status::ok();
  if (m.options.tls_cert.empty() != m.options.tls_key.empty())
    return Status::invalid("admin TLS needs both a certificate and a key");
  if (!m.options.tls_cert.empty()) {
    beast::error_code ec;
    m.tls = net::make_tls_context(asio::ssl::context::tls_server, m.options.tls_cert,
                                  m.options.tls_key, ec);
    if (!m.tls) return Status::invalid("admin TLS: " + ec.message());
  }
  auto ep = net::parse_endpoint(m.options.listen);
  if (!ep) return Status::invalid("admin listen address: " + ep.status().message());
  beast::error_code ec;
  m.acceptor.open(ep->protocol(), ec);
  if (!ec) m.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) m.acceptor.bind(*ep, ec);
  if (!ec) m.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::unavailable("admin listener " + m.options.listen + ": " + ec.message());
  port_ = m.acceptor.local_endpoint().port();
  m.accept();
  m.tick_expiry();
  m.started = true;
  m.thread = std::thread([&m] { m.io.run(); });
  return Status::ok();
}

void AdminServer::stop() {
  Impl& m = *impl_;
  if (!m.started || m.stopped) return;
  m.stopped = true;
  asio::post(m.io, [&m] {
    beast::error_code ec;
    m.acceptor.close(ec);
    m.expiry.cancel();
    m.io.stop();
  });
  m.thread.join();
}

}  // namespace iris::admin
