// Flags for a command that runs a method of a library registry (descent/core/method_registry.hpp):
// each flag that names a method option is recorded as its settings key when given, so the
// library's defaults apply otherwise; --set KEY=VALUE reaches any option; help text reads the
// defaults from the registry instead of copying them.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "descent/core/method_registry.hpp"
#include "descent/core/settings.hpp"

namespace descent::cli {

struct MethodFlags {
  Settings settings;                        ///< from flags and --set, in the order given
  std::map<std::string, std::string> flag;  ///< settings key -> the flag that set it
};

/// "default 1200" when every method taking `key` has that default, else
/// "default: sinkhorn 1e-09, sns 1e-10"; "" when no method takes it.
std::string default_text(const std::vector<std::pair<std::string, std::vector<OptionDoc>>>& docs,
                         std::string_view key);

template <class Runner>
std::vector<std::pair<std::string, std::vector<OptionDoc>>> registry_docs(
    const MethodRegistry<Runner>& registry) {
  std::vector<std::pair<std::string, std::vector<OptionDoc>>> out;
  for (const auto& m : registry.methods()) out.emplace_back(m.info.name, m.options());
  return out;
}

/// Adds `flag`, which sets option `key`; the help ends with the registry's defaults.
CLI::Option* add_option_flag(
    CLI::App* cmd, MethodFlags& flags, const std::string& flag, const std::string& key,
    const std::string& help,
    const std::vector<std::pair<std::string, std::vector<OptionDoc>>>& docs);
/// add_option_flag bound to one command, its MethodFlags and its registries' docs:
///   const OptionFlagAdder option{cmd, f->options, registry_docs(ot::solvers())};
///   option("--tol", "tolerance", "Stop when the marginal error is below this");
struct OptionFlagAdder {
  CLI::App* cmd;
  MethodFlags& flags;
  std::vector<std::pair<std::string, std::vector<OptionDoc>>> docs;
  CLI::Option* operator()(const std::string& flag, const std::string& key,
                          const std::string& help) const {
    return add_option_flag(cmd, flags, flag, key, help, docs);
  }
};

/// Adds --method with the registry's names as its choices.
template <class Runner>
CLI::Option* add_method_flag(CLI::App* cmd, std::string& method,
                             const MethodRegistry<Runner>& registry) {
  return cmd->add_option("--method", method, registry.joined_names())
      ->check(CLI::IsMember(registry.names()))
      ->capture_default_str();
}

/// Adds --set KEY=VALUE (repeatable).
void add_set_flag(CLI::App* cmd, MethodFlags& flags, const std::string& family);

/// The settings for `method` (whose options are `options`): a flag the method does not take is
/// dropped with a warning naming the flag; a --set key it does not take stays, for the library
/// to reject with the list of the keys it takes.
Settings settings_for(const MethodFlags& flags, const std::vector<OptionDoc>& options,
                      std::string_view method);

/// The value of `key` in `settings`, else its default in `options` ("" if neither has it).
std::string setting_or_default(const Settings& settings, const std::vector<OptionDoc>& options,
                               std::string_view key);

/// Runs `run`; an InvalidOption about a key that a flag set is rethrown naming the flag
/// ("invalid option '--omega': must lie in (0, 2), got 2").
template <class F>
auto naming_flags(const MethodFlags& flags, F&& run) -> decltype(run()) {
  try {
    return run();
  } catch (const InvalidOption& e) {
    const auto it = flags.flag.find(e.field());
    if (it == flags.flag.end()) throw;
    throw InvalidOption(it->second, e.reason());
  }
}

/// The value of `key` (its setting, else the method's default) parsed as the library parses it
/// (T: double, int, std::size_t, bool, std::optional<double>); a malformed value is an
/// InvalidOption under the flag that set it, never a std::stod exception.
template <class T>
T typed_setting(const MethodFlags& flags, const Settings& settings,
                const std::vector<OptionDoc>& options, std::string_view key) {
  return naming_flags(flags, [&] {
    T value{};
    Settings one;
    one.set(std::string(key), setting_or_default(settings, options, key));
    OptionFields read(one);
    read(key, value, "");
    return value;
  });
}

/// Whether `options` has `key`.
bool takes(const std::vector<OptionDoc>& options, std::string_view key);

/// For a flag whose option has another key in some methods (--lr: "lr" for update rules,
/// "step_size" for gradient descent): when the method (options) does not take `key` but takes
/// one of `aliases`, the setting moves to the first such alias (a value given under the alias
/// itself wins). Otherwise nothing changes (settings_for then warns about a flag).
void alias_setting(MethodFlags& flags, const std::vector<OptionDoc>& options, std::string_view key,
                   std::initializer_list<std::string_view> aliases);

}  // namespace descent::cli
