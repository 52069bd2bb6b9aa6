#include "gui/ScenePanel.h"

#include "core/common/Error.h"
#include "core/scene/SceneSummary.h"

#include <QFileInfo>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace s4::gui {
namespace {

QLabel* valueLabel(QWidget* parent, const char* objectName) {
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

QString vec3(const nlohmann::json& v) {
    return QString("%1, %2, %3")
        .arg(v[0].get<double>(), 0, 'g', 6)
        .arg(v[1].get<double>(), 0, 'g', 6)
        .arg(v[2].get<double>(), 0, 'g', 6);
}

}  // namespace

ScenePanel::ScenePanel(QWidget* parent) : QWidget(parent) {
    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    file_ = valueLabel(this, "sceneFile");
    format_ = valueLabel(this, "sceneFormat");
    points_ = valueLabel(this, "scenePointCount");
    bounds_ = valueLabel(this, "sceneBounds");
    memory_ = valueLabel(this, "sceneMemory");
    form->addRow(tr("File:"), file_);
    form->addRow(tr("Format:"), format_);
    form->addRow(tr("Points:"), points_);
    form->addRow(tr("Bounds:"), bounds_);
    form->addRow(tr("Memory:"), memory_);

    fields_ = new QTreeWidget(this);
    fields_->setObjectName("sceneFields");
    fields_->setHeaderLabels({tr("Field"), tr("Type"), tr("Comp.")});
    fields_->setRootIsDecorated(false);
    fields_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);

    notes_ = valueLabel(this, "sceneNotes");

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(fields_, 1);
    layout->addWidget(notes_);
    showScene(nullptr);
}

void ScenePanel::showScene(const Scene* scene) {
    fields_->clear();
    if (!scene) {
        for (QLabel* l : {file_, format_, points_, bounds_, memory_, notes_}) l->clear();
        file_->setText(tr("No scene"));
        return;
    }
    const nlohmann::json s = summarizeScene(*scene);
    const QString path = QString::fromStdString(s["file"].get<std::string>());
    file_->setText(QFileInfo(path).fileName());
    file_->setToolTip(path);
    format_->setText(QString::fromStdString(s["format"].get<std::string>()));
    points_->setText(QLocale().toString(static_cast<qulonglong>(s["points"].get<std::uint64_t>())));
    if (s["bbox"].is_null())
        bounds_->setText(tr("empty"));
    else
        bounds_->setText(tr("min %1\nmax %2").arg(vec3(s["bbox"]["min"]), vec3(s["bbox"]["max"])));
    memory_->setText(QString::fromStdString(formatBytes(s["memory_bytes"].get<std::uint64_t>())));
    for (const auto& f : s["fields"]) {
        auto* item = new QTreeWidgetItem(fields_);
        item->setText(0, QString::fromStdString(f["name"].get<std::string>()));
        item->setText(1, QString::fromStdString(f["type"].get<std::string>()));
        item->setText(2, QString::number(f["components"].get<int>()));
    }
    QStringList notes;
    if (s.contains("faces")) notes << tr("%1 mesh faces").arg(s["faces"].get<std::uint64_t>());
    if (const auto dropped = s["dropped_non_finite"].get<std::uint64_t>(); dropped > 0)
        notes << tr("%1 points with NaN/Inf coordinates left out").arg(dropped);
    if (s.contains("notes"))
        for (const auto& n : s["notes"]) notes << QString::fromStdString(n.get<std::string>());
    notes_->setText(notes.join('\n'));
}

QString ScenePanel::pointCountText() const {
    return points_->text();
}

}  // namespace s4::gui
