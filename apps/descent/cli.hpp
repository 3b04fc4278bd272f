// The CLI's command registry and the options every command shares.
//
// A family adds its commands in apps/descent/commands/<family>.cpp:
//
//   static const descent::cli::CommandRegistrar reg("ot", [](CLI::App& app, Globals& g) {
//     auto* cmd = app.add_subcommand("ot", "Optimal transport between two point clouds");
//     auto opts = std::make_shared<OtFlags>();   // ... cmd->add_option(..., opts->eta) ...
//     return Command{cmd, [opts, &g] { return run_ot(*opts, g); }};   // returns the exit code
//   });
//
// main() parses the command line, applies the global options (threads first), then runs the
// one command that was parsed.
//
// and may list its methods with MethodRegistrar so `descent list` shows them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "descent/core/callbacks.hpp"
#include "descent/core/error.hpp"

namespace descent::cli {

/// Options shared by every command (given before or after the subcommand).
struct Globals {
  int threads = 1;         ///< --threads; 0 = all cores
  std::uint64_t seed = 0;  ///< --seed
  bool json = false;       ///< --json: machine-readable output on stdout
  bool quiet = false;      ///< --quiet: no progress bar or chatter on stderr
};

/// A registered subcommand and the action that runs it (returns the process exit code).
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

using CommandSetup = std::function<Command(CLI::App& app, Globals& globals)>;

struct CommandRegistrar {
  CommandRegistrar(std::string name, CommandSetup setup);
};

/// A method for `descent list`.
struct MethodInfo {
  std::string name;     ///< e.g. "sns"
  std::string family;   ///< e.g. "ot"
  std::string command;  ///< the subcommand that runs it, e.g. "descent ot --method sns"
  std::string paper;
  std::string summary;
};

struct MethodRegistrar {
  explicit MethodRegistrar(MethodInfo info);
};

/// Registered commands, sorted by name (the order subcommands appear in --help).
const std::vector<std::pair<std::string, CommandSetup>>& commands();
const std::vector<MethodInfo>& methods();

/// Options for iterative commands: progress bar, log file, time limit, early stop.
struct RunFlags {
  std::string log;           ///< --log FILE (.csv or .jsonl)
  double time_limit = 0;     ///< --time-limit SECONDS
  std::size_t patience = 0;  ///< --early-stop N
  bool progress = true;
};
void add_run_flags(CLI::App* cmd, RunFlags& flags);
/// Builds the callbacks the flags ask for (progress bar only on a terminal and without --quiet).
Callbacks make_callbacks(const RunFlags& flags, const Globals& globals);

/// The message for a CLI11 parse error: an unknown command is named (CLI11 says only "A
/// subcommand is required"), and the 309-digit DBL_MAX of CLI11's range checks reads "inf".
std::string describe_parse_error(const CLI::ParseError& e, const CLI::App& app, int argc,
                                 char** argv);

/// The message for a descent::Error that reached main() from the command `cmd` (the deepest
/// parsed subcommand): an InvalidOption the library raised under its own option name is shown
/// under the flag the user typed ("invalid option '--tol'", not 'tolerance'). The flag is the
/// command's `--NAME` for a field NAME (underscores as dashes), or the command's alias for a
/// library name that differs from the flag (kFlagAliases in cli.cpp). An InputError about a value
/// given by flag names the flag beside the field ("field 'target' (--target)"). Other errors are
/// unchanged.
std::string describe_error(const descent::Error& e, const CLI::App& cmd);

/// The deepest parsed subcommand of `app` (app itself when none was parsed).
const CLI::App& invoked_command(const CLI::App& app);

/// What a command's run is for; it decides what a final status means for the exit code (the
/// table in docs/cli.md, applied here and nowhere else):
///  - solve: the output is only valid once the method converged (ot, solve, hessian's
///    Lanczos/SLQ): any other status exits 1;
///  - budget: the iteration budget is the stopping rule (training, minimize, bilevel, newton,
///    sso, recover, hyperopt, distill, dp-train): diverged, failed and stalled exit 1,
///    max_iterations and stopped (a time limit, early stopping) exit 0.
enum class Goal { solve, budget };
int exit_code(Status status, Goal goal);

/// "descent: warning: MESSAGE" on stderr (also under --quiet: a warning is not chatter), e.g.
/// for a flag that does not apply to the chosen method and is ignored.
void warn(const std::string& message);

/// Prints JSON to stdout (pretty, newline-terminated).
void print_json(const nlohmann::json& j);
/// CLI11 validators that refuse NaN and infinity (CLI::NonNegativeNumber lets NaN through).
extern const CLI::Validator finite_non_negative;
extern const CLI::Validator unit_interval;    ///< finite, in [0, 1]
extern const CLI::Validator finite_positive;  ///< finite, > 0

/// The command `cmd` in a build without LibTorch: running it says so and exits 2.
Command needs_torch(CLI::App* cmd);

}  // namespace descent::cli
