// PNG plots through gnuplot, run as a separate program: the library never links a plotting
// library, and a machine without gnuplot still gets every table and CSV.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "descent/core/error.hpp"
#include "descent/experiments/runner.hpp"
#include "descent/io/atomic_file.hpp"

namespace descent::experiments {

namespace fs = std::filesystem;

namespace {

std::string quote(const std::string& s) {  // a gnuplot single-quoted string
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// 1-based index of `name` in the CSV header, or 0.
int column_index(const fs::path& csv, const std::string& name) {
  std::ifstream in(csv);
  std::string header;
  if (!std::getline(in, header)) return 0;
  if (!header.empty() && header.back() == '\r') header.pop_back();
  std::stringstream ss(header);
  std::string col;
  for (int i = 1; std::getline(ss, col, ','); ++i)
    if (col == name) return i;
  return 0;
}

}  // namespace

bool gnuplot_available() {
  static const bool ok = std::system("gnuplot -e \"set terminal pngcairo\" >/dev/null 2>&1") == 0;
  return ok;
}

bool render_plot(const std::string& experiment_dir, const Plot& plot, std::string* why) {
  auto fail = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  if (!gnuplot_available()) return fail("gnuplot with the pngcairo terminal was not found");
  const fs::path dir(experiment_dir);
  std::ostringstream gp;
  gp << "set terminal pngcairo size 900,560 noenhanced font 'sans,10'\n"
     << "set output " << quote((dir / (plot.file + ".tmp")).string()) << "\n"
     << "set datafile separator ','\n"
     << "set datafile missing 'nan'\n"
     << "set title " << quote(plot.title) << "\n"
     << "set xlabel " << quote(plot.xlabel) << "\n"
     << "set ylabel " << quote(plot.ylabel) << "\n"
     << "set grid\nset key top right opaque box\n";
  if (plot.logx) gp << "set logscale x\nset format x '10^{%T}'\n";
  if (plot.logy) gp << "set logscale y\nset format y '%.0e'\n";
  for (const auto& s : plot.series)
    if (!s.z.empty()) {  // ratios: blue below 1, red above, on a log scale from 1/4 to 4
      gp << "unset key\nset logscale cb\nset cbrange [0.25:4]\n"
         << "set palette defined (0 'blue', 1 'white', 2 'red')\n"
         << "set offsets graph 0.1, graph 0.1, graph 0.15, graph 0.15\n";
      break;
    }
  gp << "plot ";
  bool first = true;
  for (const auto& s : plot.series) {
    const fs::path csv = dir / s.csv;
    const int xi = column_index(csv, s.x), yi = column_index(csv, s.y);
    const int ei = s.yerr.empty() ? -1 : column_index(csv, s.yerr);
    const int zi = s.z.empty() ? -1 : column_index(csv, s.z);
    if (xi == 0 || yi == 0 || ei == 0 || zi == 0)
      return fail("plot " + plot.file + ": " + csv.string() + " has no column '" +
                  (xi == 0   ? s.x
                   : yi == 0 ? s.y
                   : ei == 0 ? s.yerr
                             : s.z) +
                  "'");
    if (zi > 0) {  // a heat map: coloured squares labelled with their value
      const std::string data =
          quote(csv.string()) + " skip 1 using " + std::to_string(xi) + ":" + std::to_string(yi);
      gp << (first ? "" : ", ") << data << ":" << zi
         << " with points pointtype 5 pointsize 6 palette notitle, " << data
         << ":(sprintf('%.2f', $" << zi << ")) with labels notitle";
      first = false;
      continue;
    }
    gp << (first ? "" : ", ") << quote(csv.string()) << " skip 1 using " << xi << ":" << yi;
    if (ei > 0)
      gp << ":" << ei << " with yerrorlines";
    else
      gp << " with lines";
    gp << " linewidth 2 title " << quote(s.label.empty() ? s.y : s.label);
    first = false;
  }
  if (first) return fail("plot " + plot.file + " has no series");
  gp << "\n";

  const fs::path script = dir / (plot.file + ".gp");
  {
    std::ofstream out(script);
    out << gp.str();
    if (!out) return fail("cannot write " + script.string());
  }
  const fs::path err = dir / (plot.file + ".log");
  const std::string cmd =
      "gnuplot " + shell_quote(script.string()) + " >" + shell_quote(err.string()) + " 2>&1";
  const int rc = std::system(cmd.c_str());
  std::error_code ec;
  const fs::path tmp = dir / (plot.file + ".tmp");
  if (rc != 0 || !fs::exists(tmp) || fs::file_size(tmp, ec) == 0) {
    fs::remove(tmp, ec);
    return fail("gnuplot failed on " + script.string() + " (see " + err.string() + ")");
  }
  fs::remove(err, ec);
  // Delivered by the atomic writer, so a link, a device or a pipe at the destination is written
  // through, never replaced by the rename of a temporary file.
  try {
    const std::string png = io::read_file(tmp.string());
    fs::remove(tmp, ec);
    io::write_file_atomic((dir / plot.file).string(), png);
  } catch (const Error& e) {
    fs::remove(tmp, ec);
    return fail(std::string("cannot write the plot: ") + e.what());
  }
  return true;
}

}  // namespace descent::experiments
