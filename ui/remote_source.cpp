#include "ui/remote_source.h"

#include <QFile>
#include <QJsonArray>
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

#include "simulator/admin_faults.h"

namespace iris::ui {

namespace {

constexpr int kPublishMs = 100;
constexpr qint64 kStaleMs = 3000;  // a document older than this: its node counts as unreachable
constexpr int kMaxBackoffMs = 5000;

std::uint64_t u64(const QJsonValue& v) {
  return static_cast<std::uint64_t>(std::max(0.0, v.toDouble()));
}

cluster::LinkState link_state(const QString& s) {
  for (auto st : {cluster::LinkState::kOpen, cluster::LinkState::kConnecting,
                  cluster::LinkState::kHalfOpen, cluster::LinkState::kClosed}) {
    if (s == QLatin1String(cluster::to_string(st))) return st;
  }
  return cluster::LinkState::kOpen;
}

// "peer_drop n1 both" for the faults table.
QString fault_label(const QJsonObject& f) {
  const QString kind = f.value("kind").toString();
  QString s = kind;
  if (f.contains("peer")) s += ' ' + f.value("peer").toString() + ' ' + f.value("direction").toString();
  if (f.contains("delay_ms")) s += QStringLiteral(" +%1 ms").arg(f.value("delay_ms").toInt());
  if (f.contains("latency_ms")) s += QStringLiteral(" %1 ms").arg(f.value("latency_ms").toInt());
  if (f.contains("percent")) s += QStringLiteral(" %1%").arg(f.value("percent").toInt());
  if (f.contains("shard_bytes"))
    s += QStringLiteral(" %1 B/shard").arg(static_cast<qint64>(f.value("shard_bytes").toDouble()));
  if (f.contains("user")) s += ' ' + f.value("user").toString();
  return s;
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
  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
  if (error.error != QJsonParseError::NoError || !doc.isObject()) return;
  Node& n = nodes_[static_cast<std::size_t>(node)];
  n.doc = doc.object();
  n.age.restart();
}

sim::ClusterSnapshot RemoteSource::merge(const std::vector<QJsonObject>& docs) {
  sim::ClusterSnapshot c;
  c.now_us = static_cast<std::uint64_t>(QDateTime::currentMSecsSinceEpoch()) * 1000;
  // Members: the longest list any node reports (single nodes report none: their own id then).
  QStringList members;
  for (const QJsonObject& d : docs) {
    const QJsonArray m = d.value("cluster").toObject().value("members").toArray();
    if (m.size() > members.size()) {
      members.clear();
      for (const auto& v : m) members << v.toObject().value("id").toString();
    }
  }
  for (const QJsonObject& d : docs) {
    const QString id = d.value("node").toObject().value("id").toString();
    if (!id.isEmpty() && !members.contains(id)) members << id;
  }
  c.nodes.resize(static_cast<std::size_t>(members.size()));
  for (int i = 0; i < members.size(); ++i) c.nodes[static_cast<std::size_t>(i)].id = members[i].toStdString();
  std::vector<bool> seen_up(c.nodes.size(), false);
  for (const QJsonObject& d : docs) {
    const QJsonObject node = d.value("node").toObject();
    const QJsonObject cl = d.value("cluster").toObject();
    const QJsonObject counters = d.value("metrics").toObject().value("counters").toObject();
    const int self = static_cast<int>(members.indexOf(node.value("id").toString()));
    if (self < 0) continue;
    sim::NodeSnapshot& n = c.nodes[static_cast<std::size_t>(self)];
    n.alive = true;
    n.incarnation = u64(node.value("incarnation"));
    n.sessions = u64(node.value("sessions"));
    n.inbox_messages = u64(node.value("inbox_messages"));
    n.memory_bytes = u64(node.value("memory_bytes"));
    n.store_rows = u64(node.value("store_rows"));
    n.sends_accepted = u64(counters.value("accepted"));
    n.delivered = u64(counters.value("delivered"));
    n.forwarded = u64(counters.value("forwarded"));
    n.handoff_queued = u64(counters.value("handoff_queued"));
    n.refused_store = u64(counters.value("rejected_store"));
    n.refused_retry_later = u64(counters.value("rejected_retry_later"));
    n.refused_rate = u64(counters.value("rejected_rate"));
    n.refused_order = u64(counters.value("rejected_order"));
    n.hot_promotions = u64(counters.value("hot_promotions"));
    n.bucketed_messages = u64(counters.value("bucketed_messages"));
    n.routes_fenced = u64(counters.value("routes_fenced"));
    for (const auto& v : node.value("shards").toArray()) {
      const QJsonObject s = v.toObject();
      sim::ShardSnapshot sh;
      sh.id = static_cast<std::uint32_t>(s.value("id").toInt());
      sh.sessions = u64(s.value("sessions"));
      sh.users = u64(s.value("users"));
      sh.inbox_messages = u64(s.value("inbox_messages"));
      sh.memory_bytes = u64(s.value("memory_bytes"));
      sh.sends_accepted = u64(s.value("sends_accepted"));
      sh.delivered = u64(s.value("delivered"));
      n.users += sh.users;
      n.shards.push_back(std::move(sh));
    }
    const QJsonObject faults = node.value("faults").toObject();
    n.cpu_burn_us = static_cast<std::uint64_t>(faults.value("cpu_burn_percent").toDouble() * 100);
    n.memory_limit = u64(faults.value("memory_limit"));
    n.disk_slow = faults.value("disk_slow").toBool();
    n.disk_full = faults.value("disk_full").toBool();
    for (const auto& v : cl.value("members").toArray()) {
      const QJsonObject m = v.toObject();
      if (!m.contains("link")) continue;
      const QJsonObject l = m.value("link").toObject();
      const int peer = static_cast<int>(members.indexOf(m.value("id").toString()));
      if (peer < 0) continue;
      cluster::PeerInfo p{};
      p.node = static_cast<cluster::NodeIndex>(peer);
      p.state = link_state(l.value("state").toString());
      p.up = l.value("up").toBool();
      p.last_heard_us = u64(l.value("last_heard_us"));
      p.rtt_us = u64(l.value("rtt_us"));
      p.consecutive_failures = static_cast<std::uint32_t>(l.value("consecutive_failures").toInt());
      p.ups = u64(l.value("ups"));
      p.downs = u64(l.value("downs"));
      if (p.up) seen_up[static_cast<std::size_t>(peer)] = true;
      n.peers.push_back(p);
    }
    for (const auto& v : cl.value("link_faults").toArray()) {
      const QJsonObject f = v.toObject();
      const int peer = static_cast<int>(members.indexOf(f.value("peer").toString()));
      if (peer < 0) continue;
      const QString dir = f.value("direction").toString();
      const auto a = static_cast<std::uint32_t>(self), b = static_cast<std::uint32_t>(peer);
      const bool out = dir != QLatin1String("in"), in = dir != QLatin1String("out");
      if (f.value("kind").toString() == QLatin1String("peer_drop")) {
        if (out) c.cuts.push_back({a, b});
        if (in) c.cuts.push_back({b, a});
      } else {
        const std::uint64_t us = u64(f.value("delay_ms")) * 1000;
        if (out) c.degraded.push_back({a, b, us, 0});
        if (in) c.degraded.push_back({b, a, us, 0});
      }
    }
    for (const auto& v : d.value("faults").toArray()) {
      c.active_faults.push_back(
          (fault_label(v.toObject()) + QStringLiteral(" (%1)").arg(members[self])).toStdString());
    }
    c.sent += u64(counters.value("sends"));
    c.acked += u64(counters.value("acked"));
    c.delivered += u64(counters.value("delivered"));
  }
  // A member no stream of ours covers is up if a node we see has a link up to it.
  for (std::size_t i = 0; i < c.nodes.size(); ++i) {
    if (!c.nodes[i].alive) c.nodes[i].alive = seen_up[i];
  }
  return c;
}

void RemoteSource::publish() {
  std::vector<QJsonObject> docs;
  QStringList covered;
  for (const Node& n : nodes_) {
    if (n.open && !n.doc.isEmpty() && n.age.isValid() && n.age.elapsed() < kStaleMs) {
      docs.push_back(n.doc);
      covered << n.doc.value("node").toObject().value("id").toString();
    }
  }
  auto s = std::make_shared<LiveSnapshot>();
  s->cluster = merge(docs);
  s->time_s = static_cast<double>(clock_.elapsed()) / 1000.0;
  s->speed = Speed::kRealTime;
  s->workload.running = false;
  s->name = tr("attached: %1 (%2 of %3 streams)")
                .arg(options_.nodes.join(QStringLiteral(", ")))
                .arg(connectedCount())
                .arg(nodes_.size());
  // Rates from the totals' change since the last publish; latency from the nodes' last second.
  const double dt = s->time_s - last_t_;
  if (last_t_ > 0 && dt > 0) {
    auto rate = [dt](std::uint64_t now, std::uint64_t before) {
      return now >= before ? static_cast<double>(now - before) / dt : 0.0;
    };
    s->interval.sent_per_s = rate(s->cluster.sent, last_sent_);
    s->interval.acked_per_s = rate(s->cluster.acked, last_acked_);
    s->interval.delivered_per_s = rate(s->cluster.delivered, last_delivered_);
  }
  s->interval.t_s = s->time_s;
  s->interval.interval_s = dt;
  for (const QJsonObject& d : docs) {
    const QJsonObject r = d.value("metrics").toObject().value("recent_deliver_latency_us").toObject();
    if (r.value("count").toDouble() <= 0) continue;
    s->interval.p50_ms = std::max(s->interval.p50_ms, r.value("p50").toDouble() / 1000);
    s->interval.p99_ms = std::max(s->interval.p99_ms, r.value("p99").toDouble() / 1000);
    s->interval.p999_ms = std::max(s->interval.p999_ms, r.value("p999").toDouble() / 1000);
  }
  last_t_ = s->time_s;
  last_sent_ = s->cluster.sent;
  last_acked_ = s->cluster.acked;
  last_delivered_ = s->cluster.delivered;
  // Faults in force, from every node, with their time left.
  QHash<QString, double> seen;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const QJsonObject& d = nodes_[i].doc;
    if (!nodes_[i].open || d.isEmpty()) continue;
    const QString self = d.value("node").toObject().value("id").toString();
    for (const auto& v : d.value("faults").toArray()) {
      const QJsonObject f = v.toObject();
      ConsoleFault cf;
      cf.id = i * 1'000'000 + static_cast<std::uint64_t>(f.value("id").toDouble());
      cf.label = fault_label(f);
      cf.target = f.contains("peer") ? self + QStringLiteral(" → ") + f.value("peer").toString() : self;
      const QString key = QStringLiteral("%1#%2").arg(i).arg(f.value("id").toDouble());
      cf.applied_s = fault_seen_.value(key, s->time_s);
      seen.insert(key, cf.applied_s);
      cf.expires_s = s->time_s + f.value("expires_in_ms").toDouble() / 1000.0;
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
    if (n.open && n.doc.value("node").toObject().value("id").toString() == id) return i;
  }
  return -1;
}

void RemoteSource::post(int node, const QByteArray& body, const QString& what, bool any_node) {
  QNetworkReply* reply = http_->post(
      make_request(url(nodes_[static_cast<std::size_t>(node)].address, QStringLiteral("/v1/faults")),
                   options_),
      body);
  connect(reply, &QNetworkReply::finished, this, [this, node, reply, what, any_node] {
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 201) {
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
        post(node, QByteArray::fromStdString(a.body), QString::fromStdString(a.what), a.any_node);
        break;
      }
      case sim::AdminAction::Type::kEndMatching: {
        const int node = nodeOfMember(a.member);
        if (node < 0) break;
        for (const auto& v : nodes_[static_cast<std::size_t>(node)].doc.value("faults").toArray()) {
          const QJsonObject f = v.toObject();
          if (!sim::ends(a, f.value("kind").toString().toStdString(),
                         f.value("peer").toString().toStdString(),
                         f.value("user").toString().toStdString())) {
            continue;
          }
          QNetworkReply* reply = http_->deleteResource(make_request(
              url(nodes_[static_cast<std::size_t>(node)].address,
                  QStringLiteral("/v1/faults/%1").arg(static_cast<qint64>(f.value("id").toDouble()))),
              options_));
          connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
        }
        break;
      }
    }
  }
}

}  // namespace iris::ui
