#include "ui/remote_source.h"

#include <QFile>
#include <QJsonObject>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QUrlQuery>
#include <QWebSocket>
#include <algorithm>
#include <cmath>

#include <boost/json/parse.hpp>

#include "simulator/admin_faults.h"
#include "simulator/admin_snapshot.h"

namespace iris::ui {

namespace {

constexpr int kPublishMs = 100;
constexpr qint64 kStaleMs = 3000;  // a document older than this: its node counts as unreachable
constexpr int kMaxBackoffMs = 5000;

// Admin documents' fields (simulator/admin_snapshot.h), text as a QString.
using sim::json_array_at;
using sim::json_number;
using sim::json_object_at;
QString json_qstring(const boost::json::object& o, std::string_view key) {
  return QString::fromStdString(sim::json_text(o, key));
}

}  // namespace

RemoteSource::RemoteSource(RemoteOptions options, QObject* parent)
    : ClusterSource(parent), options_(std::move(options)) {
  qRegisterMetaType<iris::ui::SnapshotPtr>();
  qRegisterMetaType<iris::ui::EventKind>();
  options_.hz = std::clamp(options_.hz, 1, 10);
  http_ = new QNetworkAccessManager(this);
  clock_.start();
  nodes_.resize(static_cast<std::size_t>(options_.nodes.size()));
  for (int i = 0; i < options_.nodes.size(); ++i) {
    nodes_[static_cast<std::size_t>(i)].address = options_.nodes[i].trimmed();
  }
  connect(&publish_timer_, &QTimer::timeout, this, &RemoteSource::publish);
  publish_timer_.start(kPublishMs);
  // After the constructor: whoever made this source connects to its signals first.
  QTimer::singleShot(0, this, [this] {
    for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) probe(i);
  });
  publish();
}

RemoteSource::~RemoteSource() {
  destroying_ = true;
  for (auto& n : nodes_) {
    if (n.ws) {
      n.ws->disconnect(this);
      n.ws->abort();
    }
  }
}

QString RemoteSource::spec() const {
  QUrlQuery q;
  q.addQueryItem(QStringLiteral("nodes"), options_.nodes.join(','));
  q.addQueryItem(QStringLiteral("tls"), options_.tls ? QStringLiteral("1") : QStringLiteral("0"));
  if (!options_.ca_file.isEmpty()) q.addQueryItem(QStringLiteral("ca"), options_.ca_file);
  return QStringLiteral("attach:?") + q.toString(QUrl::FullyEncoded);
}

int RemoteSource::connectedCount() const {
  return static_cast<int>(
      std::count_if(nodes_.begin(), nodes_.end(), [](const Node& n) { return n.open; }));
}

QUrl RemoteSource::url(const QString& address, const QString& path) const {
  const bool stream = path.startsWith(QLatin1String("/v1/stream"));
  const QString scheme = stream ? (options_.tls ? "wss" : "ws") : (options_.tls ? "https" : "http");
  return QUrl(scheme + "://" + address + path);
}

static QNetworkRequest make_request(const QUrl& url, const RemoteOptions& o) {
  QNetworkRequest r(url);
  r.setRawHeader("Authorization", "Bearer " + o.token.toUtf8());
  r.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
  r.setTransferTimeout(5000);
  if (o.tls) {
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (!o.ca_file.isEmpty()) ssl.addCaCertificates(QSslCertificate::fromPath(o.ca_file));
    r.setSslConfiguration(ssl);
  }
  return r;
}

void RemoteSource::logOnce(int node, EventKind kind, const QString& text) {
  Node& n = nodes_[static_cast<std::size_t>(node)];
  if (n.last_error == text) return;
  n.last_error = text;
  emit eventLogged(static_cast<double>(clock_.elapsed()) / 1000.0, kind, text);
}

void RemoteSource::reportHttpError(int node, QNetworkReply* reply, const QString& what) {
  const QString who = nodes_[static_cast<std::size_t>(node)].address;
  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  const QString reason =
      QJsonDocument::fromJson(reply->readAll()).object().value("error").toString();
  QString text;
  if (status == 0) {
    text = tr("%1: %2 failed: node unreachable (%3)").arg(who, what, reply->errorString());
  } else if (status == 401) {
    text = tr("%1: %2 refused: wrong or missing token").arg(who, what);
  } else if (status == 403) {
    text = tr("%1: %2 refused: %3").arg(who, what, reason);
  } else {
    text = tr("%1: %2 failed (HTTP %3): %4").arg(who, what).arg(status).arg(reason);
  }
  logOnce(node, EventKind::kError, text);
}

void RemoteSource::probe(int node) {
  if (destroying_) return;
  QNetworkReply* reply = http_->get(make_request(
      url(nodes_[static_cast<std::size_t>(node)].address, QStringLiteral("/v1/node")), options_));
  connect(reply, &QNetworkReply::finished, this, [this, node, reply] {
    reply->deleteLater();
    if (destroying_) return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 200) {
      openStream(node);
      return;
    }
    reportHttpError(node, reply, tr("attach"));
    // A wrong token stays wrong: try again slowly; an unreachable node may come back.
    retryLater(node, {});
  });
}

void RemoteSource::retryLater(int node, const QString& why) {
  Node& n = nodes_[static_cast<std::size_t>(node)];
  if (!why.isEmpty()) logOnce(node, EventKind::kError, why);
  const int wait = n.backoff_ms + static_cast<int>(QRandomGenerator::global()->bounded(n.backoff_ms / 4 + 1));
  n.backoff_ms = std::min(n.backoff_ms * 2, kMaxBackoffMs);
  QTimer::singleShot(wait, this, [this, node] { probe(node); });
}

void RemoteSource::openStream(int node) {
  Node& n = nodes_[static_cast<std::size_t>(node)];
  if (n.ws) {
    n.ws->disconnect(this);
    n.ws->deleteLater();
  }
  n.ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
  QWebSocket* ws = n.ws;
  if (options_.tls) {
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (!options_.ca_file.isEmpty()) ssl.addCaCertificates(QSslCertificate::fromPath(options_.ca_file));
    ws->setSslConfiguration(ssl);
  }
  connect(ws, &QWebSocket::connected, this, [this, node] {
    Node& m = nodes_[static_cast<std::size_t>(node)];
    m.open = true;
    m.backoff_ms = 500;
    m.last_error.clear();
    emit eventLogged(static_cast<double>(clock_.elapsed()) / 1000.0, EventKind::kInfo,
                     tr("%1: attached").arg(m.address));
  });
  connect(ws, &QWebSocket::textMessageReceived, this,
          [this, node](const QString& text) { onDocument(node, text); });
  connect(ws, &QWebSocket::disconnected, this, [this, node, ws] {
    Node& m = nodes_[static_cast<std::size_t>(node)];
    if (m.ws != ws || destroying_) return;
    const bool was_open = m.open;
    m.open = false;
    retryLater(node, was_open ? tr("%1: stream lost; reconnecting").arg(m.address)
                              : tr("%1: stream refused (%2)").arg(m.address, ws->errorString()));
  });
  ws->open(make_request(url(n.address, QStringLiteral("/v1/stream?hz=%1").arg(options_.hz)), options_));
}

void RemoteSource::onDocument(int node, const QString& text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text.toStdString(), ec);
  if (ec || !v.is_object()) return;
  Node& n = nodes_[static_cast<std::size_t>(node)];
  n.doc = std::move(v.get_object());
  n.age.restart();
}

void RemoteSource::publish() {
  std::vector<boost::json::object> docs;
  for (const Node& n : nodes_) {
    if (n.open && !n.doc.empty() && n.age.isValid() && n.age.elapsed() < kStaleMs) docs.push_back(n.doc);
  }
  auto s = std::make_shared<LiveSnapshot>();
  s->cluster = sim::merge_admin_documents(docs);
  s->cluster.now_us = static_cast<std::uint64_t>(QDateTime::currentMSecsSinceEpoch()) * 1000;
  s->time_s = static_cast<double>(clock_.elapsed()) / 1000.0;
  s->speed = Speed::kRealTime;
  s->workload.running = false;
  s->name = tr("attached: %1 (%2 of %3 streams)")
                .arg(options_.nodes.join(QStringLiteral(", ")))
                .arg(connectedCount())
                .arg(nodes_.size());
  // Rates over the last second of the totals (a node that restarts resets its counters: no
  // negative rates); latency from the nodes' own last second.
  totals_.push_back({s->time_s, s->cluster.sent, s->cluster.acked, s->cluster.delivered});
  while (totals_.size() > 2 && s->time_s - totals_[1].t >= 1.0) totals_.pop_front();
  const Totals& from = totals_.front();
  const double dt = s->time_s - from.t;
  if (dt > 0) {
    auto rate = [dt](std::uint64_t now, std::uint64_t before) {
      return now >= before ? static_cast<double>(now - before) / dt : 0.0;
    };
    s->interval.sent_per_s = rate(s->cluster.sent, from.sent);
    s->interval.acked_per_s = rate(s->cluster.acked, from.acked);
    s->interval.delivered_per_s = rate(s->cluster.delivered, from.delivered);
  }
  s->interval.t_s = s->time_s;
  s->interval.interval_s = dt;
  for (const auto& d : docs) {
    const auto& r = json_object_at(json_object_at(d, "metrics"), "recent_deliver_latency_us");
    if (json_number(r, "count") <= 0) continue;
    s->interval.p50_ms = std::max(s->interval.p50_ms, json_number(r, "p50") / 1000);
    s->interval.p99_ms = std::max(s->interval.p99_ms, json_number(r, "p99") / 1000);
    s->interval.p999_ms = std::max(s->interval.p999_ms, json_number(r, "p999") / 1000);
  }
  // Faults in force, from every node, with their time left.
  QHash<QString, double> seen;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const auto& d = nodes_[i].doc;
    if (!nodes_[i].open || d.empty()) continue;
    const QString self = json_qstring(json_object_at(d, "node"), "id");
    for (const auto& v : json_array_at(d, "faults")) {
      if (!v.is_object()) continue;
      const auto& f = v.get_object();
      ConsoleFault cf;
      cf.id = i * 1'000'000 + static_cast<std::uint64_t>(json_number(f, "id"));
      cf.label = QString::fromStdString(sim::admin_fault_label(f));
      cf.target = f.contains("peer") ? self + QStringLiteral(" → ") + json_qstring(f, "peer") : self;
      const QString key = QStringLiteral("%1#%2").arg(i).arg(json_number(f, "id"));
      cf.applied_s = fault_seen_.value(key, s->time_s);
      seen.insert(key, cf.applied_s);
      cf.expires_s = s->time_s + json_number(f, "expires_in_ms") / 1000.0;
      s->faults.push_back(cf);
    }
  }
  fault_seen_ = std::move(seen);
  // Membership events: a link some node sees going up or down.
  for (const auto& n : s->cluster.nodes) {
    for (const auto& p : n.peers) {
      if (p.node >= s->cluster.nodes.size()) continue;
      const QString key = QString::fromStdString(n.id) + '>' + QString::fromStdString(s->cluster.nodes[p.node].id);
      auto it = link_up_.find(key);
      if (it != link_up_.end() && it.value() != p.up) {
        emit eventLogged(s->time_s, EventKind::kMembership,
                         tr("%1 sees %2 %3")
                             .arg(QString::fromStdString(n.id),
                                  QString::fromStdString(s->cluster.nodes[p.node].id),
                                  p.up ? tr("up") : tr("down")));
      }
      link_up_[key] = p.up;
    }
  }
  latest_ = s;
  emit snapshotReady(latest_);
}

QString RemoteSource::memberId(std::uint32_t member) const {
  if (!latest_ || member >= latest_->cluster.nodes.size()) return {};
  return QString::fromStdString(latest_->cluster.nodes[member].id);
}

int RemoteSource::nodeOfMember(std::uint32_t member) const {
  const QString id = memberId(member);
  for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) {
    const Node& n = nodes_[static_cast<std::size_t>(i)];
    if (n.open && json_qstring(json_object_at(n.doc, "node"), "id") == id) return i;
  }
  return -1;
}

void RemoteSource::post(int node, const QByteArray& body, const QString& what, bool any_node,
                        const QString& path, int ok_status) {
  QNetworkReply* reply = http_->post(
      make_request(url(nodes_[static_cast<std::size_t>(node)].address, path), options_), body);
  connect(reply, &QNetworkReply::finished, this, [this, node, reply, what, any_node, ok_status] {
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == ok_status) {
      nodes_[static_cast<std::size_t>(node)].last_error.clear();
      emit eventLogged(static_cast<double>(clock_.elapsed()) / 1000.0, EventKind::kFault,
                       tr("%1 on %2").arg(what, nodes_[static_cast<std::size_t>(node)].address));
      return;
    }
    if (any_node && status == 409) return;  // the user's session is on another node
    reportHttpError(node, reply, what);
  });
}

void RemoteSource::deleteAll(int node) {
  QNetworkReply* reply = http_->deleteResource(make_request(
      url(nodes_[static_cast<std::size_t>(node)].address, QStringLiteral("/v1/faults")), options_));
  connect(reply, &QNetworkReply::finished, this, [this, node, reply] {
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 200) {
      emit eventLogged(static_cast<double>(clock_.elapsed()) / 1000.0, EventKind::kRecovery,
                       tr("%1: recovered all").arg(nodes_[static_cast<std::size_t>(node)].address));
      return;
    }
    reportHttpError(node, reply, tr("recover all"));
  });
}

void RemoteSource::recoverAll() {
  for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) {
    if (nodes_[static_cast<std::size_t>(i)].open) deleteAll(i);
  }
}

void RemoteSource::applyFault(const sim::Fault& fault, std::chrono::milliseconds duration) {
  const auto ttl = duration.count() <= 0
                       ? static_cast<std::uint64_t>(kLongestFault.count())
                       : static_cast<std::uint64_t>(std::max<qint64>(1, (duration.count() + 999) / 1000));
  std::vector<std::string> members;
  if (latest_) {
    for (const auto& n : latest_->cluster.nodes) members.push_back(n.id);
  }
  const double now_s = static_cast<double>(clock_.elapsed()) / 1000.0;
  const auto actions = sim::admin_actions(fault, ttl, members, [this](std::uint32_t m) {
    return nodeOfMember(m) >= 0;
  });
  for (const sim::AdminAction& a : actions) {
    switch (a.type) {
      case sim::AdminAction::Type::kRefuse:
        emit eventLogged(now_s, EventKind::kError, QString::fromStdString(a.what));
        break;
      case sim::AdminAction::Type::kRecoverAll: recoverAll(); break;
      case sim::AdminAction::Type::kPost: {
        const int node = nodeOfMember(a.member);
        if (node < 0) {
          emit eventLogged(now_s, EventKind::kError,
                           tr("%1: not attached to its admin API").arg(memberId(a.member)));
          break;
        }
        post(node, QByteArray::fromStdString(a.body), QString::fromStdString(a.what), a.any_node,
             QString::fromStdString(a.path), a.ok_status);
        break;
      }
      case sim::AdminAction::Type::kEndMatching: {
        const int node = nodeOfMember(a.member);
        if (node < 0) break;
        for (const auto& v : json_array_at(nodes_[static_cast<std::size_t>(node)].doc, "faults")) {
          if (!v.is_object()) continue;
          const auto& f = v.get_object();
          if (!sim::ends(a, sim::json_text(f, "kind"), sim::json_text(f, "peer"),
                         sim::json_text(f, "user"))) {
            continue;
          }
          QNetworkReply* reply = http_->deleteResource(make_request(
              url(nodes_[static_cast<std::size_t>(node)].address,
                  QStringLiteral("/v1/faults/%1").arg(static_cast<qint64>(json_number(f, "id")))),
              options_));
          connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
        }
        break;
      }
    }
  }
}

}  // namespace iris::ui
