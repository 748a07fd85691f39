#pragma once
// RemoteSource: a ClusterSource over the admin API of real iris-nodes (docs/operations.md). One
// WebSocket per node (/v1/stream at 10 Hz) after a GET /v1/node that tells a wrong token or an
// unreachable node apart; reconnects by itself with a growing back-off. The nodes' documents are
// merged into the same ClusterSnapshot the embedded source publishes, so every view works the
// same: members from the nodes' views, each node's figures from its own stream, links from both
// ends, a peer_drop as a cut and a peer_delay as a degraded link. Faults from the views become
// admin API requests (a partition: peer_drop on the first side's nodes; a clog: peer_delay on
// every link of the node; and so on), each with a TTL, so nothing stays broken if the console
// dies; what a real node cannot do (kill, restart) is refused with a message in the event log.
//
// Tokens live in memory only: never in settings, logs or events.

#include <QElapsedTimer>
#include <QHash>
#include <boost/json/object.hpp>
#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <deque>
#include <memory>
#include <vector>

#include "ui/cluster_source.h"

class QNetworkAccessManager;
class QNetworkReply;
class QWebSocket;

namespace iris::ui {

struct RemoteOptions {
  QStringList nodes;  // admin API "host:port" of one or more nodes of the cluster
  QString token;      // a viewer token shows; an operator token also injects faults
  bool tls = false;   // https / wss
  QString ca_file;    // PEM of a CA to trust besides the system's (self-signed node certs)
  int hz = 10;
};

class RemoteSource final : public ClusterSource {
  Q_OBJECT
 public:
  // How long a fault "until recovered" lasts on a real node (every admin fault has a TTL).
  static constexpr std::chrono::seconds kLongestFault{3600};

  explicit RemoteSource(RemoteOptions options, QObject* parent = nullptr);
  ~RemoteSource() override;

  void applyFault(const sim::Fault& fault, std::chrono::milliseconds duration) override;
  void recoverAll() override;
  void setSpeed(Speed) override {}                          // a real cluster runs in real time
  void step() override {}
  void setWorkload(const sim::WorkloadSettings&) override {}  // real clients make the load
  SnapshotPtr latest() const override { return latest_; }

  const RemoteOptions& options() const { return options_; }
  // "attach:?nodes=h:p,h:p&tls=0" for File > Recent clusters (no token).
  QString spec() const;
  // Streams open now.
  int connectedCount() const;


 private:
  struct Node {
    QString address;
    QWebSocket* ws = nullptr;
    boost::json::object doc;  // the latest /v1/stream document
    QElapsedTimer age;  // since doc arrived
    bool open = false;
    int backoff_ms = 500;
    QString last_error;  // the last error logged (not repeated while it stays the same)
  };

  QUrl url(const QString& address, const QString& path) const;
  void probe(int node);  // GET /v1/node, then open the stream
  void openStream(int node);
  void retryLater(int node, const QString& why);
  void onDocument(int node, const QString& text);
  void publish();
  void post(int node, const QByteArray& body, const QString& what, bool any_node,
            const QString& path = QStringLiteral("/v1/faults"), int ok_status = 201);
  void deleteAll(int node);
  int nodeOfMember(std::uint32_t member) const;  // stream index of a member, or -1
  QString memberId(std::uint32_t member) const;
  void reportHttpError(int node, QNetworkReply* reply, const QString& what);
  void logOnce(int node, EventKind kind, const QString& text);

  RemoteOptions options_;
  std::vector<Node> nodes_;
  QNetworkAccessManager* http_ = nullptr;
  QTimer publish_timer_;
  QElapsedTimer clock_;  // since attach
  SnapshotPtr latest_;
  // Totals at recent publishes (rates over the last second, as the embedded source's meter).
  struct Totals {
    double t;
    std::uint64_t sent, acked, delivered;
  };
  std::deque<Totals> totals_;
  QHash<QString, bool> link_up_;        // "n0>n1": last seen state, for membership events
  QHash<QString, double> fault_seen_;  // "<stream>#<fault id>": when this console first saw it
  bool destroying_ = false;
};

}  // namespace iris::ui
