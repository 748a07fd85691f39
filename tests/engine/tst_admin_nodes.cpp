// The admin API on real iris-node processes: a partition that heals when its TTL ends (three
// nodes), link delays in the measured round trip, node faults in /v1/node, slow_consumer and
// shard_down on real sessions (nothing acknowledged lost), the refusals of a node without
// --enable-chaos, and R1 through iris-fire --target.

#include "admin_test_support.h"

class TestAdminNodes : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { spdlog::set_level(spdlog::level::info); }
  void realClusterPartitionHealsWhenItExpires();
  void fireTargetRunsSplitBrainOnRealNodes();
  void slowConsumerOnARealSession();
  void shardDownThenRestartedFresh();
  void realNodeRefusals();
};

// Three real nodes with the admin API and chaos on: node0 drops everything to and from node1 for
// 3 s. Both sides see the link down (the partition), then up again once the fault expires.
void TestAdminNodes::realClusterPartitionHealsWhenItExpires() {
  QTemporaryDir dir;
  const QString tokens_file = write_tokens(dir);
  constexpr int kNodes = 3;
  std::vector<std::uint16_t> peer(kNodes), client(kNodes), admin(kNodes);
  std::string seeds;
  for (int i = 0; i < kNodes; ++i) {
    peer[i] = free_port();
    client[i] = free_port();
    admin[i] = free_port();
    seeds += (i ? "," : "") + std::string("node") + std::to_string(i) + "@127.0.0.1:" +
             std::to_string(peer[i]) + "@127.0.0.1:" + std::to_string(client[i]);
  }
  std::vector<std::unique_ptr<test::NodeProcess>> nodes;
  for (int i = 0; i < kNodes; ++i) {
    nodes.push_back(std::make_unique<test::NodeProcess>());
    QVERIFY2(nodes.back()->start({"--node-id", QString("node%1").arg(i), "--listen",
                                  QString("127.0.0.1:%1").arg(client[i]), "--seeds",
                                  QString::fromStdString(seeds), "--shards", "1",
                                  "--peer-down-after-ms", "500", "--admin-listen",
                                  QString("127.0.0.1:%1").arg(admin[i]), "--admin-tokens",
                                  tokens_file, "--enable-chaos"}),
             qPrintable(nodes.back()->error()));
  }
  QTRY_VERIFY_WITH_TIMEOUT(link_state(admin[0], "node1") == "up" &&
                               link_state(admin[1], "node0") == "up",
                           10000);
  // Every metric the Grafana dashboard (resources/) queries is one a cluster node exposes.
  {
    int queried = 0;
    const QStringList missing =
        missing_dashboard_metrics(http_call(admin[0], http::verb::get, "/metrics", kViewer).body, queried);
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(", ")));
    QVERIFY(queried >= 15);
  }
  const RawResponse r = http_call(admin[0], http::verb::post, "/v1/faults", kOperator,
                                  R"({"kind":"peer_drop","peer":"node1","ttl_s":3})");
  QCOMPARE(r.status, 201);
  const auto start = std::chrono::steady_clock::now();
  QTRY_VERIFY_WITH_TIMEOUT(link_state(admin[0], "node1") == "down", 2500);
  QTRY_VERIFY_WITH_TIMEOUT(link_state(admin[1], "node0") == "down", 2500);
  QCOMPARE(link_state(admin[0], "node2"), std::string("up"));  // only that link
  // Still cut while the TTL runs, healed after it.
  QTest::qWait(static_cast<int>(std::max<std::int64_t>(
      0, 2500 - std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count())));
  QCOMPARE(link_state(admin[0], "node1"), std::string("down"));
  QTRY_VERIFY_WITH_TIMEOUT(link_state(admin[0], "node1") == "up" &&
                               link_state(admin[1], "node0") == "up",
                           8000);
  QVERIFY(nodes[0]->log().contains("admin_fault_started"));
  QVERIFY(nodes[0]->log().contains("by=o"));
  QVERIFY(nodes[0]->log().contains("why=expired"));
  QVERIFY(!nodes[0]->log().contains(kOperator));

  // A delayed link: the heartbeat round trip node0 measures to node2 grows by the delay (both
  // ways: twice 150 ms), and recover-all brings it back.
  QCOMPARE(http_call(admin[0], http::verb::post, "/v1/faults", kOperator,
                     R"({"kind":"peer_delay","peer":"node2","delay_ms":150,"ttl_s":30})")
               .status,
           201);
  QTRY_VERIFY_WITH_TIMEOUT(rtt_us(admin[0], "node2") > 290'000, 5000);
  QCOMPARE(link_state(admin[0], "node2"), std::string("up"));  // slow, not cut
  // The node's own faults show in /v1/node.
  QCOMPARE(http_call(admin[0], http::verb::post, "/v1/faults", kOperator,
                     R"({"kind":"memory_pressure","shard_bytes":65536,"ttl_s":30})")
               .status,
           201);
  QCOMPARE(http_call(admin[0], http::verb::post, "/v1/faults", kOperator,
                     R"({"kind":"cpu_burn","percent":20,"ttl_s":30})")
               .status,
           201);
  {
    const json::value node = json::parse(http_call(admin[0], http::verb::get, "/v1/node", kViewer).body);
    const auto& f = node.as_object().at("faults").as_object();
    QCOMPARE(f.at("memory_limit").to_number<std::uint64_t>(), std::uint64_t{65536});
    QCOMPARE(f.at("cpu_burn_percent").to_number<double>(), 20.0);
  }
  // A user with no session here cannot be made a slow consumer: 409 with the reason.
  const RawResponse nobody = http_call(admin[0], http::verb::post, "/v1/faults", kOperator,
                                       R"({"kind":"slow_consumer","user":"ghost","ttl_s":30})");
  QCOMPARE(nobody.status, 409);
  QVERIFY(nobody.body.find("no session") != std::string::npos);
  const RawResponse all = http_call(admin[0], http::verb::delete_, "/v1/faults", kOperator);
  QCOMPARE(all.status, 200);
  QCOMPARE(json::parse(all.body).as_object().at("ended").to_number<int>(), 3);
  QTRY_VERIFY_WITH_TIMEOUT(rtt_us(admin[0], "node2") < 100'000, 5000);
  const json::value after = json::parse(http_call(admin[0], http::verb::get, "/v1/node", kViewer).body);
  QCOMPARE(after.as_object().at("faults").as_object().at("memory_limit").to_number<int>(), 0);
}

// `iris-fire --target` runs R1 (split brain) on three real nodes: its partition goes through the
// admin API, and it passes. With a viewer token the partition cannot be made, and the run FAILs
// saying so rather than passing without its fault.
void TestAdminNodes::fireTargetRunsSplitBrainOnRealNodes() {
  QTemporaryDir dir;
  const QString tokens_file = write_tokens(dir);
  constexpr int kNodes = 3;
  std::vector<std::uint16_t> peer(kNodes), client(kNodes), admin(kNodes);
  std::string seeds;
  for (int i = 0; i < kNodes; ++i) {
    peer[i] = free_port();
    client[i] = free_port();
    admin[i] = free_port();
    seeds += (i ? "," : "") + std::string("node") + std::to_string(i) + "@127.0.0.1:" +
             std::to_string(peer[i]) + "@127.0.0.1:" + std::to_string(client[i]);
  }
  std::vector<std::unique_ptr<test::NodeProcess>> nodes;
  QStringList targets;
  for (int i = 0; i < kNodes; ++i) {
    nodes.push_back(std::make_unique<test::NodeProcess>());
    QVERIFY2(nodes.back()->start({"--node-id", QString("node%1").arg(i), "--listen",
                                  QString("127.0.0.1:%1").arg(client[i]), "--seeds",
                                  QString::fromStdString(seeds), "--shards", "1",
                                  "--insecure-dev-login", "--peer-down-after-ms", "500",
                                  "--admin-listen", QString("127.0.0.1:%1").arg(admin[i]),
                                  "--admin-tokens", tokens_file, "--enable-chaos"}),
             qPrintable(nodes.back()->error()));
    targets << QString("127.0.0.1:%1").arg(admin[i]);
  }
  QTRY_VERIFY_WITH_TIMEOUT(link_state(admin[0], "node1") == "up" &&
                               link_state(admin[0], "node2") == "up" &&
                               link_state(admin[1], "node2") == "up",
                           10000);
  const QString fire = qEnvironmentVariable("IRIS_BINARY_DIR") + "/app/iris-fire";
  auto run = [&](const char* token, const QString& report) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(fire, {"--target", targets.join(','), "--token", token, "--scenario", "R1",
                   "--report", report});
    if (!p.waitForFinished(120'000)) p.kill();
    return std::pair{p.exitCode(), QString::fromUtf8(p.readAll())};
  };
  const QString ok_report = dir.filePath("r1.json");
  auto [code, out] = run(kOperator, ok_report);
  QVERIFY2(code == 0, qPrintable(out));
  QFile f(ok_report);
  QVERIFY(f.open(QIODevice::ReadOnly));
  const json::value doc = json::parse(f.readAll().toStdString());
  const auto& r1 = doc.as_object().at("scenarios").as_array().at(0).as_object();
  QCOMPARE(r1.at("verdict").as_string(), "PASS");
  QCOMPARE(r1.at("target").as_string(), "real");
  bool partitioned = false;
  for (const auto& fault : r1.at("faults").as_array()) {
    const std::string what(fault.as_object().at("what").as_string());
    QVERIFY2(what.find("not applied") == std::string::npos, what.c_str());
    partitioned |= what.starts_with("Partition");
  }
  QVERIFY(partitioned);
  QVERIFY(r1.at("replay").as_string().find("--target") != std::string::npos);
  QVERIFY(nodes[0]->log().contains("admin_fault_started"));
  // A viewer token: the partition is refused, and the run says it did not test anything.
  auto [viewer_code, viewer_out] = run(kViewer, dir.filePath("viewer.json"));
  QCOMPARE(viewer_code, 1);
  QVERIFY2(viewer_out.contains("not applied"), qPrintable(viewer_out));
}

// slow_consumer on a user with a real session: the node stops writing to it (its messages wait),
// and once the fault ends they arrive, none lost.
void TestAdminNodes::slowConsumerOnARealSession() {
  QTemporaryDir dir;
  const QString tokens_file = write_tokens(dir);
  const std::uint16_t port = free_port();
  test::NodeProcess node;
  QVERIFY2(node.start({"--admin-listen", QString("127.0.0.1:%1").arg(port), "--admin-tokens",
                       tokens_file, "--enable-chaos", "--insecure-dev-login"}),
           qPrintable(node.error()));
  client::ClientOptions o;
  o.token = "reader";
  auto reader = client::Client::connect("127.0.0.1", node.tcp_port(), o);
  QVERIFY2(reader, reader ? "" : reader.status().message().c_str());
  o.token = "writer";
  auto writer = client::Client::connect("127.0.0.1", node.tcp_port(), o);
  QVERIFY(writer);
  const RawResponse r = http_call(port, http::verb::post, "/v1/faults", kOperator,
                                  R"({"kind":"slow_consumer","user":"reader","ttl_s":2})");
  QCOMPARE(r.status, 201);
  int delivered = 0;
  auto pump = [&](std::chrono::milliseconds for_how_long) {
    const auto until = std::chrono::steady_clock::now() + for_how_long;
    while (std::chrono::steady_clock::now() < until) {
      (*writer)->poll();
      (*reader)->poll();
      for (auto& e : (*reader)->events()) delivered += std::holds_alternative<client::Delivered>(e) ? 1 : 0;
      (*reader)->events().clear();
      (*writer)->events().clear();
      std::this_thread::sleep_for(2ms);
    }
  };
  for (int i = 0; i < 20; ++i) QVERIFY((*writer)->send("reader", "m" + std::to_string(i)) != 0);
  pump(1000ms);
  QCOMPARE(delivered, 0);  // held back on the node
  pump(3000ms);            // the fault's 2 s TTL ends: everything comes
  QCOMPARE(delivered, 20);
  QVERIFY(node.log().contains("slow_consumer reader"));
}

// shard_down: the shard holding a user goes down (its sessions get BYE, its users cannot log in)
// while the rest of the node serves; when the fault ends a fresh shard starts and loads what was
// stored for them: nothing lost.
void TestAdminNodes::shardDownThenRestartedFresh() {
  QTemporaryDir dir;
  const QString tokens_file = write_tokens(dir);
  const std::uint16_t port = free_port();
  test::NodeProcess node;
  QVERIFY2(node.start({"--admin-listen", QString("127.0.0.1:%1").arg(port), "--admin-tokens",
                       tokens_file, "--enable-chaos", "--insecure-dev-login", "--shards", "2"}),
           qPrintable(node.error()));
  // A reader on one shard, a writer on the other.
  std::string reader_id = "reader", writer_id;
  const auto reader_shard = core::shard_of(reader_id, 2);
  for (int i = 0; writer_id.empty(); ++i) {
    const std::string w = "writer" + std::to_string(i);
    if (core::shard_of(w, 2) != reader_shard) writer_id = w;
  }
  auto login = [&](const std::string& user) {
    client::ClientOptions o;
    o.token = user;
    return client::Client::connect("127.0.0.1", node.tcp_port(), o);
  };
  auto reader = login(reader_id);
  QVERIFY(reader);
  auto writer = login(writer_id);
  QVERIFY(writer);
  const RawResponse r = http_call(
      port, http::verb::post, "/v1/faults", kOperator,
      R"({"kind":"shard_down","shard":)" + std::to_string(reader_shard) + R"(,"ttl_s":3})");
  QCOMPARE(r.status, 201);
  // The reader's session ends; it cannot log in again while its shard is down.
  const auto until = std::chrono::steady_clock::now() + 2s;
  while ((*reader)->connected() && std::chrono::steady_clock::now() < until) {
    (*reader)->poll();
    std::this_thread::sleep_for(5ms);
  }
  QVERIFY(!(*reader)->connected());
  QVERIFY(!login(reader_id));
  // The writer, on the other shard, still works; what it sends the reader waits in the store.
  int acked = 0;
  for (int i = 0; i < 10; ++i) QVERIFY((*writer)->send(reader_id, "m" + std::to_string(i)) != 0);
  const auto until_acked = std::chrono::steady_clock::now() + 10s;
  while (acked < 10 && std::chrono::steady_clock::now() < until_acked) {
    (*writer)->poll();
    for (auto& e : (*writer)->events()) {
      if (auto* d = std::get_if<client::SendDone>(&e); d && d->status == protocol::SendStatus::kOk) ++acked;
    }
    (*writer)->events().clear();
    std::this_thread::sleep_for(5ms);
  }
  QCOMPARE(acked, 10);  // accepted once the shard was back (the client retries RETRY_LATER)
  // After the TTL a fresh shard serves the reader, with everything that was acknowledged.
  std::unique_ptr<client::Client> back;
  const auto until_back = std::chrono::steady_clock::now() + 8s;
  while (!back && std::chrono::steady_clock::now() < until_back) {
    if (auto c = login(reader_id)) back = std::move(*c);
    else std::this_thread::sleep_for(100ms);
  }
  QVERIFY(back);
  int delivered = 0;
  const auto until_delivered = std::chrono::steady_clock::now() + 5s;
  while (delivered < 10 && std::chrono::steady_clock::now() < until_delivered) {
    back->poll();
    for (auto& e : back->events()) delivered += std::holds_alternative<client::Delivered>(e) ? 1 : 0;
    back->events().clear();
    std::this_thread::sleep_for(5ms);
  }
  QCOMPARE(delivered, 10);
  QVERIFY(node.log().contains("down (admin fault)"));
  QVERIFY(node.log().contains("restarted"));
  QVERIFY(node.running());
}

// A node without --enable-chaos: the operator is refused faults (403); a viewer can read; no
// token gets 401; a malformed request leaves the node serving.
void TestAdminNodes::realNodeRefusals() {
  QTemporaryDir dir;
  const QString tokens_file = write_tokens(dir);
  const std::uint16_t port = free_port();
  test::NodeProcess node;
  QVERIFY2(node.start({"--admin-listen", QString("127.0.0.1:%1").arg(port), "--admin-tokens",
                       tokens_file}),
           qPrintable(node.error()));
  QCOMPARE(http_call(port, http::verb::get, "/v1/node").status, 401);
  QCOMPARE(http_call(port, http::verb::get, "/v1/node", "not-a-token-0123456789").status, 401);
  QCOMPARE(http_call(port, http::verb::get, "/v1/node", kViewer).status, 200);
  QCOMPARE(http_call(port, http::verb::post, "/v1/faults", kViewer, R"({"kind":"disk_full","ttl_s":5})").status, 403);
  const RawResponse r = http_call(port, http::verb::post, "/v1/faults", kOperator, R"({"kind":"disk_full","ttl_s":5})");
  QCOMPARE(r.status, 403);
  QVERIFY(r.body.find("enable-chaos") != std::string::npos);
  QVERIFY(raw_call(port, "\x16\x03\x01 not http at all\r\n\r\n").starts_with("HTTP/1.1 400"));
  QCOMPARE(http_call(port, http::verb::post, "/v1/faults", kOperator, std::string(100000, 'x')).status, 413);
  QCOMPARE(http_call(port, http::verb::get, "/v1/metrics", kViewer).status, 200);
  QVERIFY(node.running());
  // --admin-listen without tokens: refused at start, with a reason.
  test::NodeProcess bare;
  QVERIFY(!bare.start({"--admin-listen", "127.0.0.1:0"}));
  QVERIFY2(bare.log().contains("--admin-tokens"), qPrintable(bare.log()));
}

QTEST_MAIN(TestAdminNodes)
#include "tst_admin_nodes.moc"
