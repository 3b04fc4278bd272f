// descent._core's privacy accounting: the RDP/zCDP accountant and the noise calibrations of
// descent/privacy/accountant.hpp. descent/privacy.py gives them Opacus' names.
#include <string>

#include "bindings.hpp"
#include "descent/privacy/accountant.hpp"

namespace descent::python {

void bind_privacy(py::module_& m) {
  using namespace descent::privacy;
  py::class_<RdpAccountant>(m, "RdpAccountant")
      .def(py::init<>())
      .def("compose_gaussian", &RdpAccountant::compose_gaussian, py::arg("rho"),
           py::arg("count") = 1)
      .def("compose_subsampled_gaussian", &RdpAccountant::compose_subsampled_gaussian, py::arg("q"),
           py::arg("z"), py::arg("steps"))
      .def_property_readonly("rho", &RdpAccountant::rho)
      .def_property_readonly("has_subsampled", &RdpAccountant::has_subsampled)
      .def(
          "epsilon",
          [](const RdpAccountant& a, double delta, const std::string& conversion) {
            const EpsilonAtOrder e = a.epsilon(delta, conversion_from_string(conversion));
            return py::make_tuple(e.epsilon, e.order);
          },
          py::arg("delta"), py::arg("conversion") = "tight");
  m.def("subsampled_gaussian_rdp", &subsampled_gaussian_rdp, py::arg("q"), py::arg("z"),
        py::arg("alpha"));
  m.def("integer_orders", &integer_orders);
  m.def(
      "gaussian_rho",
      [](double sigma, double n, const std::string& adjacency) {
        return gaussian_rho(sigma, n, adjacency_from_string(adjacency));
      },
      py::arg("sigma"), py::arg("n"), py::arg("adjacency") = "replace-one");
  m.def(
      "epsilon_of_rho",
      [](double rho, double delta, const std::string& conversion) {
        return epsilon_of_rho(rho, delta, conversion_from_string(conversion));
      },
      py::arg("rho"), py::arg("delta"), py::arg("conversion") = "tight");
  m.def(
      "rho_of_epsilon",
      [](double epsilon, double delta, const std::string& conversion) {
        return rho_of_epsilon(epsilon, delta, conversion_from_string(conversion));
      },
      py::arg("epsilon"), py::arg("delta"), py::arg("conversion") = "tight");
  m.def(
      "calibrate_dpgd_sigma",
      [](double epsilon, double delta, double n, std::size_t rounds, const std::string& adjacency,
         const std::string& conversion) {
        PrivacyBudget budget;
        budget.epsilon = epsilon;
        budget.delta = delta;
        budget.adjacency = adjacency_from_string(adjacency);
        budget.conversion = conversion_from_string(conversion);
        budget.validate();
        return calibrate_dpgd_sigma(budget, n, rounds);
      },
      py::arg("epsilon"), py::arg("delta"), py::arg("n"), py::arg("rounds"),
      py::arg("adjacency") = "replace-one", py::arg("conversion") = "tight");
}

}  // namespace descent::python
