#pragma once
// What tst_admin (the admin API in this process) and tst_admin_nodes (real iris-node processes)
// share: tokens, a raw HTTP client, and readers of a node's view of its links.

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <QProcess>
#include <QRegularExpression>
#include <QtTest>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <mutex>
#include <sstream>

#include "engine/admin/admin_api.h"
#include "engine/admin/admin_server.h"
#include "engine/admin/admin_tokens.h"
#include "engine/admin/node_backend.h"
#include "engine/client/client.h"
#include "engine/cluster/members.h"
#include "engine/core/types.h"
#include "engine/net/node_server.h"
#include "engine/store/faulty_store.h"
#include "engine/store/memory_store.h"
#include "node_process.h"

using namespace iris;
using namespace iris::admin;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

using iris::test::free_port;

namespace admin_test {

inline constexpr char kViewer[] = "viewer-token-0123456789abcdef";
inline constexpr char kOperator[] = "operator-token-0123456789abcdef";

inline AdminTokens tokens() {
  auto t = AdminTokens::parse(std::string("# role name token\nviewer grafana ") + kViewer +
                              "\noperator alice " + kOperator + "\n");
  return std::move(t.value());
}

// One HTTP request over a real socket; the raw response (status line, headers, body).
struct RawResponse {
  int status = 0;
  std::string body;
  std::string retry_after;
};
inline RawResponse http_call(std::uint16_t port, http::verb verb, const std::string& target,
                      const std::string& token = {}, const std::string& body = {}) {
  asio::io_context io;
  beast::tcp_stream s(io);
  s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  s.expires_after(5s);
  http::request<http::string_body> rq{verb, target, 11};
  rq.set(http::field::host, "127.0.0.1");
  if (!token.empty()) rq.set(http::field::authorization, "Bearer " + token);
  rq.body() = body;
  rq.prepare_payload();
  http::write(s, rq);
  beast::flat_buffer buf;
  http::response_parser<http::string_body> p;
  p.body_limit(16 << 20);
  http::read(s, buf, p);
  auto res = p.release();
  return {static_cast<int>(res.result_int()), res.body(),
          std::string(res[http::field::retry_after])};
}

// Raw bytes in, whatever comes back until the server closes (or 3 s).
inline std::string raw_call(std::uint16_t port, const std::string& bytes) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  asio::write(s, asio::buffer(bytes));
  std::string out;
  char buf[4096];
  boost::system::error_code ec;
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (s.available(ec) == 0) {
      std::this_thread::sleep_for(10ms);
      // Closed by the server: read returns eof.
      s.non_blocking(true);
      const std::size_t n = s.read_some(asio::buffer(buf), ec);
      if (ec == asio::error::would_block) continue;
      if (ec) break;
      out.append(buf, n);
      continue;
    }
    const std::size_t n = s.read_some(asio::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

inline std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

// A tokens file in `dir` (viewer "v", operator "o"); its path.
inline QString write_tokens(const QTemporaryDir& dir) {
  const QString path = dir.filePath("tokens");
  QFile f(path);
  if (f.open(QIODevice::WriteOnly))
    f.write(QByteArray("viewer v ") + kViewer + "\noperator o " + kOperator + "\n");
  return path;
}

// The link from one node's point of view: "up", "down" or "" (no report).
inline std::string link_state(std::uint16_t admin_port, const std::string& peer) {
  try {
    const RawResponse r = http_call(admin_port, http::verb::get, "/v1/cluster", kViewer);
    if (r.status != 200) return {};
    const json::value doc = json::parse(r.body);
    for (const auto& m : doc.as_object().at("members").as_array()) {
      const auto& o = m.as_object();
      if (o.at("id").as_string() != peer || !o.contains("link")) continue;
      return o.at("link").as_object().at("up").as_bool() ? "up" : "down";
    }
  } catch (const std::exception&) {
  }
  return {};
}

// The last heartbeat round trip one node measured to a peer, microseconds (0: none).
inline std::uint64_t rtt_us(std::uint16_t admin_port, const std::string& peer) {
  try {
    const RawResponse r = http_call(admin_port, http::verb::get, "/v1/cluster", kViewer);
    const json::value doc = json::parse(r.body);
    for (const auto& m : doc.as_object().at("members").as_array()) {
      const auto& o = m.as_object();
      if (o.at("id").as_string() == peer && o.contains("link"))
        return o.at("link").as_object().at("rtt_us").to_number<std::uint64_t>();
    }
  } catch (const std::exception&) {
  }
  return 0;
}

// The metrics resources/grafana-dashboard.json queries that `exposition` lacks (all there: empty).
inline QStringList missing_dashboard_metrics(const std::string& exposition, int& queried) {
  QFile dashboard(QFINDTESTDATA("../../resources/grafana-dashboard.json"));
  if (!dashboard.open(QIODevice::ReadOnly)) return {"(no dashboard file)"};
  const QString board = QString::fromUtf8(dashboard.readAll());
  QStringList missing;
  queried = 0;
  for (auto it = QRegularExpression("iris_[a-z_]+").globalMatch(board); it.hasNext();) {
    const std::string name = it.next().captured(0).toStdString();
    ++queried;
    if (exposition.find("\n" + name + "{") == std::string::npos &&
        exposition.find("\n" + name + " ") == std::string::npos)
      missing << QString::fromStdString(name);
  }
  return missing;
}

}  // namespace admin_test

using namespace admin_test;

