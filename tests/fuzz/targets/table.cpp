// data::read_table (users' CSV tables with a target column) on arbitrary bytes.
#include "descent/data/table.hpp"
#include "../fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = descent::fuzz::write_input(data, size, ".csv");
  descent::fuzz::guarded([&] {
    descent::data::TableOptions o;
    o.classification = true;
    descent::data::read_table(path, o);
  });
  return descent::fuzz::guarded([&] {
    descent::data::TableOptions o;
    o.target = "label";
    o.require_target = false;
    o.expected_features = {"a", "b"};
    o.expected_feature_count = 2;
    descent::data::read_table(path, o);
  });
}
