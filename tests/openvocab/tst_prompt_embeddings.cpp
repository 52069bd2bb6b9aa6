// The text side of open-vocabulary scoring: prompt template files (including hostile ones), class-name
// cleanup and expansion, CLIP prompt ensembling against a hand-written reference, negative prompts, and
// the embedding cache (counted encoder calls).

#include "core/common/Error.h"
#include "core/openvocab/ClassEmbeddings.h"
#include "core/openvocab/PromptTemplates.h"
#include "tests/support/TestData.h"

#include <QtTest/QtTest>

#include <cmath>
#include <map>
#include <random>

using namespace s4;

namespace {

// A stand-in text encoder: a fixed pseudo-random vector per prompt (D = 8), recording every call.
struct FakeEncoder {
    std::vector<std::vector<std::string>> calls;
    std::map<std::string, std::vector<float>> table;

    std::vector<float> vectorFor(const std::string& prompt) {
        auto it = table.find(prompt);
        if (it != table.end()) return it->second;
        std::seed_seq seq(prompt.begin(), prompt.end());
        std::mt19937 rng(seq);
        std::normal_distribution<float> g(0.0f, 2.0f);
        std::vector<float> v(8);
        for (auto& x : v) x = g(rng) + 1.0f;
        return table[prompt] = v;
    }
    TextEmbedder embedder() {
        return [this](const std::vector<std::string>& prompts) {
            calls.push_back(prompts);
            std::vector<std::vector<float>> out;
            for (const auto& p : prompts) out.push_back(vectorFor(p));
            return out;
        };
    }
};

std::string ioErrorOf(const std::string& text) {
    try {
        parsePromptTemplates(text, "t.txt");
    } catch (const IoError& e) {
        return e.what();
    }
    return {};
}

}  // namespace

class TestPromptEmbeddings : public QObject {
    Q_OBJECT
private slots:
    void parsesTemplateText() {
        const auto t = parsePromptTemplates(
            "# comment\n\n  a photo of a {}.  \r\n\t# indented comment\n"
            "a {} in a room.\na photo of a {}.\nthere is a {} here",
            "t.txt");
        QCOMPARE(t, (std::vector<std::string>{"a photo of a {}.", "a {} in a room.", "there is a {} here"}));
    }

    void rejectsHostileTemplateLines() {
        const std::string noSlot = ioErrorOf("a {}.\na photo.\n");
        QVERIFY2(noSlot.find("t.txt: line 2:") == 0, noSlot.c_str());
        QVERIFY(noSlot.find("exactly once") != std::string::npos);
        QVERIFY(ioErrorOf("a {} and a {}.").find("line 1") != std::string::npos);
        QVERIFY(ioErrorOf("# x\n\na {0} photo {}.").find("t.txt: line 3: the template has a brace") == 0);
        QVERIFY(ioErrorOf("a {} }").find("brace") != std::string::npos);
        QVERIFY(ioErrorOf(std::string("a {}\0.", 6)).find("control character 0") != std::string::npos);
        QVERIFY(ioErrorOf("a\x1b[31m {}").find("control character 27") != std::string::npos);
        QVERIFY(ioErrorOf("caf\xe9 {}").find("not valid UTF-8") != std::string::npos);
        QVERIFY(ioErrorOf("caf\xc3\xa9 {}").empty());  // é in UTF-8 is fine
        QVERIFY(ioErrorOf("{}" + std::string(300, 'x')).find("302 bytes long") != std::string::npos);
        QVERIFY(ioErrorOf("# only comments\n\n").find("no prompt template") != std::string::npos);
        QVERIFY(ioErrorOf("").find("no prompt template") != std::string::npos);
        std::string many;
        for (int i = 0; i <= int(kMaxTemplateCount); ++i) many += "a {} number " + std::to_string(i) + "\n";
        QVERIFY(ioErrorOf(many).find("line 1001: more than 1000 templates") != std::string::npos);
        // A repeated template is used once, not rejected.
        QCOMPARE(parsePromptTemplates("a {}\na {}\n", "t.txt").size(), std::size_t{1});
    }

    void loadsFilesAndRejectsHugeOrMissingOnes() {
        test::ScratchFolder dir;
        const std::filesystem::path ok = dir.file("ok.txt");
        test::writeFile(ok, "a {}.\n");
        QCOMPARE(loadPromptTemplates(ok), std::vector<std::string>{"a {}."});
        const std::filesystem::path huge = dir.file("huge.txt");
        test::writeFile(huge, std::string(kMaxTemplateFileBytes + 1, '#'));
        try {
            loadPromptTemplates(huge);
            QFAIL("a 1 MB + 1 byte template file was accepted");
        } catch (const IoError& e) {
            QVERIFY2(std::string(e.what()).find("huge.txt") != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("at most") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(
            IoError, loadPromptTemplates(dir.file("no.txt")));
        QVERIFY_THROWS_EXCEPTION(IoError, loadPromptTemplates(dir.path().toStdString()));  // a folder
    }

    void shippedTemplateSetsParse() {
        const auto fromFile =
            loadPromptTemplates(test::sourceDir() / "resources" / "prompts" / "default.txt");
        QCOMPARE(fromFile, defaultPromptTemplates());
        for (const auto& name : builtinPromptTemplateNames()) {
            const auto t = resolvePromptTemplates(name);
            QVERIFY2(!t.empty(), name.c_str());
            for (const auto& one : t) QCOMPARE(expandPrompts("chair", {one}).size(), std::size_t{1});
        }
        QCOMPARE(resolvePromptTemplates("default"), defaultPromptTemplates());
    }

    void cleansClassNames() {
        QCOMPARE(cleanClassName("shower_curtain"), std::string("shower curtain"));
        QCOMPARE(cleanClassName("otherfurniture"), std::string("otherfurniture"));
        QCOMPARE(cleanClassName("  __bath__tub_  "), std::string("bath tub"));
        QCOMPARE(cleanClassName("other\t furniture"), std::string("other furniture"));
        QCOMPARE(cleanClassName("___"), std::string());
    }

    void expandsPrompts() {
        const auto p = expandPrompts("shower_curtain", {"a photo of a {}.", "{} in a room", "there is a {}"});
        QCOMPARE(p, (std::vector<std::string>{"a photo of a shower curtain.", "shower curtain in a room",
                                              "there is a shower curtain"}));
        // The name is inserted literally, never re-expanded.
        QCOMPARE(expandPrompts("{}", {"a {}."}), std::vector<std::string>{"a {}."});
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, expandPrompts(" _ ", {"a {}."}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, expandPrompts("chair", {}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, expandPrompts("chair", {"a chair"}));
    }

    void classRowsAreEnsembledPromptEmbeddings() {
        FakeEncoder enc;
        TextEmbeddingCache cache(enc.embedder());
        const std::vector<std::string> templates = {"a photo of a {}.", "a {} in a scene.",
                                                    "a rendering of a {}."};
        const ClassEmbeddings ce =
            buildClassEmbeddings({"chair", "table_lamp"}, {"background"}, templates, cache);
        QCOMPARE(ce.dim, 8);
        QCOMPARE(ce.rowCount(), std::size_t{3});
        QCOMPARE(ce.realCount, std::size_t{2});
        QCOMPARE(ce.names, (std::vector<std::string>{"chair", "table_lamp", "background"}));
        QVERIFY(!ce.isNegative(1) && ce.isNegative(2));
        QCOMPARE(enc.calls.size(), std::size_t{1});  // one batch for all rows
        QCOMPARE(enc.calls[0].size(), std::size_t{9});

        // Reference: normalise each prompt's vector, average, normalise — written out here.
        const std::vector<std::string> words = {"chair", "table lamp", "background"};
        for (std::size_t r = 0; r < 3; ++r) {
            std::vector<double> mean(8, 0.0);
            for (const std::string& t : templates) {
                const std::string prompt = t.substr(0, t.find("{}")) + words[r] + t.substr(t.find("{}") + 2);
                const std::vector<float> v = enc.table.at(prompt);
                double n = 0;
                for (float x : v) n += double(x) * x;
                for (int c = 0; c < 8; ++c) mean[c] += v[c] / std::sqrt(n) / 3.0;
            }
            double n = 0;
            for (double x : mean) n += x * x;
            double unit = 0;
            for (int c = 0; c < 8; ++c) {
                QVERIFY(std::abs(ce.row(r)[c] - mean[c] / std::sqrt(n)) < 1e-6);
                unit += double(ce.row(r)[c]) * ce.row(r)[c];
            }
            QVERIFY(std::abs(unit - 1.0) < 1e-6);
        }
        // A single class embedded alone gives the same row.
        const std::vector<float> lamp = embedClassName("table_lamp", templates, cache);
        for (int c = 0; c < 8; ++c) QCOMPARE(lamp[c], ce.row(1)[c]);
    }

    void cacheEmbedsOnlyNewPrompts() {
        FakeEncoder enc;
        TextEmbeddingCache cache(enc.embedder());
        const std::vector<std::string> templates = {"a photo of a {}.", "a {} in a scene."};
        buildClassEmbeddings({"chair", "table"}, {}, templates, cache);
        QCOMPARE(enc.calls.size(), std::size_t{1});
        QCOMPARE(cache.size(), std::size_t{4});
        QCOMPARE(cache.misses(), std::size_t{4});

        // One more class: only its two prompts reach the encoder.
        buildClassEmbeddings({"chair", "table", "sofa"}, {}, templates, cache);
        QCOMPARE(enc.calls.size(), std::size_t{2});
        QCOMPARE(enc.calls[1], (std::vector<std::string>{"a photo of a sofa.", "a sofa in a scene."}));
        QCOMPARE(cache.hits(), std::size_t{4});

        // Nothing new: no encoder call at all. A prompt repeated within one request is embedded once.
        buildClassEmbeddings({"sofa", "chair"}, {}, templates, cache);
        QCOMPARE(enc.calls.size(), std::size_t{2});
        cache.embed({"a photo of a bed.", "a bed in a scene.", "a photo of a bed."});
        QCOMPARE(enc.calls.size(), std::size_t{3});
        QCOMPARE(enc.calls[2].size(), std::size_t{2});
        QCOMPARE(cache.encoderCalls(), std::size_t{3});

        cache.clear();
        QCOMPARE(cache.size(), std::size_t{0});
        buildClassEmbeddings({"bed"}, {}, templates, cache);
        QCOMPARE(enc.calls.size(), std::size_t{4});
    }

    // Equal rows would split the softmax (halving confidences) and tie towards the first: two classes
    // with one cleaned name, or a negative that is a class, are refused; a repeated negative counts once.
    void equalRowsAreRefusedOrMerged() {
        FakeEncoder enc;
        TextEmbeddingCache cache(enc.embedder());
        const std::vector<std::string> templates = {"a photo of a {}."};
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, buildClassEmbeddings({"bed", "chair", "bed"}, {}, templates, cache));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument,
                                 buildClassEmbeddings({"shower_curtain", "shower curtain"}, {}, templates, cache));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, buildClassEmbeddings({"bed"}, {"bed"}, templates, cache));
        const ClassEmbeddings e = buildClassEmbeddings({"bed"}, {"clutter", "clutter", " clutter"}, templates, cache);
        QCOMPARE(e.names, (std::vector<std::string>{"bed", "clutter"}));
        QCOMPARE(e.realCount, std::size_t{1});
    }

    void rejectsAMisbehavingEncoder() {
        int mode = 0;
        auto encoder = [&mode](const std::vector<std::string>& prompts) {
            if (mode == 3) throw std::runtime_error("model not loaded");
            std::vector<std::vector<float>> out(prompts.size(), std::vector<float>{1, 2, 3});
            if (mode == 0) out.pop_back();
            if (mode == 1) out.back().push_back(4);
            if (mode == 2) out.back()[1] = std::nanf("");
            if (mode == 4) out.back() = {0, 0, 0};
            return out;
        };
        TextEmbeddingCache cache(encoder);
        for (mode = 0; mode <= 4; ++mode) {
            if (mode == 3)
                QVERIFY_THROWS_EXCEPTION(std::runtime_error, cache.embed({"a", "b"}));
            else
                QVERIFY_THROWS_EXCEPTION(InvalidArgument, cache.embed({"a", "b"}));
            QCOMPARE(cache.size(), std::size_t{0});  // nothing half-cached
        }
        mode = 5;
        QCOMPARE(cache.embed({"a", "b"}).size(), std::size_t{2});
        QCOMPARE(cache.dim(), 3);
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, TextEmbeddingCache(TextEmbedder{}));
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, buildClassEmbeddings({}, {"bg"}, {"a {}"}, cache));

        // Prompts whose embeddings point in opposite directions leave no class direction.
        TextEmbeddingCache opposite([](const std::vector<std::string>& prompts) {
            std::vector<std::vector<float>> out;
            for (const auto& p : prompts)
                out.push_back(p.rfind("a ", 0) == 0 ? std::vector<float>{1, 0} : std::vector<float>{-2, 0});
            return out;
        });
        QVERIFY_THROWS_EXCEPTION(InvalidArgument, embedClassName("x", {"a {}", "the {}"}, opposite));
    }
};

QTEST_GUILESS_MAIN(TestPromptEmbeddings)
#include "tst_prompt_embeddings.moc"
