#include "ui/models.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

namespace iris::ui {

namespace {

QString node_faults(const sim::NodeSnapshot& n) {
  QStringList f;
  if (n.disk_errors) f << QObject::tr("disk errors");
  if (n.disk_full) f << QObject::tr("disk full");
  if (n.disk_stalled) f << QObject::tr("disk stalled");
  if (n.disk_slow) f << QObject::tr("slow disk");
  if (n.cpu_burn_us) f << QObject::tr("CPU burn");
  if (n.memory_limit) f << QObject::tr("memory pressure");
  if (n.clog_us) f << QObject::tr("clogged");
  return f.join(", ");
}

QString seconds(double s) {
  return QLocale().toString(s, 'f', 1) + QObject::tr(" s");
}

}  // namespace

QString format_bytes(std::uint64_t bytes) {
  return QLocale().formattedDataSize(static_cast<qint64>(bytes), 1, QLocale::DataSizeTraditionalFormat);
}

// ---- NodesModel ----

void NodesModel::setSnapshot(const SnapshotPtr& s) {
  replaceRows(nodes_, s ? s->cluster.nodes : std::vector<sim::NodeSnapshot>{});
}

int NodesModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(nodes_.size());
}
int NodesModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumns;
}
bool NodesModel::alive(int row) const {
  return row >= 0 && row < static_cast<int>(nodes_.size()) && nodes_[row].alive;
}

QVariant NodesModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
    return {};
  }
  const auto& n = nodes_[static_cast<std::size_t>(index.row())];
  const QString faults = node_faults(n);
  if (role == kNodeRole) return index.row();
  if (role == Qt::ForegroundRole && index.column() == kState) {
    if (n.member_state == "left") return QBrush(QColor(0x7f, 0x8c, 0x8d));
    return QBrush(!n.alive ? QColor(0xc0, 0x39, 0x2b)
                           : faults.isEmpty() ? QColor(0x27, 0xae, 0x60) : QColor(0xd3, 0x84, 0x00));
  }
  if (role == Qt::TextAlignmentRole && index.column() >= kSessions && index.column() <= kDelivered) {
    return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
  }
  if (role != Qt::DisplayRole && role != kSortRole) return {};
  const bool sort = role == kSortRole;
  switch (index.column()) {
    case kNode: return QString::fromStdString(n.id);
    case kState:
      // Membership first: a node joining, leaving or gone says so.
      if (n.member_state == "left") return tr("left");
      if (!n.alive) return tr("down");
      if (n.member_state == "joining") return tr("joining");
      if (n.member_state == "leaving") return tr("leaving");
      return faults.isEmpty() ? tr("healthy") : tr("degraded");
    case kSessions: return QVariant::fromValue(n.sessions);
    case kUsers: return QVariant::fromValue(n.users);
    case kInbox: return QVariant::fromValue(n.inbox_messages);
    case kMemory: return sort ? QVariant::fromValue(n.memory_bytes) : QVariant(format_bytes(n.memory_bytes));
    case kStoreRows: return QVariant::fromValue(n.store_rows);
    case kAccepted: return QVariant::fromValue(n.sends_accepted);
    case kDelivered: return QVariant::fromValue(n.delivered);
    case kFaults: return faults;
  }
  return {};
}

QVariant NodesModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kNode: return tr("Node");
    case kState: return tr("State");
    case kSessions: return tr("Sessions");
    case kUsers: return tr("Users");
    case kInbox: return tr("Queued");
    case kMemory: return tr("Memory");
    case kStoreRows: return tr("Store rows");
    case kAccepted: return tr("Accepted");
    case kDelivered: return tr("Delivered");
    case kFaults: return tr("Faults");
  }
  return {};
}

// ---- FaultsModel ----

void FaultsModel::setSnapshot(const SnapshotPtr& s) {
  std::vector<Row> rows;
  if (s) {
    for (const auto& f : s->faults) {
      rows.push_back({f.label, f.target, f.applied_s,
                      f.expires_s ? std::max(0.0, *f.expires_s - s->time_s) : -1.0});
    }
    // Faults in force that the console did not apply (or whose undo is not its own).
    for (const auto& a : s->cluster.active_faults) {
      const QString label = QString::fromStdString(a);
      bool known = false;
      for (const auto& f : s->faults) known = known || label.startsWith(f.label.section(' ', 0, 0));
      if (!known) rows.push_back({label, label.section(' ', 1), -1, -1});
    }
  }
  replaceRows(rows_, std::move(rows));
}

int FaultsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}
int FaultsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumns;
}

QVariant FaultsModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
    return {};
  }
  const Row& r = rows_[static_cast<std::size_t>(index.row())];
  if (role == kSortRole) {
    switch (index.column()) {
      case kSince: return r.since_s;
      case kRemaining: return r.remaining_s < 0 ? 1e300 : r.remaining_s;
      default: break;
    }
  }
  if (role != Qt::DisplayRole && role != kSortRole) return {};
  switch (index.column()) {
    case kFault: return r.fault;
    case kTarget: return r.target;
    case kSince: return r.since_s < 0 ? QString("—") : seconds(r.since_s);
    case kRemaining: return r.remaining_s < 0 ? tr("until recovered") : seconds(r.remaining_s);
  }
  return {};
}

QVariant FaultsModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kFault: return tr("Fault");
    case kTarget: return tr("Target");
    case kSince: return tr("Since");
    case kRemaining: return tr("Remaining");
  }
  return {};
}

// ---- UsersModel ----

void UsersModel::setSnapshot(const SnapshotPtr& s) {
  std::vector<Row> rows;
  if (s) {
    for (std::size_t n = 0; n < s->cluster.nodes.size(); ++n) {
      const auto& node = s->cluster.nodes[n];
      for (const auto& shard : node.shards) {
        for (const auto& h : shard.hot_users) {
          rows.push_back({QString::fromStdString(h.user), QString::fromStdString(node.id),
                          static_cast<int>(n), true, false, h.buckets, h.inbox});
        }
      }
    }
    for (const auto& u : s->cluster.slow_consumers) {
      const QString name = QString::fromStdString(u);
      auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.user == name; });
      if (it != rows.end()) {
        it->slow = true;
      } else {
        rows.push_back({name, QString(), -1, false, true, 0, 0});
      }
    }
  }
  replaceRows(rows_, std::move(rows));
}

int UsersModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}
int UsersModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumns;
}
QString UsersModel::user(int row) const {
  return row >= 0 && row < static_cast<int>(rows_.size()) ? rows_[row].user : QString();
}

QVariant UsersModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
    return {};
  }
  const Row& r = rows_[static_cast<std::size_t>(index.row())];
  if (role == kNodeRole) return r.node_index;
  if (role != Qt::DisplayRole && role != kSortRole) return {};
  switch (index.column()) {
    case kUser: return r.user;
    case kNode: return r.node;
    case kCondition: {
      QStringList c;
      if (r.hot) c << tr("hot");
      if (r.slow) c << tr("slow consumer");
      return c.join(", ");
    }
    case kBuckets: return r.buckets;
    case kInbox: return QVariant::fromValue(static_cast<qulonglong>(r.inbox));
  }
  return {};
}

QVariant UsersModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kUser: return tr("User");
    case kNode: return tr("Home");
    case kCondition: return tr("Condition");
    case kBuckets: return tr("Buckets");
    case kInbox: return tr("Inbox");
  }
  return {};
}

// ---- EventLogModel ----

void EventLogModel::add(double time_s, EventKind kind, const QString& text) {
  if (entries_.size() >= capacity_) {
    beginRemoveRows({}, 0, 0);
    entries_.pop_front();
    endRemoveRows();
  }
  const int row = static_cast<int>(entries_.size());
  beginInsertRows({}, row, row);
  entries_.push_back({time_s, kind, text});
  endInsertRows();
}

int EventLogModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(entries_.size());
}

QVariant EventLogModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
    return {};
  }
  const Entry& e = entries_[static_cast<std::size_t>(index.row())];
  if (role == Qt::DisplayRole) {
    return QStringLiteral("%1  %2").arg(QLocale().toString(e.time_s, 'f', 2), 9).arg(e.text);
  }
  if (role == Qt::ForegroundRole) {
    switch (e.kind) {
      case EventKind::kFault:
      case EventKind::kError: return QBrush(QColor(0xc0, 0x39, 0x2b));
      case EventKind::kRecovery: return QBrush(QColor(0x27, 0xae, 0x60));
      case EventKind::kMembership: return QBrush(QColor(0xd3, 0x84, 0x00));
      default: return {};
    }
  }
  return {};
}

}  // namespace iris::ui
