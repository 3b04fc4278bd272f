// descent: the command-line tool. Commands live in commands/<family>.cpp and register
// themselves; this file only parses, applies the global options and dispatches.
#include <iostream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/core/threads.hpp"
#include "descent/core/version.hpp"
#ifdef DESCENT_HAVE_TORCH
#include "descent/torch_support/threads.hpp"
#endif

int main(int argc, char** argv) {
  using namespace descent::cli;
  CLI::App app{
      "descent: optimization methods of recent ML papers, with reproductions of their "
      "claims.\nSee docs/cli.md, or `descent COMMAND --help`.",
      "descent"};
  app.set_version_flag("--version", std::string("descent ") + descent::version);
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand
  Globals globals;
  app.add_option("--threads", globals.threads,
                 "Threads for everything: descent, Eigen, OpenBLAS and LibTorch (0 = all cores)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--seed", globals.seed, "Base random seed")->capture_default_str();
  app.add_flag("--json", globals.json, "Machine-readable JSON on stdout");
  app.add_flag("-q,--quiet", globals.quiet, "No progress bar or chatter on stderr");

  std::vector<Command> registered;
  for (const auto& [name, setup] : commands()) registered.push_back(setup(app, globals));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help/--version exit 0 (CLI11 prints them); every other parse or validation error is bad
    // input: exit 2 (not CLI11's own codes, e.g. 105) in the documented "descent: error:" form.
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "descent: error: " << describe_parse_error(e, app, argc, argv) << "\n"
              << "Run with --help for more information.\n";
    return 2;
  }

  try {
#ifdef DESCENT_HAVE_TORCH
    descent::torch_support::install_thread_hook();
#endif
    descent::set_threads(globals.threads);
    for (const auto& cmd : registered)
      if (cmd.app->parsed()) return cmd.run();
  } catch (const descent::Error& e) {
    std::cerr << "descent: error: " << describe_error(e, invoked_command(app)) << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "descent: internal error: " << e.what() << '\n';
    return 3;
  }
  return 0;
}
