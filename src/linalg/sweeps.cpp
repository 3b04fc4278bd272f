#include "descent/linalg/sweeps.hpp"

namespace descent::linalg {

void forward_substitution(const CsrView& a, double omega, const double* r, double* y) noexcept {
  const int* outer = a.outer;
  const int* inner = a.inner;
  const double* values = a.values;
  const int* diag = a.diagonal;
  for (int i = 0; i < a.n; ++i) {
    double s = r[i];
    for (int k = outer[i]; k < diag[i]; ++k) s -= values[k] * y[inner[k]];
    y[i] = s / (values[diag[i]] / omega);
  }
}

void backward_substitution(const CsrView& a, double omega, const double* r, double* y) noexcept {
  const int* outer = a.outer;
  const int* inner = a.inner;
  const double* values = a.values;
  const int* diag = a.diagonal;
  for (int i = a.n - 1; i >= 0; --i) {
    double s = r[i];
    for (int k = diag[i] + 1; k < outer[i + 1]; ++k) s -= values[k] * y[inner[k]];
    y[i] = s / (values[diag[i]] / omega);
  }
}

void sor_sweep_forward(const CsrView& a, const double* inv_diagonal, double omega, const double* b,
                       double* x) noexcept {
  const int* outer = a.outer;
  const int* inner = a.inner;
  const double* values = a.values;
  const int* diag = a.diagonal;
  for (int i = 0; i < a.n; ++i) {
    // Diagonal and upper part first: they do not depend on this sweep's new values, so only
    // the lower terms (x_{i-1} last) sit on the dependency chain.
    double s = b[i];
    for (int k = diag[i]; k < outer[i + 1]; ++k) s -= values[k] * x[inner[k]];
    for (int k = outer[i]; k < diag[i]; ++k) s -= values[k] * x[inner[k]];
    x[i] += omega * inv_diagonal[i] * s;
  }
}

void sor_sweep_backward(const CsrView& a, const double* inv_diagonal, double omega, const double* b,
                        double* x) noexcept {
  const int* outer = a.outer;
  const int* inner = a.inner;
  const double* values = a.values;
  const int* diag = a.diagonal;
  for (int i = a.n - 1; i >= 0; --i) {
    double s = b[i];
    for (int k = outer[i]; k <= diag[i]; ++k) s -= values[k] * x[inner[k]];
    for (int k = outer[i + 1] - 1; k > diag[i]; --k) s -= values[k] * x[inner[k]];
    x[i] += omega * inv_diagonal[i] * s;
  }
}

void ssor_scale(const CsrView& a, double omega, double* scaled) noexcept {
  for (int i = 0; i < a.n; ++i) {
    const double inv = 1.0 / a.values[a.diagonal[i]];
    for (int k = a.outer[i]; k < a.outer[i + 1]; ++k) scaled[k] = omega * a.values[k] * inv;
    scaled[a.diagonal[i]] = inv;
  }
}

double ssor_apply(const CsrView& a, const double* scaled, double omega, const double* r,
                  double* z) noexcept {
  const int* outer = a.outer;
  const int* inner = a.inner;
  const int* diag = a.diagonal;
  const int n = a.n;
  // Forward: y = (D + omega L)^{-1} r, i.e. y_i = r_i / a_ii - sum_{j<i} (omega a_ij / a_ii) y_j,
  // stored in z. Columns ascend, so the chain-carrying y_{i-1} term comes last.
  for (int i = 0; i < n; ++i) {
    double s = r[i] * scaled[diag[i]];
    for (int k = outer[i]; k < diag[i]; ++k) s -= scaled[k] * z[inner[k]];
    z[i] = s;
  }
  // Backward: z = (D + omega U)^{-1} (c D y), c = omega (2 - omega), in place:
  // z_i = c y_i - sum_{j>i} (omega a_ij / a_ii) z_j. Columns are visited in descending order so
  // that z_{i+1}, the value just computed, enters last.
  const double c = omega * (2.0 - omega);
  double rz = 0.0;
  for (int i = n - 1; i >= 0; --i) {
    double s = c * z[i];
    for (int k = outer[i + 1] - 1; k > diag[i]; --k) s -= scaled[k] * z[inner[k]];
    z[i] = s;
    rz += r[i] * s;
  }
  return rz;
}

}  // namespace descent::linalg
