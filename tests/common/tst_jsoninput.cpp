// The guarded JSON parser every reader of outside JSON uses: what it accepts is exactly nlohmann's
// parse; repeated keys, deep nesting and long arrays are refused while parsing; every error is an
// IoError naming the file and, for syntax errors, the line (JSON file) or byte (JSON inside a file).
#include "core/common/Error.h"
#include "core/common/JsonInput.h"

#include <QtTest>

#include <string>

using namespace s4;

namespace {

std::string errorOf(std::string_view text, const JsonSource& source, const JsonLimits& limits = {}) {
    try {
        parseGuardedJson(text, source, limits);
    } catch (const IoError& e) {
        return e.what();
    }
    return "";
}

std::string nested(int levels) {
    return std::string(std::size_t(levels), '[') + std::string(std::size_t(levels), ']');
}

}  // namespace

class TestJsonInput : public QObject {
    Q_OBJECT
private slots:
    void acceptsWhatThePlainParserAccepts() {
        const std::string text = R"({"a": [1, 2, {"b": null}], "c": {"d": "e"}, "f": 1.5})";
        QCOMPARE(parseGuardedJson(text, {"x.json"}), nlohmann::json::parse(text));
        // Equal keys in different objects are not repeats.
        const std::string siblings = R"({"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 3}, {"k": 4}]})";
        QCOMPARE(parseGuardedJson(siblings, {"x.json"}), nlohmann::json::parse(siblings));
    }

    void repeatedKeysAreRefused() {
        const std::string e = errorOf(R"({"a": 1, "b": {"k": 1, "k": 2}})", {"x.json"});
        QVERIFY2(e.find("x.json") != std::string::npos && e.find("repeats the key \"k\"") != std::string::npos,
                 e.c_str());
        // Also at the top level, which a plain parse would silently reduce to one entry.
        QVERIFY(!errorOf(R"({"a": 1, "a": 1})", {"x.json"}).empty());
    }

    void nestingIsCountedInLevels() {
        // A limit of N levels takes exactly N nested containers.
        for (int limit : {1, 3, 64}) {
            QVERIFY(parseGuardedJson(nested(limit), {"x.json"}, {limit}).is_array());
            const std::string e = errorOf(nested(limit + 1), {"x.json"}, {limit});
            QVERIFY2(e.find("deeper than " + std::to_string(limit) + " level") != std::string::npos, e.c_str());
        }
        QVERIFY(parseGuardedJson("{\"a\": 1}", {"x.json"}, {1}).is_object());
        QVERIFY(!errorOf("{\"a\": {}}", {"x.json"}, {1}).empty());
        // The default bound stops a file made of nothing but brackets long before memory runs out.
        QVERIFY(!errorOf(nested(100000), {"x.json"}).empty());
    }

    void longArraysAreRefusedWhenLimited() {
        QCOMPARE(parseGuardedJson("[1, 2, 3]", {"x.json"}, {2, 3}).size(), std::size_t(3));
        const std::string e = errorOf("[1, 2, 3, 4]", {"x.json"}, {2, 3});
        QVERIFY2(e.find("more than 3 elements") != std::string::npos, e.c_str());
        // Containers count as elements too.
        QVERIFY(!errorOf("[[], [], [], []]", {"x.json"}, {2, 3}).empty());
    }

    void syntaxErrorsSayWhere() {
        // A JSON file: the line.
        const std::string inFile = errorOf("{\n  \"a\": 1,\n  \"b\": ]\n}", {"config.json"});
        QVERIFY2(inFile.find("config.json: line 3: is not valid JSON") != std::string::npos, inFile.c_str());
        // JSON inside another file: the byte in that file, and which part.
        const std::string embedded = errorOf("{\"a\": x}", {"w.safetensors", "header", 8});
        QVERIFY2(embedded.find("w.safetensors: byte 14: header is not valid JSON") != std::string::npos,
                 embedded.c_str());
        const std::string rejected = errorOf(R"({"a": 1, "a": 2})", {"w.safetensors", "header", 8});
        QVERIFY2(rejected.find("w.safetensors: header: repeats the key") != std::string::npos, rejected.c_str());
        QVERIFY(!errorOf("", {"empty.json"}).empty());
        QVERIFY(!errorOf("{\"a\": 1} trailing", {"x.json"}).empty());
    }

    void linesOfBytes() {
        QCOMPARE(lineOfByte("a\nb\nc", 0), std::size_t(1));
        QCOMPARE(lineOfByte("a\nb\nc", 2), std::size_t(2));
        QCOMPARE(lineOfByte("a\nb\nc", 4), std::size_t(3));
        QCOMPARE(lineOfByte("a\nb\nc", 99), std::size_t(3));
    }
};

QTEST_GUILESS_MAIN(TestJsonInput)
#include "tst_jsoninput.moc"
