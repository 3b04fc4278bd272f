// boost::load_model (GBNN model files) on arbitrary bytes; a model that loads must predict.
#include "../fuzz_input.hpp"
#include "descent/boost/model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = descent::fuzz::write_input(data, size, ".json");
  return descent::fuzz::guarded([&] {
    const descent::boost::BoostModel m = descent::boost::load_model(path);
    const Eigen::MatrixXd x = Eigen::MatrixXd::Ones(2, m.gbnn.inputs());
    m.gbnn.predict(m.prepare(x));
    m.gbnn.to_network();
  });
}
