#pragma once
// The dockable "Scene" panel: file, format, point count, fields, bounding box, memory estimate and
// reader notes of the open scene, from s4::summarizeScene.

#include "core/scene/Scene.h"

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace s4::gui {

class ScenePanel : public QWidget {
    Q_OBJECT
public:
    explicit ScenePanel(QWidget* parent = nullptr);

    /// Shows the summary of scene (nullptr: "No scene").
    void showScene(const Scene* scene);
    /// The point count as displayed (for tests and accessibility), e.g. "64,365".
    QString pointCountText() const;

private:
    QLabel* file_;
    QLabel* format_;
    QLabel* points_;
    QLabel* bounds_;
    QLabel* memory_;
    QTreeWidget* fields_;
    QLabel* notes_;
};

}  // namespace s4::gui
