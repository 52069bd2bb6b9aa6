#pragma once
// Edit ▸ CLIP Model Settings…: the CLIP model (Hugging Face folder or .pt), the BPE merges file, the
// S4Token tokenizer checkpoint, the compute device and the thread count, read from and written to a
// QSettings (PromptModelSettings) when accepted.

#include "gui/PromptModelSettings.h"

#include <QDialog>

class QComboBox;
class QLineEdit;
class QSettings;
class QSpinBox;

namespace s4::gui {

class ClipSettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit ClipSettingsDialog(QWidget* parent = nullptr);

    void setSettings(const PromptModelSettings& settings);
    PromptModelSettings settings() const;

    /// Fills the fields from store.
    void load(const QSettings& store);
    /// Writes the fields to store.
    void save(QSettings& store) const;

    /// The editors, for tests.
    QLineEdit* clipModelEdit() const { return clipModel_; }
    QLineEdit* mergesEdit() const { return merges_; }
    QLineEdit* checkpointEdit() const { return checkpoint_; }
    QComboBox* deviceCombo() const { return device_; }
    QComboBox* precisionCombo() const { return precision_; }
    QSpinBox* threadsSpin() const { return threads_; }

private:
    QLineEdit* clipModel_;
    QLineEdit* merges_;
    QLineEdit* checkpoint_;
    QComboBox* device_;
    QComboBox* precision_;
    QSpinBox* threads_;
};

}  // namespace s4::gui
