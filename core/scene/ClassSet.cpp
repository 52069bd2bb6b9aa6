#include "core/scene/ClassSet.h"

#include "core/common/Error.h"
#include "core/common/Resources.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

namespace s4 {
namespace fs = std::filesystem;
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

ClassInfo parseClass(const nlohmann::json& j, const std::string& file, const std::string& category) {
    ClassInfo c;
    if (!j.is_object() || !j.contains("id") || !j["id"].is_number_integer() || !j.contains("name") ||
        !j["name"].is_string())
        throw IoError(file, "every class needs an integer \"id\" and a string \"name\"");
    c.id = j["id"].get<int>();
    c.name = j["name"].get<std::string>();
    c.prompt = j.value("prompt", c.name);
    c.category = category;
    return c;
}

ClassSet loadJson(const fs::path& path) {
    std::ifstream in(path);
    if (!in) throw IoError(path.string(), "cannot open");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw IoError(path.string(), IoError::atByte(e.byte), "not valid JSON");
    }
    if (!j.is_object()) throw IoError(path.string(), "a class set must be a JSON object");
    ClassSet set;
    set.name = j.value("name", path.stem().string());
    set.description = j.value("description", "");
    set.ignoreId = j.value("ignore_id", -1);
    if (j.contains("classes") && j["classes"].is_array()) {
        for (const auto& c : j["classes"]) set.classes.push_back(parseClass(c, path.string(), ""));
    } else if (j.contains("categories") && j["categories"].is_array()) {
        for (const auto& cat : j["categories"]) {
            const std::string category = cat.value("category", "");
            if (!cat.contains("classes") || !cat["classes"].is_array())
                throw IoError(path.string(), "category '" + category + "' has no \"classes\" array");
            for (const auto& c : cat["classes"]) set.classes.push_back(parseClass(c, path.string(), category));
        }
    } else {
        throw IoError(path.string(), "no \"classes\" or \"categories\" array");
    }
    return set;
}

ClassSet loadText(const fs::path& path) {
    std::ifstream in(path);
    if (!in) throw IoError(path.string(), "cannot open");
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
            std::string rest(ptr, static_cast<const char*>(line.data() + line.size()));
            rest.erase(0, rest.find_first_not_of(" \t"));
            if (rest.empty()) throw IoError(path.string(), IoError::atLine(lineNo), "class id without a name");
            c.id = id;
            c.name = rest;
        } else {
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
