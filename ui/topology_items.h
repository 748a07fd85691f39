#pragma once
// The topology's other items: the link layer (one item for every link), cut markers, the legend.
// Private to ui/topology_view.cpp.

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

#include "ui/topology_node_item.h"

namespace iris::ui {

class TopologyLinksItem : public QGraphicsItem {
 public:
  using Health = TopologyView::LinkHealth;

  // centres: the nodes'; the links are the pairs a < b, in the view's order. hide_healthy: a large
  // cluster.
  TopologyLinksItem(const std::vector<QPointF>& centres, bool hide_healthy)
      : hide_healthy_(hide_healthy) {
    setData(kKindKey, kLinkKind);
    setZValue(0);
    setAcceptedMouseButtons(Qt::NoButton);
    // Drawn small, hundreds of links may be drawn: keep them as pixels until a link changes.
    if (hide_healthy) setCacheMode(DeviceCoordinateCache);
    const int n = static_cast<int>(centres.size());
    for (int a = 0; a < n; ++a) {
      for (int b = a + 1; b < n; ++b) {
        const QPointF pa = centres[static_cast<std::size_t>(a)];
        const QPointF pb = centres[static_cast<std::size_t>(b)];
        links_.push_back({a, b, pa, pb, Health::kDown, false, {}});
      }
    }
    // Every centre, with room for labels (QRectF::united() would skip the empty QRectF(c, c)).
    QRectF all;
    if (!centres.empty()) all = QRectF(centres.front(), centres.front());
    for (const QPointF& c : centres) {
      all.setLeft(std::min(all.left(), c.x()));
      all.setRight(std::max(all.right(), c.x()));
      all.setTop(std::min(all.top(), c.y()));
      all.setBottom(std::max(all.bottom(), c.y()));
    }
    bounds_ = links_.empty() ? QRectF() : all.adjusted(-60, -30, 60, 30);
  }

  std::size_t count() const { return links_.size(); }
  Health health(std::size_t i) const { return links_[i].health; }
  bool cut(std::size_t i) const { return links_[i].cut; }
  bool drawn(std::size_t i) const { return drawn(links_[i]); }
  int drawnCount() const {
    return static_cast<int>(
        std::count_if(links_.begin(), links_.end(), [this](const Link& l) { return drawn(l); }));
  }

  // label: the rtt of a slow link. Takes effect with commit().
  void setState(std::size_t i, Health health, bool cut, const QString& label) {
    Link& l = links_[i];
    if (l.health != health || l.cut != cut) {
      const bool was = drawn(l);
      l.health = health;
      l.cut = cut;
      paths_dirty_ |= was || drawn(l);
    }
    if (l.label != label) {
      if (drawn(l) && !paths_dirty_) update(labelRect(l));
      l.label = label;
    }
  }
  // cuts_drawn: cut links are drawn in the colour of a cut (there are too many cut markers).
  void setCutsDrawn(bool cuts_drawn) {
    paths_dirty_ |= cuts_drawn != cuts_drawn_;
    cuts_drawn_ = cuts_drawn;
  }
  void commit() {
    if (!paths_dirty_) return;
    paths_dirty_ = false;
    for (auto& path : paths_) path.clear();
    for (const Link& l : links_) {
      if (!drawn(l)) continue;
      QPainterPath& path =
          paths_[cuts_drawn_ && l.cut ? kCutPath : static_cast<std::size_t>(l.health)];
      path.moveTo(l.pa);
      path.lineTo(l.pb);
    }
    update();
  }

  // The index of the drawn link nearest to `at` within `tolerance`, or -1.
  int linkAt(QPointF at, double tolerance) const {
    int best = -1;
    double best_d = tolerance;
    for (std::size_t i = 0; i < links_.size(); ++i) {
      const Link& l = links_[i];
      if (!drawn(l)) continue;
      const QPointF d = l.pb - l.pa;
      const double len2 = QPointF::dotProduct(d, d);
      const double t =
          len2 > 0 ? std::clamp(QPointF::dotProduct(at - l.pa, d) / len2, 0.0, 1.0) : 0.0;
      const QPointF off = at - (l.pa + d * t);
      const double dist = std::hypot(off.x(), off.y());
      if (dist <= best_d) {
        best_d = dist;
        best = static_cast<int>(i);
      }
    }
    return best;
  }
  std::pair<int, int> ends(std::size_t i) const { return {links_[i].a, links_[i].b}; }

  QRectF boundingRect() const override { return bounds_; }
  QPainterPath shape() const override { return {}; }
  bool contains(const QPointF&) const override { return false; }
  bool collidesWithPath(const QPainterPath&, Qt::ItemSelectionMode) const override { return false; }

  void paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget*) override {
    const double lod = option->levelOfDetailFromTransform(p->worldTransform());
    p->setBrush(Qt::NoBrush);
    for (std::size_t h = 0; h < paths_.size(); ++h) {
      if (paths_[h].isEmpty()) continue;
      if (h == kCutPath) {  // many: as thin as down links
        QPen cut(cutColor(), kMinDownLinkPx, Qt::SolidLine, Qt::FlatCap);
        cut.setCosmetic(true);
        p->setPen(cut);
      } else {
        p->setPen(pen(static_cast<Health>(h), lod));
      }
      p->drawPath(paths_[h]);
    }
    if (lod < kCompactLod) return;  // plates too small to read: the colour says slow
    const QPalette pal = scene()->palette();
    p->setFont(sceneFont(scene(), 11, true));
    for (const Link& l : links_) {
      if (l.label.isEmpty() || !drawn(l)) continue;
      drawPlate(p, (l.pa + l.pb) / 2, l.label, pal.color(QPalette::Text), pal.color(QPalette::Base),
                pen(l.health, lod).color());
    }
  }

 private:
  struct Link {
    int a, b;
    QPointF pa, pb;
    Health health = Health::kDown;
    bool cut = false;
    QString label;
  };

  bool drawn(const Link& l) const {
    return l.health != Health::kGone && (!hide_healthy_ || l.health != Health::kUp || l.cut);
  }
  static QRectF labelRect(const Link& l) {
    const QPointF mid = (l.pa + l.pb) / 2;
    return {mid.x() - 60, mid.y() - 30, 120, 60};
  }

  // A large cluster drawn small: the links it draws are at least kMinLinkPx wide on screen.
  QPen pen(Health health, double lod) const {
    QPen pen;
    switch (health) {
      case Health::kUp:
        pen = {healthyColor(), 3, Qt::SolidLine, Qt::RoundCap};
        break;
      case Health::kSlow:
        pen = {degradedColor(), 3, Qt::SolidLine, Qt::RoundCap};
        break;
      case Health::kOneSided:
        pen = {degradedColor(), 2.5, Qt::DashLine, Qt::FlatCap};
        break;
      case Health::kDown:
      case Health::kGone:  // not drawn
        pen = {downLinkColor(), 2, Qt::DashLine, Qt::FlatCap};
        break;
    }
    // Down links are the many (a dead node has one to every other): thinner.
    const double min_px = health == Health::kDown ? kMinDownLinkPx : kMinLinkPx;
    if (hide_healthy_ && pen.widthF() * lod < min_px) {
      pen.setCosmetic(true);
      pen.setWidthF(min_px);
    }
    return pen;
  }

  static constexpr std::size_t kCutPath = 5;
  const bool hide_healthy_;
  std::vector<Link> links_;
  std::array<QPainterPath, 6> paths_;  // by Health, then kCutPath
  bool paths_dirty_ = true, cuts_drawn_ = false;
  QRectF bounds_;
};

// ---------------------------------------------------------------------------------------------
// A partition across one link: a thick red dashed wall across it with a "✂" plate; a one-way cut
// adds an arrow on the blocked sender's side, pointing at the wall.

class TopologyCutItem : public QGraphicsItem {
  Q_DECLARE_TR_FUNCTIONS(iris::ui::TopologyView)

 public:
  // large: a large cluster, drawn small: the marker keeps its size on screen and its plate goes
  // inwards (the ring is the edge of the view, its middle is free).
  TopologyCutItem(int a, int b, QPointF pa, QPointF pb, QString name_a, QString name_b, bool large)
      : name_a_(std::move(name_a)), name_b_(std::move(name_b)) {
    setData(kKindKey, kCutKind);
    setData(kAKey, a);
    setData(kBKey, b);
    setZValue(3);
    const QPointF d = pb - pa;
    const double len = std::max(1.0, std::hypot(d.x(), d.y()));
    u_ = d / len;
    // Through the ring's centre every cut would sit on the same spot: move it towards a.
    QPointF at = (pa + pb) / 2;
    if (std::hypot(at.x(), at.y()) < 60) at = pa + d * 0.38;
    setPos(at);
    n_ = QPointF(-u_.y(), u_.x());
    if ((QPointF::dotProduct(n_, at) < 0) != large) n_ = -n_;  // the plate: off the centre
    if (large) {
      setFlag(ItemIgnoresTransformations);
      setScale(kCutScreenScale);
    }
    setVisible(false);
  }

  // ab: nothing from a reaches b; ba: the other way.
  // marker: false draws no marker (too many cuts to show one each: the links show them).
  void setCut(bool ab, bool ba, bool marker = true) {
    if (ab == ab_ && ba == ba_ && marker == marker_) return;
    marker_ = marker;
    setVisible((ab || ba) && marker);
    if (ab == ab_ && ba == ba_) return;
    ab_ = ab;
    ba_ = ba;
    setToolTip(ab && ba ? tr("Partition: %1 and %2 cannot reach each other").arg(name_a_, name_b_)
               : ab     ? tr("One-way partition: nothing from %1 reaches %2").arg(name_a_, name_b_)
                    : tr("One-way partition: nothing from %1 reaches %2").arg(name_b_, name_a_));
    update();
  }
  QString label() const {
    if (ab_ && ba_) return tr("✂ cut");
    return ab_ ? tr("✂ %1 ↛ %2").arg(name_a_, name_b_) : tr("✂ %1 ↛ %2").arg(name_b_, name_a_);
  }

  QRectF boundingRect() const override { return {-110, -110, 220, 220}; }
  QPainterPath shape() const override {  // the wall and the plate
    QPainterPath path;
    path.addEllipse(QPointF(0, 0), 26, 26);
    path.addRect(QRectF(n_.x() * 40 - 50, n_.y() * 40 - 12, 100, 24));
    return path;
  }

  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override {
    QPen wall(cutColor(), 6, Qt::CustomDashLine, Qt::FlatCap);
    wall.setDashPattern({1.5, 0.8});
    p->setPen(wall);
    p->drawLine(n_ * -22, n_ * 22);
    if (ab_ != ba_) {
      const QPointF d = ab_ ? u_ : -u_;  // the blocked direction
      const QPointF tip = -d * 7, back = -d * 24;
      p->setPen(QPen(cutColor(), 3, Qt::SolidLine, Qt::RoundCap));
      p->drawLine(-d * 40, back);
      p->setPen(Qt::NoPen);
      p->setBrush(cutColor());
      QPolygonF head;
      head << tip << back + n_ * 9 << back - n_ * 9;
      p->drawPolygon(head);
    }
    const QPalette pal = scene()->palette();
    p->setFont(sceneFont(scene(), 12, true));
    drawPlate(p, n_ * 40, label(), cutColor(), pal.color(QPalette::Base), cutColor());
  }

 private:
  QString name_a_, name_b_;
  QPointF u_, n_;  // unit vector a -> b, and across it
  bool ab_ = false, ba_ = false, marker_ = true;
};

// ---------------------------------------------------------------------------------------------
// The legend, beside the ring, with a status line on top.

class TopologyLegendItem : public QGraphicsItem {
  Q_DECLARE_TR_FUNCTIONS(iris::ui::TopologyView)

 public:
  // large: a large cluster, longer figures and a third status line (the links not drawn).
  explicit TopologyLegendItem(bool large)
      : w_(std::max({large ? kLegendW + kLegendWider : kLegendW, widestLabel() + 66,
                     widestStatus(large) + 24})),
        extra_(large ? kStatusLineH : 0) {
    setData(kKindKey, kLegendKind);
    setZValue(2);
  }
  void setStatus(const QString& first, const QString& second, const QString& third = {}) {
    if (first == first_ && second == second_ && third == third_) return;
    first_ = first;
    second_ = second;
    third_ = third;
    update();
  }

  QString status() const {
    QStringList lines{first_, second_};
    if (!third_.isEmpty()) lines << third_;
    return lines.join(QLatin1Char('\n'));
  }

  // Every status line and every label fits the legend (nothing is drawn cut short with "…").
  bool textFits() const {
    const QFontMetricsF fm(sceneFont(scene(), 12));
    const double room = w_ - 24;
    for (const QString& line : {second_, third_}) {
      if (fm.horizontalAdvance(line) > room) return false;
    }
    for (const auto& label : entryLabels()) {
      if (fm.horizontalAdvance(label) > w_ - 66) return false;
    }
    return QFontMetricsF(sceneFont(scene(), 14, true)).horizontalAdvance(first_) <= room;
  }

  QRectF boundingRect() const override { return {0, 0, w_, kLegendH + extra_}; }

  void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override {
    const QPalette pal = scene()->palette();
    p->setPen(QPen(pal.color(QPalette::Mid), 1));
    p->setBrush(pal.color(QPalette::AlternateBase));
    p->drawRoundedRect(boundingRect().adjusted(0.5, 0.5, -0.5, -0.5), 8, 8);
    p->setPen(pal.color(QPalette::Text));
    p->setFont(sceneFont(scene(), 14, true));
    drawElided(p, QRectF(12, 8, w_ - 24, 20), Qt::AlignLeft | Qt::AlignVCenter, first_);
    p->setFont(sceneFont(scene(), 12));
    drawElided(p, QRectF(12, 28, w_ - 24, 18), Qt::AlignLeft | Qt::AlignVCenter, second_);
    if (extra_ > 0) {
      drawElided(p, QRectF(12, 28 + kStatusLineH, w_ - 24, 18), Qt::AlignLeft | Qt::AlignVCenter,
                 third_);
    }
    p->translate(0, extra_);
    p->setPen(QPen(pal.color(QPalette::Mid), 1));
    p->drawLine(QPointF(12, 52), QPointF(w_ - 12, 52));
    paintEntries(p, pal);
    p->setPen(pal.color(QPalette::PlaceholderText));
    p->setFont(sceneFont(scene(), 11));
    p->drawText(QRectF(12, kLegendH - 64, w_ - 24, 58), Qt::TextWordWrap | Qt::AlignLeft,
                tr("Right-click a node, a link or empty space to inject faults. Ctrl+click or "
                   "drag to select several nodes."));
  }

 private:
  void paintEntries(QPainter* p, const QPalette& pal) const {
    using Swatch = std::function<void(QPainter*, const QRectF&)>;
    const auto line = [](QPen pen) {
      return Swatch([pen](QPainter* q, const QRectF& r) {
        q->setPen(pen);
        q->drawLine(QPointF(r.left(), r.center().y()), QPointF(r.right(), r.center().y()));
      });
    };
    const auto box = [](QColor c) {
      return Swatch([c](QPainter* q, const QRectF& r) {
        q->setPen(QPen(c, 1.5));
        q->setBrush(c);
        q->drawRoundedRect(r.adjusted(6, 2, -6, -2), 3, 3);
      });
    };
    const Swatch cut = [](QPainter* q, const QRectF& r) {
      QPen wall(cutColor(), 5, Qt::CustomDashLine, Qt::FlatCap);
      wall.setDashPattern({1.5, 0.8});
      q->setPen(wall);
      q->drawLine(QPointF(r.center().x(), r.top()), QPointF(r.center().x(), r.bottom()));
    };
    const Swatch bars = [](QPainter* q, const QRectF& r) {
      q->setPen(Qt::NoPen);
      q->setBrush(barColor());
      for (int i = 0; i < 3; ++i)
        q->drawRect(QRectF(r.left() + 4 + i * 11, r.bottom() - 5 - i * 5, 7, 5 + i * 5));
    };
    const Swatch heat = [](QPainter* q, const QRectF& r) {
      q->setPen(Qt::NoPen);
      for (int i = 0; i < 4; ++i) {
        q->setBrush(heatColor(i / 3.0));
        q->drawRect(QRectF(r.left() + i * 9, r.top() + 3, 9, r.height() - 6));
      }
    };
    const QStringList labels = entryLabels();
    const std::vector<std::pair<Swatch, QString>> entries = {
        {line(QPen(healthyColor(), 3)), labels[0]},
        {line(QPen(degradedColor(), 3)), labels[1]},
        {line(QPen(degradedColor(), 2.5, Qt::DashLine)), labels[2]},
        {line(QPen(downLinkColor(), 2, Qt::DashLine)), labels[3]},
        {cut, labels[4]},
        {box(healthyColor()), labels[5]},
        {box(degradedColor()), labels[6]},
        {box(deadColor()), labels[7]},
        {bars, labels[8]},
        {heat, labels[9]},
    };
    double y = 62;
    p->setFont(sceneFont(scene(), 12));
    for (const auto& [swatch, text] : entries) {
      p->save();
      swatch(p, QRectF(12, y, 36, 18));
      p->restore();
      p->setPen(pal.color(QPalette::Text));
      drawElided(p, QRectF(56, y, w_ - 66, 18), Qt::AlignLeft | Qt::AlignVCenter, text);
      y += 23;
    }
  }

  // The entries' labels, in order; the legend is as wide as the widest needs (translations are
  // longer than English).
  static QStringList entryLabels() {
    return {tr("link up"),
            tr("link slow (rtt > 20 ms)"),
            tr("link up on one side only"),
            tr("link down"),
            tr("✂ partition (↛ one-way)"),
            tr("node healthy"),
            tr("node degraded (fault active)"),
            tr("node down"),
            tr("inbox per router shard"),
            tr("hot recipient: inbox buckets")};
  }
  static double widestLabel() {
    const QFontMetricsF fm(sceneFont(nullptr, 12));
    double w = 0;
    for (const auto& label : entryLabels()) w = std::max(w, fm.horizontalAdvance(label));
    return std::ceil(w) + 4;
  }

  // The status line with figures as wide as they get (a 100-node cluster, many links cut), so
  // no language has it cut short.
  static double widestStatus(bool large) {
    const QFontMetricsF fm(sceneFont(nullptr, 12));
    const int n = large ? 100 : 12;
    const QString line = tr("%1 of %2 nodes up · cut links: %3").arg(n).arg(n).arg(n * (n - 1) / 2);
    return std::ceil(fm.horizontalAdvance(line)) + 4;
  }

  double w_, extra_;
  QString first_, second_, third_;
};

}  // namespace iris::ui
