#include "core/openvocab/PromptTemplates.h"

#include "core/common/Error.h"
#include "core/common/Log.h"
#include "core/common/Resources.h"
#include "core/model/text/UnicodeText.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

namespace s4 {

namespace {

constexpr std::string_view kSlot = "{}";

std::string_view trim(std::string_view s) {
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
    while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
    return s;
}

std::size_t countSlots(std::string_view t) {
    std::size_t n = 0;
    for (std::size_t pos = t.find(kSlot); pos != std::string_view::npos;
         pos = t.find(kSlot, pos + kSlot.size()))
        ++n;
    return n;
}

}  // namespace

std::string promptTemplateProblem(std::string_view t) {
    if (t.size() > kMaxTemplateBytes)
        return "the template is " + std::to_string(t.size()) + " bytes long; at most " +
               std::to_string(kMaxTemplateBytes) + " are allowed";
    for (const char ch : t) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f)
            return "the template contains the control character " + std::to_string(int(c));
    }
    // Valid UTF-8 survives a decode/encode round trip unchanged; anything else became U+FFFD.
    if (encodeUtf8(decodeUtf8(t)) != t) return "the template is not valid UTF-8 text";
    const std::size_t slots = countSlots(t);
    if (slots != 1)
        return "a template must contain \"{}\" exactly once (found it " + std::to_string(slots) + " times)";
    const std::size_t braces = std::count(t.begin(), t.end(), '{') + std::count(t.begin(), t.end(), '}');
    if (braces != 2) return "the template has a brace outside its \"{}\"";
    return {};
}

std::vector<std::string> defaultPromptTemplates() {
    // [project choice] CLIP's ImageNet prompt style (Radford et al. 2021) plus the 3D wording of PointCLIP
    // and ULIP; resources/prompts/default.txt holds the same list.
    return {
        "a photo of a {}.",
        "a photo of the {}.",
        "a cropped photo of a {}.",
        "a close-up photo of a {}.",
        "a photo of a large {}.",
        "a photo of a small {}.",
        "a rendering of a {}.",
        "a 3D rendering of a {}.",
        "a point cloud of a {}.",
        "a point cloud model of a {}.",
        "point cloud depth map of a {}.",
        "there is a {} in the scene.",
        "there is the {} in the scene.",
        "a photo of a {} in the scene.",
    };
}

std::vector<std::string> parsePromptTemplates(std::string_view text, const std::string& sourceName) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte-order mark (Windows editors)
    std::vector<std::string> out;
    std::set<std::string, std::less<>> seen;
    std::size_t lineNo = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        ++lineNo;
        const std::string_view line = trim(text.substr(start, end - start));
        start = end + 1;
        if (line.empty() || line.front() == '#') continue;
        if (const std::string problem = promptTemplateProblem(line); !problem.empty())
            throw IoError(sourceName, IoError::atLine(lineNo), problem);
        if (!seen.insert(std::string(line)).second) {
            logger("openvocab")
                ->warn("{}: line {}: template \"{}\" repeats an earlier one; it is used once", sourceName,
                       lineNo, line);
            continue;
        }
        if (out.size() == kMaxTemplateCount)
            throw IoError(sourceName, IoError::atLine(lineNo),
                          "more than " + std::to_string(kMaxTemplateCount) + " templates");
        out.emplace_back(line);
    }
    if (out.empty()) throw IoError(sourceName, "the file holds no prompt template (lines with \"{}\")");
    return out;
}

std::vector<std::string> loadPromptTemplates(const std::filesystem::path& path) {
    const std::string name = path.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw IoError(name, "not a readable file");
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) throw IoError(name, "cannot determine the file size: " + ec.message());
    if (size > kMaxTemplateFileBytes)
        throw IoError(name, "the file is " + formatBytes(size) + "; a prompt template file holds at most " +
                                formatBytes(kMaxTemplateFileBytes));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(name, "cannot open the file");
    // The size was only a first check: a file can grow after it, and /proc-like files report 0.
    std::string text(static_cast<std::size_t>(kMaxTemplateFileBytes) + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) throw IoError(name, "reading the file failed");
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxTemplateFileBytes)
        throw IoError(name, "the file holds more than " + formatBytes(kMaxTemplateFileBytes) +
                                ", the most a prompt template file may hold");
    return parsePromptTemplates(text, name);
}

std::vector<std::string> builtinPromptTemplateNames() {
    return {"default", "indoor", "objects", "single"};
}

std::vector<std::string> resolvePromptTemplates(const std::string& nameOrPath) {
    const auto names = builtinPromptTemplateNames();
    if (std::find(names.begin(), names.end(), nameOrPath) != names.end())
        return loadPromptTemplates(resourcesDirectory() / "prompts" / (nameOrPath + ".txt"));
    return loadPromptTemplates(nameOrPath);
}

std::string cleanClassName(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    bool pendingSpace = false;
    for (const char ch : name) {
        const bool space =
            ch == '_' || ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
        if (space) {
            pendingSpace = !out.empty();
            continue;
        }
        if (pendingSpace) out.push_back(' ');
        pendingSpace = false;
        out.push_back(ch);
    }
    return out;
}

std::vector<std::string> expandPrompts(const std::string& className,
                                       const std::vector<std::string>& templates) {
    const std::string name = cleanClassName(className);
    if (name.empty()) throw InvalidArgument("prompt expansion: the class name '" + className + "' is empty");
    if (templates.empty()) throw InvalidArgument("prompt expansion: there are no prompt templates");
    std::vector<std::string> prompts;
    prompts.reserve(templates.size());
    for (const std::string& t : templates) {
        if (countSlots(t) != 1)
            throw InvalidArgument("prompt expansion: the template \"" + t +
                                  "\" must contain \"{}\" exactly once");
        const std::size_t pos = t.find(kSlot);
        prompts.push_back(t.substr(0, pos) + name + t.substr(pos + kSlot.size()));
    }
    return prompts;
}

}  // namespace s4
