// iris-load against a real iris-node: open loop delivers what it offered and reports latency from
// the schedule; closed loop keeps its window; the idle pattern only logs in; --messages drains
// exactly that many; --processes splits the connections and merges the results; --websocket
// speaks to the node's WebSocket listener; bad flags are refused.
// Figures (not timed): the checks are about counts and the output's shape.

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include "node_process.h"

using iris::test::NodeProcess;

namespace {

struct Run {
  int code = -1;
  QString out;
  QJsonObject json;
};

Run load(const QStringList& args) {
  QTemporaryDir dir;
  const QString file = dir.filePath("load.json");
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(qEnvironmentVariable("IRIS_BINARY_DIR") + "/app/iris-load", QStringList(args) << "--json" << file);
  if (!p.waitForFinished(60'000)) p.kill();
  Run r;
  r.code = p.exitCode();
  r.out = QString::fromUtf8(p.readAll());
  QFile f(file);
  if (f.open(QIODevice::ReadOnly)) r.json = QJsonDocument::fromJson(f.readAll()).object();
  return r;
}

}  // namespace

class TestLoad : public QObject {
  Q_OBJECT
 private slots:
  void openClosedIdle();
  void drainedProcessesWebSocket();
  void badFlags();
};

void TestLoad::openClosedIdle() {
  NodeProcess node;
  QVERIFY2(node.start({"--insecure-dev-login"}), qPrintable(node.error()));
  const QString target = QString("127.0.0.1:%1").arg(node.tcp_port());
  Run open = load({"--target", target, "--connections", "20", "--rate", "2000", "--duration", "2",
                   "--warmup", "0.5"});
  QVERIFY2(open.code == 0, qPrintable(open.out));
  const double sent = open.json.value("sent").toDouble();
  QVERIFY2(sent >= 3500 && sent <= 4100, qPrintable(open.out));  // 2,000/s for 2 s
  QCOMPARE(open.json.value("acked").toDouble(), sent);
  QCOMPARE(open.json.value("delivered").toDouble(), sent);  // the window's, after the drain
  const QJsonObject ack = open.json.value("ack_latency_ms").toObject();
  QVERIFY(ack.value("p50").toDouble() > 0);
  QVERIFY(ack.value("p99").toDouble() >= ack.value("p50").toDouble());
  QCOMPARE(ack.value("count").toDouble(), sent);

  Run closed = load({"--target", target, "--connections", "10", "--mode", "closed", "--inflight",
                     "4", "--duration", "1", "--users-prefix", "c"});
  QVERIFY2(closed.code == 0, qPrintable(closed.out));
  QVERIFY(closed.json.value("acked").toDouble() > 100);
  QCOMPARE(closed.json.value("refused").toDouble(), 0.0);

  Run idle = load({"--target", target, "--connections", "50", "--pattern", "idle", "--duration",
                   "1", "--users-prefix", "i"});
  QVERIFY2(idle.code == 0, qPrintable(idle.out));
  QCOMPARE(idle.json.value("logged_in").toDouble(), 50.0);
  QCOMPARE(idle.json.value("sent").toDouble(), 0.0);
  QVERIFY(node.running());
}

void TestLoad::drainedProcessesWebSocket() {
  NodeProcess node;
  QVERIFY2(node.start({"--insecure-dev-login"}), qPrintable(node.error()));
  const QString tcp = QString("127.0.0.1:%1").arg(node.tcp_port());

  // Exactly 5,001 messages over 3 processes (blocks of 8, 8 and 4 connections): every one acked
  // and delivered, counts and histograms merged.
  Run drained = load({"--target", tcp, "--connections", "20", "--mode", "closed", "--inflight", "4",
                      "--messages", "5001", "--processes", "3", "--duration", "30"});
  QVERIFY2(drained.code == 0, qPrintable(drained.out));
  QCOMPARE(drained.json.value("sent").toDouble(), 5001.0);
  QCOMPARE(drained.json.value("acked").toDouble(), 5001.0);
  QCOMPARE(drained.json.value("delivered").toDouble(), 5001.0);
  QCOMPARE(drained.json.value("logged_in").toDouble(), 20.0);
  QVERIFY(drained.json.value("drained").toBool());
  QCOMPARE(drained.json.value("ack_latency_ms").toObject().value("count").toDouble(), 5001.0);
  QVERIFY(drained.json.value("duration_s").toDouble() > 0);

  // Shares that do not divide evenly still add up (999 over blocks of 34, 34 and 32), and a
  // process whose share is nothing sends nothing (1 message over 2 processes).
  for (auto [conns, messages] : {std::pair{"100", "999"}, {"4", "1"}}) {
    Run r = load({"--target", tcp, "--connections", conns, "--mode", "closed", "--messages",
                  messages, "--processes", conns == QString("4") ? "2" : "3", "--duration", "30",
                  "--users-prefix", QString("s%1-").arg(messages)});
    QVERIFY2(r.code == 0, qPrintable(r.out));
    QCOMPARE(r.json.value("acked").toDouble(), QString(messages).toDouble());
    QCOMPARE(r.json.value("delivered").toDouble(), QString(messages).toDouble());
    QVERIFY2(r.json.value("duration_s").toDouble() < 10, qPrintable(r.out));
  }

  // The same over WebSocket.
  Run ws = load({"--target", QString("127.0.0.1:%1").arg(node.ws_port()), "--websocket",
                 "--connections", "10", "--mode", "closed", "--messages", "2000", "--duration", "30",
                 "--users-prefix", "w"});
  QVERIFY2(ws.code == 0, qPrintable(ws.out));
  QCOMPARE(ws.json.value("acked").toDouble(), 2000.0);
  QCOMPARE(ws.json.value("delivered").toDouble(), 2000.0);

  // WebSocket client on the TCP port: no login, a non-zero exit.
  Run wrong = load({"--target", tcp, "--websocket", "--connections", "2", "--pattern", "idle",
                    "--duration", "1", "--users-prefix", "x"});
  QVERIFY2(wrong.code == 1, qPrintable(wrong.out));
  QCOMPARE(wrong.json.value("logged_in").toDouble(), 0.0);
  QVERIFY(node.running());
}

void TestLoad::badFlags() {
  for (const QStringList& args : {QStringList{"--connections", "0"}, QStringList{"--mode", "sideways"},
                                  QStringList{"--pattern", "storm"}, QStringList{"--target", "nowhere"},
                                  QStringList{"--duration", "99999"},
                                  QStringList{"--pattern", "hot", "--processes", "2"},
                                  QStringList{"--processes", "0"},
                                  QStringList{"--messages", "10"}}) {
    Run r = load(args);
    QVERIFY2(r.code == 2, qPrintable(args.join(' ') + ": " + r.out));
  }
}

QTEST_MAIN(TestLoad)
#include "tst_load.moc"
