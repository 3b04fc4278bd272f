#include "descent/core/settings.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace descent {

Settings::Settings(std::initializer_list<std::pair<const std::string, std::string>> items)
    : items_(items.begin(), items.end()) {}

Settings Settings::parse(std::string_view text) {
  Settings s;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t end = text.find_first_of(",; \t\n", i);
    const std::string_view item = text.substr(i, end == std::string_view::npos ? end : end - i);
    i = end == std::string_view::npos ? text.size() : end + 1;
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0)
      throw InvalidOption(std::string(item), "expected key=value in '" + std::string(text) + "'");
    s.set(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
  }
  return s;
}

Settings& Settings::set(std::string key, std::string value) {
  items_[std::move(key)] = std::move(value);
  return *this;
}

Settings& Settings::set(std::string key, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  return set(std::move(key), std::string(buf));
}

Settings& Settings::merge(const Settings& other) {
  for (const auto& [k, v] : other.items_) items_[k] = v;
  return *this;
}

const std::string* Settings::find(std::string_view key) const {
  const auto it = items_.find(key);
  return it == items_.end() ? nullptr : &it->second;
}

std::string Settings::str() const {
  std::string out;
  for (const auto& [k, v] : items_) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

const std::string* OptionFields::take(std::string_view key) {
  known_.emplace_back(key);
  if (!settings_) return nullptr;
  const std::string* v = settings_->find(key);
  if (v) taken_.insert(std::string(key));
  return v;
}

void OptionFields::document(std::string_view key, std::string value, std::string_view help) {
  if (settings_) return;
  docs_.push_back({std::string(key), std::move(value), std::string(help)});
}

std::string OptionFields::join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

namespace {

// The shortest spelling that reads back the same value ("1200", "1e-09").
std::string show(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

double parse_number(std::string_view key, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size())
    throw InvalidOption(std::string(key), "expected a number, got '" + text + "'");
  return v;
}

template <class Int>
Int parse_integer(std::string_view key, const std::string& text) {
  Int v{};
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end || text.empty())
    throw InvalidOption(
        std::string(key),
        "expected " + std::string(std::is_signed_v<Int> ? "an integer" : "a whole number >= 0") +
            ", got '" + text + "'");
  return v;
}

}  // namespace

OptionFields& OptionFields::operator()(std::string_view key, double& field, std::string_view help) {
  if (const std::string* text = take(key)) {
    field = parse_number(key, *text);
    return *this;
  }
  document(key, show(field), help);
  return *this;
}

OptionFields& OptionFields::operator()(std::string_view key, int& field, std::string_view help) {
  if (const std::string* text = take(key)) {
    field = parse_integer<int>(key, *text);
    return *this;
  }
  document(key, std::to_string(field), help);
  return *this;
}

OptionFields& OptionFields::operator()(std::string_view key, std::size_t& field,
                                       std::string_view help) {
  if (const std::string* text = take(key)) {
    field = parse_integer<std::size_t>(key, *text);
    return *this;
  }
  document(key, std::to_string(field), help);
  return *this;
}

OptionFields& OptionFields::operator()(std::string_view key, bool& field, std::string_view help) {
  if (const std::string* text = take(key)) {
    if (*text == "true" || *text == "1" || *text == "yes" || *text == "on")
      field = true;
    else if (*text == "false" || *text == "0" || *text == "no" || *text == "off")
      field = false;
    else
      throw InvalidOption(std::string(key), "expected true or false, got '" + *text + "'");
    return *this;
  }
  document(key, field ? "true" : "false", help);
  return *this;
}

OptionFields& OptionFields::operator()(std::string_view key, std::string& field,
                                       std::string_view help) {
  if (const std::string* text = take(key)) {
    field = *text;
    return *this;
  }
  document(key, field, help);
  return *this;
}

OptionFields& OptionFields::operator()(std::string_view key, std::optional<double>& field,
                                       std::string_view help) {
  if (const std::string* text = take(key)) {
    if (*text == "auto") {
      field.reset();
      return *this;
    }
    field = parse_number(key, *text);
    return *this;
  }
  document(key, field ? show(*field) : "auto", help);
  return *this;
}

void OptionFields::finish(std::string_view method) const {
  if (!settings_) return;
  for (const auto& [key, value] : settings_->items()) {
    if (taken_.count(key)) continue;
    throw InvalidOption(key, "'" + std::string(method) + "' has no such option (it takes " +
                                 (known_.empty() ? std::string("none") : join(known_, ", ")) + ")");
  }
}

}  // namespace descent
