#pragma once
// TopologyView: the cluster as a picture. Nodes sit on a ring, each with its router shards (bars
// as high as their inbox), fault badges and a heat strip of its hot recipients; peer links are
// coloured by health and a partition is drawn as a cut across the link. Faults are injected where
// they show (STYLE.md): right-click a node, a selection of nodes, a link or empty space.
//
// Large clusters (more than kAllLinksMaxNodes nodes, all-pairs links by the thousand): only the
// links that are not healthy (down, slow, up on one side, cut) are drawn, the legend says how many
// healthy ones are not, and nodes small on screen are drawn as a coloured box with their id. Too
// many cut links for a marker each (a split cluster) are drawn in the colour of a cut instead.
//
// GUI thread only. The owner feeds setSnapshot() (it does not connect to the source itself). The
// items are kept across snapshots and rebuilt only when the number of nodes changes, so a
// snapshot costs a few item updates; all links are one item (a path per link health), tooltips
// of links are made when asked for. Every command goes to `source`, which must outlive the view.

#include <QGraphicsView>
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include "ui/cluster_source.h"

class QMenu;

namespace iris::ui {

class TopologyNodeItem;
class TopologyLinksItem;
class TopologyCutItem;
class TopologyLegendItem;

class TopologyView : public QGraphicsView {
  Q_OBJECT
 public:
  // How long a fault from the menus lasts before the source undoes it.
  enum class FaultDuration { k10s, k30s, kUntilRecovered };
  // The health of a peer link, from both ends' failure detectors.
  // kGone: one end has left the cluster (not drawn).
  enum class LinkHealth { kUp, kSlow, kOneSided, kDown, kGone };
  static constexpr std::uint64_t kSlowRttUs = 20'000;  // rtt above this: amber
  // Up to this many nodes every link is drawn; above it only the links that are not healthy.
  static constexpr int kAllLinksMaxNodes = 12;

  static std::chrono::milliseconds durationOf(FaultDuration duration);  // until recovered: 0

  explicit TopologyView(ClusterSource* source, QWidget* parent = nullptr);
  ~TopologyView() override;

  // Context menus over the latest snapshot. The caller owns the menu (parented to the view).
  QMenu* menuForNode(int node);
  QMenu* menuForSelection();  // the selected nodes (Ctrl+click or drag to select several)
  QMenu* menuForLink(int a, int b);
  QMenu* menuForBackground();

  FaultDuration faultDuration() const { return duration_; }
  void setFaultDuration(FaultDuration duration) { duration_ = duration; }

  // What is drawn, for tests and for the main window.
  int nodeCount() const { return static_cast<int>(nodes_.size()); }
  int linkCount() const;       // one per pair of nodes, drawn or not
  int drawnLinkCount() const;  // all of them up to kAllLinksMaxNodes nodes
  bool linkDrawn(int a, int b) const;
  std::pair<int, int> linkAt(QPoint pos) const;  // drawn link under a viewport point; {-1, -1}
  int visibleCutCount() const;  // cut markers: one per cut link (a large cluster: if not many)
  QString status() const;       // the legend's status lines, one a line
  bool legendFits() const;      // no legend text is cut short (in the language in use)
  QGraphicsItem* nodeItem(int node) const;     // nullptr when out of range
  QGraphicsItem* cutItem(int a, int b) const;  // the cut marker of link a-b (maybe hidden)
  LinkHealth linkHealth(int a, int b) const;   // kDown when out of range
  QString linkToolTip(int a, int b) const;     // both ends' view of the link, what degrades it
  std::vector<int> selectedNodes() const;      // ascending

 public slots:
  void setSnapshot(const iris::ui::SnapshotPtr& snapshot);

 protected:
  bool viewportEvent(QEvent* event) override;  // tooltips of links
  void resizeEvent(QResizeEvent* event) override;
  void showEvent(QShowEvent* event) override;
  void changeEvent(QEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;

 private:
  void rebuild(int nodes);
  void fit();
  void updateLinks(const sim::ClusterSnapshot& cluster);
  int linkIndex(int a, int b) const;
  static QString degradedLabel(const sim::DegradedLink* ab, const sim::DegradedLink* ba);
  QString nodeName(int node) const;
  bool nodeAlive(int node) const;
  QMenu* newMenu(const QString& title);
  QAction* addFault(QMenu* menu, const QString& name, const QString& text, sim::Fault fault,
                    std::chrono::milliseconds duration);
  QAction* addTimedFault(QMenu* menu, const QString& name, const QString& text, sim::Fault fault);
  void addDurationMenu(QMenu* menu);
  void addPairActions(QMenu* menu, int a, int b, bool enabled);
  void apply(const sim::Fault& fault, std::chrono::milliseconds duration);
  std::string nodeMemberState(int node) const;  // "active", "joining", "leaving", "left"

  ClusterSource* source_;
  SnapshotPtr snapshot_;
  FaultDuration duration_ = FaultDuration::k10s;
  QGraphicsScene* scene_;
  std::vector<TopologyNodeItem*> nodes_;  // owned by scene_
  TopologyLinksItem* links_ = nullptr;  // all links; pairs a < b in order (0,1), (0,2), ..., (1,2)
  std::vector<TopologyCutItem*> cuts_;  // one per link, hidden while the link is not cut
  TopologyLegendItem* legend_ = nullptr;
  int cut_links_ = 0;  // in the latest snapshot
};

}  // namespace iris::ui
