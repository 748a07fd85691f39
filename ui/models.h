#pragma once
// Item models over LiveSnapshots, for the console's tables: nodes, active faults, hot users and
// slow consumers, the event log. Each takes a snapshot with setSnapshot() (about 10 Hz): rows
// that stay are updated with dataChanged, a change in row count resets. Sortable through a
// QSortFilterProxyModel (numbers are returned as numbers for Qt::DisplayRole sorting via
// kSortRole).

#include <QAbstractListModel>
#include <QAbstractTableModel>
#include <deque>

#include "ui/cluster_source.h"

namespace iris::ui {

inline constexpr int kSortRole = Qt::UserRole + 1;  // the raw value a column sorts by
inline constexpr int kNodeRole = Qt::UserRole + 2;  // node index (nodes, hot users)

// A table model whose rows are replaced by each snapshot: a reset when the count changes, else
// dataChanged over everything (views keep selection and scroll position).
class SnapshotTableModel : public QAbstractTableModel {
 public:
  using QAbstractTableModel::QAbstractTableModel;

 protected:
  template <typename Rows>
  void replaceRows(Rows& rows, Rows fresh) {
    if (fresh.size() != rows.size()) {
      beginResetModel();
      rows = std::move(fresh);
      endResetModel();
      return;
    }
    rows = std::move(fresh);
    if (!rows.empty()) {
      emit dataChanged(index(0, 0), index(static_cast<int>(rows.size()) - 1, columnCount() - 1));
    }
  }
};

class NodesModel final : public SnapshotTableModel {
  Q_OBJECT
 public:
  enum Column { kNode, kState, kSessions, kUsers, kInbox, kMemory, kStoreRows, kAccepted,
                kDelivered, kFaults, kColumns };
  using SnapshotTableModel::SnapshotTableModel;
  void setSnapshot(const SnapshotPtr& snapshot);
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;
  bool alive(int row) const;

 private:
  std::vector<sim::NodeSnapshot> nodes_;
};

// Faults in force: those the console applied (with the time left) and any others the cluster
// reports (a scenario's), which RecoverAll also undoes.
class FaultsModel final : public SnapshotTableModel {
  Q_OBJECT
 public:
  enum Column { kFault, kTarget, kSince, kRemaining, kColumns };
  using SnapshotTableModel::SnapshotTableModel;
  void setSnapshot(const SnapshotPtr& snapshot);
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

 private:
  struct Row {
    QString fault, target;
    double since_s = -1;      // < 0: not known (not applied by the console)
    double remaining_s = -1;  // < 0: until recovered
  };
  std::vector<Row> rows_;
};

// Hot recipients (promoted to inbox buckets) and slow consumers, one table.
class UsersModel final : public SnapshotTableModel {
  Q_OBJECT
 public:
  enum Column { kUser, kNode, kCondition, kBuckets, kInbox, kColumns };
  using SnapshotTableModel::SnapshotTableModel;
  void setSnapshot(const SnapshotPtr& snapshot);
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;
  QString user(int row) const;

 private:
  struct Row {
    QString user, node;
    int node_index = -1;
    bool hot = false, slow = false;
    std::uint32_t buckets = 0;
    std::size_t inbox = 0;
  };
  std::vector<Row> rows_;
};

class EventLogModel final : public QAbstractListModel {
  Q_OBJECT
 public:
  explicit EventLogModel(std::size_t capacity = 2000, QObject* parent = nullptr)
      : QAbstractListModel(parent), capacity_(capacity) {}
  void add(double time_s, EventKind kind, const QString& text);
  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

 private:
  struct Entry {
    double time_s;
    EventKind kind;
    QString text;
  };
  std::size_t capacity_;
  std::deque<Entry> entries_;
};

QString format_bytes(std::uint64_t bytes);

}  // namespace iris::ui
