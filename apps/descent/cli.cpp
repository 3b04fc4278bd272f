#include "cli.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <regex>

#include "descent/core/error.hpp"

namespace descent::cli {

namespace {
std::vector<std::pair<std::string, CommandSetup>>& command_list() {
  static std::vector<std::pair<std::string, CommandSetup>> list;
  return list;
}
std::vector<MethodInfo>& method_list() {
  static std::vector<MethodInfo> list;
  return list;
}
}  // namespace

CommandRegistrar::CommandRegistrar(std::string name, CommandSetup setup) {
  auto& list = command_list();
  list.emplace_back(std::move(name), std::move(setup));
  std::sort(list.begin(), list.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
}

MethodRegistrar::MethodRegistrar(MethodInfo info) {
  auto& list = method_list();
  list.push_back(std::move(info));
  std::sort(list.begin(), list.end(), [](const MethodInfo& a, const MethodInfo& b) {
    return std::tie(a.family, a.name) < std::tie(b.family, b.name);
  });
}

const std::vector<std::pair<std::string, CommandSetup>>& commands() {
  return command_list();
}
const std::vector<MethodInfo>& methods() {
  return method_list();
}

void add_run_flags(CLI::App* cmd, RunFlags& flags) {
  cmd->add_option("--log", flags.log, "Write one row per iteration to FILE (.csv or .jsonl)");
  cmd->add_option("--time-limit", flags.time_limit, "Stop after this many seconds")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--early-stop", flags.patience,
                  "Stop when the objective has not improved for N iterations");
  cmd->add_flag("!--no-progress", flags.progress, "Never draw the progress bar");
}

Callbacks make_callbacks(const RunFlags& flags, const Globals& globals) {
  // CLI11's range checks let NaN through.
  if (!(flags.time_limit >= 0))
    throw InvalidOption("--time-limit", "must be a number >= 0 (seconds), got nan");
  Callbacks cbs;
  if (flags.progress && !globals.quiet) {
    auto bar = std::make_shared<ProgressBar>();
    if (bar->active()) cbs.add(bar);
  }
  if (!flags.log.empty()) cbs.add(IterationLogger::for_path(flags.log));
  if (flags.time_limit > 0) cbs.emplace<TimeLimit>(flags.time_limit);
  if (flags.patience > 0) cbs.emplace<EarlyStop>(flags.patience);
  return cbs;
}

void print_json(const nlohmann::json& j) {
  std::cout << j.dump(2) << '\n';
}

void warn(const std::string& message) {
  std::cerr << "descent: warning: " << message << '\n';
}

int exit_code(Status status, Goal goal) {
  if (status == Status::converged) return 0;
  if (goal == Goal::solve) return 1;
  return status == Status::diverged || status == Status::failed || status == Status::stalled ? 1
                                                                                             : 0;
}

std::string describe_parse_error(const CLI::ParseError& e, const CLI::App& app, int argc,
                                 char** argv) {
  std::string what = e.what();
  // The first word that is not an option (or an option's value) names the command.
  if (what.find("subcommand is required") != std::string::npos) {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a.empty() || a[0] == '-') {
        if (a == "--threads" || a == "--seed") ++i;  // global options with a value
        continue;
      }
      bool known = false;
      for (const CLI::App* sub : app.get_subcommands({}))
        if (sub->get_name() == a) known = true;
      if (!known) return "unknown command '" + a + "' (descent --help lists the commands)";
      break;
    }
    return "no command given (descent --help lists the commands)";
  }
  // CLI11 prints the bounds of its range checks with %f: DBL_MAX becomes 309 digits.
  static const std::regex huge(R"(\d{40,}(\.\d+)?)");
  what = std::regex_replace(what, huge, "inf");
  return what;
}

namespace {
// Library option names that differ from the flag that sets them, per command path.
struct FlagAlias {
  const char* command;  // "solve-seq", "boost predict"
  const char* field;
  const char* flag;
};
constexpr FlagAlias kFlagAliases[] = {
    {"solve-seq", "tolerance", "--tol"},
};

std::string command_path(const CLI::App& cmd) {
  std::string path;
  for (const CLI::App* a = &cmd; a != nullptr && a->get_parent() != nullptr; a = a->get_parent())
    path = path.empty() ? a->get_name() : a->get_name() + " " + path;
  return path;
}

// The flag of `cmd` (or of a command above it) that sets the library option `field`; "" if none.
std::string flag_for_field(const CLI::App& cmd, const std::string& field) {
  if (field.empty() || field[0] == '-') return "";
  const std::string path = command_path(cmd);
  for (const FlagAlias& a : kFlagAliases)
    if (path == a.command && field == a.field) return a.flag;
  std::string flag = "--" + field;
  std::replace(flag.begin() + 2, flag.end(), '_', '-');
  for (const CLI::App* a = &cmd; a != nullptr; a = a->get_parent())
    if (a->get_option_no_throw(flag) != nullptr) return flag;
  return "";
}
}  // namespace

const CLI::App& invoked_command(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands())
    if (sub->parsed()) return invoked_command(*sub);
  return app;
}

std::string describe_error(const descent::Error& e, const CLI::App& cmd) {
  if (const auto* o = dynamic_cast<const InvalidOption*>(&e)) {
    const std::string flag = flag_for_field(cmd, o->field());
    if (!flag.empty()) return "invalid option '" + flag + "': " + o->reason();
  }
  // A file error about a value the user gave by flag (--target naming a column the file lacks):
  // the flag is named beside the field. Only when the flag was given and its value appears in
  // the message, so a file's own field that shares a flag's name is left alone.
  if (const auto* in = dynamic_cast<const InputError*>(&e)) {
    const std::string flag = flag_for_field(cmd, in->field());
    const CLI::Option* opt = flag.empty() ? nullptr : cmd.get_option_no_throw(flag);
    std::string what = e.what();
    const std::string field = "field '" + in->field() + "'";
    const auto at = what.find(field);
    if (opt != nullptr && opt->count() > 0 && at != std::string::npos) {
      for (const std::string& value : opt->results())
        if (!value.empty() && what.find("'" + value + "'") != std::string::npos)
          return what.insert(at + field.size(), " (" + flag + ")");
    }
  }
  return e.what();
}

namespace {
CLI::Validator finite_in(double lo, double hi, const std::string& what) {
  return CLI::Validator(
      [lo, hi, what](std::string& text) -> std::string {
        double v = 0;
        try {
          std::size_t used = 0;
          v = std::stod(text, &used);
          if (used != text.size()) return "'" + text + "' is not a number";
        } catch (const std::exception&) {
          return "'" + text + "' is not a number";
        }
        if (!std::isfinite(v) || v < lo || v > hi) return "must be " + what + ", got " + text;
        return {};
      },
      what);
}
}  // namespace

const CLI::Validator finite_non_negative =
    finite_in(0.0, std::numeric_limits<double>::max(), "a finite number >= 0");
const CLI::Validator unit_interval = finite_in(0.0, 1.0, "a number in [0, 1]");
const CLI::Validator finite_positive =
    finite_in(std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max(),
              "a finite number > 0");

Command needs_torch(CLI::App* cmd) {
  return Command{cmd, [name = cmd->get_name()] {
                   std::cerr << "descent: error: `" << name
                             << "` needs LibTorch (build with DESCENT_WITH_TORCH=ON)\n";
                   return 2;
                 }};
}

}  // namespace descent::cli
