#pragma once
// Prompt templates for CLIP's text encoder (S4TOKEN.md §6): each class name is written into every
// template ("a photo of a {}." → "a photo of a chair.") and the embeddings of the prompts are averaged.
// Templates come from the built-in default set or from a text file, one template per line:
//   - each template contains "{}" exactly once and no other brace;
//   - lines are trimmed; empty lines and lines starting with '#' are skipped;
//   - UTF-8 text without control characters, at most kMaxTemplateBytes bytes per template;
//   - repeated templates are kept once.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace s4 {

inline constexpr std::size_t kMaxTemplateBytes = 256;  ///< CLIP's 77-token context is far shorter
inline constexpr std::size_t kMaxTemplateCount = 1000;
inline constexpr std::uintmax_t kMaxTemplateFileBytes = 1 << 20;

/// The built-in templates, the same as resources/prompts/default.txt.
std::vector<std::string> defaultPromptTemplates();

/// Why a single template is unusable ("" if it is fine): not exactly one "{}", another brace, a control
/// character, not UTF-8, or longer than the limit. The same rules apply to files and to templates given
/// one by one (--prompt-template).
std::string promptTemplateProblem(std::string_view templateText);

/// Parses template text (the file format above; a leading UTF-8 byte-order mark is skipped);
/// `sourceName` names it in errors.
/// Throws s4::IoError naming the source and line for a malformed template, or if none is left.
std::vector<std::string> parsePromptTemplates(std::string_view text, const std::string& sourceName);

/// Reads a template file. Throws s4::IoError if it cannot be read, exceeds kMaxTemplateFileBytes or is
/// malformed.
std::vector<std::string> loadPromptTemplates(const std::filesystem::path& path);

/// Names of the template sets shipped in resources/prompts ("default", "indoor", "objects").
std::vector<std::string> builtinPromptTemplateNames();
/// A shipped template set if `nameOrPath` names one, else loadPromptTemplates(nameOrPath).
std::vector<std::string> resolvePromptTemplates(const std::string& nameOrPath);

/// A class name as words for a prompt: underscores become spaces, runs of white space one space,
/// leading and trailing space is dropped ("shower_curtain" → "shower curtain"; "otherfurniture" stays).
std::string cleanClassName(std::string_view name);

/// One prompt per template with the cleaned class name in place of "{}". Throws s4::InvalidArgument
/// if the cleaned name is empty, there is no template, or a template lacks a single "{}".
std::vector<std::string> expandPrompts(const std::string& className,
                                       const std::vector<std::string>& templates);

}  // namespace s4
