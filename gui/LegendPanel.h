#pragma once
// The dockable "Legend": what the colours in the viewport mean. In the label colour mode a list of the
// classes present (palette swatch, class name, id, point count) with a class-set choice (automatic from
// the file, none, or any shipped set); in the height and scalar-field modes a colour bar with the field
// name and its min/max. Other panels (prompt segmentation, heatmaps) put their own rows or ranges in.

#include "core/scene/Scene.h"
#include "gui/ColorLegend.h"
#include "gui/ColorModes.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QTreeWidget;

namespace s4::gui {

/// A horizontal viridis bar with its minimum, middle and maximum written below it.
class ColorBarWidget : public QWidget {
    Q_OBJECT
public:
    explicit ColorBarWidget(QWidget* parent = nullptr);
    void setRange(double min, double max);
    double minimum() const { return min_; }
    double maximum() const { return max_; }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    double min_ = 0.0;
    double max_ = 1.0;
};

class LegendPanel : public QWidget {
    Q_OBJECT
public:
    explicit LegendPanel(QWidget* parent = nullptr);

    /// The legend of spec for scene (null: none). Label names follow the class-set choice, or assigned
    /// when the scene's labels were assigned by a tool (prompt segmentation).
    void showScene(std::shared_ptr<const Scene> scene, const ColorSpec& spec,
                   std::shared_ptr<const AssignedLabelClasses> assigned = nullptr);
    /// Rows supplied by a caller (prompt segmentation: one row per prompt), with a title.
    void showClasses(const QString& title, const std::vector<LegendClass>& rows);
    /// A colour bar supplied by a caller (heatmap of a prompt).
    void showScalar(const ScalarLegend& legend);
    /// No legend, with a one-line reason.
    void showMessage(const QString& text);
    /// A layer that has no class list or colour bar (superpoints, patches): its title and what it shows.
    void showNote(const QString& title, const QString& text);

    /// Class-set choice of the combo: "auto", "none" or a shipped set name.
    QString classSetChoice() const;
    void setClassSetChoice(const QString& choice);
    /// The class set label names currently come from ("" when none: "class N").
    QString effectiveClassSetName() const { return effectiveClassSet_; }

    /// What is displayed, for tests and accessibility.
    QString titleText() const;
    /// The message or note line ("" when a list or bar is shown).
    QString messageText() const;
    QStringList classNames() const;
    bool colorBarVisible() const;
    std::optional<ScalarLegend> shownScalar() const { return shownScalar_; }

private:
    void refreshSceneLegend();

    std::shared_ptr<const Scene> scene_;
    ColorSpec spec_;
    std::shared_ptr<const AssignedLabelClasses> assigned_;
    QString effectiveClassSet_;
    std::optional<ScalarLegend> shownScalar_;

    QLabel* title_ = nullptr;
    QWidget* classSetRow_ = nullptr;
    QComboBox* classSetCombo_ = nullptr;
    QTreeWidget* classes_ = nullptr;
    ColorBarWidget* colorBar_ = nullptr;
    QLabel* message_ = nullptr;
};

}  // namespace s4::gui
