// Fused, vectorised row kernels shared by every entropic solver (private to descent_ot).
//
// Each kernel streams one contiguous row once: the log-sum-exp keeps the running maximum in the
// same pass as the exponential sum (using the previous result as the shift), the plan kernel
// writes exp(.) and accumulates row and column sums together, and the Newton line-search
// kernel sums the exact change of the dual without writing anything. They are compiled
// for AVX-512, AVX2+FMA and baseline x86-64 and picked at run time (GCC target_clones).
#pragma once

#include <cstddef>

#include "descent/core/parallel.hpp"
#include "descent/ot/problem.hpp"

namespace descent::ot::detail {

/// sum_j exp(s a_j + w_j - shift); *max_out = max_j (s a_j + w_j). Terms below exp(-708) may be
/// counted as exp(-708) (harmless in a sum whose largest term is >= exp(-shift_bound)).
double sum_exp_row(const double* a, const double* w, std::size_t m, double s, double shift,
                   double* max_out);

/// log sum_j exp(s a_j + w_j). `hint` is a previous value for this row (NaN if none): it is used
/// as the shift when the new maximum lies within 300 of it, so a converging Sinkhorn pays one
/// pass per row; otherwise the row (now in cache) is summed again around its maximum.
double log_sum_exp_row(const double* a, const double* w, std::size_t m, double s, double hint);

/// out_j = exp(s a_j + w_j + add) (exactly 0 below exp(-708)); if colsum is not null,
/// colsum_j += out_j. Returns sum_j out_j. `out` may be null (sums only).
double exp_row(const double* a, const double* w, std::size_t m, double s, double add, double* out,
               double* colsum);

/// Newton line search on one row: sum_j p_j (e^{d_j} - 1 - d_j) with d_j = t (du + dv_j),
/// accurate for tiny d (the dual's exact change needs nothing else: the plan itself is
/// recomputed from the potentials once a step is accepted).
double phi_row(const double* p, const double* dv, std::size_t m, double du, double t);

/// out[t] = scale * c(p, q_t) for t < count, for a built-in ground cost: p has d coordinates and
/// coordinate k of point q_t is coords[k][t] (each coordinate contiguous over the points, as in a
/// column-major cloud). Coordinates are summed in order k = 0..d-1.
void cost_tile(GroundCost cost, const double* p, const double* const* coords, std::size_t d,
               std::size_t count, double scale, double* out);

/// m_t = max(m_t, s a_t + add) (the row maxima of -eta C + beta, column by column).
void max_into(double* m, const double* a, double s, double add, std::size_t count);

/// sum_t x_t y_t (the scaling-domain column pass). The summation order depends only on count.
double dot(const double* x, const double* y, std::size_t count);
/// y_t += s x_t (the scaling-domain row accumulation; each y_t in one operation, so the order
/// of the terms added to y_t is the order of the calls).
void axpy(double* y, const double* x, double s, std::size_t count);

/// Row blocks over threads, exceptions carried back (core/parallel.hpp).
using descent::parallel_blocks;

/// threads <= 0 means descent::threads(); at least 1.
int resolve_threads(int threads);

}  // namespace descent::ot::detail
