#include "descent/offline/encoding.hpp"

#include <cmath>

#include "descent/core/error.hpp"

namespace descent::offline {

Eigen::MatrixXd codes_to_logits(const Eigen::MatrixXd& codes, int letters, double soft) {
  if (letters < 2) throw InvalidOption("alphabet", "needs at least 2 letters");
  const int k1 = letters - 1;
  // log p(letter) − log p(letter 0), p = soft·onehot + (1 − soft)/K.
  const double on = std::log(soft + (1.0 - soft) / letters), off = std::log((1.0 - soft) / letters);
  Eigen::MatrixXd out(codes.rows(), codes.cols() * k1);
  for (Eigen::Index r = 0; r < codes.rows(); ++r)
    for (Eigen::Index p = 0; p < codes.cols(); ++p) {
      const double code = codes(r, p);
      if (!(code >= 0 && code < letters) || code != std::floor(code))
        throw Error("codes_to_logits: letter codes must be integers in [0, K)");
      const int c = int(code);
      const double ref = c == 0 ? on : off;
      for (int k = 1; k <= k1; ++k) out(r, p * k1 + k - 1) = (c == k ? on : off) - ref;
    }
  return out;
}

Eigen::MatrixXd logits_to_codes(const Eigen::MatrixXd& logits, Eigen::Index positions,
                                int letters) {
  const int k1 = letters - 1;
  if (logits.cols() != positions * k1) throw Error("logits_to_codes: wrong number of columns");
  Eigen::MatrixXd out(logits.rows(), positions);
  for (Eigen::Index r = 0; r < logits.rows(); ++r)
    for (Eigen::Index p = 0; p < positions; ++p) {
      int best = 0;
      double value = 0.0;  // the reference letter
      for (int k = 1; k <= k1; ++k)
        if (logits(r, p * k1 + k - 1) > value) {
          value = logits(r, p * k1 + k - 1);
          best = k;
        }
      out(r, p) = best;
    }
  return out;
}

InputEncoding::InputEncoding(const DesignSpace& space, const Eigen::MatrixXd& designs)
    : space_(space) {
  z_.fit(space.discrete ? codes_to_logits(designs, space.letters()) : designs);
}

Eigen::MatrixXd InputEncoding::encode(const Eigen::MatrixXd& designs) const {
  return z_.transform(space_.discrete ? codes_to_logits(designs, space_.letters()) : designs);
}

Eigen::MatrixXd InputEncoding::decode(const Eigen::MatrixXd& inputs) const {
  const Eigen::MatrixXd raw = z_.inverse_transform(inputs);
  return space_.discrete ? logits_to_codes(raw, space_.dimension, space_.letters()) : raw;
}

}  // namespace descent::offline
