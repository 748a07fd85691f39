#include "ui/topology_view.h"

#include "ui/topology_items.h"

#include <QActionGroup>
#include <QContextMenuEvent>
#include <QCoreApplication>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QHelpEvent>
#include <QLocale>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QStyleOptionGraphicsItem>
#include <QToolTip>
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <numbers>

namespace iris::ui {

// ---------------------------------------------------------------------------------------------

std::chrono::milliseconds TopologyView::durationOf(FaultDuration duration) {
  switch (duration) {
    case FaultDuration::k10s:
      return std::chrono::seconds(10);
    case FaultDuration::k30s:
      return std::chrono::seconds(30);
    case FaultDuration::kUntilRecovered:
      return std::chrono::milliseconds(0);
  }
  return std::chrono::milliseconds(0);
}

TopologyView::TopologyView(ClusterSource* source, QWidget* parent)
    : QGraphicsView(parent), source_(source), scene_(new QGraphicsScene(this)) {
  setScene(scene_);
  setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setDragMode(QGraphicsView::RubberBandDrag);
  setFrameShape(QFrame::NoFrame);
  setMinimumSize(320, 240);
  setAccessibleName(tr("Cluster topology"));
  scene_->setPalette(palette());
  scene_->setFont(font());
  rebuild(0);
}

TopologyView::~TopologyView() = default;

void TopologyView::setSnapshot(const SnapshotPtr& snapshot) {
  if (!snapshot) return;
  snapshot_ = snapshot;
  const sim::ClusterSnapshot& c = snapshot->cluster;
  if (c.nodes.size() != nodes_.size()) rebuild(static_cast<int>(c.nodes.size()));
  double bar_reference = kBarMinReference;
  for (const auto& n : c.nodes) {
    for (const auto& s : n.shards)
      bar_reference = std::max(bar_reference, static_cast<double>(s.inbox_messages));
  }
  for (std::size_t i = 0; i < nodes_.size(); ++i) nodes_[i]->setNode(snapshot, i, bar_reference);
  updateLinks(c);
  int up = 0;
  for (const auto& n : c.nodes) up += n.alive ? 1 : 0;
  QString status =
      tr("%1 of %2 nodes up · cut links: %3").arg(up).arg(c.nodes.size()).arg(cut_links_);
  if (c.link_loss > 0) status += tr(" · loss %1%").arg(c.link_loss * 100, 0, 'g', 2);
  QString hidden;
  if (nodeCount() > kAllLinksMaxNodes)
    hidden =
        tr("healthy links not drawn: %1").arg(QLocale().toString(linkCount() - drawnLinkCount()));
  legend_->setStatus(tr("t = %1 s").arg(snapshot->time_s, 0, 'f', 1), status, hidden);
}

void TopologyView::updateLinks(const sim::ClusterSnapshot& c) {
  const int n = nodeCount();
  const auto at = [n](int from, int to) { return static_cast<std::size_t>(from * n + to); };
  std::vector<char> cut(static_cast<std::size_t>(n * n), 0);
  for (const auto& k : c.cuts) {
    if (k.from < static_cast<std::uint32_t>(n) && k.to < static_cast<std::uint32_t>(n))
      cut[at(static_cast<int>(k.from), static_cast<int>(k.to))] = 1;
  }
  // A large cluster with many cut links: no marker each, the links are drawn in the cut colour.
  cut_links_ = 0;
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) cut_links_ += cut[at(a, b)] || cut[at(b, a)] ? 1 : 0;
  }
  const bool markers = n <= kAllLinksMaxNodes || cut_links_ <= kMaxCutMarkers;
  links_->setCutsDrawn(!markers);
  // Latency and loss an operator added, per direction.
  std::vector<const sim::DegradedLink*> degraded(static_cast<std::size_t>(n * n), nullptr);
  for (const auto& d : c.degraded) {
    if (d.from < static_cast<std::uint32_t>(n) && d.to < static_cast<std::uint32_t>(n))
      degraded[at(static_cast<int>(d.from), static_cast<int>(d.to))] = &d;
  }
  // What each live node reports of each peer (nullptr: no report).
  std::vector<const cluster::PeerInfo*> seen(static_cast<std::size_t>(n * n), nullptr);
  for (int a = 0; a < n; ++a) {
    const auto& na = c.nodes[static_cast<std::size_t>(a)];
    if (!na.alive) continue;
    for (const auto& p : na.peers) {
      if (p.node < n && !seen[at(a, p.node)]) seen[at(a, p.node)] = &p;
    }
  }
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) {
      const auto i = static_cast<std::size_t>(linkIndex(a, b));
      const bool alive_a = c.nodes[static_cast<std::size_t>(a)].alive;
      const bool alive_b = c.nodes[static_cast<std::size_t>(b)].alive;
      const cluster::PeerInfo* ab = seen[at(a, b)];
      const cluster::PeerInfo* ba = seen[at(b, a)];
      const int reports = (ab ? 1 : 0) + (ba ? 1 : 0);
      const int ups = (ab && ab->up ? 1 : 0) + (ba && ba->up ? 1 : 0);
      const std::uint64_t rtt =
          std::max(ab && ab->up ? ab->rtt_us : 0, ba && ba->up ? ba->rtt_us : 0);
      LinkHealth h = LinkHealth::kUp;
      QString label;
      if (c.nodes[static_cast<std::size_t>(a)].member_state == "left" ||
          c.nodes[static_cast<std::size_t>(b)].member_state == "left") {
        h = LinkHealth::kGone;
      } else if (!alive_a || !alive_b || ups == 0) {
        h = LinkHealth::kDown;
      } else if (ups < reports) {
        h = LinkHealth::kOneSided;
      } else if (rtt > kSlowRttUs) {
        h = LinkHealth::kSlow;
        label = tr("%1 ms").arg(static_cast<double>(rtt) / 1e3, 0, 'f', 0);
      }
      if (const QString d = degradedLabel(degraded[at(a, b)], degraded[at(b, a)]); !d.isEmpty()) {
        if (h == LinkHealth::kUp) h = LinkHealth::kSlow;
        label = d;  // what was done to it (its rtt is in the tooltip)
      }
      const bool cut_ab = cut[at(a, b)] != 0, cut_ba = cut[at(b, a)] != 0;
      // Most links are not cut and were not: leave their markers alone (thousands of items).
      if (cut_ab || cut_ba || links_->cut(i)) cuts_[i]->setCut(cut_ab, cut_ba, markers);
      links_->setState(i, h, cut_ab || cut_ba, label);
    }
  }
  links_->commit();
}

// "+100 ms" over "5% loss" for a link an operator degraded (the worse direction, an arrow when
// one way only); empty when healthy.
QString TopologyView::degradedLabel(const sim::DegradedLink* ab, const sim::DegradedLink* ba) {
  std::uint64_t extra = 0;
  double loss = 0;
  for (const auto* d : {ab, ba}) {
    if (!d) continue;
    extra = std::max(extra, d->extra_us);
    loss = std::max(loss, d->loss);
  }
  QStringList parts;
  if (extra) parts << tr("+%1 ms").arg(static_cast<double>(extra) / 1e3, 0, 'f', 0);
  if (loss > 0) parts << tr("%1% loss").arg(loss * 100, 0, 'g', 2);
  if (!parts.isEmpty() && (!ab || !ba)) parts.front() += ab ? QStringLiteral(" →") : QStringLiteral(" ←");
  return parts.join(QLatin1Char('\n'));
}

QString TopologyView::linkToolTip(int a, int b) const {
  if (!snapshot_ || a < 0 || b < 0 || a >= nodeCount() || b >= nodeCount()) return {};
  const auto& nodes = snapshot_->cluster.nodes;
  const auto side = [&](int from, int to) {
    const auto& n = nodes[static_cast<std::size_t>(from)];
    const cluster::PeerInfo* p = n.alive ? peerInfo(n, to) : nullptr;
    if (!p) return tr("%1: no report (down)").arg(nodeName(from));
    return tr("%1 sees %2 %3, rtt %4 ms (%5)")
        .arg(nodeName(from), nodeName(to), p->up ? tr("up") : tr("down"))
        .arg(static_cast<double>(p->rtt_us) / 1e3, 0, 'f', 2)
        .arg(QString::fromLatin1(cluster::to_string(p->state)));
  };
  QString tip = side(a, b) + QLatin1Char('\n') + side(b, a);
  for (const auto& d : snapshot_->cluster.degraded) {
    if (!((d.from == static_cast<std::uint32_t>(a) && d.to == static_cast<std::uint32_t>(b)) ||
          (d.from == static_cast<std::uint32_t>(b) && d.to == static_cast<std::uint32_t>(a))))
      continue;
    tip += QLatin1Char('\n') + tr("%1 → %2 degraded: +%3 ms, %4% of packets lost")
                                   .arg(nodeName(static_cast<int>(d.from)),
                                        nodeName(static_cast<int>(d.to)))
                                   .arg(static_cast<double>(d.extra_us) / 1e3, 0, 'f', 0)
                                   .arg(d.loss * 100, 0, 'g', 2);
  }
  return tip;
}

void TopologyView::rebuild(int count) {
  scene_->clearSelection();
  scene_->clear();
  nodes_.clear();
  links_ = nullptr;
  cuts_.clear();
  const bool large = count > kAllLinksMaxNodes;
  const auto pts = ringPositions(count);
  QRectF ring;
  for (int i = 0; i < count; ++i) {
    auto* item = new TopologyNodeItem(i, large);
    item->setPos(pts[static_cast<std::size_t>(i)]);
    scene_->addItem(item);
    nodes_.push_back(item);
    const double overhang = large ? kCompactOverhang : 0;  // an id wider than its box
    ring = ring.united(
        footprint(pts[static_cast<std::size_t>(i)]).adjusted(-overhang, 0, overhang, 0));
  }
  links_ = new TopologyLinksItem(pts, large);
  scene_->addItem(links_);
  for (int a = 0; a < count; ++a) {
    for (int b = a + 1; b < count; ++b) {
      const QPointF pa = pts[static_cast<std::size_t>(a)], pb = pts[static_cast<std::size_t>(b)];
      cuts_.push_back(new TopologyCutItem(a, b, pa, pb, nodeName(a), nodeName(b), large));
      scene_->addItem(cuts_.back());
    }
  }
  if (count == 0) {
    auto* waiting =
        scene_->addSimpleText(tr("Waiting for the first snapshot…"), sceneFont(scene_, 16));
    waiting->setBrush(palette().color(QPalette::PlaceholderText));
    ring = waiting->sceneBoundingRect();
  }
  legend_ = new TopologyLegendItem(large);
  if (large) legend_->setScale(std::max(1.0, ring.height() / (kLegendPerRing * kLegendH)));
  legend_->setPos(ring.right() + kLegendGap * legend_->scale(), ring.top());
  scene_->addItem(legend_);
  const QRectF all = ring.united(legend_->sceneBoundingRect());
  scene_->setSceneRect(all.adjusted(-kSceneMargin, -kSceneMargin, kSceneMargin, kSceneMargin));
  fit();
}

void TopologyView::fit() {
  const QRectF r = scene_->sceneRect();
  if (r.isEmpty() || viewport()->width() < 2 || viewport()->height() < 2) return;
  fitInView(r, Qt::KeepAspectRatio);
  if (transform().m11() > kMaxScale) {
    setTransform(QTransform::fromScale(kMaxScale, kMaxScale));
    centerOn(r.center());
  }
}

int TopologyView::linkIndex(int a, int b) const {
  if (a > b) std::swap(a, b);
  const int n = nodeCount();
  return a * n - a * (a + 1) / 2 + (b - a - 1);
}

QString TopologyView::nodeName(int node) const {
  if (snapshot_ && node >= 0 && static_cast<std::size_t>(node) < snapshot_->cluster.nodes.size())
    return QString::fromStdString(snapshot_->cluster.nodes[static_cast<std::size_t>(node)].id);
  return tr("node %1").arg(node);
}

bool TopologyView::nodeAlive(int node) const {
  if (!snapshot_ || node < 0 || static_cast<std::size_t>(node) >= snapshot_->cluster.nodes.size())
    return true;  // nothing known yet: offer the faults for a live node
  return snapshot_->cluster.nodes[static_cast<std::size_t>(node)].alive;
}

int TopologyView::linkCount() const {
  return links_ ? static_cast<int>(links_->count()) : 0;
}

int TopologyView::drawnLinkCount() const {
  return links_ ? links_->drawnCount() : 0;
}

bool TopologyView::linkDrawn(int a, int b) const {
  if (a == b || a < 0 || b < 0 || a >= nodeCount() || b >= nodeCount()) return false;
  return links_->drawn(static_cast<std::size_t>(linkIndex(a, b)));
}

std::pair<int, int> TopologyView::linkAt(QPoint pos) const {
  if (!links_) return {-1, -1};
  // 8 units either side (a 16-unit wide stroke), at least 4 pixels when drawn small.
  const double tolerance = std::max(8.0, 4.0 / std::max(transform().m11(), 1e-6));
  const int i = links_->linkAt(mapToScene(pos), tolerance);
  return i < 0 ? std::pair{-1, -1} : links_->ends(static_cast<std::size_t>(i));
}

QString TopologyView::status() const {
  return legend_ ? legend_->status() : QString();
}

bool TopologyView::legendFits() const {
  return legend_ && legend_->textFits();
}

int TopologyView::visibleCutCount() const {
  return static_cast<int>(
      std::count_if(cuts_.begin(), cuts_.end(), [](auto* c) { return c->isVisible(); }));
}

QGraphicsItem* TopologyView::nodeItem(int node) const {
  return node >= 0 && node < nodeCount() ? nodes_[static_cast<std::size_t>(node)] : nullptr;
}

QGraphicsItem* TopologyView::cutItem(int a, int b) const {
  if (a == b || a < 0 || b < 0 || a >= nodeCount() || b >= nodeCount()) return nullptr;
  return cuts_[static_cast<std::size_t>(linkIndex(a, b))];
}

TopologyView::LinkHealth TopologyView::linkHealth(int a, int b) const {
  if (a == b || a < 0 || b < 0 || a >= nodeCount() || b >= nodeCount()) return LinkHealth::kDown;
  return links_->health(static_cast<std::size_t>(linkIndex(a, b)));
}

std::vector<int> TopologyView::selectedNodes() const {
  std::vector<int> out;
  for (int i = 0; i < nodeCount(); ++i) {
    if (nodes_[static_cast<std::size_t>(i)]->isSelected()) out.push_back(i);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Events

bool TopologyView::viewportEvent(QEvent* event) {
  // Links are not items of their own: their tooltip is made here, when asked for. Nodes, cuts and
  // the legend lie over the links and answer first.
  if (event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    if (!itemAt(help->pos())) {
      const auto [a, b] = linkAt(help->pos());
      if (a >= 0) {
        QToolTip::showText(help->globalPos(), linkToolTip(a, b), viewport(),
                           QRect(help->pos() - QPoint(4, 4), QSize(8, 8)));
        return true;
      }
    }
  }
  return QGraphicsView::viewportEvent(event);
}

void TopologyView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  fit();
}

void TopologyView::showEvent(QShowEvent* event) {
  QGraphicsView::showEvent(event);
  fit();
}

void TopologyView::changeEvent(QEvent* event) {
  QGraphicsView::changeEvent(event);
  if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) {
    scene_->setPalette(palette());
    scene_->setFont(font());
    scene_->update();
    if (links_) links_->update();  // its cache, if any, too (slow links' labels)
  }
}

void TopologyView::mousePressEvent(QMouseEvent* event) {
  // The scene would clear the selection on a right press: keep it for the context menu.
  if (event->button() == Qt::RightButton) {
    event->accept();
    return;
  }
  QGraphicsView::mousePressEvent(event);
}

void TopologyView::contextMenuEvent(QContextMenuEvent* event) {
  QGraphicsItem* item = itemAt(event->pos());
  while (item && item->parentItem()) item = item->parentItem();
  const int kind = item ? item->data(kKindKey).toInt() : kNoKind;
  QMenu* menu = nullptr;
  if (kind == kNodeKind) {
    if (!item->isSelected()) {  // right-click selects what it hits, like a file manager
      scene_->clearSelection();
      item->setSelected(true);
    }
    menu =
        selectedNodes().size() >= 2 ? menuForSelection() : menuForNode(item->data(kAKey).toInt());
  } else if (kind == kCutKind) {
    menu = menuForLink(item->data(kAKey).toInt(), item->data(kBKey).toInt());
  } else if (const auto [a, b] = linkAt(event->pos()); !item && a >= 0) {
    menu = menuForLink(a, b);
  } else {
    menu = menuForBackground();
  }
  menu->setAttribute(Qt::WA_DeleteOnClose);
  menu->popup(event->globalPos());
  event->accept();
}

// ---------------------------------------------------------------------------------------------
// Menus. Every action calls the source; faults with a duration use the one chosen in the
// "Duration" submenu (10 s until changed), which the source undoes when it runs out.

void TopologyView::apply(const sim::Fault& fault, std::chrono::milliseconds duration) {
  if (source_) source_->applyFault(fault, duration);
}

QMenu* TopologyView::newMenu(const QString& title) {
  auto* menu = new QMenu(this);
  QAction* heading = menu->addAction(title);
  heading->setEnabled(false);
  QFont bold = heading->font();
  bold.setBold(true);
  heading->setFont(bold);
  menu->addSeparator();
  return menu;
}

QAction* TopologyView::addFault(QMenu* menu, const QString& name, const QString& text,
                                sim::Fault fault, std::chrono::milliseconds duration) {
  QAction* action = menu->addAction(text);
  action->setObjectName(name);
  connect(action, &QAction::triggered, this,
          [this, fault = std::move(fault), duration] { apply(fault, duration); });
  return action;
}

QAction* TopologyView::addTimedFault(QMenu* menu, const QString& name, const QString& text,
                                     sim::Fault fault) {
  QAction* action = menu->addAction(text);
  action->setObjectName(name);
  connect(action, &QAction::triggered, this,
          [this, fault = std::move(fault)] { apply(fault, durationOf(duration_)); });
  return action;
}

void TopologyView::addDurationMenu(QMenu* menu) {
  struct Choice {
    FaultDuration duration;
    const char* name;
    QString text, current;  // in the submenu; in its title when chosen
  };
  const Choice choices[] = {{FaultDuration::k10s, "duration10s", tr("For 10 s"), tr("10 s")},
                            {FaultDuration::k30s, "duration30s", tr("For 30 s"), tr("30 s")},
                            {FaultDuration::kUntilRecovered, "durationUntilRecovered",
                             tr("Until recovered"), tr("until recovered")}};
  menu->addSeparator();
  QMenu* sub = menu->addMenu(QString());
  sub->menuAction()->setObjectName(QStringLiteral("duration"));
  auto* group = new QActionGroup(sub);
  for (const auto& c : choices) {
    QAction* a = sub->addAction(c.text);
    a->setObjectName(QString::fromLatin1(c.name));
    a->setCheckable(true);
    a->setChecked(c.duration == duration_);
    group->addAction(a);
    connect(a, &QAction::triggered, this, [this, d = c.duration] { duration_ = d; });
    if (c.duration == duration_) sub->setTitle(tr("Duration: %1").arg(c.current));
  }
}

void TopologyView::addPairActions(QMenu* menu, int a, int b, bool enabled) {
  const auto ua = static_cast<std::uint32_t>(a), ub = static_cast<std::uint32_t>(b);
  const QString na = enabled ? nodeName(a) : tr("A"), nb = enabled ? nodeName(b) : tr("B");
  addTimedFault(menu, QStringLiteral("oneWayAB"), tr("One-way: %1 cannot reach %2").arg(na, nb),
                sim::Partition{{ua}, {ub}, true})
      ->setEnabled(enabled);
  addTimedFault(menu, QStringLiteral("oneWayBA"), tr("One-way: %1 cannot reach %2").arg(nb, na),
                sim::Partition{{ub}, {ua}, true})
      ->setEnabled(enabled);
}

std::string TopologyView::nodeMemberState(int node) const {
  if (snapshot_ && node >= 0 && static_cast<std::size_t>(node) < snapshot_->cluster.nodes.size())
    return snapshot_->cluster.nodes[static_cast<std::size_t>(node)].member_state;
  return "active";
}

QMenu* TopologyView::menuForNode(int node) {
  const auto n = static_cast<std::uint32_t>(node);
  const bool alive = nodeAlive(node);
  const QString name = nodeName(node);
  QMenu* menu = newMenu(alive ? tr("%1 (up)").arg(name) : tr("%1 (down)").arg(name));
  menu->setObjectName(QStringLiteral("nodeMenu"));
  addTimedFault(menu, QStringLiteral("kill"), tr("Kill"), sim::KillNode{n})->setEnabled(alive);
  // Restart and drain end by themselves: no duration.
  addFault(menu, QStringLiteral("restart"), tr("Restart"), sim::RestartNode{n}, {})
      ->setEnabled(!alive);
  addFault(menu, QStringLiteral("drain"), tr("Drain and restart"), sim::DrainNode{n}, {})
      ->setEnabled(alive);
  std::vector<std::uint32_t> others;
  for (int i = 0; i < nodeCount(); ++i) {
    if (i != node) others.push_back(static_cast<std::uint32_t>(i));
  }
  addTimedFault(menu, QStringLiteral("isolate"), tr("Isolate from the others"),
                sim::Partition{{n}, others, false})
      ->setEnabled(!others.empty());
  menu->addSeparator();
  addTimedFault(menu, QStringLiteral("slowDisk"), tr("Slow disk (20 ms)"),
                sim::SlowDisk{n, 20'000});
  // A stall ends by itself after 2 s; the duration tells the source when it is over.
  addFault(menu, QStringLiteral("stallDisk"), tr("Stall disk (2 s)"), sim::StallDisk{n, 2'000'000},
           std::chrono::seconds(2));
  addTimedFault(menu, QStringLiteral("diskFull"), tr("Disk full"), sim::DiskFull{n, true});
  addTimedFault(menu, QStringLiteral("diskErrors"), tr("Disk errors"), sim::DiskErrors{n, true});
  menu->addSeparator();
  addTimedFault(menu, QStringLiteral("cpuBurn"), tr("CPU burn (10 ms per frame)"),
                sim::CpuBurn{n, 10'000});
  addTimedFault(menu, QStringLiteral("memoryPressure"), tr("Memory pressure (64 KiB per shard)"),
                sim::MemoryPressure{n, 64 * 1024});
  addTimedFault(menu, QStringLiteral("clog"), tr("Clog links (+50 ms)"), sim::ClogNode{n, 50'000});
  menu->addSeparator();
  // Not a fault: the node leaves for good once its users have moved (no duration, no undo).
  addFault(menu, QStringLiteral("leave"), tr("Leave the cluster (its users move away)"),
           sim::LeaveNode{n}, {})
      ->setEnabled(alive && nodeMemberState(node) == "active");
  addDurationMenu(menu);
  return menu;
}

QMenu* TopologyView::menuForSelection() {
  const std::vector<int> selected = selectedNodes();
  std::vector<std::uint32_t> side_a, side_b;
  QStringList names;
  for (int i = 0; i < nodeCount(); ++i) {
    const bool in = std::find(selected.begin(), selected.end(), i) != selected.end();
    (in ? side_a : side_b).push_back(static_cast<std::uint32_t>(i));
    if (in) names << nodeName(i);
  }
  QMenu* menu = newMenu(
      tr("Selected: %1").arg(names.isEmpty() ? tr("none") : names.join(QStringLiteral(", "))));
  menu->setObjectName(QStringLiteral("selectionMenu"));
  addTimedFault(menu, QStringLiteral("partitionSelected"), tr("Partition selected from the rest"),
                sim::Partition{side_a, side_b, false})
      ->setEnabled(!side_a.empty() && !side_b.empty());
  const bool two = selected.size() == 2;
  const int a = two ? selected[0] : 0, b = two ? selected[1] : 1;
  addTimedFault(
      menu, QStringLiteral("partitionPair"), tr("Partition these two"),
      sim::Partition{{static_cast<std::uint32_t>(a)}, {static_cast<std::uint32_t>(b)}, false})
      ->setEnabled(two);
  addPairActions(menu, a, b, two);
  menu->addSeparator();
  std::vector<std::uint32_t> live;
  for (int i : selected) {
    if (nodeAlive(i)) live.push_back(static_cast<std::uint32_t>(i));
  }
  QAction* kill = menu->addAction(tr("Kill selected"));
  kill->setObjectName(QStringLiteral("killSelected"));
  kill->setEnabled(!live.empty());
  connect(kill, &QAction::triggered, this, [this, live] {
    for (auto n : live) apply(sim::KillNode{n}, durationOf(duration_));
  });
  addDurationMenu(menu);
  return menu;
}

QMenu* TopologyView::menuForLink(int a, int b) {
  if (a > b) std::swap(a, b);
  const auto ua = static_cast<std::uint32_t>(a), ub = static_cast<std::uint32_t>(b);
  QMenu* menu = newMenu(tr("Link %1 ↔ %2").arg(nodeName(a), nodeName(b)));
  menu->setObjectName(QStringLiteral("linkMenu"));
  addTimedFault(menu, QStringLiteral("partitionLink"), tr("Partition (two-way)"),
                sim::Partition{{ua}, {ub}, false});
  addPairActions(menu, a, b, true);
  // Latency and loss on this one link, both ways (the node's "Clog links" slows all of them).
  menu->addSeparator();
  const auto degrade = [ua, ub](std::uint64_t extra_us, double loss) {
    return sim::DegradeLink{ua, ub, extra_us, loss, false};
  };
  QMenu* latency = menu->addMenu(tr("Add latency"));
  latency->setObjectName(QStringLiteral("latencyMenu"));
  for (int ms : {20, 100, 500}) {
    addTimedFault(latency, QStringLiteral("latency%1").arg(ms), tr("+%1 ms each way").arg(ms),
                  degrade(static_cast<std::uint64_t>(ms) * 1000, 0));
  }
  QMenu* loss = menu->addMenu(tr("Lose packets"));
  loss->setObjectName(QStringLiteral("lossMenu"));
  for (int pct : {1, 5, 20}) {
    addTimedFault(loss, QStringLiteral("loss%1").arg(pct), tr("%1% (TCP resends after 200 ms)").arg(pct),
                  degrade(0, pct / 100.0));
  }
  addTimedFault(menu, QStringLiteral("clogLink"), tr("Clog (+2 s each way)"), degrade(2'000'000, 0));
  bool degraded = false;
  if (snapshot_) {
    for (const auto& d : snapshot_->cluster.degraded)
      degraded |= (d.from == ua && d.to == ub) || (d.from == ub && d.to == ua);
  }
  addFault(menu, QStringLiteral("restoreLink"), tr("Restore this link"), degrade(0, 0), {})
      ->setEnabled(degraded);
  menu->addSeparator();
  addFault(menu, QStringLiteral("heal"), tr("Heal partitions"), sim::Heal{}, {});
  addDurationMenu(menu);
  return menu;
}

QMenu* TopologyView::menuForBackground() {
  QMenu* menu = newMenu(tr("Cluster"));
  menu->setObjectName(QStringLiteral("backgroundMenu"));
  addFault(menu, QStringLiteral("heal"), tr("Heal partitions"), sim::Heal{}, {});
  QAction* recover = menu->addAction(tr("Recover all"));
  recover->setObjectName(QStringLiteral("recoverAll"));
  connect(recover, &QAction::triggered, this, [this] {
    if (source_) source_->recoverAll();
  });
  return menu;
}

}  // namespace iris::ui
