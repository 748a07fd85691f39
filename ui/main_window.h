#pragma once
// The console's main window: the topology in the middle; nodes, faults, users, the event log and
// the live charts in docks that remember their layout; a toolbar with run/pause/step, speed, the
// workload and an always-visible "Recover all". Everything it shows comes from a ClusterSource.

#include <QMainWindow>
#include <memory>

#include "ui/cluster_source.h"

class QAction;
class QMenu;
class QComboBox;
class QLabel;
class QSpinBox;
class QDoubleSpinBox;
class QTableView;
class QListView;

namespace iris::ui {

class TopologyView;
class ChartsPanel;
class NodesModel;
class FaultsModel;
class UsersModel;
class EventLogModel;
class ScenarioRunner;
class RunnerPanel;
struct EmbeddedOptions;
struct RemoteOptions;

class MainWindow final : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(std::unique_ptr<ClusterSource> source, QWidget* parent = nullptr);
  ~MainWindow() override;

  ClusterSource* source() const { return source_.get(); }
  TopologyView* topology() const { return topology_; }
  FaultsModel* faultsModel() const { return faults_; }
  NodesModel* nodesModel() const { return nodes_; }
  QTableView* nodesTable() const { return nodes_view_; }
  QAction* recoverAllAction() const { return recover_all_; }
  RunnerPanel* runnerPanel() const { return runner_panel_; }
  ChartsPanel* charts() const { return charts_; }
  QMenu* recentMenu() const { return recent_menu_; }
  // Opens a File > Recent clusters entry; false (and an error in the event log) if it cannot.
  bool openRecent(const QString& spec);
  // A new window on real nodes (their admin API); it deletes itself when closed.
  static MainWindow* openAttached(const RemoteOptions& options);

 public slots:
  void preferences();

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildActions();
  void buildMenus();
  void buildToolBar();
  void buildDocks();
  void restoreLayout();
  void onSnapshot(const SnapshotPtr& snapshot);
  void showSnapshot(const SnapshotPtr& snapshot);  // into every view
  void onEvent(double time_s, EventKind kind, const QString& text);
  void applyWorkload();
  void showWorkload(const sim::WorkloadSettings& workload);
  void showNodeMenu(const QPoint& pos);
  void showFaultMenu(const QPoint& pos);
  void showUserMenu(const QPoint& pos);
  void about();
  void newCluster();
  void openSimulated(const EmbeddedOptions& options);
  void attachDialog(const RemoteOptions& preset);
  void fillRecentMenu();
  void applyPreferences();

  std::unique_ptr<ClusterSource> source_;
  TopologyView* topology_ = nullptr;
  ChartsPanel* charts_ = nullptr;
  NodesModel* nodes_ = nullptr;
  FaultsModel* faults_ = nullptr;
  UsersModel* users_ = nullptr;
  EventLogModel* log_ = nullptr;
  QTableView* nodes_view_ = nullptr;
  QTableView* faults_view_ = nullptr;
  QTableView* users_view_ = nullptr;
  QListView* log_view_ = nullptr;

  QAction* run_ = nullptr;
  QAction* step_ = nullptr;
  QAction* recover_all_ = nullptr;
  QComboBox* speed_ = nullptr;
  QSpinBox* users_spin_ = nullptr;
  QDoubleSpinBox* rate_spin_ = nullptr;
  QSpinBox* hot_spin_ = nullptr;
  QDoubleSpinBox* churn_spin_ = nullptr;
  QLabel* status_time_ = nullptr;
  QLabel* status_totals_ = nullptr;
  QLabel* status_seed_ = nullptr;
  QList<QMenu*> view_menus_;
  QMenu* recent_menu_ = nullptr;

  ScenarioRunner* runner_ = nullptr;
  RunnerPanel* runner_panel_ = nullptr;
  bool watching_run_ = false;  // a fire-test run is on: the views show its cluster
  double last_time_s_ = 0;
  double last_events_t_ = 0;
  std::uint64_t last_events_ = 0;
};

}  // namespace iris::ui
