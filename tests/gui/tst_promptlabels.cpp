// Prompt segmentation results live in the scene: a real segmentation through the Prompts panel (with a
// tiny random CLIP and an untrained tokenizer checkpoint written by the test, so the labels carry no
// meaning) stores "label" and "confidence" in a copy of the scene that replaces it everywhere, keeps the
// tokenization cache, names the prompts in the Legend, survives Save Scene As and Export Labels, and
// marks the window modified (closing then asks). The Legend also follows the tokenization layers.
// Window checks need an X display with GLX (xvfb-run); they skip otherwise.

#include "GuiTestSupport.h"
#include "core/io/LabelWriter.h"
#include "core/io/SceneReader.h"
#include "core/io/SceneWriter.h"
#include "core/model/clip/RandomClipModel.h"
#include "core/scene/ClassSet.h"
#include "core/model/encoder/RandomTokenizerCheckpoint.h"
#include "gui/LegendPanel.h"
#include "gui/MainWindow.h"
#include "gui/PointCloudViewport.h"
#include "gui/PromptPanel.h"
#include "gui/TokenizationPanel.h"
#include "tests/support/TestData.h"

#include <QComboBox>
#include <QDir>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace s4;
using namespace s4::gui;

namespace {

constexpr int kGenerousMs = 300000;

/// A floor and a wall, 40 × 40 points each with a little noise, brown and white, dataset labels 2 and 1.
Scene floorAndWall() {
    Scene scene;
    std::mt19937 rng(3);
    std::normal_distribution<float> noise(0.0f, 0.003f);
    std::vector<std::int32_t> labels;
    for (int i = 0; i < 40; ++i)
        for (int j = 0; j < 40; ++j) {
            scene.positions.push_back({i * 0.05f, j * 0.05f, noise(rng)});
            labels.push_back(2);
            scene.positions.push_back({i * 0.05f, noise(rng), 0.05f + j * 0.05f});
            labels.push_back(1);
        }
    std::copy(labels.begin(), labels.end(),
              scene.add(attr::kLabel, ScalarType::Int32, 1).data<std::int32_t>());
    auto* rgb = scene.add(attr::kColor, ScalarType::UInt8, 3).data<std::uint8_t>();
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const bool floor = labels[i] == 2;
        rgb[3 * i] = floor ? 140 : 235, rgb[3 * i + 1] = floor ? 90 : 235, rgb[3 * i + 2] = floor ? 40 : 230;
    }
    return scene;
}

template <class T>
std::vector<T> values(const Scene& scene, const char* name) {
    const AttributeArray* a = scene.find(name);
    if (!a) return {};
    return std::vector<T>(a->data<T>(), a->data<T>() + a->size());
}

std::unique_ptr<MainWindow> newWindow(bool confirmDiscard = false) {
    MainWindow::Options options = test::testWindowOptions();
    options.confirmDiscard = confirmDiscard;
    auto window = std::make_unique<MainWindow>(options);
    window->resize(1280, 800);
    window->show();
    return window;
}

bool openAndWait(MainWindow& window, const QString& path) {
    QSignalSpy shown(&window, &MainWindow::sceneShown);
    QSignalSpy failed(&window, &MainWindow::sceneLoadFailed);
    window.openFile(path);
    return QTest::qWaitFor([&] { return !shown.isEmpty() || !failed.isEmpty(); }, kGenerousMs) &&
           !shown.isEmpty();
}

// Clicks the given button of the next modal message box (QMessageBox::question runs its own loop).
void answerNextMessageBox(QMessageBox::StandardButton button, bool* asked) {
    QTimer::singleShot(0, [button, asked] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box) {
            answerNextMessageBox(button, asked);  // not shown yet: look again
            return;
        }
        *asked = true;
        box->button(button)->click();
    });
}

}  // namespace

class TestPromptLabels : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCOMPARE(QCoreApplication::organizationName(), QString("S4StudioTests"));
        QVERIFY(models_.isValid());
        // A tiny random CLIP and an untrained tokenizer checkpoint: real code paths, meaningless labels.
        const std::filesystem::path root = models_.path().toStdString();
        clip::writeRandomClipHuggingFaceFolder(root / "clip", clip::tinyClipConfig(), 7);
        TokenizationParams params;
        params.sampling.count = 64;
        params.grouping.groupSize = 16;
        writeRandomTokenizerCheckpoint(root / "tokenizer", clip::tinyClipConfig(), params, 7);
        writePly(floorAndWall(), root / "floor_and_wall.ply");
        Scene unlabelled = floorAndWall();
        unlabelled.remove(attr::kLabel);
        writePly(unlabelled, root / "unlabelled.ply");
    }
    void init() { useTinyModel(); }
    void cleanupTestCase() {
        QSettings settings;
        settings.remove("openvocab");
    }

    void segmentationIsStoredInTheSceneAndKeepsTheTokenizationCache() {
        S4_REQUIRE_DISPLAY();
        auto window = newWindow();
        PromptPanel* panel = window->promptPanel();
        // The Prompts tab is behind the Tokenization tab: the models are set but not loaded yet. The
        // Segment click below loads them, then encodes the scene, then segments.
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        QVERIFY(panel->visibleRegion().isEmpty());
        QVERIFY(!panel->modelReady() && !panel->modelLoading());
        TokenizationPanel* tokenization = window->tokenizationPanel();
        QSignalSpy tokenized(tokenization, &TokenizationPanel::resultShown);
        QVERIFY(openAndWait(*window, models_.filePath("floor_and_wall.ply")));
        QVERIFY(tokenized.wait(kGenerousMs));
        const auto original = window->scene();
        const auto firstTokenization = tokenization->outcome();
        QVERIFY(firstTokenization && firstTokenization->scene == original);
        QVERIFY(firstTokenization->result.superpointsRecomputed);
        QVERIFY(!window->hasUnsavedResults());

        const QStringList prompts{"floor", "wall", "chair"};
        panel->setPromptText(prompts.join(", "));
        QSignalSpy segmented(panel, &PromptPanel::segmentationShown);
        QSignalSpy failed(panel, &PromptPanel::queryFailed);
        QSignalSpy refreshed(tokenization, &TokenizationPanel::resultShown);
        QVERIFY(panel->segmentButton()->isEnabled());
        QTest::mouseClick(panel->segmentButton(), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return !segmented.isEmpty() || !failed.isEmpty(); }, kGenerousMs));
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
        QVERIFY(panel->modelReady());
        QTest::qWait(100);
        QCOMPARE(segmented.count(), 1);  // the click queued one query, which ran once

        // A new scene object replaced the old one, which is untouched (copy on write).
        const auto scene = window->scene();
        QVERIFY(scene && scene != original);
        QVERIFY(!original->find("confidence"));
        QCOMPARE(values<std::int32_t>(*original, attr::kLabel),
                 values<std::int32_t>(floorAndWall(), attr::kLabel));
        QVERIFY(scene->positions == original->positions);
        QVERIFY(window->viewport()->scene() == scene);

        // label: prompt index or -1; confidence: a probability; both one per point. The engine's answer
        // is the reference.
        const std::size_t n = scene->pointCount();
        const AttributeArray* label = scene->find(attr::kLabel);
        const AttributeArray* confidence = scene->find("confidence");
        QVERIFY(label && confidence);
        QCOMPARE(label->type(), ScalarType::Int32);
        QCOMPARE(confidence->type(), ScalarType::Float32);
        QCOMPARE(label->size(), n);
        QCOMPARE(confidence->size(), n);
        const auto labels = values<std::int32_t>(*scene, attr::kLabel);
        const auto confidences = values<float>(*scene, "confidence");
        QVERIFY(std::all_of(labels.begin(), labels.end(),
                            [&](std::int32_t k) { return k >= -1 && k < prompts.size(); }));
        QVERIFY(std::all_of(confidences.begin(), confidences.end(),
                            [](float c) { return c >= 0.f && c <= 1.f; }));
        QCOMPARE(labels, panel->segmentation()->labels.label);
        QCOMPARE(confidences, panel->segmentation()->labels.confidence);
        // The dataset's ground truth is kept beside the prompt labels.
        QCOMPARE(values<std::int32_t>(*scene, "dataset_label"),
                 values<std::int32_t>(*original, attr::kLabel));

        // Unsaved results: the title's modified mark; the label mode in prompt names and colours.
        QVERIFY(window->hasUnsavedResults());
        QVERIFY(window->isWindowModified() && window->windowTitle().contains("[*]"));
        QCOMPARE(window->colorSpec(), (ColorSpec{ColorMode::Labels, {}}));
        LegendPanel* legend = window->legendPanel();
        QCOMPARE(legend->titleText(), QString("Prompts"));
        QStringList expectedRows;
        if (std::count(labels.begin(), labels.end(), -1) > 0) expectedRows << "unknown";
        for (int k = 0; k < prompts.size(); ++k)
            if (std::count(labels.begin(), labels.end(), k) > 0) expectedRows << prompts[k];
        QCOMPARE(legend->classNames(), expectedRows);
        QVERIFY(!expectedRows.isEmpty());
        QVERIFY(window->assignedLabelClasses());
        QVERIFY(window->assignedLabelClasses()->colors[1] == PromptPanel::promptColor(1));
        auto* combo = window->findChild<QComboBox*>("colorModeCombo");
        QVERIFY(combo->findData("field:confidence") >= 0);
        QVERIFY(combo->findData("labels") >= 0);

        // The tokenization worker adopted the copy and served it from its cache (the panel asks it again
        // after a replacement; its statistics show 0 ms for cached stages).
        QVERIFY(QTest::qWaitFor([&] { return !refreshed.isEmpty(); }, kGenerousMs));
        QCOMPARE(tokenization->outcome()->scene, scene);
        const TokenizationResult& cached = tokenization->outcome()->result;
        QVERIFY(!cached.superpointsRecomputed && !cached.samplingRecomputed && !cached.groupingRecomputed);
        QCOMPARE(cached.superpoints.get(), firstTokenization->result.superpoints.get());
        QCOMPARE(cached.patches.get(), firstTokenization->result.patches.get());

        // Confidence: a scalar field with the colour bar over its range.
        QVERIFY(panel->confidenceButton()->isEnabled());
        QTest::mouseClick(panel->confidenceButton(), Qt::LeftButton);
        QCOMPARE(window->colorSpec(), (ColorSpec{ColorMode::Scalar, "confidence"}));
        QVERIFY(legend->colorBarVisible());
        QVERIFY(legend->shownScalar());
        QCOMPARE(legend->shownScalar()->min,
                 double(*std::min_element(confidences.begin(), confidences.end())));
        QCOMPARE(legend->shownScalar()->max,
                 double(*std::max_element(confidences.begin(), confidences.end())));

        // Save Scene As round-trips both attributes and clears the mark.
        QTemporaryDir out;
        const QString saved = out.filePath("segmented.ply");
        QVERIFY(window->saveSceneTo(saved));
        QVERIFY(!window->hasUnsavedResults());
        const Scene reread = readScene(saved.toStdString());
        QCOMPARE(reread.pointCount(), n);
        QVERIFY(reread.positions == scene->positions);
        QVERIFY(reread.find(attr::kLabel) && reread.find(attr::kLabel)->type() == ScalarType::Int32);
        QCOMPARE(values<std::int32_t>(reread, attr::kLabel), labels);
        QVERIFY(reread.find("confidence") && reread.find("confidence")->type() == ScalarType::Float32);
        QCOMPARE(values<float>(reread, "confidence"), confidences);

        // Export Labels: the text format reads back; SemanticKITTI cannot hold the unknown id -1.
        QVERIFY(panel->exportLabelsButton()->isEnabled());
        QVERIFY(window->exportLabelsTo(out.filePath("labels.txt"), LabelFormat::Text));
        QCOMPARE(readTextLabels(out.filePath("labels.txt").toStdString()), labels);
        if (std::count(labels.begin(), labels.end(), -1) > 0) {
            QVERIFY(!window->exportLabelsTo(out.filePath("labels.label"), LabelFormat::SemanticKitti));
            QVERIFY(!QFile::exists(out.filePath("labels.label")));
        }
    }

    void closingWithUnsavedResultsAsks() {
        S4_REQUIRE_DISPLAY();
        auto window = newWindow(/*confirmDiscard=*/true);
        QVERIFY(openAndWait(*window, models_.filePath("floor_and_wall.ply")));
        const std::size_t n = window->scene()->pointCount();
        QVERIFY(window->storePromptLabels({"a", "b"},
                                          {PromptPanel::promptColor(0), PromptPanel::promptColor(1)},
                                          std::vector<std::int32_t>(n, 1), std::vector<float>(n, 0.75f)));
        QVERIFY(window->hasUnsavedResults());
        // Wrong sizes are refused without touching the scene.
        const auto before = window->scene();
        QVERIFY(!window->storePromptLabels({"a"}, {PromptPanel::promptColor(0)},
                                           std::vector<std::int32_t>(n - 1, 0),
                                           std::vector<float>(n - 1, 0.5f)));
        QCOMPARE(window->scene(), before);

        bool asked = false;
        answerNextMessageBox(QMessageBox::Cancel, &asked);
        QVERIFY(!window->close());
        QVERIFY(asked);
        QVERIFY(window->isVisible());

        asked = false;
        answerNextMessageBox(QMessageBox::Discard, &asked);
        QVERIFY(window->close());
        QVERIFY(asked);
    }

    void patchPurityIsMeasuredAgainstTheDatasetLabelsOnly() {
        // With dataset labels, the purity after storing prompt labels is the one before (the ground
        // truth moved to "dataset_label"); without them there is none, also not against prompt numbers.
        S4_REQUIRE_DISPLAY();
        for (const char* file : {"floor_and_wall.ply", "unlabelled.ply"}) {
            auto window = newWindow();
            TokenizationPanel* tokenization = window->tokenizationPanel();
            QSignalSpy tokenized(tokenization, &TokenizationPanel::resultShown);
            QVERIFY(openAndWait(*window, models_.filePath(file)));
            QVERIFY(tokenized.wait(kGenerousMs));
            const auto before = tokenization->outcome()->patchScores;
            QCOMPARE(before.has_value(), std::string(file) == "floor_and_wall.ply");
            const std::size_t n = window->scene()->pointCount();
            std::vector<std::int32_t> prompt(n);
            for (std::size_t i = 0; i < n; ++i) prompt[i] = std::int32_t(i % 2);  // mixes every patch
            tokenized.clear();
            QVERIFY(window->storePromptLabels({"a", "b"}, {PromptPanel::promptColor(0), PromptPanel::promptColor(1)},
                                              prompt, std::vector<float>(n, 0.5f)));
            QVERIFY(QTest::qWaitFor([&] { return !tokenized.isEmpty(); }, kGenerousMs));
            const auto after = tokenization->outcome()->patchScores;
            QCOMPARE(after.has_value(), before.has_value());
            if (before) QCOMPARE(after->meanPurity, before->meanPurity);
        }
    }

    void datasetFormatsGetTheClassSetsIds() {
        // Prompt labels are prompt indices. With the prompts of the ScanNet-20 set (its classes but the
        // ignore class, in set order) the ScanNet benchmark export writes each prompt's NYU40 id and 0
        // for unknown points; with typed prompts there are no class ids, and the dataset formats refuse.
        S4_REQUIRE_DISPLAY();
        auto window = newWindow();
        QVERIFY(openAndWait(*window, models_.filePath("floor_and_wall.ply")));
        const std::size_t n = window->scene()->pointCount();
        const ClassSet scannet = builtinClassSet("scannet20");
        QStringList prompts;
        std::vector<std::int32_t> nyu40;  // expected id of prompt k, read off the set file independently
        for (const ClassInfo& c : scannet.classes)
            if (c.id != scannet.ignoreId) {
                prompts << QString::fromStdString(c.prompt).replace('_', ' ');
                nyu40.push_back(c.id);
            }
        QCOMPARE(prompts.size(), 20);
        std::vector<Rgb8> colors;
        for (int k = 0; k < prompts.size(); ++k) colors.push_back(PromptPanel::promptColor(k));
        std::vector<std::int32_t> labels(n);
        for (std::size_t i = 0; i < n; ++i) labels[i] = i % 7 == 0 ? -1 : std::int32_t(i % 20);
        QVERIFY(window->storePromptLabels(prompts, colors, labels, std::vector<float>(n, 0.5f)));

        QTemporaryDir out;
        QVERIFY(window->exportLabelsTo(out.filePath("scannet.txt"), LabelFormat::ScanNetIds));
        const std::vector<std::int32_t> written = readTextLabels(out.filePath("scannet.txt").toStdString());
        QCOMPARE(written.size(), n);
        for (std::size_t i = 0; i < n; ++i)
            QCOMPARE(written[i], labels[i] < 0 ? 0 : nyu40[std::size_t(labels[i])]);
        // The text export keeps the prompt numbers, and the scene itself is not changed.
        QVERIFY(window->exportLabelsTo(out.filePath("prompts.txt"), LabelFormat::Text));
        QCOMPARE(readTextLabels(out.filePath("prompts.txt").toStdString()), labels);

        QVERIFY(window->storePromptLabels({"a", "b"}, {PromptPanel::promptColor(0), PromptPanel::promptColor(1)},
                                          std::vector<std::int32_t>(n, 1), std::vector<float>(n, 0.5f)));
        QVERIFY(!window->exportLabelsTo(out.filePath("typed.txt"), LabelFormat::ScanNetIds));
        QVERIFY(!window->exportLabelsTo(out.filePath("typed.label"), LabelFormat::SemanticKitti));
        QVERIFY(!QFile::exists(out.filePath("typed.txt")) && !QFile::exists(out.filePath("typed.label")));
        QVERIFY(window->exportLabelsTo(out.filePath("typed.ply"), LabelFormat::PlyField));
    }

    void legendFollowsTokenizationLayers() {
        S4_REQUIRE_DISPLAY();
        auto window = newWindow();
        TokenizationPanel* tokenization = window->tokenizationPanel();
        QSignalSpy tokenized(tokenization, &TokenizationPanel::resultShown);
        QVERIFY(openAndWait(*window, models_.filePath("floor_and_wall.ply")));
        QVERIFY(tokenized.wait(kGenerousMs));
        const auto& result = tokenization->outcome()->result;
        LegendPanel* legend = window->legendPanel();

        tokenization->setColoring(TokenizationPanel::Coloring::Superpoints);
        QCOMPARE(legend->titleText(), QString("Superpoints"));
        QVERIFY2(
            legend->messageText().startsWith(
                QString("superpoints: %1 ").arg(QLocale().toString(qulonglong(result.superpoints->count)))),
            qPrintable(legend->messageText()));
        QVERIFY(!legend->colorBarVisible());

        tokenization->setColoring(TokenizationPanel::Coloring::Patches);
        QCOMPARE(legend->titleText(), QString("Patches"));
        QVERIFY2(legend->messageText().startsWith(
                     QString("patches: %1 ").arg(QLocale().toString(qulonglong(result.patches->count)))),
                 qPrintable(legend->messageText()));

        // A colour mode takes the legend back.
        QVERIFY(window->chooseColorSpec({ColorMode::Height, {}}));
        QVERIFY(legend->colorBarVisible());
        QCOMPARE(tokenization->coloring(), TokenizationPanel::Coloring::Scene);
    }

    // The ScanNet scene segmented with the tiny random model: the labels are meaningless, the UI state
    // (stored labels, prompt legend) is what is checked. With S4_SCREENSHOT_DIR set, the window is saved
    // there as scannet_prompts_tiny_model.png.
    // Load Again while a segmentation runs: the old jobs' late reports must not reach the new models'
    // state, and a Segment queued behind the new load runs once and succeeds.
    void loadAgainDuringASegmentationThenSegment() {
        S4_REQUIRE_DISPLAY();
        auto window = newWindow();
        PromptPanel* panel = window->promptPanel();
        QVERIFY(openAndWait(*window, models_.filePath("floor_and_wall.ply")));
        panel->setPromptText("floor, wall");
        QSignalSpy segmented(panel, &PromptPanel::segmentationShown);
        QSignalSpy failed(panel, &PromptPanel::queryFailed);
        QSignalSpy loadFailed(panel, &PromptPanel::modelFailed);
        QSignalSpy loaded(panel, &PromptPanel::modelLoaded);
        panel->segment();  // load, encode, segment
        QVERIFY(QTest::qWaitFor([&] { return !loaded.isEmpty(); }, kGenerousMs));
        panel->reloadModel();  // the encode (or query) of the first models is under way or queued
        QVERIFY(panel->modelLoading());
        panel->segment();  // queued behind the new load
        QVERIFY(QTest::qWaitFor([&] { return !segmented.isEmpty() || !failed.isEmpty() || !loadFailed.isEmpty(); },
                                kGenerousMs));
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
        QVERIFY(loadFailed.isEmpty());
        QTest::qWait(300);  // late reports of the first models' jobs
        QCOMPARE(segmented.count(), 1);
        QVERIFY(panel->modelReady());
        QVERIFY(!panel->statusText().contains("Cancelled"));
        QCOMPARE(window->scene()->find(attr::kLabel)->size(), window->scene()->pointCount());
    }

    void scanNetSceneWithTinyModel() {
        S4_REQUIRE_DISPLAY();
        if (!test::sharedDataAvailable()) QSKIP("the shared ScanNet data is not available");
        const auto path = test::sharedData("scannet/scene0000_00_vert_nyu40.ply");
        if (!std::filesystem::exists(path)) QSKIP("scene0000_00_vert_nyu40.ply is not in the shared data");
        auto window = newWindow();
        window->resize(1500, 950);
        PromptPanel* panel = window->promptPanel();
        window->showPromptPanel();  // loads the models
        QVERIFY(waitForModel(*panel));
        QVERIFY(openAndWait(*window, QString::fromStdString(path.string())));
        const QStringList prompts{"wall", "floor", "chair", "table"};
        panel->setPromptText(prompts.join(", "));
        QSignalSpy segmented(panel, &PromptPanel::segmentationShown);
        QSignalSpy failed(panel, &PromptPanel::queryFailed);
        panel->segment();
        QVERIFY(QTest::qWaitFor([&] { return !segmented.isEmpty() || !failed.isEmpty(); }, kGenerousMs));
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
        const auto scene = window->scene();
        QCOMPARE(scene->find(attr::kLabel)->size(), scene->pointCount());
        QVERIFY(scene->find("dataset_label"));  // the NYU40 ground truth is kept
        for (const QString& name : window->legendPanel()->classNames())
            QVERIFY2(name == "unknown" || prompts.contains(name), qPrintable(name));

        if (const QString dir = qEnvironmentVariable("S4_SCREENSHOT_DIR"); !dir.isEmpty()) {
            QTest::qWait(500);  // let the docks settle and the viewport draw
            const QImage image = window->grab().toImage();
            QVERIFY(!image.isNull());
            QVERIFY(image.save(QDir(dir).filePath("scannet_prompts_tiny_model.png")));
        }
    }

private:
    void useTinyModel() {
        QSettings settings;
        settings.setValue("openvocab/clipModel", models_.filePath("clip"));
        settings.setValue("openvocab/tokenizerCheckpoint", models_.filePath("tokenizer"));
        settings.setValue("openvocab/device", "cpu");
        settings.setValue("openvocab/threads", 2);
        settings.sync();
    }

    static bool waitForModel(PromptPanel& panel) {
        if (panel.modelReady()) return true;
        QSignalSpy loaded(&panel, &PromptPanel::modelLoaded);
        QSignalSpy failed(&panel, &PromptPanel::modelFailed);
        if (!QTest::qWaitFor([&] { return !loaded.isEmpty() || !failed.isEmpty(); }, kGenerousMs)) return false;
        if (!failed.isEmpty()) qWarning("model failed: %s", qPrintable(failed.at(0).at(0).toString()));
        return panel.modelReady();
    }

    QTemporaryDir models_;
};

S4_GUI_TEST_MAIN(TestPromptLabels)
#include "tst_promptlabels.moc"
