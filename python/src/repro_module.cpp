// descent._repro: the reproductions, in-process (the same registry and runner as `descent
// repro`). A module of its own because the experiments link every family, LibTorch included;
// descent.repro() imports it on first use.
#include <string>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "descent/core/threads.hpp"
#include "descent/experiments/registry.hpp"
#include "descent/experiments/runner.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_repro, m) {
  m.doc() = "descent's reproductions (descent.repro)";
  m.def("list", [] {
    py::list out;
    for (const auto* e : descent::experiments::all_experiments()) {
      py::dict d;
      d["id"] = e->id;
      d["paper"] = e->paper;
      d["summary"] = e->summary;
      out.append(d);
    }
    return out;
  });
  // Returns summary.json as text (the caller parses it with json.loads).
  m.def(
      "run",
      [](const std::string& id, bool quick, std::uint64_t seed, const std::string& out_dir,
         int threads, bool plots) {
        const auto* info = descent::experiments::find_experiment(id);
        if (!info) {
          std::string known;
          for (const auto* e : descent::experiments::all_experiments())
            known += (known.empty() ? "" : ", ") + e->id;
          throw py::value_error("unknown reproduction '" + id + "' (known: " + known + ")");
        }
        descent::experiments::RunOptions o;
        o.quick = quick;
        o.seed = seed;
        o.out_dir = out_dir;
        o.threads = threads;
        o.render_plots = plots;
        std::string text;
        {
          py::gil_scoped_release release;
          descent::set_threads(threads);
          text = descent::experiments::run_experiment(*info, o).dump();
        }
        return text;
      },
      py::arg("id"), py::arg("quick"), py::arg("seed"), py::arg("out_dir"), py::arg("threads"),
      py::arg("plots"));
}
