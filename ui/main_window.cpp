#include "ui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFormLayout>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>

#include "ui/charts_panel.h"
#include "ui/embedded_source.h"
#include "ui/i18n.h"
#include "ui/models.h"
#include "ui/recent_clusters.h"
#include "ui/remote_source.h"
#include "ui/runner_panel.h"
#include "ui/topology_view.h"

namespace iris::ui {

namespace {

QTableView* make_table(QAbstractItemModel* model, QWidget* parent) {
  auto* proxy = new QSortFilterProxyModel(parent);
  proxy->setSourceModel(model);
  proxy->setSortRole(kSortRole);
  auto* view = new QTableView(parent);
  view->setModel(proxy);
  view->setSortingEnabled(true);
  view->setSelectionBehavior(QAbstractItemView::SelectRows);
  view->setContextMenuPolicy(Qt::CustomContextMenu);
  view->verticalHeader()->hide();
  view->horizontalHeader()->setStretchLastSection(true);
  view->setAlternatingRowColors(true);
  return view;
}

// The source row under a point of a sorted table view, or -1.
int source_row(QTableView* view, const QPoint& pos) {
  const QModelIndex i = view->indexAt(pos);
  if (!i.isValid()) return -1;
  auto* proxy = static_cast<QSortFilterProxyModel*>(view->model());
  return proxy->mapToSource(i).row();
}

}  // namespace

MainWindow::MainWindow(std::unique_ptr<ClusterSource> source, QWidget* parent)
    : QMainWindow(parent), source_(std::move(source)) {
  setWindowTitle(tr("Iris console"));
  setObjectName("mainWindow");
  topology_ = new TopologyView(source_.get(), this);
  topology_->setObjectName("topology");
  setCentralWidget(topology_);
  nodes_ = new NodesModel(this);
  faults_ = new FaultsModel(this);
  users_ = new UsersModel(this);
  log_ = new EventLogModel(2000, this);
  buildActions();
  buildToolBar();
  buildDocks();
  buildMenus();
  status_time_ = new QLabel(this);
  status_totals_ = new QLabel(this);
  status_seed_ = new QLabel(this);
  statusBar()->addWidget(status_time_);
  statusBar()->addWidget(status_totals_, 1);
  statusBar()->addPermanentWidget(status_seed_);
  connect(source_.get(), &ClusterSource::snapshotReady, this, &MainWindow::onSnapshot);
  connect(source_.get(), &ClusterSource::eventLogged, this, &MainWindow::onEvent);
  restoreLayout();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions() {
  run_ = new QAction(tr("&Run"), this);
  run_->setObjectName("run");
  run_->setCheckable(true);
  run_->setChecked(true);
  run_->setShortcut(Qt::Key_Space);
  run_->setToolTip(tr("Run or pause the simulated cluster (Space)"));
  connect(run_, &QAction::toggled, this, [this](bool on) {
    run_->setText(on ? tr("&Pause") : tr("&Run"));
    source_->setSpeed(on ? static_cast<Speed>(speed_->currentData().toInt()) : Speed::kPaused);
    step_->setEnabled(!on);
  });
  run_->setText(tr("&Pause"));
  step_ = new QAction(tr("&Step"), this);
  step_->setObjectName("step");
  step_->setShortcut(Qt::Key_F10);
  step_->setEnabled(false);
  step_->setToolTip(tr("Run 1 ms of cluster time (F10, while paused)"));
  connect(step_, &QAction::triggered, this, [this] { source_->step(); });
  recover_all_ = new QAction(tr("Recover &all"), this);
  recover_all_->setObjectName("recoverAll");
  recover_all_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  recover_all_->setToolTip(tr("Undo every fault now: restart dead nodes, heal partitions, fix "
                              "disks, make slow readers read (Ctrl+R)"));
  connect(recover_all_, &QAction::triggered, this, [this] { source_->recoverAll(); });
}

void MainWindow::buildToolBar() {
  auto* bar = addToolBar(tr("Cluster"));
  bar->setObjectName("clusterToolBar");
  bar->addAction(run_);
  bar->addAction(step_);
  speed_ = new QComboBox(bar);
  speed_->setObjectName("speed");
  speed_->addItem(tr("Real time"), static_cast<int>(Speed::kRealTime));
  speed_->addItem(tr("×10"), static_cast<int>(Speed::kTimes10));
  speed_->addItem(tr("As fast as possible"), static_cast<int>(Speed::kFastest));
  speed_->setToolTip(tr("Simulation speed"));
  connect(speed_, &QComboBox::currentIndexChanged, this, [this] {
    if (run_->isChecked()) source_->setSpeed(static_cast<Speed>(speed_->currentData().toInt()));
  });
  bar->addWidget(speed_);
  bar->addSeparator();
  bar->addWidget(new QLabel(tr(" Users "), bar));
  users_spin_ = new QSpinBox(bar);
  users_spin_->setRange(2, 1'000'000);
  users_spin_->setToolTip(tr("Virtual users chatting (added, never removed)"));
  bar->addWidget(users_spin_);
  bar->addWidget(new QLabel(tr(" msgs/s each "), bar));
  rate_spin_ = new QDoubleSpinBox(bar);
  rate_spin_->setRange(0, 100);
  rate_spin_->setDecimals(2);
  rate_spin_->setSingleStep(0.5);
  rate_spin_->setToolTip(tr("Messages each user sends per second (0: the workload pauses)"));
  bar->addWidget(rate_spin_);
  bar->addWidget(new QLabel(tr(" to hot user "), bar));
  hot_spin_ = new QSpinBox(bar);
  hot_spin_->setRange(0, 100);
  hot_spin_->setSuffix(tr(" %"));
  hot_spin_->setToolTip(tr("Share of all messages sent to one hot user (u0000)"));
  bar->addWidget(hot_spin_);
  bar->addWidget(new QLabel(tr(" churn "), bar));
  churn_spin_ = new QDoubleSpinBox(bar);
  churn_spin_->setRange(0, 1000);
  churn_spin_->setDecimals(1);
  churn_spin_->setSuffix(tr(" /s"));
  churn_spin_->setToolTip(tr("Users going offline for 1-4 s, per second"));
  bar->addWidget(churn_spin_);
  auto* apply = bar->addAction(tr("Apply"));
  apply->setToolTip(tr("Apply the workload settings"));
  connect(apply, &QAction::triggered, this, &MainWindow::applyWorkload);
  bar->addSeparator();
  bar->addAction(recover_all_);
  if (qobject_cast<RemoteSource*>(source_.get()) != nullptr) {
    // A real cluster runs in real time and its load comes from real clients: only the faults
    // (menus) and Recover all apply.
    for (QAction* a : bar->actions()) {
      if (a != recover_all_) a->setVisible(false);
    }
    run_->setEnabled(false);
    step_->setEnabled(false);
    return;
  }
  if (auto latest = source_->latest()) {
    showWorkload(latest->workload);
  } else if (auto* e = qobject_cast<EmbeddedSource*>(source_.get())) {
    showWorkload(e->options().workload);
  }
}

void MainWindow::buildDocks() {
  auto dock = [this](const QString& title, const char* name, QWidget* w, Qt::DockWidgetArea a) {
    auto* d = new QDockWidget(title, this);
    d->setObjectName(name);
    d->setWidget(w);
    addDockWidget(a, d);
    return d;
  };
  nodes_view_ = make_table(nodes_, this);
  nodes_view_->setObjectName("nodesTable");
  connect(nodes_view_, &QWidget::customContextMenuRequested, this, &MainWindow::showNodeMenu);
  faults_view_ = make_table(faults_, this);
  faults_view_->setObjectName("faultsTable");
  connect(faults_view_, &QWidget::customContextMenuRequested, this, &MainWindow::showFaultMenu);
  users_view_ = make_table(users_, this);
  users_view_->setObjectName("usersTable");
  connect(users_view_, &QWidget::customContextMenuRequested, this, &MainWindow::showUserMenu);
  log_view_ = new QListView(this);
  log_view_->setObjectName("eventLog");
  log_view_->setModel(log_);
  log_view_->setUniformItemSizes(true);
  charts_ = new ChartsPanel(this);
  charts_->setObjectName("charts");
  runner_ = new ScenarioRunner(this);
  runner_panel_ = new RunnerPanel(runner_, this);
  runner_panel_->setObjectName("runnerPanel");
  connect(runner_panel_, &RunnerPanel::runStarted, this, [this] {
    watching_run_ = true;
    onEvent(last_time_s_, EventKind::kInfo, tr("Fire tests started: the views show each run"));
  });
  connect(runner_panel_, &RunnerPanel::runFinished, this, [this] {
    watching_run_ = false;
    if (auto s = source_->latest()) showSnapshot(s);
  });
  connect(runner_, &ScenarioRunner::snapshotReady, this, [this](const SnapshotPtr& s) {
    if (watching_run_) showSnapshot(s);
  });
  connect(runner_, &ScenarioRunner::scenarioFinished, this, [this](int, const ResultPtr& r) {
    onEvent(last_time_s_, EventKind::kVerdict,
            tr("%1 %2: %3 %4")
                .arg(QString::fromStdString(r->id), QString::fromStdString(r->name),
                     r->pass ? tr("PASS") : tr("FAIL"), QString::fromStdString(r->reason)));
  });
  auto* charts = dock(tr("Live charts"), "chartsDock", charts_, Qt::RightDockWidgetArea);
  auto* runner = dock(tr("Fire tests"), "runnerDock", runner_panel_, Qt::RightDockWidgetArea);
  auto* nodes = dock(tr("Nodes"), "nodesDock", nodes_view_, Qt::BottomDockWidgetArea);
  auto* faults = dock(tr("Active faults"), "faultsDock", faults_view_, Qt::BottomDockWidgetArea);
  auto* users = dock(tr("Hot users and slow consumers"), "usersDock", users_view_,
                     Qt::BottomDockWidgetArea);
  auto* log = dock(tr("Event log"), "logDock", log_view_, Qt::BottomDockWidgetArea);
  tabifyDockWidget(charts, runner);
  charts->raise();
  splitDockWidget(nodes, faults, Qt::Horizontal);
  tabifyDockWidget(faults, users);
  faults->raise();
  splitDockWidget(faults, log, Qt::Horizontal);
  resizeDocks({charts}, {560}, Qt::Horizontal);
  resizeDocks({nodes}, {260}, Qt::Vertical);
  nodes_view_->sortByColumn(NodesModel::kNode, Qt::AscendingOrder);
  auto* view = new QMenu(tr("&View"), this);
  for (QDockWidget* d : {charts, runner, nodes, faults, users, log}) {
    view->addAction(d->toggleViewAction());
  }
  view_menus_ << view;
}

void MainWindow::buildMenus() {
  auto* file = menuBar()->addMenu(tr("&File"));
  recent_menu_ = file->addMenu(tr("&Recent clusters"));
  recent_menu_->setObjectName("recentClusters");
  connect(recent_menu_, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
  fillRecentMenu();
  file->addSeparator();
  auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  auto* cluster = menuBar()->addMenu(tr("&Cluster"));
  if (qobject_cast<EmbeddedSource*>(source_.get()) != nullptr) {
    auto* fresh = cluster->addAction(tr("&New simulated cluster…"), this, &MainWindow::newCluster);
    fresh->setObjectName("newCluster");
    fresh->setShortcut(QKeySequence::New);
    cluster->addSeparator();
  }
  if (qobject_cast<EmbeddedSource*>(source_.get()) != nullptr) {
    // A new node joins the running cluster (users move to it once every member sees it); a
    // node leaves from its own menu in the topology.
    auto* join = cluster->addAction(tr("Add a &node"), this, [this] {
      source_->applyFault(sim::JoinNode{}, std::chrono::milliseconds{0});
    });
    join->setObjectName("joinNode");
    cluster->addSeparator();
  }
  auto* attach = cluster->addAction(tr("&Attach to cluster…"), this, [this] { attachDialog({}); });
  attach->setObjectName("attach");
  attach->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
  cluster->addSeparator();
  cluster->addAction(run_);
  cluster->addAction(step_);
  cluster->addSeparator();
  cluster->addAction(recover_all_);
  for (QMenu* m : view_menus_) menuBar()->addMenu(m);
  auto* settings = menuBar()->addMenu(tr("&Settings"));
  auto* prefs = settings->addAction(tr("&Preferences…"), this, &MainWindow::preferences);
  prefs->setObjectName("preferences");
  prefs->setShortcut(QKeySequence::Preferences);
  auto* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Iris console"), this, &MainWindow::about);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::restoreLayout() {
  QSettings s;
  if (!restoreGeometry(s.value("window/geometry").toByteArray())) resize(1400, 900);
  restoreState(s.value("window/state").toByteArray());
  const int speed = speed_->findData(s.value("cluster/speed", static_cast<int>(Speed::kRealTime)));
  if (speed >= 0) speed_->setCurrentIndex(speed);
  applyPreferences();
  if (auto* embedded = qobject_cast<EmbeddedSource*>(source_.get()))
    RecentClusters::add(RecentClusters::simulatedSpec(embedded->options()));
  if (auto* remote = qobject_cast<RemoteSource*>(source_.get())) {
    RecentClusters::add(remote->spec());
    setWindowTitle(tr("Iris console — attached to %1").arg(remote->options().nodes.join(", ")));
  }
}

// The preferences that take effect at once: how long menu faults last, how much the charts show.
void MainWindow::applyPreferences() {
  QSettings s;
  const int duration = s.value("ui/fault_duration", static_cast<int>(topology_->faultDuration())).toInt();
  if (duration >= 0 && duration <= static_cast<int>(TopologyView::FaultDuration::kUntilRecovered))
    topology_->setFaultDuration(static_cast<TopologyView::FaultDuration>(duration));
  charts_->setHistorySeconds(s.value("ui/chart_seconds", charts_->historySeconds()).toInt());
}

void MainWindow::fillRecentMenu() {
  recent_menu_->clear();
  const QStringList recent = RecentClusters::load();
  for (const QString& spec : recent) {
    QAction* a = recent_menu_->addAction(RecentClusters::label(spec));
    a->setData(spec);
    connect(a, &QAction::triggered, this, [this, spec] { openRecent(spec); });
  }
  if (recent.isEmpty()) recent_menu_->addAction(tr("(none yet)"))->setEnabled(false);
  recent_menu_->addSeparator();
  QAction* clear = recent_menu_->addAction(tr("Clear the list"));
  clear->setObjectName("clearRecent");
  clear->setEnabled(!recent.isEmpty());
  connect(clear, &QAction::triggered, this, [] { RecentClusters::clear(); });
}

bool MainWindow::openRecent(const QString& spec) {
  if (auto attach = RecentClusters::parseAttach(spec)) {
    attachDialog(*attach);  // the token is asked again: it is never stored
    return true;
  }
  auto* embedded = qobject_cast<EmbeddedSource*>(source_.get());
  const auto o = RecentClusters::parseSimulated(
      spec, embedded != nullptr ? embedded->options() : EmbeddedOptions{});
  if (o && embedded == nullptr) {  // from an attached window: a new embedded one
    auto* w = new MainWindow(std::make_unique<EmbeddedSource>(*o));
    w->setAttribute(Qt::WA_DeleteOnClose);
    w->show();
    return true;
  }
  if (!o) {
    onEvent(last_time_s_, EventKind::kError, tr("Cannot open the recent cluster %1").arg(spec));
    return false;
  }
  openSimulated(*o);
  return true;
}

// Attach to real nodes: their admin API addresses, a token, TLS. Opens a window of its own (the
// embedded cluster goes on in this one).
void MainWindow::attachDialog(const RemoteOptions& preset) {
  QDialog dialog(this);
  dialog.setWindowTitle(tr("Attach to cluster"));
  dialog.setObjectName("attachDialog");
  auto* nodes = new QLineEdit(preset.nodes.join(QStringLiteral(", ")), &dialog);
  nodes->setObjectName("nodes");
  nodes->setPlaceholderText(tr("127.0.0.1:7480, 127.0.0.1:7481"));
  nodes->setMinimumWidth(360);
  auto* token = new QLineEdit(&dialog);
  token->setObjectName("token");
  token->setEchoMode(QLineEdit::Password);
  token->setPlaceholderText(tr("viewer or operator token"));
  auto* tls = new QCheckBox(tr("TLS (https, wss)"), &dialog);
  tls->setObjectName("tls");
  tls->setChecked(preset.tls);
  auto* ca = new QLineEdit(preset.ca_file, &dialog);
  ca->setObjectName("ca");
  ca->setPlaceholderText(tr("CA certificate (PEM), if the nodes' is self-signed"));
  auto* note = new QLabel(tr("Addresses of the nodes' admin API (iris-node --admin-listen). The "
                             "token is kept in memory only."),
                          &dialog);
  note->setWordWrap(true);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Attach"));
  connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  auto* form = new QFormLayout(&dialog);
  form->addRow(tr("Nodes"), nodes);
  form->addRow(tr("Token"), token);
  form->addRow(QString(), tls);
  form->addRow(tr("CA file"), ca);
  form->addRow(note);
  form->addRow(buttons);
  if (dialog.exec() != QDialog::Accepted) return;
  RemoteOptions o;
  for (const QString& a : nodes->text().split(QRegularExpression(QStringLiteral("[,\\s]+")),
                                              Qt::SkipEmptyParts)) {
    o.nodes << a;
  }
  o.token = token->text();
  o.tls = tls->isChecked();
  o.ca_file = ca->text().trimmed();
  if (o.nodes.isEmpty()) {
    QMessageBox::warning(this, tr("Attach to cluster"), tr("Give at least one node address."));
    return;
  }
  openAttached(o);
}

MainWindow* MainWindow::openAttached(const RemoteOptions& options) {
  auto* w = new MainWindow(std::make_unique<RemoteSource>(options));
  w->setAttribute(Qt::WA_DeleteOnClose);
  w->show();
  return w;
}

void MainWindow::openSimulated(const EmbeddedOptions& options) {
  auto* embedded = qobject_cast<EmbeddedSource*>(source_.get());
  if (embedded == nullptr) return;
  showWorkload(options.workload);
  embedded->restart(options);
  RecentClusters::add(RecentClusters::simulatedSpec(options));
}

void MainWindow::closeEvent(QCloseEvent* event) {
  QSettings s;
  s.setValue("window/geometry", saveGeometry());
  s.setValue("window/state", saveState());
  s.setValue("cluster/speed", speed_->currentData());
  event->accept();
}

void MainWindow::onSnapshot(const SnapshotPtr& s) {
  last_time_s_ = s->time_s;
  if (!watching_run_) showSnapshot(s);
}

void MainWindow::showSnapshot(const SnapshotPtr& s) {
  topology_->setSnapshot(s);
  charts_->setSnapshot(s);
  nodes_->setSnapshot(s);
  faults_->setSnapshot(s);
  users_->setSnapshot(s);
  const double dt = s->time_s - last_events_t_;
  const double events_per_s =
      dt > 0 ? static_cast<double>(s->cluster.events - last_events_) / dt : 0;
  last_events_t_ = s->time_s;
  last_events_ = s->cluster.events;
  status_time_->setText(tr("t = %1 s").arg(s->time_s, 0, 'f', 1));
  if (qobject_cast<RemoteSource*>(source_.get()) != nullptr) {
    // Real nodes: their own counters; no checker, no simulator events.
    status_totals_->setText(tr("sends %1 · acknowledged %2 · delivered %3 (all nodes attached)")
                                .arg(s->cluster.sent)
                                .arg(s->cluster.acked)
                                .arg(s->cluster.delivered));
  } else {
    status_totals_->setText(tr("sent %1 · acknowledged %2 · delivered %3 · violations %4 · "
                               "%5 events per simulated second")
                                .arg(s->cluster.sent)
                                .arg(s->cluster.acked)
                                .arg(s->cluster.delivered)
                                .arg(s->cluster.violations)
                                .arg(events_per_s, 0, 'f', 0));
  }
  status_seed_->setText(s->name);
}

void MainWindow::onEvent(double time_s, EventKind kind, const QString& text) {
  log_->add(time_s, kind, text);
  log_view_->scrollToBottom();
}

void MainWindow::applyWorkload() {
  sim::WorkloadSettings w;
  if (auto latest = source_->latest()) w = latest->workload;
  w.users = static_cast<std::uint32_t>(users_spin_->value());
  w.msgs_per_user_per_s = rate_spin_->value();
  w.hot_share = hot_spin_->value() / 100.0;
  w.churn_per_s = churn_spin_->value();
  w.running = rate_spin_->value() > 0;
  source_->setWorkload(w);
}

void MainWindow::showWorkload(const sim::WorkloadSettings& w) {
  users_spin_->setValue(static_cast<int>(w.users));
  rate_spin_->setValue(w.msgs_per_user_per_s);
  hot_spin_->setValue(static_cast<int>(w.hot_share * 100 + 0.5));
  churn_spin_->setValue(w.churn_per_s);
}

void MainWindow::showNodeMenu(const QPoint& pos) {
  const int row = source_row(nodes_view_, pos);
  if (row < 0) return;
  if (QMenu* menu = topology_->menuForNode(row)) {
    menu->exec(nodes_view_->viewport()->mapToGlobal(pos));
    menu->deleteLater();
  }
}

void MainWindow::showFaultMenu(const QPoint& pos) {
  QMenu menu(this);
  menu.addAction(recover_all_);
  menu.exec(faults_view_->viewport()->mapToGlobal(pos));
}

void MainWindow::showUserMenu(const QPoint& pos) {
  const QString user = users_->user(source_row(users_view_, pos));
  if (user.isEmpty()) return;
  QMenu menu(this);
  auto* slow = menu.addAction(tr("Make %1 a slow consumer (30 s)").arg(user));
  slow->setObjectName("slowConsumer");
  connect(slow, &QAction::triggered, this, [this, user] {
    source_->applyFault(sim::SlowConsumer{user.toStdString(), true}, std::chrono::seconds(30));
  });
  auto* reads = menu.addAction(tr("Let %1 read again").arg(user));
  connect(reads, &QAction::triggered, this, [this, user] {
    source_->applyFault(sim::SlowConsumer{user.toStdString(), false}, {});
  });
  menu.exec(users_view_->viewport()->mapToGlobal(pos));
}

// Another embedded cluster: its size, its seed (the same seed replays the same run), its users.
void MainWindow::newCluster() {
  auto* embedded = qobject_cast<EmbeddedSource*>(source_.get());
  if (embedded == nullptr) return;
  EmbeddedOptions o = embedded->options();
  QDialog dialog(this);
  dialog.setWindowTitle(tr("New simulated cluster"));
  auto* nodes = new QSpinBox(&dialog);
  nodes->setRange(1, 200);
  nodes->setValue(static_cast<int>(o.nodes));
  auto* seed = new QSpinBox(&dialog);
  seed->setRange(1, 2'000'000'000);
  seed->setValue(static_cast<int>(std::min<std::uint64_t>(o.seed, 2'000'000'000)));
  auto* users = new QSpinBox(&dialog);
  users->setRange(2, 1'000'000);
  users->setValue(static_cast<int>(o.workload.users));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
  connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  auto* form = new QFormLayout(&dialog);
  form->addRow(tr("Nodes"), nodes);
  form->addRow(tr("Seed"), seed);
  form->addRow(tr("Users"), users);
  form->addRow(buttons);
  if (dialog.exec() != QDialog::Accepted) return;
  o.nodes = static_cast<std::uint32_t>(nodes->value());
  o.seed = static_cast<std::uint64_t>(seed->value());
  o.workload.users = static_cast<std::uint32_t>(users->value());
  openSimulated(o);
}

// Preferences: the language (applied at the next start, like most desktop applications do), how
// long a fault from the menus lasts and how much history the charts show (both at once).
void MainWindow::preferences() {
  QDialog dialog(this);
  dialog.setWindowTitle(tr("Preferences"));
  dialog.setObjectName("preferencesDialog");
  auto* language = new QComboBox(&dialog);
  language->setObjectName("language");
  language->addItem(tr("System default"), QString());
  for (const auto& [code, name] : languages()) language->addItem(name, code);
  QSettings s;
  language->setCurrentIndex(std::max(0, language->findData(s.value("ui/language").toString())));
  auto* note = new QLabel(tr("The language changes the next time the console starts."), &dialog);
  note->setWordWrap(true);
  auto* duration = new QComboBox(&dialog);
  duration->setObjectName("faultDuration");
  duration->addItem(tr("10 s"), static_cast<int>(TopologyView::FaultDuration::k10s));
  duration->addItem(tr("30 s"), static_cast<int>(TopologyView::FaultDuration::k30s));
  duration->addItem(tr("until recovered"),
                    static_cast<int>(TopologyView::FaultDuration::kUntilRecovered));
  duration->setCurrentIndex(
      std::max(0, duration->findData(static_cast<int>(topology_->faultDuration()))));
  auto* history = new QComboBox(&dialog);
  history->setObjectName("chartHistory");
  for (int seconds : {60, 120, 300}) history->addItem(tr("%1 min").arg(seconds / 60), seconds);
  history->setCurrentIndex(std::max(0, history->findData(charts_->historySeconds())));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
  connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  auto* form = new QFormLayout(&dialog);
  form->addRow(tr("Language"), language);
  form->addRow(note);
  form->addRow(tr("Faults from the menus last"), duration);
  form->addRow(tr("Charts show the last"), history);
  form->addRow(buttons);
  if (dialog.exec() != QDialog::Accepted) return;
  s.setValue("ui/language", language->currentData().toString());
  s.setValue("ui/fault_duration", duration->currentData().toInt());
  s.setValue("ui/chart_seconds", history->currentData().toInt());
  applyPreferences();
}

void MainWindow::about() {
  QMessageBox::about(this, tr("About Iris console"),
                     tr("<h3>Iris console %1</h3><p>Watch a cluster, break it on purpose, run "
                        "the fire tests. The embedded cluster runs the same engine code as "
                        "<tt>iris-node</tt>, on a deterministic simulator.</p>")
                         .arg(QStringLiteral(IRIS_VERSION)));
}

}  // namespace iris::ui
