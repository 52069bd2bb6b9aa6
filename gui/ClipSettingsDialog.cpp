#include "gui/ClipSettingsDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

namespace s4::gui {
namespace {

// A line edit with browse buttons beside it.
QWidget* pathRow(QWidget* parent, QLineEdit* edit, const QList<QPushButton*>& buttons) {
    auto* row = new QWidget(parent);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    for (QPushButton* b : buttons) layout->addWidget(b);
    return row;
}

QString startDir(const QLineEdit* edit) {
    const QFileInfo info(edit->text());
    return edit->text().isEmpty() ? QString() : (info.isDir() ? info.absoluteFilePath() : info.absolutePath());
}

}  // namespace

ClipSettingsDialog::ClipSettingsDialog(QWidget* parent) : QDialog(parent) {
    setObjectName("clipSettingsDialog");
    setWindowTitle(tr("CLIP Model Settings"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Models used by the Prompts panel. Changes take effect when you press OK; the "
                                "panel then loads the models in the background."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto* form = new QFormLayout;

    clipModel_ = new QLineEdit(this);
    clipModel_->setObjectName("clipModelEdit");
    clipModel_->setPlaceholderText(tr("Hugging Face CLIP folder, or OpenAI ViT-B-16.pt"));
    auto* clipFolder = new QPushButton(tr("Folder…"), this);
    auto* clipFile = new QPushButton(tr("File…"), this);
    connect(clipFolder, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("CLIP Model Folder"), startDir(clipModel_));
        if (!dir.isEmpty()) clipModel_->setText(dir);
    });
    connect(clipFile, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("CLIP Model File"), startDir(clipModel_),
                                                          tr("TorchScript CLIP (*.pt);;All files (*)"));
        if (!file.isEmpty()) clipModel_->setText(file);
    });
    form->addRow(tr("CLIP model"), pathRow(this, clipModel_, {clipFolder, clipFile}));

    merges_ = new QLineEdit(this);
    merges_->setObjectName("mergesEdit");
    merges_->setPlaceholderText(tr("only for a .pt; empty: looked for beside it"));
    auto* mergesFile = new QPushButton(tr("File…"), this);
    connect(mergesFile, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("BPE Merges"), startDir(merges_),
                                                          tr("Merges (*.txt *.gz);;All files (*)"));
        if (!file.isEmpty()) merges_->setText(file);
    });
    form->addRow(tr("BPE merges"), pathRow(this, merges_, {mergesFile}));

    checkpoint_ = new QLineEdit(this);
    checkpoint_->setObjectName("checkpointEdit");
    checkpoint_->setPlaceholderText(tr("S4Token tokenizer checkpoint (docs/CHECKPOINT_FORMAT.md)"));
    auto* checkpointFile = new QPushButton(tr("File…"), this);
    connect(checkpointFile, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Tokenizer Checkpoint"), startDir(checkpoint_));
        if (!file.isEmpty()) checkpoint_->setText(file);
    });
    form->addRow(tr("Tokenizer checkpoint"), pathRow(this, checkpoint_, {checkpointFile}));

    device_ = new QComboBox(this);
    device_->setObjectName("deviceCombo");
    device_->addItem(tr("CPU"), "cpu");
    device_->addItem(tr("CUDA GPU"), "cuda");
    device_->setToolTip(tr("CUDA needs a LibTorch built with CUDA; Debian's LibTorch is CPU only"));
    form->addRow(tr("Device"), device_);

    precision_ = new QComboBox(this);
    precision_->setObjectName("precisionCombo");
    precision_->addItem(tr("Automatic (fp16 on CUDA, fp32 on CPU)"), "auto");
    precision_->addItem(tr("fp32"), "fp32");
    precision_->addItem(tr("fp16 (CUDA only)"), "fp16");
    precision_->addItem(tr("bf16"), "bf16");
    precision_->setToolTip(tr("Number format of the CLIP model; point features are always returned in fp32"));
    form->addRow(tr("Precision"), precision_);

    threads_ = new QSpinBox(this);
    threads_->setObjectName("threadsSpin");
    threads_->setRange(0, 256);
    threads_->setSpecialValueText(tr("all cores (%1)").arg(QThread::idealThreadCount()));
    form->addRow(tr("CPU threads"), threads_);
    layout->addLayout(form);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(640, sizeHint().height());
}

void ClipSettingsDialog::setSettings(const PromptModelSettings& s) {
    clipModel_->setText(s.clipModel);
    merges_->setText(s.mergesFile);
    checkpoint_->setText(s.tokenizerCheckpoint);
    device_->setCurrentIndex(std::max(0, device_->findData(s.device)));
    precision_->setCurrentIndex(std::max(0, precision_->findData(s.precision)));
    threads_->setValue(s.threads);
}

PromptModelSettings ClipSettingsDialog::settings() const {
    PromptModelSettings s;
    s.clipModel = clipModel_->text().trimmed();
    s.mergesFile = merges_->text().trimmed();
    s.tokenizerCheckpoint = checkpoint_->text().trimmed();
    s.device = device_->currentData().toString();
    s.precision = precision_->currentData().toString();
    s.threads = threads_->value();
    return s;
}

void ClipSettingsDialog::load(const QSettings& store) {
    setSettings(PromptModelSettings::load(store));
}

void ClipSettingsDialog::save(QSettings& store) const {
    settings().save(store);
}

}  // namespace s4::gui
