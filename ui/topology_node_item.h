#pragma once
// A node of the topology: header, figures, fault badges, shard bars, the heat strip of its hot
// recipients; compact when small on screen. Private to ui/topology_view.cpp.

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
#include "ui/topology_view.h"

#include "ui/topology_scene.h"

namespace iris::ui {

class TopologyNodeItem : public QGraphicsItem {
  Q_DECLARE_TR_FUNCTIONS(iris::ui::TopologyView)

 public:
  // large: the id may overhang the box when drawn small (a large cluster: the ring leaves room).
  TopologyNodeItem(int index, bool large) : overhang_(large ? kCompactOverhang : 0) {
    setFlag(ItemIsSelectable);
    setData(kKindKey, kNodeKind);
    setData(kAKey, index);
    setZValue(1);
    setAcceptHoverEvents(false);
  }

  // The node is `index` of `snapshot` (kept, not copied).
  void setNode(SnapshotPtr snapshot, std::size_t index, double bar_reference) {
    const SnapshotPtr old = std::move(snapshot_);
    const sim::NodeSnapshot& was = *node_;
    snapshot_ = std::move(snapshot);
    node_ = &snapshot_->cluster.nodes[index];
    // Drawn small, a node shows only its health and id: most snapshots change neither.
    const bool same =
        painted_compact_ && old && was.id == node_->id && healthOf(was) == healthOf(*node_);
    bar_reference_ = bar_reference;
    setToolTip(tooltip());
    if (!same) update();
  }
  const sim::NodeSnapshot& node() const { return *node_; }

  QRectF boundingRect() const override {
    return box().adjusted(-7 - overhang_, -7, 7 + overhang_, 7 + kStripH);
  }
  QPainterPath shape() const override {
    QPainterPath path;
    path.addRoundedRect(box(), kRadius, kRadius);
    return path;
  }

  void paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget*) override {
    const QPalette pal = scene()->palette();
    const NodeHealth health = healthOf(*node_);
    const double lod = option->levelOfDetailFromTransform(p->worldTransform());
    painted_compact_ = lod < kCompactLod;
    if (painted_compact_) {
      paintCompact(p, pal, health, lod);
      return;
    }
    paintBox(p, pal, health);
    p->save();
    p->translate(box().topLeft());
    paintHeader(p, health);
    paintFigures(p, pal);
    paintBadges(p, pal);
    paintShards(p, pal);
    paintHotUsers(p, pal);
    p->restore();
  }

  static QString compact(std::uint64_t v) {
    if (v < 1000) return QString::number(v);
    if (v < 1'000'000)
      return tr("%1k").arg(static_cast<double>(v) / 1e3, 0, 'f', v < 10'000 ? 1 : 0);
    return tr("%1M").arg(static_cast<double>(v) / 1e6, 0, 'f', 1);
  }
  static QString bytes(std::uint64_t v) {
    return QLocale().formattedDataSize(static_cast<qint64>(v), 1, QLocale::DataSizeIecFormat);
  }

 private:
  struct Badge {
    QString text;
    bool severe;  // the node loses writes or refuses them: red, not amber
  };

  static QRectF box() { return {-kNodeW / 2, -kNodeH / 2, kNodeW, kNodeH}; }

  std::vector<Badge> badges() const {
    std::vector<Badge> b;
    if (node_->disk_errors) b.push_back({tr("disk errors"), true});
    if (node_->disk_full) b.push_back({tr("disk full"), true});
    if (node_->disk_stalled) b.push_back({tr("disk stalled"), false});
    if (node_->disk_slow) b.push_back({tr("disk slow"), false});
    if (node_->cpu_burn_us)
      b.push_back({tr("CPU +%1 ms").arg(static_cast<double>(node_->cpu_burn_us) / 1e3), false});
    if (node_->memory_limit)
      b.push_back({tr("mem %1/shard").arg(bytes(node_->memory_limit)), false});
    if (node_->clog_us)
      b.push_back({tr("clog +%1 ms").arg(static_cast<double>(node_->clog_us) / 1e3), false});
    return b;
  }

  std::vector<const sim::HotUser*> hotUsers() const {
    std::vector<const sim::HotUser*> hot;
    for (const auto& s : node_->shards) {
      for (const auto& h : s.hot_users) hot.push_back(&h);
    }
    std::stable_sort(hot.begin(), hot.end(), [](auto* a, auto* b) { return a->inbox > b->inbox; });
    return hot;
  }

  void paintBox(QPainter* p, const QPalette& pal, NodeHealth health) const {
    const QColor base = pal.color(QPalette::Base);
    const QColor accent = accentOf(health);
    const QColor body = health == NodeHealth::kDead || health == NodeHealth::kLeft
                            ? mix(base, QColor(128, 128, 128), 0.3)
                            : mix(base, accent, 0.1);
    if (isSelected()) {
      p->setPen(QPen(pal.color(QPalette::Highlight), 4));
      p->setBrush(Qt::NoBrush);
      p->drawRoundedRect(box().adjusted(-5, -5, 5, 5), kRadius + 4, kRadius + 4);
    }
    QPainterPath outline;
    outline.addRoundedRect(box(), kRadius, kRadius);
    p->fillPath(outline, body);
    QPainterPath band;
    band.addRect(box().x(), box().y(), kNodeW, kHeaderH);
    p->fillPath(outline.intersected(band), accent);
    p->setPen(QPen(accent, 2));
    p->setBrush(Qt::NoBrush);
    p->drawPath(outline);
  }

  // Small on screen: the box in its health's colour and the id in device pixels, wider than the
  // box if need be (up to the overhang), nothing else. The tooltip still has everything.
  void paintCompact(QPainter* p, const QPalette& pal, NodeHealth health, double lod) const {
    p->save();
    p->setTransform(QTransform::fromScale(lod, lod).inverted(), true);  // device pixels from here
    QFont font = sceneFont(scene(), kCompactLabelPx, true);
    p->setFont(font);
    const QFontMetricsF fm(font);
    const double max_w = (kNodeW + 2 * overhang_) * lod, max_h = (kNodeH + kStripH) * lod;
    const QString id = QString::fromStdString(node_->id);
    const bool label = fm.height() + 2 <= max_h;
    const QString text = label ? fm.elidedText(id, Qt::ElideRight, max_w - 4) : QString();
    const double w = std::min(max_w, std::max(kNodeW * lod, fm.horizontalAdvance(text) + 4));
    const double h = std::max(kNodeH * lod, label ? fm.height() + 2 : 0.0);
    const QRectF r(-w / 2, -h / 2, w, h);
    const QColor accent = accentOf(health);
    if (isSelected()) {
      p->setPen(QPen(pal.color(QPalette::Highlight), 2));
      p->setBrush(Qt::NoBrush);
      p->drawRoundedRect(r.adjusted(-2.5, -2.5, 2.5, 2.5), 4, 4);
    }
    p->setPen(Qt::NoPen);
    p->setBrush(accent);
    p->drawRoundedRect(r, 3, 3);
    if (label) {
      p->setPen(health == NodeHealth::kDegraded ? darkText() : QColor(Qt::white));
      p->drawText(r, Qt::AlignCenter, text);
    }
    p->restore();
  }

  void paintHeader(QPainter* p, NodeHealth health) const {
    const QColor fg = health == NodeHealth::kDegraded ? darkText() : QColor(Qt::white);
    // A node that is joining, leaving or has left says so before anything else.
    const std::string& member = node_->member_state;
    const QString state = member == "left"                 ? tr("left")
                          : health == NodeHealth::kDead     ? tr("DOWN")
                          : member == "joining"             ? tr("joining")
                          : member == "leaving"             ? tr("leaving")
                          : health == NodeHealth::kDegraded ? tr("degraded")
                                                            : tr("up");
    p->setPen(fg);
    p->setFont(sceneFont(scene(), 12));
    const QRectF r(10, 0, kNodeW - 20, kHeaderH);
    p->drawText(r, Qt::AlignRight | Qt::AlignVCenter, state);
    const double state_w = p->fontMetrics().horizontalAdvance(state) + 8;
    p->setFont(sceneFont(scene(), 15, true));
    drawElided(p, r.adjusted(0, 0, -state_w, 0), Qt::AlignLeft | Qt::AlignVCenter,
               QString::fromStdString(node_->id));
  }

  void paintFigures(QPainter* p, const QPalette& pal) const {
    const QLocale loc;
    QString first, second;
    if (node_->alive) {
      first = tr("%1 sessions · %2 users")
                  .arg(loc.toString(node_->sessions), loc.toString(node_->users));
      second = tr("mem %1 · store %2 rows")
                   .arg(bytes(node_->memory_bytes), loc.toString(node_->store_rows));
    } else if (node_->member_state == "left") {
      first = tr("left the cluster: owns no user");
    } else {
      first = tr("down · incarnation %1").arg(node_->incarnation);
      second = tr("store %1 rows").arg(loc.toString(node_->store_rows));
    }
    p->setPen(pal.color(QPalette::Text));
    p->setFont(sceneFont(scene(), 12));
    drawElided(p, QRectF(10, kHeaderH + 5, kNodeW - 20, 17), Qt::AlignLeft | Qt::AlignVCenter,
               first);
    drawElided(p, QRectF(10, kHeaderH + 22, kNodeW - 20, 17), Qt::AlignLeft | Qt::AlignVCenter,
               second);
  }

  void paintBadges(QPainter* p, const QPalette& pal) const {
    const auto list = badges();
    p->setFont(sceneFont(scene(), 11, true));
    if (list.empty()) {
      if (!node_->alive) return;
      p->setPen(pal.color(QPalette::PlaceholderText));
      p->setFont(sceneFont(scene(), 11));
      p->drawText(QRectF(10, kBadgeTop, kNodeW - 20, kBadgeH), Qt::AlignLeft | Qt::AlignVCenter,
                  tr("no faults"));
      return;
    }
    double x = 10, y = kBadgeTop;
    int row = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const double w = p->fontMetrics().horizontalAdvance(list[i].text) + 12;
      if (x + w > kNodeW - 10 && x > 10) {
        if (++row == kBadgeRows) {  // no room: say how many more (the tooltip lists them)
          p->setPen(pal.color(QPalette::Text));
          p->drawText(QRectF(kNodeW - 34, y, 28, kBadgeH), Qt::AlignRight | Qt::AlignVCenter,
                      tr("+%1").arg(list.size() - i));
          return;
        }
        x = 10;
        y += kBadgeH + kBadgeGap;
      }
      const QColor bg = list[i].severe ? deadColor() : degradedColor();
      p->setPen(Qt::NoPen);
      p->setBrush(bg);
      p->drawRoundedRect(QRectF(x, y, w, kBadgeH), kBadgeH / 2, kBadgeH / 2);
      p->setPen(list[i].severe ? QColor(Qt::white) : darkText());
      p->drawText(QRectF(x, y, w, kBadgeH), Qt::AlignCenter, list[i].text);
      x += w + kBadgeGap;
    }
  }

  // One bar per router shard, as high as its inbox (log scale against the busiest shard of the
  // cluster), the count above it and the shard's id under it.
  void paintShards(QPainter* p, const QPalette& pal) const {
    const auto n = static_cast<double>(node_->shards.size());
    if (node_->shards.empty()) {
      p->setPen(pal.color(QPalette::PlaceholderText));
      p->setFont(sceneFont(scene(), 11));
      p->drawText(QRectF(10, kShardTop, kNodeW - 20, kBarMaxH + 28), Qt::AlignCenter,
                  node_->alive                        ? tr("no shards")
                  : node_->member_state == "left" ? QString()
                                                  : tr("no shards while down"));
      return;
    }
    const double slot = (kNodeW - 20) / n;
    const double bar_w = std::min(28.0, slot * 0.7);
    const double base_y = kShardTop + 14 + kBarMaxH;
    p->setPen(QPen(pal.color(QPalette::Mid), 1));
    p->drawLine(QPointF(10, base_y), QPointF(kNodeW - 10, base_y));
    for (std::size_t i = 0; i < node_->shards.size(); ++i) {
      const auto& s = node_->shards[i];
      const double cx = 10 + slot * (static_cast<double>(i) + 0.5);
      const double h =
          std::max(2.0, kBarMaxH * logScale(static_cast<double>(s.inbox_messages), bar_reference_));
      p->setPen(Qt::NoPen);
      p->setBrush(barColor());
      p->drawRect(QRectF(cx - bar_w / 2, base_y - h, bar_w, h));
      p->setPen(pal.color(QPalette::Text));
      if (slot >= 24) {
        p->setFont(sceneFont(scene(), 11));
        p->drawText(QRectF(cx - slot / 2, base_y - h - 15, slot, 14), Qt::AlignCenter,
                    compact(s.inbox_messages));
      }
      if (slot >= 16) {
        p->setFont(sceneFont(scene(), 10));
        p->setPen(pal.color(QPalette::PlaceholderText));
        p->drawText(QRectF(cx - slot / 2, base_y + 1, slot, 13), Qt::AlignCenter,
                    tr("s%1").arg(s.id));
      }
    }
  }

  // Under the box: one row per hot recipient (the largest inboxes first), one cell per inbox
  // bucket, coloured by the recipient's inbox per bucket.
  void paintHotUsers(QPainter* p, const QPalette& pal) const {
    const auto hot = hotUsers();
    const double label_w = 54, count_w = 50;
    p->setFont(sceneFont(scene(), 11));
    for (std::size_t r = 0; r < hot.size() && r < static_cast<std::size_t>(kStripRows); ++r) {
      const auto& h = *hot[r];
      const double y = kNodeH + kStripGap + static_cast<double>(r) * kStripRowH;
      p->setPen(pal.color(QPalette::Text));
      drawElided(p, QRectF(0, y, label_w, kStripRowH - 2), Qt::AlignLeft | Qt::AlignVCenter,
                 hotName(h));
      const auto buckets = std::max<std::uint32_t>(1, h.buckets);
      const double cell = std::min(22.0, (kNodeW - label_w - count_w) / buckets);
      const double per_bucket = static_cast<double>(h.inbox) / buckets;
      p->setPen(QPen(pal.color(QPalette::Mid), 1));
      p->setBrush(heatColor(logScale(per_bucket, kHeatReference)));
      for (std::uint32_t b = 0; b < buckets; ++b)
        p->drawRect(QRectF(label_w + b * cell, y + 1, cell, kStripRowH - 4));
      QString count = compact(h.inbox);
      if (r + 1 == static_cast<std::size_t>(kStripRows) && hot.size() > r + 1)
        count = tr("%1 (+%2)").arg(count).arg(hot.size() - r - 1);
      p->setPen(pal.color(QPalette::Text));
      p->drawText(QRectF(label_w + buckets * cell + 5, y, count_w + 20, kStripRowH - 2),
                  Qt::AlignLeft | Qt::AlignVCenter, count);
    }
  }

  // A hand-off queue (messages held for an unreachable node) is bucketed like a hot user.
  static QString hotName(const sim::HotUser& h) {
    if (!cluster::is_handoff_queue(h.user)) return QString::fromStdString(h.user);
    return tr("→ %1").arg(QString::fromStdString(std::string(cluster::handoff_queue_node(h.user))));
  }

  QString tooltip() const {
    const QLocale loc;
    QStringList lines;
    lines << tr("%1: %2, incarnation %3")
                 .arg(QString::fromStdString(node_->id), node_->alive ? tr("up") : tr("down"))
                 .arg(node_->incarnation);
    lines << tr("member: %1 · view epoch %2 · %3")
                 .arg(QString::fromStdString(node_->member_state))
                 .arg(node_->epoch)
                 .arg(QString::fromStdString(node_->reconfig));
    if (node_->alive) {
      lines << tr("%1 sessions, %2 users, %3 in inboxes, memory %4")
                   .arg(loc.toString(node_->sessions), loc.toString(node_->users),
                        loc.toString(node_->inbox_messages), bytes(node_->memory_bytes));
      lines << tr("accepted %1, delivered %2, forwarded %3, hand-off queued %4")
                   .arg(loc.toString(node_->sends_accepted), loc.toString(node_->delivered),
                        loc.toString(node_->forwarded), loc.toString(node_->handoff_queued));
      lines << tr("refused: store %1, retry later %2, rate %3, order %4")
                   .arg(loc.toString(node_->refused_store),
                        loc.toString(node_->refused_retry_later), loc.toString(node_->refused_rate),
                        loc.toString(node_->refused_order));
    }
    lines
        << tr("store: %1 rows, %2").arg(loc.toString(node_->store_rows), bytes(node_->store_bytes));
    for (const auto* h : hotUsers()) {
      const QString who =
          cluster::is_handoff_queue(h->user)
              ? tr("hand-off for %1")
                    .arg(QString::fromStdString(std::string(cluster::handoff_queue_node(h->user))))
              : QString::fromStdString(h->user);
      lines << tr("hot: %1 in %2 buckets, %3 queued")
                   .arg(who)
                   .arg(h->buckets)
                   .arg(loc.toString(h->inbox));
    }
    QStringList faults;
    for (const auto& b : badges()) faults << b.text;
    if (!faults.isEmpty()) lines << tr("faults: %1").arg(faults.join(QStringLiteral(", ")));
    lines << tr("Right-click for faults; Ctrl+click to select several.");
    return lines.join(QLatin1Char('\n'));
  }

  static const sim::NodeSnapshot* noNode() {
    static const sim::NodeSnapshot none;
    return &none;
  }

  double overhang_;
  SnapshotPtr snapshot_;
  const sim::NodeSnapshot* node_ = noNode();  // in snapshot_
  double bar_reference_ = kBarMinReference;
  bool painted_compact_ = false;  // the last paint was the compact one
};

// ---------------------------------------------------------------------------------------------
// Every peer link, under the nodes: one item, one path per link health (a few thousand items and
// lines cost tens of milliseconds per repaint), slow links labelled with their rtt. In a large
// cluster only the links that are not healthy are drawn. Not hit by itemAt(): the view finds the
// link under a point (linkAt) and makes its tooltip.

}  // namespace iris::ui
