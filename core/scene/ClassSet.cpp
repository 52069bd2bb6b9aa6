#include "core/scene/ClassSet.h"

#include "core/common/Error.h"
#include "core/common/JsonInput.h"
#include "core/common/Resources.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>

namespace s4 {
namespace fs = std::filesystem;
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// Class sets are lists of names: the shipped ones are a few kilobytes. Anything far larger is not a
// class set, and reading it would only cost memory.
constexpr std::uintmax_t kMaxClassSetBytes = 4u << 20;
// Dataset class ids are small (SemanticKITTI's raw ids reach 259); ids are stored as int32 labels.
constexpr int kMaxClassId = 1'000'000;

std::string readClassSetFile(const fs::path& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) throw IoError(path.string(), "cannot open: " + ec.message());
    if (size > kMaxClassSetBytes)
        throw IoError(path.string(), "is " + formatBytes(size) + ", far larger than a class set (limit " +
                                         formatBytes(kMaxClassSetBytes) + ")");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(path.string(), "cannot open");
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Typed access to one JSON object of a class set; every error names the file and what is wrong.
class JsonObject {
public:
    JsonObject(const nlohmann::json& j, std::string where, const std::string& file)
        : j_(j), where_(std::move(where)), file_(file) {}

    std::string string(const char* key, const std::string& fallback) const {
        const auto it = j_.find(key);
        if (it == j_.end()) return fallback;
        if (!it->is_string()) fail(key, "must be a string, found " + std::string(it->type_name()));
        return it->get<std::string>();
    }
    int id(const char* key, std::optional<int> fallback) const {
        const auto it = j_.find(key);
        if (it == j_.end()) {
            if (!fallback) fail(key, "is missing (every class needs an integer \"id\" and a string \"name\")");
            return *fallback;
        }
        const bool inRange = it->is_number_integer() && (it->is_number_unsigned()
                                                             ? it->get<std::uint64_t>() <= std::uint64_t(kMaxClassId)
                                                             : it->get<std::int64_t>() >= -1 &&
                                                                   it->get<std::int64_t>() <= kMaxClassId);
        if (!inRange) fail(key, "must be an integer from -1 to " + std::to_string(kMaxClassId) + ", found " + it->dump());
        return it->get<int>();
    }
    const nlohmann::json* array(const char* key) const {
        const auto it = j_.find(key);
        if (it == j_.end()) return nullptr;
        if (!it->is_array()) fail(key, "must be an array, found " + std::string(it->type_name()));
        return &*it;
    }

private:
    [[noreturn]] void fail(const char* key, const std::string& problem) const {
        throw IoError(file_, where_, std::string("\"") + key + "\" " + problem);
    }
    const nlohmann::json& j_;
    std::string where_;
    const std::string& file_;
};

ClassInfo parseClass(const nlohmann::json& j, const std::string& file, const std::string& category,
                     std::size_t index) {
    const std::string where = "class " + std::to_string(index + 1);
    if (!j.is_object()) throw IoError(file, where, "must be an object with \"id\" and \"name\"");
    const JsonObject o(j, where, file);
    ClassInfo c;
    c.id = o.id("id", std::nullopt);
    if (c.id < 0) throw IoError(file, where, "\"id\" must not be negative");
    if (!j.contains("name")) throw IoError(file, where, "\"name\" is missing");
    c.name = o.string("name", "");
    c.prompt = o.string("prompt", c.name);
    c.category = category;
    return c;
}

ClassSet loadJson(const fs::path& path) {
    const std::string file = path.string();
    // The top object, the categories, one category, its classes, one class: five levels; extra fields
    // of a class (colours, aliases) may add a few, and are ignored.
    const nlohmann::json j = parseGuardedJson(readClassSetFile(path), file, {8});
    if (!j.is_object()) throw IoError(file, "a class set must be a JSON object");
    const JsonObject top(j, "top level", file);
    ClassSet set;
    set.name = top.string("name", path.stem().string());
    set.description = top.string("description", "");
    set.ignoreId = top.id("ignore_id", -1);
    std::size_t index = 0;
    if (const nlohmann::json* classes = top.array("classes")) {
        for (const auto& c : *classes) set.classes.push_back(parseClass(c, file, "", index++));
    } else if (const nlohmann::json* categories = top.array("categories")) {
        for (std::size_t k = 0; k < categories->size(); ++k) {
            const auto& cat = (*categories)[k];
            const std::string where = "category " + std::to_string(k + 1);
            if (!cat.is_object()) throw IoError(file, where, "must be an object with \"category\" and \"classes\"");
            const JsonObject o(cat, where, file);
            const std::string category = o.string("category", "");
            const nlohmann::json* list = o.array("classes");
            if (!list) throw IoError(file, where, "category '" + category + "' has no \"classes\" array");
            for (const auto& c : *list) set.classes.push_back(parseClass(c, file, category, index++));
        }
    } else {
        throw IoError(file, "no \"classes\" or \"categories\" array");
    }
    return set;
}

ClassSet loadText(const fs::path& path) {
    std::istringstream in(readClassSetFile(path));
    ClassSet set;
    set.name = path.stem().string();
    std::string line;
    int lineNo = 0, nextId = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        line = line.substr(first, line.find_last_not_of(" \t") - first + 1);
        ClassInfo c;
        int id = 0;
        auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), id);
        if (ec == std::errc() && (ptr == line.data() + line.size() || *ptr == ' ' || *ptr == '\t')) {
            if (id < 0 || id > kMaxClassId)
                throw IoError(path.string(), IoError::atLine(lineNo),
                              "class id " + std::to_string(id) + " is outside 0 to " + std::to_string(kMaxClassId));
            std::string rest(ptr, static_cast<const char*>(line.data() + line.size()));
            rest.erase(0, rest.find_first_not_of(" \t"));
            if (rest.empty()) throw IoError(path.string(), IoError::atLine(lineNo), "class id without a name");
            c.id = id;
            c.name = rest;
        } else {
            if (nextId > kMaxClassId)
                throw IoError(path.string(), IoError::atLine(lineNo),
                              "the next class id would exceed " + std::to_string(kMaxClassId));
            c.id = nextId;
            c.name = line;
        }
        nextId = c.id + 1;
        c.prompt = c.name;
        set.classes.push_back(c);
    }
    return set;
}

void validate(const ClassSet& set, const std::string& file) {
    if (set.classes.empty()) throw IoError(file, "the class set holds no classes");
    std::set<int> ids;
    for (const auto& c : set.classes) {
        if (c.name.empty()) throw IoError(file, "class " + std::to_string(c.id) + " has an empty name");
        if (!ids.insert(c.id).second) throw IoError(file, "class id " + std::to_string(c.id) + " appears twice");
    }
}

} // namespace

const ClassInfo* ClassSet::byId(int id) const {
    for (const auto& c : classes)
        if (c.id == id) return &c;
    return nullptr;
}

std::vector<ClassInfo> ClassSet::category(const std::string& categoryName) const {
    std::vector<ClassInfo> out;
    for (const auto& c : classes)
        if (lower(c.category) == lower(categoryName)) out.push_back(c);
    return out;
}

std::vector<std::string> builtinClassSetNames() {
    return {"scannet20", "s3dis13", "shapenetpart", "modelnet40", "semantickitti", "nyu40"};
}

ClassSet builtinClassSet(const std::string& name) {
    const auto names = builtinClassSetNames();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
        std::ostringstream known;
        for (const auto& n : names) known << ' ' << n;
        throw InvalidArgument("unknown class set '" + name + "' (shipped:" + known.str() + ")");
    }
    return loadClassSet(resourcesDirectory() / "classes" / (name + ".json"));
}

ClassSet loadClassSet(const fs::path& path) {
    ClassSet set = lower(path.extension().string()) == ".json" ? loadJson(path) : loadText(path);
    validate(set, path.string());
    return set;
}

ClassSet resolveClassSet(const std::string& nameOrPath) {
    const auto names = builtinClassSetNames();
    if (std::find(names.begin(), names.end(), nameOrPath) != names.end()) return builtinClassSet(nameOrPath);
    return loadClassSet(nameOrPath);
}

} // namespace s4
