#include "descent/experiments/report.hpp"

#include "descent/core/error.hpp"

namespace descent::experiments {

std::string_view to_string(Verdict v) noexcept {
  switch (v) {
    case Verdict::held:
      return "held";
    case Verdict::not_held:
      return "not held";
    case Verdict::not_measured:
      return "not measured";
  }
  return "not measured";
}

Verdict verdict_from_string(std::string_view s) {
  if (s == "held") return Verdict::held;
  if (s == "not held") return Verdict::not_held;
  if (s == "not measured") return Verdict::not_measured;
  throw Error("unknown verdict '" + std::string(s) + "'");
}

Claim& Report::check(std::string id, std::string statement, std::string paper_value,
                     std::string ours, bool held, std::string reason) {
  claims.push_back({std::move(id), std::move(statement), std::move(paper_value), std::move(ours),
                    held ? Verdict::held : Verdict::not_held, std::move(reason)});
  return claims.back();
}

Claim& Report::not_measured(std::string id, std::string statement, std::string paper_value,
                            std::string reason) {
  claims.push_back({std::move(id), std::move(statement), std::move(paper_value), "",
                    Verdict::not_measured, std::move(reason)});
  return claims.back();
}

nlohmann::json to_json(const Claim& c) {
  return {{"id", c.id},
          {"statement", c.statement},
          {"paper", c.paper_value},
          {"ours", c.ours},
          {"verdict", std::string(to_string(c.verdict))},
          {"reason", c.reason}};
}

nlohmann::json to_json(const Plot& p) {
  nlohmann::json series = nlohmann::json::array();
  for (const auto& s : p.series) {
    nlohmann::json js{{"csv", s.csv}, {"x", s.x}, {"y", s.y}, {"label", s.label}};
    if (!s.yerr.empty()) js["yerr"] = s.yerr;
    if (!s.z.empty()) js["z"] = s.z;
    series.push_back(js);
  }
  return {{"file", p.file}, {"title", p.title}, {"xlabel", p.xlabel}, {"ylabel", p.ylabel},
          {"logx", p.logx}, {"logy", p.logy},   {"series", series}};
}

Plot plot_from_json(const nlohmann::json& j) {
  Plot p;
  p.file = j.at("file").get<std::string>();
  p.title = j.value("title", "");
  p.xlabel = j.value("xlabel", "");
  p.ylabel = j.value("ylabel", "");
  p.logx = j.value("logx", false);
  p.logy = j.value("logy", false);
  for (const auto& s : j.at("series"))
    p.series.push_back({s.at("csv").get<std::string>(), s.at("x").get<std::string>(),
                        s.at("y").get<std::string>(), s.value("label", ""), s.value("yerr", ""),
                        s.value("z", "")});
  return p;
}

}  // namespace descent::experiments
