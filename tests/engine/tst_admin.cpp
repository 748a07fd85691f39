// The admin API in this process (docs/operations.md): who may do what (no token, wrong token,
// viewer, operator, chaos off), bad input (malformed JSON, unknown kinds, oversized bodies,
// malformed HTTP, floods), faults that expire by themselves, the WebSocket stream, HTTPS, the
// Prometheus text checked by promtool, and the store that takes the disk faults.
// tst_admin_nodes does the same against real iris-node processes.

#include "admin_test_support.h"

namespace {

// Records what the API asks of the node.
class FakeBackend final : public AdminBackend {
 public:
  json::object node() override { return {{"id", "fake"}}; }
  json::object cluster() override { return {{"self", "fake"}, {"members", json::array{}}}; }
  json::object metrics() override { return {{"counters", {{"sends", 7}}}}; }
  void prometheus(PrometheusText& out) override {
    out.counter("iris_sends_total", "sends", 7, {{"node", "fake"}});
  }
  Status start_fault(const NodeFault& f) override {
    if (f.kind == NodeFault::Kind::kSlowConsumer && f.user == "nobody")
      return Status::not_found("user nobody has no session on this node");
    started.push_back(describe(f));
    return Status::ok();
  }
  void end_fault(const NodeFault& f) override { ended.push_back(describe(f)); }
  std::vector<std::string> started, ended;
};

HttpRequest req(std::string method, std::string target, std::string token = {},
                std::string body = {}) {
  HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  if (!token.empty()) r.authorization = "Bearer " + token;
  r.body = std::move(body);
  r.client = "127.0.0.1";
  return r;
}

json::object body_of(const HttpResponse& r) {
  return json::parse(r.body).as_object();
}

}  // namespace

class TestAdmin : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { spdlog::set_level(spdlog::level::info); }
  void tokensFile();
  void refusals();
  void faultLifecycle();
  void badFaultBodies_data();
  void badFaultBodies();
  void tokensNeverLogged();
  void overHttp();
  void streamOverWebSocket();
  void prometheusTextPassesPromtool();
  void overHttps();
  void faultyStoreDelaysInOrderAndFillsUp();
};

void TestAdmin::tokensFile() {
  QCOMPARE(tokens().size(), std::size_t{2});
  auto caller = tokens().authorize(std::string("Bearer ") + kOperator);
  QVERIFY(caller);
  QCOMPARE(caller->name, std::string("alice"));
  QCOMPARE(caller->role, Role::kOperator);
  QVERIFY(!tokens().authorize(std::string("Bearer ") + kOperator + "x"));
  QVERIFY(!tokens().authorize(kOperator));             // no scheme
  QVERIFY(!tokens().authorize(std::string("Basic ") + kOperator));
  QVERIFY(!tokens().authorize(""));
  // Errors name the line, never the token.
  auto bad = AdminTokens::parse("viewer a short\n");
  QVERIFY(!bad);
  QVERIFY(bad.status().message().find("line 1") != std::string::npos);
  QVERIFY(bad.status().message().find("short") == std::string::npos ||
          bad.status().message().find("shorter") != std::string::npos);
  QVERIFY(!AdminTokens::parse("admin a 0123456789abcdefgh\n"));
  QVERIFY(!AdminTokens::parse("viewer a\n"));
  QVERIFY(!AdminTokens::load("/nonexistent/tokens"));
}

void TestAdmin::refusals() {
  FakeBackend b;
  AdminApi chaos_off(b, tokens(), AdminOptions{});
  // No token and a wrong token: 401, and nothing more is said.
  for (const std::string& t : {std::string(), std::string("wrong-token-0123456789")}) {
    const HttpResponse r = chaos_off.handle(req("GET", "/v1/node", t), now_ms());
    QCOMPARE(r.status, 401);
    QVERIFY(r.www_authenticate);
    QCOMPARE(body_of(r), (json::object{{"error", "unauthorized"}}));
  }
  QCOMPARE(chaos_off.handle(req("GET", "/v1/node", kViewer), now_ms()).status, 200);
  QCOMPARE(chaos_off.handle(req("GET", "/v1/cluster", kViewer), now_ms()).status, 200);
  QCOMPARE(chaos_off.handle(req("GET", "/v1/metrics", kViewer), now_ms()).status, 200);
  QCOMPARE(chaos_off.handle(req("GET", "/v1/faults", kViewer), now_ms()).status, 200);
  const HttpResponse prom = chaos_off.handle(req("GET", "/metrics", kViewer), now_ms());
  QCOMPARE(prom.status, 200);
  QVERIFY(prom.content_type.starts_with("text/plain; version=0.0.4"));
  QCOMPARE(chaos_off.handle(req("GET", "/v1/nothing", kViewer), now_ms()).status, 404);
  QCOMPARE(chaos_off.handle(req("POST", "/v1/node", kViewer), now_ms()).status, 405);
  // A viewer may not inject faults; an operator may not either while chaos is off.
  const std::string cpu = R"({"kind":"cpu_burn","percent":20,"ttl_s":5})";
  HttpResponse r = chaos_off.handle(req("POST", "/v1/faults", kViewer, cpu), now_ms());
  QCOMPARE(r.status, 403);
  QVERIFY(r.body.find("operator") != std::string::npos);
  r = chaos_off.handle(req("POST", "/v1/faults", kOperator, cpu), now_ms());
  QCOMPARE(r.status, 403);
  QVERIFY(r.body.find("--enable-chaos") != std::string::npos);
  QCOMPARE(chaos_off.handle(req("DELETE", "/v1/faults", kOperator), now_ms()).status, 403);
  QVERIFY(b.started.empty());
  // Oversized body: 413 before anything else is looked at.
  AdminOptions small;
  small.enable_chaos = true;
  small.max_body_bytes = 100;
  AdminApi tight(b, tokens(), small);
  QCOMPARE(tight.handle(req("POST", "/v1/faults", kOperator, std::string(101, '{')), now_ms()).status,
           413);
}

void TestAdmin::faultLifecycle() {
  FakeBackend b;
  AdminOptions o;
  o.enable_chaos = true;
  auto api = std::make_unique<AdminApi>(b, tokens(), o);
  const std::uint64_t t0 = now_ms();
  HttpResponse r = api->handle(
      req("POST", "/v1/faults", kOperator, R"({"kind":"peer_drop","peer":"n2","direction":"out","ttl_s":2})"),
      t0);
  QCOMPARE(r.status, 201);
  QCOMPARE(body_of(r).at("by").as_string(), "alice");
  const std::uint64_t first = body_of(r).at("id").to_number<std::uint64_t>();
  r = api->handle(req("POST", "/v1/faults", kOperator, R"({"kind":"memory_pressure","shard_bytes":65536,"ttl_s":30})"), t0);
  QCOMPARE(r.status, 201);
  r = api->handle(req("POST", "/v1/faults", kOperator, R"({"kind":"slow_consumer","user":"nobody","ttl_s":30})"), t0);
  QCOMPARE(r.status, 409);  // the node said no: nothing recorded
  QCOMPARE(b.started, (std::vector<std::string>{"peer_drop n2 out", "memory_pressure 65536 B/shard"}));
  r = api->handle(req("GET", "/v1/faults", kViewer), t0 + 500);
  QCOMPARE(body_of(r).at("faults").as_array().size(), std::size_t{2});
  QCOMPARE(body_of(r).at("faults").as_array()[0].as_object().at("expires_in_ms").to_number<std::uint64_t>(),
           std::uint64_t{1500});
  // The peer_drop expires by itself after its 2 s, with no request.
  QCOMPARE(api->next_expiry_ms(), t0 + 2000);
  QCOMPARE(api->expire(t0 + 1999), std::size_t{0});
  QCOMPARE(api->expire(t0 + 2000), std::size_t{1});
  QCOMPARE(b.ended, (std::vector<std::string>{"peer_drop n2 out"}));
  // Ending a fault by id: gone, and a second time 404.
  r = api->handle(req("DELETE", "/v1/faults/" + std::to_string(first), kOperator), t0 + 2100);
  QCOMPARE(r.status, 404);
  r = api->handle(req("DELETE", "/v1/faults/abc", kOperator), t0 + 2100);
  QCOMPARE(r.status, 400);
  // Recover all.
  api->handle(req("POST", "/v1/faults", kOperator, R"({"kind":"cpu_burn","percent":10,"ttl_s":60})"), t0);
  r = api->handle(req("DELETE", "/v1/faults", kOperator), t0 + 2200);
  QCOMPARE(r.status, 200);
  QCOMPARE(body_of(r).at("ended").to_number<std::uint64_t>(), std::uint64_t{2});
  QCOMPARE(b.ended.size(), std::size_t{3});
  // A console that dies leaves nothing: the API ends what is still in force when it goes.
  api->handle(req("POST", "/v1/faults", kOperator, R"({"kind":"disk_full","ttl_s":600})"), t0);
  api.reset();
  QCOMPARE(b.ended.back(), std::string("disk_full"));
}

void TestAdmin::badFaultBodies_data() {
  QTest::addColumn<QString>("body");
  QTest::addColumn<QString>("reason");
  QTest::newRow("not JSON") << "{kind: cpu" << "malformed JSON";
  QTest::newRow("array") << "[1,2]" << "JSON object";
  QTest::newRow("no kind") << R"({"ttl_s":5})" << "kind is required";
  QTest::newRow("unknown kind") << R"({"kind":"meteor","ttl_s":5})" << "unknown kind";
  QTest::newRow("no ttl") << R"({"kind":"disk_full"})" << "ttl_s is required";
  QTest::newRow("ttl 0") << R"({"kind":"disk_full","ttl_s":0})" << "ttl_s must be between";
  QTest::newRow("ttl too long") << R"({"kind":"disk_full","ttl_s":7200})" << "ttl_s must be between 1 and 3600";
  QTest::newRow("ttl text") << R"({"kind":"disk_full","ttl_s":"5"})" << "whole number";
  QTest::newRow("peer missing") << R"({"kind":"peer_drop","ttl_s":5})" << "peer is required";
  QTest::newRow("bad direction") << R"({"kind":"peer_drop","peer":"n1","direction":"up","ttl_s":5})" << "direction";
  QTest::newRow("delay missing") << R"({"kind":"peer_delay","peer":"n1","ttl_s":5})" << "delay_ms is required";
  QTest::newRow("cpu 100") << R"({"kind":"cpu_burn","percent":100,"ttl_s":5})" << "percent must be between 1 and 95";
  QTest::newRow("memory tiny") << R"({"kind":"memory_pressure","shard_bytes":5,"ttl_s":5})" << "shard_bytes";
  QTest::newRow("user empty") << R"({"kind":"slow_consumer","user":"","ttl_s":5})" << "user must be";
}

void TestAdmin::badFaultBodies() {
  QFETCH(QString, body);
  QFETCH(QString, reason);
  FakeBackend b;
  AdminOptions o;
  o.enable_chaos = true;
  AdminApi api(b, tokens(), o);
  const HttpResponse r = api.handle(req("POST", "/v1/faults", kOperator, body.toStdString()), now_ms());
  QCOMPARE(r.status, 400);
  QVERIFY2(r.body.find(reason.toStdString()) != std::string::npos, r.body.c_str());
  QVERIFY(b.started.empty());
}

// Who asked is logged (by name); the token is not, whether right or wrong.
void TestAdmin::tokensNeverLogged() {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::trace);
  {
    FakeBackend b;
    AdminOptions o;
    o.enable_chaos = true;
    AdminApi api(b, tokens(), o);
    api.handle(req("GET", "/v1/node", "wrong-token-abcdefghijkl"), now_ms());
    api.handle(req("POST", "/v1/faults", kOperator, R"({"kind":"cpu_burn","percent":5,"ttl_s":9})"), now_ms());
    api.handle(req("DELETE", "/v1/faults", kOperator), now_ms());
  }
  spdlog::set_default_logger(previous);
  spdlog::set_level(spdlog::level::info);
  const std::string log = captured.str();
  QVERIFY2(log.find("by=alice") != std::string::npos, log.c_str());
  QVERIFY(log.find(kOperator) == std::string::npos);
  QVERIFY(log.find("wrong-token") == std::string::npos);
}

void TestAdmin::overHttp() {
  FakeBackend b;
  AdminOptions o;
  o.enable_chaos = true;
  o.max_body_bytes = 1024;
  AdminApi api(b, tokens(), o);
  AdminServerOptions so;
  so.listen = "127.0.0.1:0";
  so.requests_per_s_per_client = 40;
  AdminServer server(api, so);
  QVERIFY(server.start());
  const std::uint16_t port = server.port();
  QCOMPARE(http_call(port, http::verb::get, "/v1/node").status, 401);
  RawResponse r = http_call(port, http::verb::get, "/v1/node", kViewer);
  QCOMPARE(r.status, 200);
  QCOMPARE(json::parse(r.body).as_object().at("id").as_string(), "fake");
  r = http_call(port, http::verb::post, "/v1/faults", kOperator, R"({"kind":"cpu_burn","percent":5,"ttl_s":1})");
  QCOMPARE(r.status, 201);
  // The fault expires on the server's own timer, with no request coming in.
  QTRY_COMPARE_WITH_TIMEOUT(b.ended.size(), std::size_t{1}, 3000);
  // Oversized: 413; malformed HTTP: 400; the server keeps serving.
  r = http_call(port, http::verb::post, "/v1/faults", kOperator, std::string(4096, 'x'));
  QCOMPARE(r.status, 413);
  const std::string garbage = raw_call(port, "GARBAGE\r\n\r\n");
  QVERIFY2(garbage.starts_with("HTTP/1.1 400"), garbage.c_str());
  const std::string huge_header =
      raw_call(port, "GET /v1/node HTTP/1.1\r\nX-Junk: " + std::string(20000, 'j') + "\r\n\r\n");
  QVERIFY2(huge_header.starts_with("HTTP/1.1 431"), huge_header.substr(0, 40).c_str());
  QCOMPARE(http_call(port, http::verb::get, "/v1/cluster", kViewer).status, 200);
  // A flood: beyond the client's rate, 429 with Retry-After; nothing else breaks.
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 120; ++i) {
    const RawResponse f = http_call(port, http::verb::get, "/v1/metrics", kViewer);
    if (f.status == 429) {
      ++limited;
      retry_after = f.retry_after;
    }
  }
  QVERIFY2(limited > 0, "no 429 after 120 requests at 40/s allowed");
  QVERIFY(!retry_after.empty());
  server.stop();
}

void TestAdmin::streamOverWebSocket() {
  FakeBackend b;
  AdminApi api(b, tokens(), AdminOptions{});
  AdminServerOptions so;
  so.listen = "127.0.0.1:0";
  AdminServer server(api, so);
  QVERIFY(server.start());
  auto open = [&](const std::string& target, const std::string& token) {
    asio::io_context io;
    beast::websocket::stream<beast::tcp_stream> ws(io);
    beast::get_lowest_layer(ws).connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
    ws.set_option(beast::websocket::stream_base::decorator([token](beast::websocket::request_type& r) {
      if (!token.empty()) r.set(http::field::authorization, "Bearer " + token);
    }));
    beast::websocket::response_type res;
    boost::system::error_code ec;
    ws.handshake(res, "127.0.0.1", target, ec);
    int got = 0;
    if (!ec) {
      beast::get_lowest_layer(ws).expires_after(3s);
      const auto start = std::chrono::steady_clock::now();
      while (got < 5) {
        beast::flat_buffer buf;
        ws.read(buf, ec);
        if (ec) break;
        const auto doc = json::parse(beast::buffers_to_string(buf.data())).as_object();
        if (!doc.contains("node") || !doc.contains("cluster") || !doc.contains("faults")) break;
        ++got;
      }
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      // 5 snapshots at 10 Hz take about 0.4 s (the first comes at once).
      if (got == 5 && s > 2.0) got = -1;
    }
    return std::pair{static_cast<int>(res.result_int()), got};
  };
  QCOMPARE(open("/v1/stream?hz=10", kViewer), (std::pair{101, 5}));
  QCOMPARE(open("/v1/stream?hz=10", "").first, 401);
  QCOMPARE(open("/v1/stream?hz=50", kViewer).first, 400);
  QCOMPARE(open("/v1/elsewhere", kViewer).first, 404);
  server.stop();
}

// The node's real metrics, as Prometheus reads them: promtool (Debian's prometheus package,
// installed by scripts/install-deps.sh) must find nothing wrong.
void TestAdmin::prometheusTextPassesPromtool() {
  store::MemoryStore memory;
  store::FaultyStore faulty(memory);
  net::ServerOptions o;
  o.listen = "127.0.0.1:0";
  o.core.shards = 2;
  o.core.node_id = "n0";
  net::NodeServer server(o, faulty, 1);
  QVERIFY(server.start());
  NodeBackend backend(server, &faulty, 1);
  PrometheusText text;
  backend.prometheus(text);
  server.stop();
  QVERIFY(text.text().find("iris_sends_total{node=\"n0\"}") != std::string::npos);
  QVERIFY(text.text().find("iris_deliver_latency_seconds_count") != std::string::npos);
  const QString promtool = QStandardPaths::findExecutable("promtool");
  QVERIFY2(!promtool.isEmpty(), "promtool not found: apt-get install prometheus (install-deps does)");
  QProcess p;
  p.start(promtool, {"check", "metrics"});
  QVERIFY(p.waitForStarted());
  p.write(QByteArray::fromStdString(text.text()));
  p.closeWriteChannel();
  QVERIFY(p.waitForFinished(10000));
  QVERIFY2(p.exitCode() == 0, (p.readAllStandardOutput() + p.readAllStandardError()).constData());
  // And it does fail on a broken exposition (the check can fail).
  QProcess bad;
  bad.start(promtool, {"check", "metrics"});
  QVERIFY(bad.waitForStarted());
  bad.write("iris_broken{node=\"n0\" 1\n");
  bad.closeWriteChannel();
  QVERIFY(bad.waitForFinished(10000));
  QVERIFY(bad.exitCode() != 0);
}

// The admin API over TLS (--admin-tls-cert/--admin-tls-key): HTTPS answers; plain HTTP to the
// same port gets nothing that parses.
void TestAdmin::overHttps() {
  QTemporaryDir certs;
  const QString key = certs.filePath("k.pem"), cert = certs.filePath("c.pem");
  QProcess openssl;
  openssl.setProcessChannelMode(QProcess::MergedChannels);
  openssl.start("openssl", {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
                            cert, "-days", "1", "-subj", "/CN=localhost", "-addext",
                            "subjectAltName=IP:127.0.0.1"});
  QVERIFY(openssl.waitForFinished(30000));
  QVERIFY2(openssl.exitCode() == 0, openssl.readAll().constData());
  FakeBackend b;
  AdminApi api(b, tokens(), AdminOptions{});
  AdminServerOptions so;
  so.listen = "127.0.0.1:0";
  so.tls_cert = cert.toStdString();
  so.tls_key = key.toStdString();
  AdminServer server(api, so);
  QVERIFY(server.start());
  QVERIFY(server.tls());
  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(cert.toStdString());
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> s(io, ctx);
  beast::get_lowest_layer(s).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  beast::get_lowest_layer(s).expires_after(5s);
  s.handshake(asio::ssl::stream_base::client);
  http::request<http::string_body> rq{http::verb::get, "/v1/node", 11};
  rq.set(http::field::host, "127.0.0.1");
  rq.set(http::field::authorization, std::string("Bearer ") + kViewer);
  http::write(s, rq);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  QCOMPARE(res.result_int(), 200u);
  QVERIFY(res.body().find("fake") != std::string::npos);
  QVERIFY(!raw_call(server.port(), "GET /v1/node HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 200"));
  // A key without its certificate: refused at start.
  AdminServerOptions half = so;
  half.tls_cert.clear();
  AdminServer bad(api, half);
  QVERIFY(!bad.start());
}

// The store under a node's admin disk faults: completions late but in order; appends refused
// while "full"; everything normal again after.
void TestAdmin::faultyStoreDelaysInOrderAndFillsUp() {
  store::MemoryStore memory;
  store::FaultyStore faulty(memory);
  std::mutex mu;
  std::vector<int> order;
  std::vector<StatusCode> codes;
  auto row = [](std::uint64_t id) {
    store::StoredMessage m;
    m.id = id;
    m.recipient = "bob";
    m.sender = "alice";
    m.client_msg_id = id;
    m.payload = "x";
    return std::vector<store::StoredMessage>{m};
  };
  faulty.set_latency_us(100'000);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 1; i <= 5; ++i) {
    faulty.append(row(static_cast<std::uint64_t>(i)), [&, i](Status s) {
      std::lock_guard lock(mu);
      order.push_back(i);
      codes.push_back(s.code());
    });
  }
  faulty.set_latency_us(0);  // later requests still wait behind the held ones
  faulty.append(row(6), [&](Status s) {
    std::lock_guard lock(mu);
    order.push_back(6);
    codes.push_back(s.code());
  });
  faulty.flush();
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  QCOMPARE(order, (std::vector<int>{1, 2, 3, 4, 5, 6}));
  QVERIFY2(waited >= 0.09, qPrintable(QString::number(waited)));
  faulty.set_disk_full(true);
  std::optional<StatusCode> full;
  faulty.append(row(7), [&](Status s) { full = s.code(); });
  faulty.flush();
  QCOMPARE(full, std::optional{StatusCode::kDiskFull});
  QCOMPARE(faulty.stats().messages, std::uint64_t{6});  // nothing written
  faulty.set_disk_full(false);
  std::optional<StatusCode> again;
  faulty.append(row(8), [&](Status s) { again = s.code(); });
  faulty.flush();
  QCOMPARE(again, std::optional{StatusCode::kOk});
  QCOMPARE(faulty.stats().messages, std::uint64_t{7});
}

QTEST_MAIN(TestAdmin)
#include "tst_admin.moc"
