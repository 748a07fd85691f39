#pragma once
// NodeProcess: one real iris-node as a child process, for the over-real-sockets tests.
// Starts the binary in a fresh temporary data dir (or a given one, to restart on the same data),
// waits (bounded) for its port file, exposes the bound ports and the token secret, stops it with
// SIGTERM (exit code checked by the caller) or kills it with SIGKILL, and reads its log and RSS.
// Every wait is bounded. The node's stderr (its log) and stdout go to files in a log directory
// that outlives restarts, so nothing here needs a running event loop.

#include <sys/prctl.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <random>
#include <QTemporaryDir>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "engine/auth/token.h"

namespace iris::test {

// A loopback port nobody holds now, for a node to bind a moment later (cluster members must know
// each other's ports before they start). Taken below the kernel's ephemeral range (32768+), so
// the outgoing connections of other tests running at the same time (load generators open
// thousands) cannot take it in between.
inline std::uint16_t free_port() {
  static std::mt19937 rng(std::random_device{}());
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const auto port = static_cast<std::uint16_t>(20000 + rng() % 12000);
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io);
    boost::system::error_code ec;
    a.open(boost::asio::ip::tcp::v4(), ec);
    if (!ec) a.bind({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    if (!ec) return port;
  }
  return 0;
}

class NodeProcess {
 public:
  NodeProcess() = default;
  ~NodeProcess() { kill(); }
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  // Path of the iris-node binary: $IRIS_BINARY_DIR/app/iris-node under CTest, else relative to
  // this test executable (build/<preset>/tests/engine -> build/<preset>/app).
  static QString binary() {
    const QString dir = qEnvironmentVariable("IRIS_BINARY_DIR");
    if (!dir.isEmpty()) return QDir(dir).filePath("app/iris-node");
    return QDir(QCoreApplication::applicationDirPath()).filePath("../../app/iris-node");
  }

  // Starts a node with `args` (on top of the listen / data-dir / port-file flags this class
  // owns). An empty data_dir means: the current one if the node ran before (restart on the same
  // data), else a new temporary directory. Returns false (see error()) when the node did not
  // write its port file within `timeout` or exited first; exit_code() and log() then tell why.
  bool start(const QStringList& args = {}, const QString& data_dir = {},
             std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    error_.clear();
    if (running()) {
      error_ = "node already running";
      return false;
    }
    if (!data_dir.isEmpty()) {
      data_dir_ = data_dir;
    } else if (data_dir_.isEmpty()) {
      tmp_ = std::make_unique<QTemporaryDir>();
      if (!tmp_->isValid()) {
        error_ = "cannot create a temporary data dir";
        return false;
      }
      data_dir_ = tmp_->filePath("data");
    }
    if (!logs_) {
      logs_ = std::make_unique<QTemporaryDir>();
      if (!logs_->isValid()) {
        error_ = "cannot create a temporary log dir";
        return false;
      }
    }
    QDir().mkpath(data_dir_);
    ++starts_;
    port_file_ = logs_->filePath(QString("ports-%1.json").arg(starts_));
    log_file_ = logs_->filePath(QString("node-%1.log").arg(starts_));
    QFile::remove(port_file_);
    tcp_ = ws_ = tls_ = 0;

    const QString bin = binary();
    if (!QFileInfo(bin).isExecutable()) {
      error_ = "iris-node binary not found at " + bin;
      return false;
    }
    QStringList all;
    all << "--data-dir" << data_dir_ << "--port-file" << port_file_;
    if (!args.contains("--listen"))
      all << "--listen"
          << "127.0.0.1:0";
    if (!args.contains("--ws-listen"))
      all << "--ws-listen"
          << "127.0.0.1:0";
    if (!args.contains("--shards"))
      all << "--shards"
          << "2";
    all << args;
    proc_ = std::make_unique<QProcess>();
    proc_->setProgram(bin);
    proc_->setArguments(all);
    proc_->setStandardOutputFile(log_file_, QIODevice::Append);
    proc_->setStandardErrorFile(log_file_, QIODevice::Append);
    // If this test process dies (crash, CTest timeout), the node dies with it.
    proc_->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    proc_->start();
    if (!proc_->waitForStarted(static_cast<int>(timeout.count()))) {
      error_ = "iris-node did not start: " + proc_->errorString();
      return false;
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (read_port_file()) return true;
      // Also notices an early exit (e.g. a bad flag).
      if (proc_->waitForFinished(20) || proc_->state() == QProcess::NotRunning) {
        error_ = QString("iris-node exited (code %1) before listening; log:\n%2")
                     .arg(proc_->exitCode())
                     .arg(log());
        return false;
      }
    }
    error_ = QString("no port file within %1 ms; log:\n%2").arg(timeout.count()).arg(log());
    kill();
    return false;
  }

  // SIGTERM and wait up to `timeout` for the exit. Returns the exit code, or -1 when the node did
  // not exit in time (it is then killed) or crashed (signal).
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    if (!proc_) return -1;
    if (proc_->state() != QProcess::NotRunning) {
      proc_->terminate();
      if (!proc_->waitForFinished(static_cast<int>(timeout.count()))) {
        kill();
        return -1;
      }
    }
    int code = proc_->exitStatus() == QProcess::NormalExit ? proc_->exitCode() : -1;
    proc_.reset();
    return code;
  }

  // SIGKILL (no drain) and reap.
  void kill() {
    if (!proc_) return;
    if (proc_->state() != QProcess::NotRunning) {
      proc_->kill();
      proc_->waitForFinished(5000);
    }
    proc_.reset();
  }

  // Exit code once the process has exited (after a failed start), else -1.
  int exit_code() {
    if (!proc_) return -1;
    if (proc_->state() != QProcess::NotRunning) proc_->waitForFinished(5000);
    if (proc_->state() != QProcess::NotRunning || proc_->exitStatus() != QProcess::NormalExit) {
      return -1;
    }
    return proc_->exitCode();
  }

  bool running() {
    if (!proc_) return false;
    proc_->waitForFinished(0);  // lets QProcess notice an exit without an event loop
    if (proc_->state() != QProcess::Running) return false;
    QFile stat(QString("/proc/%1/stat").arg(pid()));  // "pid (comm) S ...": not a zombie
    if (!stat.open(QIODevice::ReadOnly)) return false;
    QByteArray line = stat.readAll();
    int paren = line.lastIndexOf(')');
    return paren > 0 && line.size() > paren + 2 && line[paren + 2] != 'Z';
  }
  qint64 pid() const { return proc_ ? proc_->processId() : 0; }

  std::uint16_t tcp_port() const { return tcp_; }
  std::uint16_t ws_port() const { return ws_; }
  std::uint16_t tls_port() const { return tls_; }
  const QString& data_dir() const { return data_dir_; }

  // The node's token secret (created by the node at DATA_DIR/node.secret).
  std::string secret() const {
    std::ifstream in(QDir(data_dir_).filePath("node.secret").toStdString());
    std::string s;
    std::getline(in, s);
    return s;
  }
  std::string token(const std::string& user,
                    std::chrono::seconds ttl = std::chrono::hours(1)) const {
    return auth::mint_token_for(secret(), user, ttl);
  }

  // The log of the current (or last) run: stderr and stdout.
  QString log() const {
    QFile f(log_file_);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(f.readAll());
  }

  // The logs of every run of this object, oldest first.
  QString all_logs() const {
    QString out;
    for (int i = 1; logs_ && i <= starts_; ++i) {
      QFile f(logs_->filePath(QString("node-%1.log").arg(i)));
      if (f.open(QIODevice::ReadOnly)) out += QString::fromUtf8(f.readAll());
    }
    return out;
  }

  // Resident set size in KiB (/proc/<pid>/status VmRSS), or -1.
  qint64 rss_kib() const {
    if (!proc_ || pid() <= 0) return -1;
    QFile f(QString("/proc/%1/status").arg(pid()));
    if (!f.open(QIODevice::ReadOnly)) return -1;
    for (const QByteArray& line : f.readAll().split('\n')) {
      if (line.startsWith("VmRSS:")) {
        return line.mid(6).trimmed().split(' ').value(0).toLongLong();
      }
    }
    return -1;
  }

  QString error() const { return error_; }

 private:
  bool read_port_file() {
    QFile f(port_file_);
    if (!f.open(QIODevice::ReadOnly)) return false;
    auto doc = QJsonDocument::fromJson(f.readAll());
    if (!doc.isObject()) return false;
    auto o = doc.object();
    tcp_ = static_cast<std::uint16_t>(o.value("tcp").toInt());
    ws_ = static_cast<std::uint16_t>(o.value("ws").toInt());
    tls_ = static_cast<std::uint16_t>(o.value("tls").toInt());
    return true;
  }

  std::unique_ptr<QTemporaryDir> tmp_;   // data dir owner, when we created it
  std::unique_ptr<QTemporaryDir> logs_;  // logs and port files of every run
  std::unique_ptr<QProcess> proc_;
  QString data_dir_, port_file_, log_file_, error_;
  int starts_ = 0;
  std::uint16_t tcp_ = 0, ws_ = 0, tls_ = 0;
};

}  // namespace iris::test
