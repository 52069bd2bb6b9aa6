#include "gui/LegendPanel.h"

#include "gui/ColorSwatch.h"

#include "core/common/Log.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLinearGradient>
#include <QLocale>
#include <QPainter>
#include <QPixmap>
#include <QSignalBlocker>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace s4::gui {
namespace {

constexpr int kBarHeight = 16;

QColor toQColor(const Rgb8& c) {
    return QColor(c[0], c[1], c[2]);
}


QString formatValue(double v) {
    return QLocale().toString(v, 'g', 4);
}

}  // namespace

ColorBarWidget::ColorBarWidget(QWidget* parent) : QWidget(parent) {
    setObjectName("colorBar");
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void ColorBarWidget::setRange(double min, double max) {
    min_ = min;
    max_ = max;
    update();
}

QSize ColorBarWidget::sizeHint() const {
    return {240, kBarHeight + fontMetrics().height() + 8};
}

QSize ColorBarWidget::minimumSizeHint() const {
    return {120, kBarHeight + fontMetrics().height() + 8};
}

void ColorBarWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const QRect bar(1, 1, width() - 2, kBarHeight);
    // The exact colormap of ColorModes, sampled finely enough to look continuous.
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    constexpr int kStops = 32;
    for (int i = 0; i <= kStops; ++i) {
        const double t = double(i) / kStops;
        gradient.setColorAt(t, toQColor(viridis(t)));
    }
    painter.fillRect(bar, gradient);
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawRect(bar.adjusted(0, 0, -1, -1));
    painter.setPen(palette().color(QPalette::WindowText));
    const QRect text(bar.left(), bar.bottom() + 4, bar.width(), fontMetrics().height());
    painter.drawText(text, Qt::AlignLeft | Qt::AlignTop, formatValue(min_));
    painter.drawText(text, Qt::AlignHCenter | Qt::AlignTop, formatValue((min_ + max_) / 2));
    painter.drawText(text, Qt::AlignRight | Qt::AlignTop, formatValue(max_));
}

LegendPanel::LegendPanel(QWidget* parent) : QWidget(parent) {
    setObjectName("legendPanel");
    auto* layout = new QVBoxLayout(this);
    title_ = new QLabel(this);
    title_->setObjectName("legendTitle");
    QFont bold = title_->font();
    bold.setBold(true);
    title_->setFont(bold);
    layout->addWidget(title_);

    classSetRow_ = new QWidget(this);
    auto* row = new QHBoxLayout(classSetRow_);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(new QLabel(tr("Class set"), classSetRow_));
    classSetCombo_ = new QComboBox(classSetRow_);
    classSetCombo_->setObjectName("legendClassSet");
    classSetCombo_->addItem(tr("Automatic"), "auto");
    classSetCombo_->addItem(tr("None (class N)"), "none");
    for (const std::string& name : builtinClassSetNames())
        classSetCombo_->addItem(QString::fromStdString(name), QString::fromStdString(name));
    classSetCombo_->setToolTip(
        tr("Which names the label ids stand for. Automatic guesses from the file: ScanNet → nyu40, "
           "S3DIS → s3dis13, SemanticKITTI → semantickitti"));
    connect(classSetCombo_, &QComboBox::currentIndexChanged, this, [this] { refreshSceneLegend(); });
    row->addWidget(classSetCombo_, 1);
    layout->addWidget(classSetRow_);

    classes_ = new QTreeWidget(this);
    classes_->setObjectName("legendClasses");
    classes_->setColumnCount(3);
    classes_->setHeaderLabels({tr("Class"), tr("Id"), tr("Points")});
    classes_->setRootIsDecorated(false);
    classes_->setSelectionMode(QAbstractItemView::NoSelection);
    classes_->header()->setStretchLastSection(false);
    classes_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    classes_->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    classes_->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    layout->addWidget(classes_, 1);

    colorBar_ = new ColorBarWidget(this);
    layout->addWidget(colorBar_);
    message_ = new QLabel(this);
    message_->setObjectName("legendMessage");
    message_->setWordWrap(true);
    layout->addWidget(message_);
    layout->addStretch(0);
    showMessage(tr("No scene"));
}

void LegendPanel::showScene(std::shared_ptr<const Scene> scene, const ColorSpec& spec,
                            std::shared_ptr<const AssignedLabelClasses> assigned) {
    scene_ = std::move(scene);
    spec_ = spec;
    assigned_ = std::move(assigned);
    refreshSceneLegend();
}

QString LegendPanel::classSetChoice() const {
    return classSetCombo_->currentData().toString();
}

void LegendPanel::setClassSetChoice(const QString& choice) {
    const int index = classSetCombo_->findData(choice);
    if (index >= 0) classSetCombo_->setCurrentIndex(index);
}

void LegendPanel::refreshSceneLegend() {
    if (!scene_) {
        showMessage(tr("No scene"));
        return;
    }
    if (spec_.mode == ColorMode::Labels && colorModeAvailable(*scene_, spec_) && assigned_) {
        showClasses(QString::fromStdString(assigned_->title),
                    assignedLabelLegend(scene_->histogram(attr::kLabel), *assigned_));
        return;
    }
    if (spec_.mode == ColorMode::Labels && colorModeAvailable(*scene_, spec_)) {
        const QString choice = classSetChoice();
        std::string setName;
        if (choice == "auto")
            setName = guessClassSetName(*scene_);
        else if (choice != "none")
            setName = choice.toStdString();
        std::optional<ClassSet> classes;
        if (!setName.empty()) {
            try {
                classes = builtinClassSet(setName);
            } catch (const std::exception& e) {
                logger("gui")->warn("legend: class set '{}' unavailable: {}", setName, e.what());
            }
        }
        effectiveClassSet_ = classes ? QString::fromStdString(classes->name) : QString();
        const auto rows = labelLegend(scene_->histogram(attr::kLabel), classes ? &*classes : nullptr);
        showClasses(classes ? tr("Labels (%1)").arg(effectiveClassSet_) : tr("Labels"), rows);
        classSetRow_->setVisible(true);
        return;
    }
    if (auto scalar = scalarLegend(*scene_, spec_)) {
        showScalar(*scalar);
        return;
    }
    showMessage(tr("%1: no legend for this colour mode").arg(QString::fromStdString(colorSpecTitle(spec_))));
}

void LegendPanel::showClasses(const QString& title, const std::vector<LegendClass>& rows) {
    shownScalar_.reset();
    title_->setText(title);
    classSetRow_->setVisible(false);  // only the scene's own labels follow the combo
    classes_->clear();
    const QLocale locale;
    for (const LegendClass& c : rows) {
        auto* item = new QTreeWidgetItem(classes_);
        item->setIcon(0, colorSwatch(c.color));
        item->setText(0, QString::fromStdString(c.name));
        item->setText(1, QString::number(c.id));
        item->setText(2, locale.toString(static_cast<qulonglong>(c.count)));
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
    }
    classes_->setVisible(true);
    colorBar_->setVisible(false);
    message_->setVisible(rows.empty());
    message_->setText(rows.empty() ? tr("No labelled points") : QString());
}

void LegendPanel::showScalar(const ScalarLegend& legend) {
    shownScalar_ = legend;
    title_->setText(QString::fromStdString(legend.title));
    classSetRow_->setVisible(false);
    classes_->setVisible(false);
    classes_->clear();
    colorBar_->setRange(legend.min, legend.max);
    colorBar_->setVisible(true);
    message_->setVisible(false);
}

void LegendPanel::showMessage(const QString& text) {
    shownScalar_.reset();
    title_->setText(tr("Legend"));
    classSetRow_->setVisible(false);
    classes_->setVisible(false);
    classes_->clear();
    colorBar_->setVisible(false);
    message_->setText(text);
    message_->setVisible(true);
}

void LegendPanel::showNote(const QString& title, const QString& text) {
    showMessage(text);
    title_->setText(title);
}

QString LegendPanel::messageText() const {
    return message_->isHidden() ? QString() : message_->text();
}

QString LegendPanel::titleText() const {
    return title_->text();
}

QStringList LegendPanel::classNames() const {
    QStringList names;
    for (int i = 0; i < classes_->topLevelItemCount(); ++i) names << classes_->topLevelItem(i)->text(0);
    return names;
}

bool LegendPanel::colorBarVisible() const {
    return !colorBar_->isHidden();
}

}  // namespace s4::gui
