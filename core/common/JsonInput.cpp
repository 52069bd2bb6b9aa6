#include "core/common/JsonInput.h"

#include "core/common/Error.h"

#include <algorithm>
#include <set>
#include <vector>

namespace s4 {
namespace {

using Json = nlohmann::json;

struct Rejected {
    std::string why;
};

// A parser callback: sees every container start and end, key and value as it is read.
class Guard {
public:
    explicit Guard(const JsonLimits& limits) : limits_(limits) {}

    bool operator()(int depth, Json::parse_event_t event, Json& parsed) {
        using E = Json::parse_event_t;
        switch (event) {
            case E::object_start:
            case E::array_start:
                // depth counts the containers around this one.
                if (depth >= limits_.maxDepth)
                    throw Rejected{"nests objects or arrays deeper than " + std::to_string(limits_.maxDepth) +
                                   (limits_.maxDepth == 1 ? " level" : " levels")};
                countElement();
                stack_.push_back({event == E::object_start, {}, 0});
                break;
            case E::object_end:
            case E::array_end:
                if (!stack_.empty()) stack_.pop_back();
                break;
            case E::key:
                if (!stack_.empty() && !stack_.back().keys.insert(parsed.get<std::string>()).second)
                    throw Rejected{"repeats the key \"" + parsed.get<std::string>() + "\""};
                break;
            case E::value:
                countElement();
                break;
        }
        return true;
    }

private:
    struct Container {
        bool isObject;
        std::set<std::string> keys;
        std::size_t elements;
    };
    void countElement() {
        if (!stack_.empty() && !stack_.back().isObject && ++stack_.back().elements > limits_.maxArrayElements)
            throw Rejected{"has an array of more than " + std::to_string(limits_.maxArrayElements) + " elements"};
    }

    JsonLimits limits_;
    std::vector<Container> stack_;
};

}  // namespace

std::size_t lineOfByte(std::string_view text, std::size_t byte) {
    byte = std::min(byte, text.size());
    return 1 + std::size_t(std::count(text.begin(), text.begin() + std::ptrdiff_t(byte), '\n'));
}

nlohmann::json parseGuardedJson(std::string_view text, const JsonSource& source, const JsonLimits& limits) {
    const std::string subject = source.part.empty() ? "is" : source.part + " is";
    try {
        return Json::parse(text, Guard(limits));
    } catch (const Json::parse_error& e) {
        // e.byte is 1-based and points just past the offending character.
        const std::size_t byte = e.byte > 0 ? e.byte - 1 : 0;
        const bool embedded = !source.part.empty() || source.firstByte > 0;
        throw IoError(source.file,
                      embedded ? IoError::atByte(source.firstByte + byte) : IoError::atLine(lineOfByte(text, byte)),
                      subject + " not valid JSON: " + e.what());
    } catch (const Rejected& r) {
        if (source.part.empty()) throw IoError(source.file, r.why);
        throw IoError(source.file, source.part, r.why);
    }
}

}  // namespace s4
