#include "method_flags.hpp"

#include "cli.hpp"

namespace descent::cli {

bool takes(const std::vector<OptionDoc>& options, std::string_view key) {
  for (const OptionDoc& d : options)
    if (d.key == key) return true;
  return false;
}

std::string setting_or_default(const Settings& settings, const std::vector<OptionDoc>& options,
                               std::string_view key) {
  if (const std::string* v = settings.find(key)) return *v;
  for (const OptionDoc& d : options)
    if (d.key == key) return d.default_value;
  return "";
}

std::string default_text(const std::vector<std::pair<std::string, std::vector<OptionDoc>>>& docs,
                         std::string_view key) {
  std::vector<std::pair<std::string, std::string>> found;
  for (const auto& [method, options] : docs)
    for (const OptionDoc& d : options)
      if (d.key == key) found.emplace_back(method, d.default_value);
  if (found.empty()) return "";
  bool same = true;
  for (const auto& f : found) same = same && f.second == found.front().second;
  if (same) return "default " + found.front().second;
  std::string out = "default:";
  for (std::size_t i = 0; i < found.size(); ++i)
    out += (i ? ", " : " ") + found[i].first + " " + found[i].second;
  return out;
}

CLI::Option* add_option_flag(
    CLI::App* cmd, MethodFlags& flags, const std::string& flag, const std::string& key,
    const std::string& help,
    const std::vector<std::pair<std::string, std::vector<OptionDoc>>>& docs) {
  const std::string defaults = default_text(docs, key);
  return cmd
      ->add_option_function<std::string>(
          flag,
          [&flags, flag, key](const std::string& v) {
            flags.settings.set(key, v);
            flags.flag[key] = flag;
          },
          help + (defaults.empty() ? "" : " (" + defaults + ")"))
      ->type_name("VALUE");
}

void add_set_flag(CLI::App* cmd, MethodFlags& flags, const std::string& family) {
  cmd->add_option_function<std::vector<std::string>>(
         "--set",
         [&flags](const std::vector<std::string>& items) {
           for (const std::string& item : items) {
             const Settings s = Settings::parse(item);
             for (const auto& [k, v] : s.items()) flags.flag.erase(k);
             flags.settings.merge(s);
           }
         },
         "Any method option as KEY=VALUE (repeatable; `descent list --options` shows the " +
             family + " methods' keys and defaults)")
      ->type_name("KEY=VALUE");
}

void alias_setting(MethodFlags& flags, const std::vector<OptionDoc>& options, std::string_view key,
                   std::initializer_list<std::string_view> aliases) {
  const std::string* value = flags.settings.find(key);
  if (!value || takes(options, key)) return;
  for (std::string_view alias : aliases) {
    if (!takes(options, alias)) continue;
    MethodFlags moved;
    for (const auto& [k, v] : flags.settings.items())
      if (k != key) moved.settings.set(k, v);
    if (!flags.settings.find(alias)) moved.settings.set(std::string(alias), *value);
    moved.flag = flags.flag;
    if (const auto it = moved.flag.find(std::string(key)); it != moved.flag.end()) {
      moved.flag[std::string(alias)] = it->second;
      moved.flag.erase(it);
    }
    flags = std::move(moved);
    return;
  }
}

Settings settings_for(const MethodFlags& flags, const std::vector<OptionDoc>& options,
                      std::string_view method) {
  Settings out;
  for (const auto& [key, value] : flags.settings.items()) {
    const auto from_flag = flags.flag.find(key);
    if (from_flag != flags.flag.end() && !takes(options, key)) {
      warn(from_flag->second + " does not apply to --method " + std::string(method) + " (ignored)");
      continue;
    }
    out.set(key, value);
  }
  return out;
}

}  // namespace descent::cli
