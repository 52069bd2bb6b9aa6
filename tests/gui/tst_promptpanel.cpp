// The Prompts panel: prompt text parsing, class sets filling the prompt list, the CLIP settings dialog
// round-tripping through QSettings, and the panel without a model (help text and a settings button,
// Segment disabled) or with paths that cannot be loaded (the error, the help, no crash). Window checks
// need an X display with GLX (xvfb-run); they skip otherwise.

#include "GuiTestSupport.h"
#include "core/scene/ClassSet.h"
#include "gui/ClipSettingsDialog.h"
#include "gui/MainWindow.h"
#include "gui/PromptModelSettings.h"
#include "gui/PromptPanel.h"

#include <QComboBox>
#include <QDockWidget>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using namespace s4;
using namespace s4::gui;

namespace {

constexpr int kGenerousMs = 120000;

// The panel reads the application's QSettings; the test application has its own organisation name
// (GuiTestSupport.h), and every test starts from no model settings.
void clearModelSettings() {
    QSettings settings;
    settings.remove("openvocab");
    settings.sync();
}

std::unique_ptr<MainWindow> newWindow() {
    MainWindow::Options options = test::testWindowOptions();
    auto window = std::make_unique<MainWindow>(options);
    window->show();
    return window;
}

}  // namespace

class TestPromptPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCOMPARE(QCoreApplication::organizationName(), QString("S4StudioTests"));
    }
    void cleanup() { clearModelSettings(); }

    void promptsAreSplitTrimmedAndDeduplicated() {
        QCOMPARE(PromptPanel::parsePrompts("chair, table\nsofa\n\n  chair \r\ncoffee   table,"),
                 (QStringList{"chair", "table", "sofa", "coffee table"}));
        QVERIFY(PromptPanel::parsePrompts(" ,\n , ").isEmpty());
    }

    void settingsDialogRoundTripsThroughQSettings() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QSettings store(dir.filePath("settings.ini"), QSettings::IniFormat);
        ClipSettingsDialog dialog;
        dialog.clipModelEdit()->setText("/models/clip-vit-base-patch16");
        dialog.mergesEdit()->setText("/models/bpe_simple_vocab_16e6.txt");
        dialog.checkpointEdit()->setText("/models/s4token.ckpt");
        dialog.deviceCombo()->setCurrentIndex(dialog.deviceCombo()->findData("cuda"));
        QCOMPARE(dialog.precisionCombo()->currentData().toString(), QString("auto"));  // the default
        dialog.precisionCombo()->setCurrentIndex(dialog.precisionCombo()->findData("bf16"));
        dialog.threadsSpin()->setValue(3);
        dialog.save(store);
        store.sync();

        QSettings reread(dir.filePath("settings.ini"), QSettings::IniFormat);
        QCOMPARE(reread.value("openvocab/clipModel").toString(), QString("/models/clip-vit-base-patch16"));
        ClipSettingsDialog second;
        second.load(reread);
        QCOMPARE(second.clipModelEdit()->text(), QString("/models/clip-vit-base-patch16"));
        QCOMPARE(second.mergesEdit()->text(), QString("/models/bpe_simple_vocab_16e6.txt"));
        QCOMPARE(second.checkpointEdit()->text(), QString("/models/s4token.ckpt"));
        QCOMPARE(second.deviceCombo()->currentData().toString(), QString("cuda"));
        QCOMPARE(second.precisionCombo()->currentData().toString(), QString("bf16"));
        QCOMPARE(second.threadsSpin()->value(), 3);
        QVERIFY(second.settings() == dialog.settings());
        QVERIFY(second.settings().configured());

        // An unknown device in the file falls back to the CPU instead of a value the combo lacks.
        reread.setValue("openvocab/device", "tpu");
        QCOMPARE(PromptModelSettings::load(reread).device, QString("cpu"));
        reread.setValue("openvocab/precision", "fp8");
        QCOMPARE(PromptModelSettings::load(reread).precision, QString("auto"));
    }

    void panelWithoutModelShowsHelpAndSettingsButton() {
        S4_REQUIRE_DISPLAY();
        clearModelSettings();
        auto window = newWindow();
        PromptPanel* panel = window->promptPanel();
        QVERIFY(panel);
        QVERIFY(!panel->modelReady());
        // The help paragraph (HTML-escaped in the label) is shown as is.
        const QString help = promptModelHelp().toHtmlEscaped();
        QVERIFY2(panel->modelStatusText().contains(help.left(40)), qPrintable(panel->modelStatusText()));
        QVERIFY(!panel->settingsButton()->isHidden());
        QVERIFY(panel->settingsButton()->isEnabled());
        panel->setPromptText("chair, table");
        QVERIFY(!panel->segmentButton()->isEnabled());
        QVERIFY(!panel->heatmapButton()->isEnabled());
        panel->segment();  // no model: nothing happens, nothing crashes
        QVERIFY(!panel->segmentation());

        // The button opens the settings dialog.
        QTest::mouseClick(panel->settingsButton(), Qt::LeftButton);
        ClipSettingsDialog* dialog = window->findChild<ClipSettingsDialog*>();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        QCOMPARE(dialog->clipModelEdit()->text(), QString());
        dialog->reject();
    }

    void unloadableModelShowsErrorAndHelp() {
        S4_REQUIRE_DISPLAY();
        QTemporaryDir dir;
        {
            QSettings settings;
            settings.setValue("openvocab/clipModel", dir.filePath("no-such-clip"));
            settings.setValue("openvocab/tokenizerCheckpoint", dir.filePath("no-such.ckpt"));
            settings.sync();
        }
        auto window = newWindow();
        PromptPanel* panel = window->promptPanel();
        QSignalSpy failed(panel, &PromptPanel::modelFailed);
        QSignalSpy loaded(panel, &PromptPanel::modelLoaded);
        // Not with the window: the Prompts tab is behind the Tokenization tab.
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        QVERIFY(panel->visibleRegion().isEmpty());
        QVERIFY(!panel->modelLoading());
        QVERIFY2(panel->modelStatusText().contains("no-such-clip"), qPrintable(panel->modelStatusText()));
        window->showPromptPanel();  // the first show loads the models
        QVERIFY(panel->modelLoading() || failed.count() + loaded.count() >= 1);
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() + loaded.count() >= 1, kGenerousMs);
        QCOMPARE(loaded.count(), 0);
        QVERIFY(!panel->modelReady());
        const QString message = failed.at(0).at(0).toString();
        QVERIFY(!message.isEmpty());
        QVERIFY2(panel->modelStatusText().contains(message.left(30).toHtmlEscaped()),
                 qPrintable(panel->modelStatusText()));
        QVERIFY(!panel->settingsButton()->isHidden());
        QVERIFY(!panel->segmentButton()->isEnabled());

        // Showing the panel again does not repeat a failed load; Load Again does.
        window->findChild<QDockWidget*>("tokenizationDock")->raise();
        QTRY_VERIFY(panel->visibleRegion().isEmpty());
        window->showPromptPanel();
        QTRY_VERIFY(!panel->visibleRegion().isEmpty());
        QVERIFY(!panel->modelLoading());
        QCOMPARE(failed.count(), 1);
        QPushButton* loadAgain = panel->findChild<QPushButton*>("promptLoadButton");
        QVERIFY(loadAgain && !loadAgain->isHidden());
        QTest::mouseClick(loadAgain, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, kGenerousMs);
        QCOMPARE(loaded.count(), 0);
    }

    void classSetFillsPromptsAndClassList() {
        S4_REQUIRE_DISPLAY();
        auto window = newWindow();
        PromptPanel* panel = window->promptPanel();
        panel->setClassSet("scannet20");
        const ClassSet set = builtinClassSet("scannet20");
        QCOMPARE(panel->prompts().size(), qsizetype(set.classes.size()));
        QCOMPARE(panel->classListNames(), panel->prompts());
        QCOMPARE(panel->prompts().front(), QString::fromStdString(set.classes.front().prompt));
        panel->setPromptText("lamp\nplant");
        QCOMPARE(panel->classListNames(), (QStringList{"lamp", "plant"}));
        QVERIFY(!panel->templates().empty());  // the default templates are filled in
    }
};

S4_GUI_TEST_MAIN(TestPromptPanel)
#include "tst_promptpanel.moc"
